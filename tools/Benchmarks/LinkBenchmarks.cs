using BenchmarkDotNet.Attributes;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Protocol;

namespace ChargeManager.Benchmarks;

/// <summary>
/// One second of the chargers' protocol as the manager sees it: a state packet from every charger and
/// twenty 50 ms ticks (keep-alive commands, the allocator when due). Divided by the charger count this
/// is the manager's CPU time per charger per second.
/// </summary>
[MemoryDiagnoser]
public class LinkBenchmarks : IDatagramSender, IHostResolver
{
    [Params(10, 64)]
    public int Chargers;

    GroupLink link;
    Distributor group;
    byte[][] states;
    uint[] addresses;
    long now;
    ushort seq;
    uint uptime;

    public void Send(byte[] buffer, int length, uint ipv4, int port) { }
    public void Resolve(int charger, string host, HostKind kind) { }

    [GlobalSetup]
    public void Setup()
    {
        group = new Distributor(new AllocatorConfig(), Chargers);
        group.SetAvailableCurrent(Chargers * 8000);
        var hosts = new string[Chargers];
        addresses = new uint[Chargers];
        for (int i = 0; i < Chargers; i++)
        {
            hosts[i] = "10.0." + (i / 250) + "." + (2 + i % 250);
            HostName.TryParseIpv4(hosts[i], out addresses[i]);
        }
        link = new GroupLink(group, hosts, this, this, 0);
        states = new byte[Chargers][];
        var packet = new StatePacket { ChargerState = 3, SupportedCurrent = 32000, StateFlags = StatePacket.StateFlagManaged, Phases = 3,
            LineCurrent1 = 10, LineCurrent2 = 10, LineCurrent3 = 10, TimeSinceStateChangeMs = 100_000, RequestedChargeMode = 4 };
        for (int i = 0; i < Chargers; i++)
        {
            states[i] = new byte[136];
            packet.Encode(states[i], 5);
        }
        for (int k = 0; k < 120; k++)
            OneSecond();
    }

    [Benchmark]
    public void OneSecond()
    {
        for (int t = 0; t < 20; t++)
        {
            now += 50;
            int first = t * Chargers / 20, last = (t + 1) * Chargers / 20;
            for (int i = first; i < last; i++)
            {
                // The packets are encoded once in setup; only what changes is patched, so only the manager is measured.
                Wire.PutU16(states[i], PacketHeader.SeqOffset, seq++);
                Wire.PutU32(states[i], 16, ++uptime);
                Wire.PutU16(states[i], 24, group.CommandedCurrent(i));
                link.Receive(states[i], 136, addresses[i], GroupLink.ChargerPort, now);
            }
            link.Tick(now, -1);
        }
    }
}
