using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Protocol;
using ChargeManager.Host;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Reliability;

/// <summary>
/// The desktop host's receive path against hostile datagrams over real UDP (issue 13): a running host
/// with emulated chargers on 127.0.53.x, and an attacker socket that sends every kind of bad datagram.
/// After each kind every charger must still be heard (its accepted count goes on rising) and none
/// becomes unreachable. Before the fix one empty datagram stopped all receiving for good.
/// </summary>
[Collection("udp")]
public class UdpHardeningTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int ManagerPort = 18530;
    HostApp host;
    string data;

    public async Task InitializeAsync()
    {
        data = Path.Combine(Path.GetTempPath(), "cm-udp13-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[]
        {
            "--http", "127.0.53.1:18531", "--udp", "127.0.53.1:" + ManagerPort, "--data", data,
            "--simulate", "3", "--simulate-from", "127.0.53.2", "--speed", "1",
        }, out string error);
        Assert.Null(error);
        host = await HostApp.StartAsync(options, TextWriter.Null);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }

    /// <summary>How often each emulated charger's state was accepted (a configured address where nothing listens is left out).</summary>
    int[] Accepted()
    {
        lock (host.Manager.Gate)
            return Enumerable.Range(0, host.Farm.Chargers.Length).Select(i => host.Manager.Link.Charger(i).Accepted).ToArray();
    }

    /// <summary>Every charger is heard at least twice more within 5 s, and none is in error.</summary>
    void ChargersStillHeard(string after)
    {
        int[] before = Accepted();
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 5000 && !Accepted().Zip(before).All(p => p.First >= p.Second + 2))
            Thread.Sleep(50);
        int[] now = Accepted();
        Assert.True(now.Zip(before).All(p => p.First >= p.Second + 2), $"after {after}: chargers heard {string.Join(",", before)} -> {string.Join(",", now)}");
        lock (host.Manager.Gate)
            for (int i = 0; i < host.Farm.Chargers.Length; i++)
                Assert.Equal(ChargerError.Ok, host.Manager.Link.Charger(i).Error);
    }

    static byte[] ValidState(int version, Random random)
    {
        var p = new StatePacket { Version = version };
        var buffer = new byte[StatePacket.NewestLength];
        int n = p.Encode(buffer, version);
        return buffer.AsSpan(0, n).ToArray();
    }

    [Fact]
    public void EveryKindOfDatagram_TheChargersKeepBeingHeard()
    {
        var manager = new IPEndPoint(IPAddress.Parse("127.0.53.1"), ManagerPort);
        using var attacker = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        attacker.Bind(new IPEndPoint(IPAddress.Parse("127.0.53.100"), 0));
        // From the chargers' port on another address: passes the port check, not the address check.
        using var samePort = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        samePort.Bind(new IPEndPoint(IPAddress.Parse("127.0.53.101"), GroupLink.ChargerPort));
        var random = new Random(13);
        Assert.True(SpinWait.SpinUntil(() => Accepted().All(a => a > 0), 10_000), "every charger heard at start");

        var kinds = new (string name, Func<int, byte[]> make)[]
        {
            ("empty (0 bytes)", _ => Array.Empty<byte>()),
            ("1 byte", _ => new byte[] { 0x4f }),
            ("3 bytes (half a header)", _ => new byte[] { 0x4f, 0x85, 5 }),
            ("truncated state packets", i => ValidState(1 + i % 5, random).AsSpan(0, random.Next(1, 80)).ToArray()),
            ("valid state packets from unknown sources", i => ValidState(1 + i % 5, random)),
            ("1501 bytes (over the 1500-byte buffer)", _ => new byte[1501]),
            ("9000 bytes", _ => RandomBytes(random, 9000)),
            ("65507 bytes (the largest UDP payload)", _ => RandomBytes(random, 65507)),
            ("random 0..1500 bytes", _ => RandomBytes(random, random.Next(0, 1501))),
        };
        long sent = 0;
        foreach (var (name, make) in kinds)
        {
            for (int i = 0; i < 200; i++, sent++)
                (i % 2 == 0 ? attacker : samePort).SendTo(make(i), manager);
            ChargersStillHeard(name);
            output.WriteLine($"{name}: 200 sent, chargers still heard");
        }

        // In any number: 40,000 mixed datagrams as fast as this machine sends them.
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 40_000; i++, sent++)
        {
            var (_, make) = kinds[i % kinds.Length];
            var d = i % kinds.Length >= 5 && i % kinds.Length <= 7 ? new byte[i % 2 == 0 ? 0 : 1600] : make(i);
            (i % 2 == 0 ? attacker : samePort).SendTo(d, manager);
        }
        output.WriteLine($"flood: 40,000 datagrams in {watch.ElapsedMilliseconds} ms");
        ChargersStillHeard("a flood of 40,000");

        long received, oversized;
        lock (host.Manager.Gate)
        {
            received = host.Manager.DatagramsReceived;
            oversized = host.Manager.OversizedDatagrams;
            output.WriteLine($"host: {received} datagrams read, {oversized} oversized, {host.Manager.ReceiveErrors} receive errors, " +
                $"{host.Manager.Link.UnknownSource} from unknown sources, {host.Manager.LoopFaults} loop faults");
            Assert.Equal(0, host.Manager.LoopFaults);
        }
        Assert.True(oversized >= 3 * 200, "oversized datagrams are seen as such and dropped");
        output.WriteLine(ReliabilityTable.Add("datagrams fuzzed (UDP)", sent, 0, "9 kinds + a flood, host over UDP"));
    }

    [Fact]
    public void CommandsToAnAddressWhereNothingListens_AndAFaultInTheLoop_TheLoopLivesOn()
    {
        // A charger configured where nothing listens: every command draws an ICMP port unreachable
        // (a socket exception on Windows unless SIO_UDP_CONNRESET is off; silent on Linux).
        Assert.True(SpinWait.SpinUntil(() => Accepted().All(a => a > 0), 10_000));
        string body = "{\"enable_charge_manager\":true,\"enable_watchdog\":false,\"default_available_current\":16000,\"maximum_available_current\":32000," +
            "\"minimum_current_auto\":false,\"minimum_current\":6000,\"minimum_current_1p\":6000,\"minimum_current_vehicle_type\":0,\"verbose\":false," +
            "\"requested_current_threshold\":60,\"requested_current_margin\":3000,\"chargers\":[" +
            string.Join(",", host.Farm.Hosts.Select((h, i) => $"{{\"host\":\"{h}\",\"name\":\"sim-{i + 1}\"}}")) + ",{\"host\":\"127.0.53.9\",\"name\":\"nobody\"}]}";
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        lock (host.Manager.Gate)
            Assert.Equal(200, host.Manager.App.Handle("POST", "/charge_manager/config", bytes, bytes.Length, host.Clock.NowMs));
        Assert.True(SpinWait.SpinUntil(() => Enumerable.Range(0, 3).All(i => Accepted()[i] > 0), 10_000));
        int sentBefore;
        lock (host.Manager.Gate)
            sentBefore = host.Manager.Link.Charger(3).Sent;
        Thread.Sleep(2500);
        lock (host.Manager.Gate)
            Assert.True(host.Manager.Link.Charger(3).Sent > sentBefore, "commands went to the silent address");
        ChargersStillHeard("commands to an address where nothing listens");

        // A fault inside the loop (here: a listener of the tick that throws once) is survived.
        bool thrown = false;
        host.Manager.Ticked += _ =>
        {
            if (!thrown)
            {
                thrown = true;
                throw new InvalidOperationException("a fault in the loop");
            }
        };
        Assert.True(SpinWait.SpinUntil(() => thrown, 2000));
        ChargersStillHeard("an exception inside the loop");
        lock (host.Manager.Gate)
        {
            Assert.Equal(1, host.Manager.LoopFaults);
            Assert.Contains(Enumerable.Range(0, host.Manager.App.Log.Count).Select(i => host.Manager.App.Log.Line(i)), l => l.Contains("a fault in the loop"));
        }
    }

    static byte[] RandomBytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }
}
