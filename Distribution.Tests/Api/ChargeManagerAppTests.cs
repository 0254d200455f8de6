using System.Text;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Link;
using Xunit;

namespace ChargeManager.Distribution.Tests.Api;

public class ChargeManagerAppTests : IDatagramSender, IHostResolver
{
    void IDatagramSender.Send(byte[] buffer, int length, uint ipv4, int port) { }
    void IHostResolver.Resolve(int charger, string host, HostKind kind) { }

    public const string SeedConfig = """
        {
        "enable_charge_manager": true,
        "enable_watchdog": false,
        "default_available_current": 16000,
        "maximum_available_current": 32000,
        "minimum_current_auto": true,
        "minimum_current": 9200,
        "minimum_current_1p": 6000,
        "minimum_current_vehicle_type": 1,
        "verbose": true,
        "requested_current_threshold": 60,
        "requested_current_margin": 3000,
        "chargers": [
        { "host": "127.0.0.1", "name": "warp-AbCd" },
        { "host": "warp2-22oH.local", "name": "warp2-22oH" }
        ]
        }
        """;

    readonly MemoryStore store = new();
    long now = 1000;

    ChargeManagerApp NewApp() => new(store, this, this, Defaults(), now);

    static ManagerConfig Defaults() => new()
    {
        EnableChargeManager = true, DefaultAvailableCurrent = 16000, MaximumAvailableCurrent = 32000,
        Hosts = new[] { "10.0.0.2" }, Names = new[] { "one" },
    };

    static (int status, string body) Call(ChargeManagerApp app, string method, string path, string body = "", long now = 1000)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        int status = app.Handle(method, path, bytes, bytes.Length, now);
        return (status, status == 200 ? app.Response.ToString() : app.ErrorText);
    }

    static JsonNode Json(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return new JsonParser().Parse(bytes, bytes.Length);
    }

    [Fact]
    public void AvailableCurrent_ReadWriteAndAbbreviated()
    {
        var app = NewApp();
        Assert.Equal((200, "{\"current\":16000}"), Call(app, "GET", "/charge_manager/available_current"));
        Assert.Equal(200, Call(app, "POST", "/charge_manager/available_current", "{ \"current\": 12000 }").status);
        Assert.Equal(12000, app.AvailableCurrent);
        Assert.Equal(200, Call(app, "POST", "/charge_manager/available_current", "16000").status);
        Assert.Equal(200, Call(app, "PUT", "/charge_manager/available_current_update", "8000").status);
        Assert.Equal(8000, app.Group.Limit(1));
    }

    [Fact]
    public void AvailableCurrent_AboveTheMaximumIsRejectedNotClamped()
    {
        var app = NewApp();
        var (status, body) = Call(app, "POST", "/charge_manager/available_current", "{\"current\": 40000}");
        Assert.Equal(400, status);
        Assert.Equal("Current too large: maximum available current is configured to 32000", body);
        Assert.Equal(16000, app.AvailableCurrent);
        Assert.Equal(400, Call(app, "POST", "/charge_manager/available_current", "{\"current\": 1.5}").status);
        Assert.Equal(400, Call(app, "POST", "/charge_manager/available_current", "{\"current\": -1}").status);
        Assert.Equal(400, Call(app, "POST", "/charge_manager/available_current", "{\"amps\": 5}").status);
        Assert.Equal(400, Call(app, "POST", "/charge_manager/available_current", "{\"current\": 5, \"x\": 1}").status);
    }

    [Fact]
    public void Config_TheSeedsDocumentIsAcceptedAndReadBack()
    {
        var app = NewApp();
        Assert.Equal(200, Call(app, "POST", "/charge_manager/config", SeedConfig).status);
        var (status, body) = Call(app, "GET", "/charge_manager/config");
        Assert.Equal(200, status);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(SeedConfig), System.Text.Json.Nodes.JsonNode.Parse(body)), body);
        Assert.Equal(2, app.Link.Count); // applied live
        Assert.Equal(9200, app.Group.Config.MinimumCurrent3p);
    }

    public static TheoryData<string, string, string> BadConfigs()
    {
        var data = new TheoryData<string, string, string>();
        void Add(string what, Func<string, string> edit, string mention) => data.Add(what, edit(SeedConfig), mention);
        Add("missing key", s => s.Replace("\"verbose\": true,\n", ""), "missing key 'verbose'");
        Add("unknown key", s => s.Replace("\"verbose\": true,", "\"verbose\": true, \"colour\": 1,"), "unknown key 'colour'");
        Add("wrong type", s => s.Replace("\"enable_watchdog\": false", "\"enable_watchdog\": 0"), "enable_watchdog must be a boolean");
        Add("string for number", s => s.Replace("\"maximum_available_current\": 32000", "\"maximum_available_current\": \"32000\""), "maximum_available_current must be a number");
        Add("fraction", s => s.Replace("\"requested_current_margin\": 3000", "\"requested_current_margin\": 3000.5"), "requested_current_margin must be a whole number");
        Add("below range", s => s.Replace("\"minimum_current_1p\": 6000", "\"minimum_current_1p\": 5999"), "minimum_current_1p: 5999 is less than the allowed minimum of 6000");
        Add("above range", s => s.Replace("\"minimum_current\": 9200", "\"minimum_current\": 32001"), "minimum_current: 32001 is more than the allowed maximum of 32000");
        Add("threshold range", s => s.Replace("\"requested_current_threshold\": 60", "\"requested_current_threshold\": 65536"), "requested_current_threshold");
        Add("maximum range", s => s.Replace("\"maximum_available_current\": 32000", "\"maximum_available_current\": 2048001"), "maximum_available_current");
        Add("default above maximum", s => s.Replace("\"default_available_current\": 16000", "\"default_available_current\": 33000"), "default_available_current can not be greater than maximum_available_current");
        Add("duplicate host", s => s.Replace("warp2-22oH.local", "127.0.0.1"), "same hostname or IP address");
        Add("no chargers", s => s.Replace("{ \"host\": \"127.0.0.1\", \"name\": \"warp-AbCd\" },\n{ \"host\": \"warp2-22oH.local\", \"name\": \"warp2-22oH\" }", ""), "at least one charger");
        Add("charger without name", s => s.Replace(", \"name\": \"warp-AbCd\"", ""), "chargers[0] is missing key 'name'");
        Add("charger extra key", s => s.Replace("\"name\": \"warp-AbCd\"", "\"name\": \"warp-AbCd\", \"rot\": 1"), "chargers[0] has unknown key 'rot'");
        Add("host too long", s => s.Replace("127.0.0.1", new string('h', 65)), "chargers[0].host is longer than 64");
        Add("name too long", s => s.Replace("warp-AbCd", new string('n', 33)), "chargers[0].name is longer than 32");
        Add("not an object", _ => "[1,2]", "must be a JSON object");
        Add("broken JSON", s => s[..^3], "invalid JSON");
        return data;
    }

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void Config_BadInputIsRejectedNamingTheField_AndChangesNothing(string what, string body, string mention)
    {
        var app = NewApp();
        Call(app, "POST", "/charge_manager/config", SeedConfig);
        string before = Call(app, "GET", "/charge_manager/config").body;
        var storedBefore = store.Files[ChargeManagerApp.ConfigFile];
        var (status, error) = Call(app, "POST", "/charge_manager/config_update", body);
        Assert.True(400 == status, what);
        Assert.Contains(mention, error);
        Assert.Equal(before, Call(app, "GET", "/charge_manager/config").body);
        Assert.Equal(storedBefore, store.Files[ChargeManagerApp.ConfigFile]);
    }

    [Fact]
    public void LowLevelConfig_ReadWriteAndStrictness()
    {
        var app = NewApp();
        var body = Call(app, "GET", "/charge_manager/low_level_config").body;
        Assert.Contains("\"global_hysteresis\":210", body);
        Assert.Equal(200, Call(app, "PUT", "/charge_manager/low_level_config", body.Replace("\"global_hysteresis\":210", "\"global_hysteresis\":30")).status);
        Assert.Equal(30_000, app.Group.Config.GlobalHysteresisMs);
        var bad = Call(app, "PUT", "/charge_manager/low_level_config", body.Replace("\"allocation_interval\":10", "\"allocation_interval\":0"));
        Assert.Equal(400, bad.status);
        Assert.Contains("allocation_interval", bad.body);
    }

    [Fact]
    public void PhaseRotations_AreValidatedStoredAndApplied()
    {
        var app = NewApp();
        Call(app, "POST", "/charge_manager/config", SeedConfig);
        Assert.Equal((200, "{\"rotations\":[]}"), Call(app, "GET", "/charge_manager/phase_rotations"));
        Assert.Equal(200, Call(app, "PUT", "/charge_manager/phase_rotations_update", "{\"rotations\":[3]}").status);
        Assert.Equal(ChargeManager.Distribution.Phases.PhaseRotation.L231, app.Group.Observations[0].Rotation);
        Assert.Equal(ChargeManager.Distribution.Phases.PhaseRotation.Unknown, app.Group.Observations[1].Rotation);
        Assert.Equal(32000, app.Group.Guard.MayDraw(0, 3)); // forgotten: unknown until it echoes again
        var bad = Call(app, "PUT", "/charge_manager/phase_rotations", "{\"rotations\":[3, 7]}");
        Assert.Equal(400, bad.status);
        Assert.Contains("rotations[1]", bad.body);
        Assert.Equal(ChargeManager.Distribution.Phases.PhaseRotation.L231, NewApp().Group.Observations[0].Rotation); // stored
        // One entry per configured charger (the seed has 2): more is a 400 naming the field, nothing stored.
        int chargers = app.Config.Hosts.Length;
        var tooMany = Call(app, "PUT", "/charge_manager/phase_rotations", "{\"rotations\":[" + string.Join(",", Enumerable.Repeat(1, chargers + 1)) + "]}");
        Assert.Equal(400, tooMany.status);
        Assert.Contains("rotations", tooMany.body);
        Assert.Equal((200, "{\"rotations\":[3]}"), Call(app, "GET", "/charge_manager/phase_rotations"));
        Assert.Equal(200, Call(app, "PUT", "/charge_manager/phase_rotations", "{\"rotations\":[" + string.Join(",", Enumerable.Repeat(1, chargers)) + "]}").status);
    }

    [Fact]
    public void PathsMethodsAndSizes()
    {
        var app = NewApp();
        Assert.Equal(404, Call(app, "GET", "/charge_manager/nothing").status);
        Assert.Equal(404, Call(app, "GET", "/other/state").status);
        Assert.Equal((405, "charge_manager/config_update is written with POST or PUT"), Call(app, "GET", "/charge_manager/config_update"));
        // A read-only object's _update path does not send the client to a POST that would fail too.
        Assert.Equal((405, "charge_manager/state_update cannot be written"), Call(app, "GET", "/charge_manager/state_update"));
        Assert.Equal(405, Call(app, "POST", "/charge_manager/state", "{}").status);
        Assert.Equal(405, Call(app, "DELETE", "/charge_manager/config").status);
        Assert.Equal("GET, HEAD, POST, PUT", app.Allow); // for the Allow header a 405 must carry
        Assert.Equal(413, Call(app, "POST", "/charge_manager/config", new string(' ', ChargeManagerApp.MaxBodyBytes + 1)).status);
        Assert.Equal(200, Call(app, "GET", "/charge_manager/state").status);
        Assert.Equal(200, Call(app, "GET", "/charge_manager/low_level_state").status);
    }

    [Fact]
    public void Watchdog_ResetsToTheDefaultAfter30sWithoutAnUpdate_LoggedOnce()
    {
        var app = NewApp();
        Call(app, "POST", "/charge_manager/config", SeedConfig.Replace("\"enable_watchdog\": false", "\"enable_watchdog\": true"));
        Call(app, "POST", "/charge_manager/available_current", "8000", now: 2000);
        app.Tick(31_999, -1);
        Assert.Equal(8000, app.AvailableCurrent);
        app.Tick(32_000, -1);
        Assert.Equal(16000, app.AvailableCurrent);
        Assert.True(app.WatchdogFired);
        int logged = app.Log.Count;
        app.Tick(70_000, -1);
        Assert.Equal(logged, app.Log.Count); // latched: once
        Call(app, "POST", "/charge_manager/available_current", "9000", now: 71_000);
        Assert.False(app.WatchdogFired);
        app.Tick(100_999, -1);
        Assert.Equal(9000, app.AvailableCurrent);
        app.Tick(101_000, -1);
        Assert.Equal(16000, app.AvailableCurrent);
    }

    [Fact]
    public void Config_SurvivesARestart()
    {
        var app = NewApp();
        Call(app, "POST", "/charge_manager/config", SeedConfig);
        var again = NewApp();
        Assert.Equal(Call(app, "GET", "/charge_manager/config").body, Call(again, "GET", "/charge_manager/config").body);
        Assert.Equal(16000, again.AvailableCurrent);
    }

    [Fact]
    public void Config_APowerCutAtAnyStepOfAWriteLeavesTheOldOrTheNewConfig()
    {
        var first = NewApp();
        Call(first, "POST", "/charge_manager/config", SeedConfig);
        string old = Call(first, "GET", "/charge_manager/config").body;
        string changed = SeedConfig.Replace("\"requested_current_margin\": 3000", "\"requested_current_margin\": 4000");
        var snapshot = store.Files.ToDictionary(kv => kv.Key, kv => kv.Value);
        int steps = 0;
        for (int budget = 0; ; budget++)
        {
            store.Files.Clear();
            foreach (var kv in snapshot) store.Files[kv.Key] = kv.Value;
            store.Budget = budget;
            var app = NewApp();
            bool cut = false;
            try { Call(app, "POST", "/charge_manager/config", changed); }
            catch (MemoryStore.PowerCut) { cut = true; }
            store.Budget = int.MaxValue;
            string after = Call(NewApp(), "GET", "/charge_manager/config").body;
            Assert.True(after == old || after.Contains("\"requested_current_margin\":4000"), $"cut after {budget} steps: {after}");
            steps++;
            if (!cut)
                break;
        }
        Assert.True(steps > 300, $"every byte offset was tried ({steps})");
    }

    [Fact]
    public void Mqtt_WritesGoThroughTheSameRules_AndRejectionsAreLogged()
    {
        var app = NewApp();
        var payload = Encoding.UTF8.GetBytes("{ \"current\": 16000 }");
        Assert.True(app.HandleMqtt("charge_manager/available_current_update", payload, payload.Length, now));
        var bad = Encoding.UTF8.GetBytes("99999");
        int logged = app.Log.Count;
        Assert.False(app.HandleMqtt("charge_manager/available_current_update", bad, bad.Length, now));
        Assert.Equal(logged + 1, app.Log.Count);
        Assert.Contains("Current too large", app.Log.Line(app.Log.Count - 1));
        Assert.False(app.HandleMqtt("charge_manager/available_current", payload, payload.Length, now)); // our own publication
        Assert.Equal(16000, app.AvailableCurrent);
    }

    [Fact]
    public void EventLog_SaysWhatChangedAndIsBounded()
    {
        var app = NewApp();
        Call(app, "POST", "/charge_manager/config", SeedConfig); // verbose
        var packet = new ChargeManager.Distribution.Protocol.StatePacket { ChargerState = 3, SupportedCurrent = 32000,
            StateFlags = ChargeManager.Distribution.Protocol.StatePacket.StateFlagManaged, Phases = 3, RequestedChargeMode = 4 };
        var bytes = new byte[136];
        HostName.TryParseIpv4("127.0.0.1", out uint charger0);
        for (int t = 0; t < 80; t++)
        {
            now += 1000;
            if (t < 40) // charger 0 answers for 40 s, then falls silent
            {
                packet.Seq++;
                packet.EvseUptime += 1000;
                packet.AllowedChargingCurrent = app.Group.CommandedCurrent(0);
                int length = packet.Encode(bytes, 5);
                app.Receive(bytes, length, charger0, GroupLink.ChargerPort, now);
            }
            app.Tick(now, -1);
        }
        var log = Json(Call(app, "GET", "/charge_manager/event_log").body);
        var lines = log.Items.Select(e => e.Get("m").Text).ToList();
        Assert.Contains(lines, m => m.StartsWith("configuration applied"));
        Assert.Contains(lines, m => m.StartsWith("allocated 16000 mA @ 3p to warp-AbCd"));
        Assert.Contains(lines, m => m == "warp-AbCd: charger unreachable");
        for (int i = 0; i < 1000; i++)
            app.Log.Add(now, "line " + i);
        Assert.Equal(100, app.Log.Count); // at most 100 messages (and 4 KB of text)
        Assert.Equal("line 999", app.Log.Line(99));
        Assert.Equal(405, Call(app, "POST", "/charge_manager/event_log", "{}").status);
    }

    [Fact]
    public void State_HasEveryChargerWithItsReason()
    {
        var app = NewApp();
        Call(app, "POST", "/charge_manager/config", SeedConfig);
        var state = Json(Call(app, "GET", "/charge_manager/state").body);
        Assert.Equal(1, state.Get("state").Integer);
        Assert.Equal(2, state.Get("chargers").Count);
        Assert.Equal("warp2-22oH", state.Get("chargers").Items[1].Get("n").Text);
        Assert.NotNull(state.Get("chargers").Items[0].Get("rt"));
        var low = Json(Call(app, "GET", "/charge_manager/low_level_state").body);
        Assert.Equal(2, low.Get("chargers").Count);
    }
}
