using System.Text;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Protocol;
using Xunit;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>One WARP charger as the manager sees it over the protocol: applies a command 300 ms after it arrives (at most its supported current), falls back to 0 A after 30 s without one, and sends a state every second and after applying.</summary>
public sealed class FakeWarp
{
    public string Host;
    public uint Ip;
    public uint Uid;
    public int Supported = 32000;
    public int WiredPhases = 3;
    public PhaseRotation Rotation;   // the truth, whatever the config says
    public bool Present = true;
    public bool NotManaged;          // charge management disabled on it: it ignores commands and says so
    public int Applied;
    public int Pending = -1;
    public long PendingAt, LastCommandMs, NextStateMs;
    public ushort Seq;
    public uint Uptime = 1000;

    public int DrawOn(int phase) => Present ? Cost.On(phase, Applied, WiredPhases, Rotation) : 0;
}

/// <summary>The manager (a real ChargeManagerApp) and fake WARPs on one in-process network, on a hand-moved clock.</summary>
public sealed class WarpNet : IDatagramSender, IHostResolver
{
    public readonly List<FakeWarp> Warps = new();
    public readonly MemoryStore Store = new();
    public ChargeManagerApp App;
    public long Now = 1000;
    readonly CommandPacket command = new();
    readonly StatePacket state = new();
    readonly byte[] buffer = new byte[StatePacket.NewestLength];

    public FakeWarp Add(string host, int phases = 3, PhaseRotation rotation = PhaseRotation.L123)
    {
        HostName.TryParseIpv4(host, out uint ip);
        var w = new FakeWarp { Host = host, Ip = ip, Uid = ip, WiredPhases = phases, Rotation = rotation, NextStateMs = Now + Warps.Count * 97 };
        Warps.Add(w);
        return w;
    }

    public FakeWarp this[string host] => Warps.First(w => w.Host == host);

    public void Send(byte[] b, int length, uint ip, int port)
    {
        var w = Warps.FirstOrDefault(x => x.Ip == ip && x.Present);
        if (w == null || command.Decode(b, length, out _, out _) != PacketCheck.Ok)
            return;
        w.LastCommandMs = Now;
        if (w.NotManaged)
            return;
        if ((command.Flags & CommandPacket.FlagIgnoreAllocation) != 0)
            return; // keeps its slot
        w.Pending = Math.Min(command.AllocatedCurrent, w.Supported);
        w.PendingAt = Now + 300;
    }

    public void Resolve(int charger, string host, HostKind kind) { }

    public void Step(int ms = 50)
    {
        Now += ms;
        foreach (var w in Warps.Where(w => w.Present))
        {
            if (w.Pending >= 0 && Now >= w.PendingAt)
            {
                w.Applied = w.Pending;
                w.Pending = -1;
                w.NextStateMs = Now;
            }
            if (w.NotManaged)
                w.Applied = w.Supported;
            else if (Now - w.LastCommandMs > 30_000)
                w.Applied = 0;
            w.Uptime += (uint)ms;
            if (Now < w.NextStateMs)
                continue;
            w.NextStateMs = Now + 1000;
            state.Seq = w.Seq++;
            state.Esp32Uid = w.Uid;
            state.EvseUptime = w.Uptime;
            state.ChargerState = 3;
            state.SupportedCurrent = w.Supported;
            state.AllowedChargingCurrent = w.Applied;
            state.StateFlags = w.NotManaged ? 0 : StatePacket.StateFlagManaged;
            state.Phases = w.WiredPhases;
            state.LineCurrent1 = state.LineCurrent2 = state.LineCurrent3 = float.NaN;
            state.TimeSinceStateChangeMs = 1000;
            state.RequestedChargeMode = 4;
            int length = state.Encode(buffer, 5);
            App.Receive(buffer, length, w.Ip, GroupLink.ChargerPort, Now);
        }
        App.Tick(Now, -1);
    }

    public void Run(long ms, Action each = null)
    {
        for (long t = 0; t < ms; t += 50)
        {
            Step();
            each?.Invoke();
        }
    }

    public int Draw(int phase) => Warps.Sum(w => w.DrawOn(phase));

    public int Post(string path, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return App.Handle("POST", "/charge_manager/" + path, bytes, bytes.Length, Now);
    }

    public string Get(string path)
    {
        Assert.Equal(200, App.Handle("GET", "/charge_manager/" + path, Array.Empty<byte>(), 0, Now));
        return App.Response.ToString();
    }

    public static string Config(IEnumerable<string> hosts, int defaultCurrent = 32000, int maximum = 64000, bool watchdog = false, bool verbose = false) =>
        "{\"enable_charge_manager\":true,\"enable_watchdog\":" + (watchdog ? "true" : "false") +
        ",\"default_available_current\":" + defaultCurrent + ",\"maximum_available_current\":" + maximum +
        ",\"minimum_current_auto\":false,\"minimum_current\":6000,\"minimum_current_1p\":6000,\"minimum_current_vehicle_type\":0" +
        ",\"verbose\":" + (verbose ? "true" : "false") + ",\"requested_current_threshold\":60,\"requested_current_margin\":3000,\"chargers\":[" +
        string.Join(",", hosts.Select((h, i) => "{\"host\":\"" + h + "\",\"name\":\"c" + i + "\"}")) + "]}";

    /// <summary>Starts the manager with this config stored.</summary>
    public void Start(IEnumerable<string> hosts, int defaultCurrent = 32000)
    {
        var defaults = new ManagerConfig { EnableChargeManager = true, DefaultAvailableCurrent = defaultCurrent, MaximumAvailableCurrent = 64000, Hosts = hosts.ToArray(), Names = hosts.Select((h, i) => "c" + i).ToArray() };
        App = new ChargeManagerApp(Store, this, this, defaults, Now);
    }
}
