using System.Text;
using System.Text.Json.Nodes;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Link;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>
/// Kind 3 of the users' reports: what the API accepts is what it stores, reads back and still has after a
/// restart, for every field of every stored object; a stored file that does not validate is kept aside
/// and reported; one charger has one identity however its host is spelled.
/// </summary>
public class StoredObjectsTests(ITestOutputHelper output) : IDatagramSender, IHostResolver
{
    void IDatagramSender.Send(byte[] buffer, int length, uint ipv4, int port) { }
    void IHostResolver.Resolve(int charger, string host, HostKind kind) { }

    readonly MemoryStore store = new();

    ChargeManagerApp NewApp() => new(store, this, this, new ManagerConfig
    {
        EnableChargeManager = true, DefaultAvailableCurrent = 16000, MaximumAvailableCurrent = 32000,
        Hosts = new[] { "10.0.0.2" }, Names = new[] { "one" },
    }, 1000);

    static (int status, string body) Call(ChargeManagerApp app, string method, string name, string body = "")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        int status = app.Handle(method, "/charge_manager/" + name, bytes, bytes.Length, 1000);
        return (status, status == 200 ? app.Response.ToString() : app.ErrorText);
    }

    static string[] StoredObjects => new[] { "config", "low_level_config", "phase_rotations", "phase_switching" };

    /// <summary>Values tried in every number, boolean and string of every stored object: boundaries of every width, and wrong types.</summary>
    static readonly string[] Numbers = { "-1", "0", "1", "3", "5", "6", "7", "99", "100", "300", "301", "3600", "3601", "5999", "6000", "9200",
        "32000", "32001", "65535", "65536", "86400", "86401", "2048000", "2048001", "2147483647", "2147483648", "4294967295",
        "4294967296", "9007199254740993", "-2147483649", "1.5", "true", "\"1\"", "null" };
    static readonly string[] Strings = { "\"\"", "\"x\"", "\"127.0.40.2\"", "\"127.0.40.02\"", "\"127.0.40.010\"", "\"WARP2-22oH.local\"",
        "\"warp2-22oh.local\"", "\"a b\"", "\"-x.local\"", "\"256.1.1.1\"", "\"127.0.40\"", "\"" + new string('n', 32) + "\"",
        "\"" + new string('n', 33) + "\"", "\"Garage é\"", "1", "null" };
    static readonly string[] Bools = { "true", "false", "0", "\"true\"", "null" };

    /// <summary>Every leaf of the document, as (path for messages, the document with that leaf replaced).</summary>
    static IEnumerable<(string path, string document)> Mutations(string document)
    {
        var root = JsonNode.Parse(document)!;
        foreach (var (path, leaf) in Leaves(root, ""))
        {
            string[] candidates = leaf.GetValueKind() switch
            {
                System.Text.Json.JsonValueKind.String => Strings,
                System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => Bools,
                _ => Numbers,
            };
            foreach (var candidate in candidates)
            {
                var copy = JsonNode.Parse(document)!;
                Replace(copy, path, JsonNode.Parse(candidate));
                yield return (path + " = " + candidate, copy.ToJsonString());
            }
        }
    }

    static IEnumerable<(string, JsonNode)> Leaves(JsonNode node, string path)
    {
        if (node is JsonObject o)
        {
            foreach (var kv in o)
                foreach (var leaf in Leaves(kv.Value!, path + "/" + kv.Key))
                    yield return leaf;
        }
        else if (node is JsonArray a)
        {
            for (int i = 0; i < a.Count; i++)
                foreach (var leaf in Leaves(a[i]!, path + "/" + i))
                    yield return leaf;
        }
        else
            yield return (path, node);
    }

    static void Replace(JsonNode root, string path, JsonNode value)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        JsonNode parent = root;
        for (int i = 0; i < parts.Length - 1; i++)
            parent = parent is JsonArray pa ? pa[int.Parse(parts[i])]! : parent[parts[i]]!;
        if (parent is JsonArray array)
            array[int.Parse(parts[^1])] = value;
        else
            parent[parts[^1]] = value;
    }

    static bool Same(string a, string b) => JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));

    [Fact]
    public void Kind3_EveryFieldOfEveryStoredObject_AcceptedIsIdenticalAfterReadBackAndAfterARestart()
    {
        var app = NewApp();
        Assert.Equal(200, Call(app, "POST", "config", ChargeManagerAppTests.SeedConfig).status);
        Assert.Equal(200, Call(app, "POST", "phase_rotations", "{\"rotations\":[1,2]}").status);
        Assert.Equal(200, Call(app, "POST", "phase_switching", "{\"mode\":3}").status);
        var baseline = StoredObjects.ToDictionary(o => o, o => Call(app, "GET", o).body);
        int accepted = 0, rejected = 0;
        foreach (var name in StoredObjects)
        {
            foreach (var (what, document) in Mutations(baseline[name]))
            {
                foreach (var o in StoredObjects) // every trial starts from the baseline
                    Assert.Equal(200, Call(app, "POST", o, baseline[o]).status);
                var (status, answer) = Call(app, "POST", name, document);
                string expected = status == 200 ? document : baseline[name];
                Assert.True(status is 200 or 400, $"{name} {what}: {status}");
                if (status == 200) accepted++; else { rejected++; Assert.False(string.IsNullOrEmpty(answer)); }
                string readBack = Call(app, "GET", name).body;
                Assert.True(Same(expected, readBack), $"{name} {what} ({status}): read back {readBack}");
                var live = StoredObjects.ToDictionary(o => o, o => Call(app, "GET", o).body);
                foreach (var o in StoredObjects)
                    if (o != name && !(name == "config" && o == "phase_rotations")) // rotations follow the hosts (kind 2)
                        Assert.True(Same(baseline[o], live[o]), $"{name} {what} changed {o}");
                var restarted = NewApp();
                Assert.Null(restarted.StoredProblem);
                foreach (var o in StoredObjects)
                {
                    string after = Call(restarted, "GET", o).body;
                    Assert.True(Same(live[o], after), $"{name} {what} ({status}): after a restart {o} is {after}, not {live[o]}");
                }
            }
        }
        output.WriteLine($"{accepted} accepted and {rejected} rejected writes over every field of {StoredObjects.Length} stored objects: each identical after read-back and after a restart");
        Assert.True(accepted > 50 && rejected > 100);
    }

    [Fact]
    public void Kind3_VehicleType4294967295_IsStoredExactly_AndCountsAsAZoe()
    {
        var app = NewApp();
        string config = ChargeManagerAppTests.SeedConfig.Replace("\"minimum_current_vehicle_type\": 1", "\"minimum_current_vehicle_type\": 4294967295");
        Assert.Equal(200, Call(app, "POST", "config", config).status);
        Assert.Contains("\"minimum_current_vehicle_type\":4294967295", Call(app, "GET", "config").body);
        Assert.Equal(9200, app.Group.Config.MinimumCurrent3p);
        var restarted = NewApp();
        Assert.Null(restarted.StoredProblem);
        Assert.Contains("\"minimum_current_vehicle_type\":4294967295", Call(restarted, "GET", "config").body);
        Assert.Equal(9200, restarted.Group.Config.MinimumCurrent3p);
        Assert.DoesNotContain(Enumerable.Range(0, restarted.Log.Count), i => restarted.Log.Line(i).Contains("defaults"));
    }

    [Fact]
    public void Kind3_AStoredFileThatDoesNotValidate_IsKeptAsideAndReported_NeverOverwritten()
    {
        string bad = ChargeManagerAppTests.SeedConfig.Replace("\"minimum_current_vehicle_type\": 1", "\"minimum_current_vehicle_type\": -1");
        store.Files[ChargeManagerApp.ConfigFile] = Encoding.UTF8.GetBytes(bad);
        var app = NewApp();
        Assert.Equal(new[] { "10.0.0.2" }, app.Config.Hosts.ToArray()); // the defaults
        Assert.Equal(bad, Encoding.UTF8.GetString(store.Files[ChargeManagerApp.ConfigFile + ".rejected"]));
        Assert.Contains("minimum_current_vehicle_type", app.StoredProblem);
        Assert.Contains("charge_manager_config.json.rejected", app.StoredProblem);
        Assert.Contains(Enumerable.Range(0, app.Log.Count), i => app.Log.Line(i).Contains("kept as charge_manager_config.json.rejected"));
        Assert.Contains("\"stored_config_error\":\"charge_manager_config.json is not valid", Call(app, "GET", "state").body);

        Assert.Equal(200, Call(app, "POST", "config", ChargeManagerAppTests.SeedConfig).status);
        Assert.Equal(bad, Encoding.UTF8.GetString(store.Files[ChargeManagerApp.ConfigFile + ".rejected"])); // still there

        Assert.Equal(200, Call(app, "POST", "config", ChargeManagerAppTests.SeedConfig).status); // now there is a .bak
        store.Files[ChargeManagerApp.ConfigFile] = Encoding.UTF8.GetBytes("{\"broken\":");
        var again = NewApp();
        Assert.True(store.Files.ContainsKey(ChargeManagerApp.ConfigFile + ".rejected-2"));
        Assert.Equal(bad, Encoding.UTF8.GetString(store.Files[ChargeManagerApp.ConfigFile + ".rejected"]));
        // The previous good config (.bak) is used rather than the defaults, and that is said too.
        Assert.Equal(2, again.Config.Hosts.Length);
    }

    public static TheoryData<string, string, string> Identities() => new()
    {
        { "127.0.40.2", "127.0.40.02", "same hostname or IP address (127.0.40.2 and 127.0.40.02)" },
        { "WARP2-22oH.local", "warp2-22oh.local", "same hostname or IP address (WARP2-22oH.local and warp2-22oh.local)" },
        { "warp.example.net", "WARP.example.net.", "same hostname or IP address" },
        { "10.0.0.1", "not a host!", "chargers[1].host: 'not a host!' is neither an IPv4 address nor a host name" },
        { "10.0.0.1", "127.0.40.010", "chargers[1].host: '127.0.40.010' is not a valid IPv4 address" },
        { "10.0.0.1", "256.1.1.1", "chargers[1].host: '256.1.1.1' is not a valid IPv4 address" },
        { "10.0.0.1", "127.0.40", "chargers[1].host" },
        { "10.0.0.1", "-warp.local", "chargers[1].host" },
        { "10.0.0.1", "", "chargers[1].host: must not be empty" },
    };

    [Theory]
    [MemberData(nameof(Identities))]
    public void Kind3_OneChargerOneIdentity_AndHostsAreCheckedNamingTheField(string first, string second, string mention)
    {
        var app = NewApp();
        string config = ChargeManagerAppTests.SeedConfig.Replace("127.0.0.1", first).Replace("warp2-22oH.local", second);
        var (status, error) = Call(app, "POST", "config", config);
        Assert.Equal(400, status);
        Assert.Contains(mention, error);
    }

    [Fact]
    public void Kind3_ValidSpellingsAreAcceptedAsWritten()
    {
        var app = NewApp();
        string config = ChargeManagerAppTests.SeedConfig.Replace("127.0.0.1", "127.0.40.02").Replace("warp2-22oH.local", "warp2-22oH");
        Assert.Equal(200, Call(app, "POST", "config", config).status);
        Assert.Contains("\"host\":\"127.0.40.02\"", Call(app, "GET", "config").body);
        Assert.Equal(0x7F002802u, app.Link.Charger(0).Address);
        Assert.Equal(HostKind.Dns, app.Link.Charger(1).Kind);
    }

    [Fact]
    public void Kind4_AChargerNeverHeardFrom_ShowsAnErrorThatSaysSo_AndTheReasonAgrees()
    {
        var app = NewApp();
        for (long t = 1000; t <= 32_000; t += 100)
            app.Tick(t, -1);
        var state = JsonNode.Parse(Call(app, "GET", "state").body)!;
        var charger = state["chargers"]![0]!;
        Assert.Equal(ChargerError.NeverHeard, (int)charger["e"]!);
        Assert.Equal("not heard from since the start", (string)charger["et"]!);
        Assert.StartsWith("not heard from since the start", (string)charger["rt"]!);
        Assert.Equal(5, (int)charger["s"]!); // WARP's CAS state Error
        Assert.Contains(Enumerable.Range(0, app.Log.Count), i => app.Log.Line(i) == "one: not heard from since the start");
    }
}
