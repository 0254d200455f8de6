using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Protocol;

namespace ChargeManager.Distribution.Tests.Link;

/// <summary>A GroupLink with a recording sender and resolver, a hand-moved clock, and state packets built to order.</summary>
public sealed class LinkBench : IDatagramSender, IHostResolver
{
    public readonly Distributor Group;
    public readonly GroupLink Link;
    public readonly List<(byte[] bytes, uint ip, int port, long at)> Sent = new();
    public readonly List<(int charger, string host, long at)> ResolveRequests = new();
    public long Now;
    readonly ushort[] seq;
    readonly uint[] uptime;
    public readonly uint[] Addresses;

    public LinkBench(params string[] hosts) : this(new AllocatorConfig(), hosts) { }

    public LinkBench(AllocatorConfig config, params string[] hosts)
    {
        Group = new Distributor(config, hosts.Length);
        Group.SetAvailableCurrent(32000);
        Link = new GroupLink(Group, hosts, this, this, Now);
        seq = new ushort[hosts.Length];
        uptime = new uint[hosts.Length];
        Addresses = new uint[hosts.Length];
        for (int i = 0; i < hosts.Length; i++)
            HostName.TryParseIpv4(hosts[i], out Addresses[i]);
    }

    public void Send(byte[] buffer, int length, uint ipv4, int port) => Sent.Add((buffer[..length], ipv4, port, Now));
    public void Resolve(int charger, string host, HostKind kind) => ResolveRequests.Add((charger, host, Now));

    public StatePacket State(int charger, int chargerState = 3, int applied = 0, int version = 5) => new()
    {
        Seq = seq[charger]++,
        EvseUptime = uptime[charger] += 1000,
        ChargerState = chargerState,
        SupportedCurrent = 32000,
        AllowedChargingCurrent = applied,
        StateFlags = StatePacket.StateFlagManaged,
        Phases = 3,
        LineCurrent1 = float.NaN, LineCurrent2 = float.NaN, LineCurrent3 = float.NaN,
        TimeSinceStateChangeMs = 1000,
        RequestedChargeMode = 4,
        Version = version,
    };

    public void Deliver(int charger, StatePacket packet, int version = 5, int port = GroupLink.ChargerPort, uint? from = null)
    {
        var buffer = new byte[136];
        int length = packet.Encode(buffer, version);
        Link.Receive(buffer, length, from ?? Addresses[charger], port, Now);
    }

    /// <summary>Each charger answers with its echo of the last command it got (what a WARP does).</summary>
    public void Answer(int charger, int chargerState = 3, int version = 5) =>
        Deliver(charger, State(charger, chargerState, LastCommandCurrent(charger), version), version);

    public int LastCommandCurrent(int charger)
    {
        for (int k = Sent.Count - 1; k >= 0; k--)
            if (Sent[k].ip == Addresses[charger] && (Sent[k].bytes[10] & CommandPacket.FlagIgnoreAllocation) == 0)
                return Sent[k].bytes[8] | Sent[k].bytes[9] << 8;
        return 0;
    }

    public void Run(long ms, int tickMs = 50, Action each = null)
    {
        for (long t = 0; t < ms; t += tickMs)
        {
            Now += tickMs;
            each?.Invoke();
            Link.Tick(Now, -1);
        }
    }

    public IEnumerable<byte[]> SentTo(int charger) => Sent.Where(s => s.ip == Addresses[charger]).Select(s => s.bytes);
}
