using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChargeManager.Distribution.Api;
using JsonWriter = ChargeManager.Distribution.Json.JsonWriter;
using ChargeManager.Distribution.Link;
using Xunit;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>mqtt/config, mqtt/auto_discovery_config and mqtt/state through the app's handler, and the Home Assistant discovery payloads (issue 15a).</summary>
public class MqttSettingsTests : IDatagramSender, IHostResolver
{
    void IDatagramSender.Send(byte[] buffer, int length, uint ipv4, int port) { }
    void IHostResolver.Resolve(int charger, string host, HostKind kind) { }

    readonly MemoryStore store = new();

    ChargeManagerApp NewApp()
    {
        var app = new ChargeManagerApp(store, this, this, new ManagerConfig
        {
            EnableChargeManager = true, DefaultAvailableCurrent = 16000, MaximumAvailableCurrent = 32000,
            Hosts = new[] { "10.0.0.2", "WARP2-22oH.local" }, Names = new[] { "one", "two" },
        }, 1000);
        app.Mqtt = new MqttSettings(store, new MqttConfig { GlobalTopicPrefix = "cm/AbCd", ClientName = "cm-AbCd" }, app.Log, 1000);
        return app;
    }

    static (int status, string body) Call(ChargeManagerApp app, string method, string path, string body = "")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        int status = app.Handle(method, "/" + path, bytes, bytes.Length, 1000);
        return (status, status == 200 ? app.Response.ToString() : app.ErrorText);
    }

    const string Valid = "{\"enable_mqtt\":true,\"broker_host\":\"broker.lan\",\"broker_port\":8883,\"broker_username\":\"cm\",\"broker_password\":\"s3cret\","
        + "\"global_topic_prefix\":\"warp2/AbCd\",\"client_name\":\"warp2-AbCd\",\"interval\":5,\"protocol\":1}";

    static string With(string key, string value)
    {
        var o = JsonNode.Parse(Valid)!.AsObject();
        o[key] = JsonNode.Parse(value);
        return o.ToJsonString();
    }

    static string Without(string key)
    {
        var o = JsonNode.Parse(Valid)!.AsObject();
        o.Remove(key);
        return o.ToJsonString();
    }

    [Fact]
    public void Defaults_AreWarpsFieldsWithThePrefixFromTheDeviceName()
    {
        var app = NewApp();
        Assert.True(app.Mqtt.Defaulted);
        var (status, body) = Call(app, "GET", "mqtt/config");
        Assert.Equal(200, status);
        Assert.Equal("{\"enable_mqtt\":false,\"broker_host\":\"\",\"broker_port\":1883,\"broker_username\":\"\",\"broker_password\":\"\","
            + "\"global_topic_prefix\":\"cm/AbCd\",\"client_name\":\"cm-AbCd\",\"interval\":1,\"protocol\":0}", body);
        Assert.Equal("{\"auto_discovery_mode\":0,\"auto_discovery_prefix\":\"homeassistant\"}", Call(app, "GET", "mqtt/auto_discovery_config").body);
        Assert.Equal("{\"connection_state\":0,\"connection_start\":0,\"connection_end\":0,\"last_error\":0,\"last_error_text\":\"\"}", Call(app, "GET", "mqtt/state").body);
    }

    [Fact]
    public void AValidWrite_IsStoredAppliedAndReadBackWithoutThePassword()
    {
        var app = NewApp();
        int version = app.Mqtt.Version;
        var (status, body) = Call(app, "POST", "mqtt/config", Valid);
        Assert.Equal(200, status);
        Assert.Contains("\"broker_password\":\"\"", body);
        Assert.Equal("s3cret", app.Mqtt.Config.BrokerPassword);
        Assert.Equal(version + 1, app.Mqtt.Version); // the shells reconnect
        Assert.Equal(MqttSettings.NotConnected, app.Mqtt.ConnectionState);
        Assert.DoesNotContain("s3cret", Call(app, "GET", "mqtt/config").body);
        // After a restart: the same object, password included (on flash, never in an answer).
        var again = NewApp();
        Assert.False(again.Mqtt.Defaulted);
        Assert.Equal(Call(app, "GET", "mqtt/config").body, Call(again, "GET", "mqtt/config").body);
        Assert.Equal("s3cret", again.Mqtt.Config.BrokerPassword);
        // MQTT: the same handler.
        int againVersion = again.Mqtt.Version;
        var bytes = Encoding.UTF8.GetBytes(With("interval", "7"));
        Assert.True(again.HandleMqtt("mqtt/config_update", bytes, bytes.Length, 2000));
        Assert.Equal(7, again.Mqtt.Config.Interval);
        Assert.Equal(againVersion, again.Mqtt.Version); // an interval alone needs no new connection
    }

    [Fact]
    public void ThePassword_IsKeptWhenEmptyOrAbsent_ClearedByNull()
    {
        var app = NewApp();
        Assert.Equal(200, Call(app, "POST", "mqtt/config", Valid).status);
        Assert.Equal(200, Call(app, "POST", "mqtt/config", With("broker_password", "\"\"")).status);
        Assert.Equal("s3cret", app.Mqtt.Config.BrokerPassword);
        // A read-modify-write of what GET returns keeps it.
        Assert.Equal(200, Call(app, "POST", "mqtt/config", Call(app, "GET", "mqtt/config").body).status);
        Assert.Equal("s3cret", app.Mqtt.Config.BrokerPassword);
        Assert.Equal(200, Call(app, "POST", "mqtt/config", Without("broker_password")).status);
        Assert.Equal("s3cret", app.Mqtt.Config.BrokerPassword);
        Assert.Equal(200, Call(app, "POST", "mqtt/config", With("broker_password", "\"other\"")).status);
        Assert.Equal("other", app.Mqtt.Config.BrokerPassword);
        Assert.Equal(200, Call(app, "POST", "mqtt/config", With("broker_password", "null")).status);
        Assert.Equal("", app.Mqtt.Config.BrokerPassword);
    }

    public static IEnumerable<object[]> Rejected => new[]
    {
        new object[] { Without("broker_host"), "missing key 'broker_host'" },
        new object[] { Without("protocol"), "missing key 'protocol'" },
        new object[] { With("extra", "1"), "unknown key 'extra'" },
        new object[] { With("enable_mqtt", "1"), "enable_mqtt must be" },
        new object[] { With("broker_host", "\"\""), "broker_host must not be empty" },
        new object[] { With("broker_host", "\"bad host\""), "broker_host" },
        new object[] { With("broker_host", "\"" + new string('a', 129) + "\""), "broker_host is longer than 128" },
        new object[] { With("broker_port", "0"), "broker_port" },
        new object[] { With("broker_port", "65536"), "broker_port" },
        new object[] { With("broker_port", "\"1883\""), "broker_port must be" },
        new object[] { With("broker_username", "\"" + new string('u', 65) + "\""), "broker_username is longer than 64" },
        new object[] { With("broker_password", "\"" + new string('p', 65) + "\""), "broker_password is longer than 64" },
        new object[] { With("broker_password", "5"), "broker_password must be" },
        new object[] { With("global_topic_prefix", "\"\""), "global_topic_prefix must not be empty" },
        new object[] { With("global_topic_prefix", "\"cm/#\""), "global_topic_prefix must not contain the MQTT wildcards" },
        new object[] { With("global_topic_prefix", "\"cm/\""), "global_topic_prefix must not begin or end" },
        new object[] { With("client_name", "\"\""), "client_name must not be empty" },
        new object[] { With("interval", "-1"), "interval" },
        new object[] { With("interval", "86401"), "interval" },
        new object[] { With("interval", "1.5"), "interval must be a whole number" },
        new object[] { With("protocol", "2"), "protocol: 2 (MQTT over WebSocket) is not supported" },
        new object[] { With("protocol", "4"), "protocol" },
        new object[] { "[1]", "must be a JSON object" },
        new object[] { "{", "" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void ABadWrite_Is400NamingTheField_AndChangesNothing(string body, string message)
    {
        var app = NewApp();
        Assert.Equal(200, Call(app, "POST", "mqtt/config", Valid).status);
        string before = Call(app, "GET", "mqtt/config").body;
        var files = store.Files.ToDictionary(f => f.Key, f => f.Value);
        int version = app.Mqtt.Version;
        var (status, error) = Call(app, "POST", "mqtt/config", body);
        Assert.Equal(400, status);
        Assert.Contains(message, error);
        Assert.Equal(before, Call(app, "GET", "mqtt/config").body);
        Assert.Equal("s3cret", app.Mqtt.Config.BrokerPassword);
        Assert.Equal(version, app.Mqtt.Version);
        Assert.Equal(files.Keys.OrderBy(k => k), store.Files.Keys.OrderBy(k => k));
        foreach (var f in files)
            Assert.Equal(f.Value, store.Files[f.Key]);
        // Over MQTT: rejected and logged.
        var bytes = Encoding.UTF8.GetBytes(body);
        Assert.False(app.HandleMqtt("mqtt/config_update", bytes, bytes.Length, 2000));
        Assert.Contains("MQTT mqtt/config_update rejected", app.Log.Line(app.Log.Count - 1));
    }

    [Fact]
    public void DisabledWithoutHost_IsAccepted_StateAndMethods()
    {
        var app = NewApp();
        Assert.Equal(200, Call(app, "POST", "mqtt/config", With("enable_mqtt", "false").Replace("broker.lan", "")).status);
        Assert.Equal(MqttSettings.NotConfigured, app.Mqtt.ConnectionState);
        Assert.Equal(405, Call(app, "POST", "mqtt/state", "{}").status);
        Assert.Equal(405, Call(app, "GET", "mqtt/config_update").status);
        Assert.Equal(404, Call(app, "GET", "mqtt/nothing").status);
        Assert.Equal(405, Call(app, "DELETE", "mqtt/config").status);
        app.Mqtt.SetDisconnected(5000, -4, "the broker refused the connection: BadUserNameOrPassword");
        Assert.Contains("\"last_error\":-4", Call(app, "GET", "mqtt/state").body);
    }

    [Fact]
    public void AutoDiscoveryConfig_IsStrictAndStored()
    {
        var app = NewApp();
        Assert.Equal(200, Call(app, "POST", "mqtt/auto_discovery_config", "{\"auto_discovery_mode\":2,\"auto_discovery_prefix\":\"ha\"}").status);
        Assert.Equal(400, Call(app, "POST", "mqtt/auto_discovery_config", "{\"auto_discovery_mode\":3,\"auto_discovery_prefix\":\"ha\"}").status);
        Assert.Contains("auto_discovery_mode", app.ErrorText);
        Assert.Equal(400, Call(app, "POST", "mqtt/auto_discovery_config", "{\"auto_discovery_mode\":2}").status);
        Assert.Contains("missing key 'auto_discovery_prefix'", app.ErrorText);
        Assert.Equal(400, Call(app, "POST", "mqtt/auto_discovery_config", "{\"auto_discovery_mode\":2,\"auto_discovery_prefix\":\"ha/+\"}").status);
        Assert.Equal(400, Call(app, "POST", "mqtt/auto_discovery_config", "{\"auto_discovery_mode\":2,\"auto_discovery_prefix\":\"cm/AbCd\"}").status);
        Assert.Contains("must differ from global_topic_prefix", app.ErrorText);
        Assert.Equal(400, Call(app, "POST", "mqtt/config", With("global_topic_prefix", "\"ha\"")).status);
        Assert.Contains("must differ from auto_discovery_prefix", app.ErrorText);
        Assert.Equal("{\"auto_discovery_mode\":2,\"auto_discovery_prefix\":\"ha\"}", Call(NewApp(), "GET", "mqtt/auto_discovery_config").body);
    }

    [Fact]
    public void AStoredFileThatDoesNotValidate_GivesTheDefaultsAndALogLine()
    {
        store.Files[MqttSettings.ConfigFile] = Encoding.UTF8.GetBytes(With("broker_port", "0"));
        var app = NewApp();
        Assert.False(app.Mqtt.Defaulted); // something was stored: the options do not replace it silently
        Assert.False(app.Mqtt.Config.EnableMqtt);
        Assert.Contains(Enumerable.Range(0, app.Log.Count).Select(app.Log.Line), l => l.Contains("mqtt_config.json is not valid"));
    }

    // ---- Home Assistant discovery, against the schema HA documents ----

    static readonly Regex IdChars = new("^[a-zA-Z0-9_-]+$");

    [Fact]
    public void Discovery_FollowsHomeAssistantsSchema()
    {
        string[] hosts = { "10.0.0.2", "WARP2-22oH.local" }, names = { "one", "two" };
        var w = new JsonWriter(4096);
        int count = HaDiscovery.Count(hosts.Length);
        Assert.Equal(10, count);
        var uniqueIds = new HashSet<string>();
        var topics = new HashSet<string>();
        for (int i = 0; i < count; i++)
        {
            string topic = HaDiscovery.Topic("homeassistant", "cm-AbCd.x", i, hosts);
            // <discovery_prefix>/<component>/<node_id>/<object_id>/config, ids of [a-zA-Z0-9_-]
            var parts = topic.Split('/');
            Assert.Equal(5, parts.Length);
            Assert.Equal("homeassistant", parts[0]);
            Assert.Contains(parts[1], new[] { "number", "sensor" });
            Assert.Equal("cm-AbCd_x", parts[2]);
            Assert.Matches(IdChars, parts[3]);
            Assert.Equal("config", parts[4]);
            Assert.True(topics.Add(topic), "one topic per entity");
            HaDiscovery.Payload(w, i, "cm/AbCd", "cm-AbCd.x", hosts, names, 32000);
            var p = JsonNode.Parse(w.ToString())!.AsObject();
            Assert.True(uniqueIds.Add((string)p["unique_id"]!), "unique_id is unique");
            Assert.StartsWith("cm/AbCd/charge_manager/", (string)p["state_topic"]!);
            Assert.Equal("cm/AbCd/availability", (string)p["availability_topic"]!);
            Assert.Equal("online", (string)p["payload_available"]!);
            Assert.Equal("offline", (string)p["payload_not_available"]!);
            Assert.Equal("cm-AbCd_x", (string)p["device"]!["identifiers"]![0]!);
            Assert.NotNull(p["name"]);
            Assert.NotNull(p["value_template"]);
            if (parts[1] == "number")
            {
                Assert.Equal("cm/AbCd/charge_manager/available_current_update", (string)p["command_topic"]!);
                Assert.Equal(32000, (int)p["max"]!);
                Assert.Equal(0, (int)p["min"]!);
            }
            else
                Assert.Null(p["command_topic"]); // a sensor cannot be set
        }
        Assert.Contains("homeassistant/number/cm-AbCd_x/available_current/config", topics);
        Assert.Contains("homeassistant/sensor/cm-AbCd_x/allocated_l2/config", topics);
        Assert.Contains("homeassistant/sensor/cm-AbCd_x/charger_warp2-22oh_local_reason/config", topics); // from the host: stable when reordered
        HaDiscovery.Payload(w, HaDiscovery.GroupEntities + 3 + 1, "cm/AbCd", "cm-AbCd.x", hosts, names, 32000);
        Assert.Equal("{{ value_json.chargers[1].ac }}", (string)JsonNode.Parse(w.ToString())!["value_template"]!);
    }
}
