using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>mosquitto with a config file (listeners, a password file, TLS), started and stopped by the test.</summary>
public sealed class ConfiguredMosquitto : IDisposable
{
    readonly Process process;

    public ConfiguredMosquitto(string dir, string name, string address, int port, string extra)
    {
        string conf = Path.Combine(dir, name + ".conf");
        File.WriteAllText(conf, $"listener {port} {address}\n{extra}\n");
        process = Process.Start(new ProcessStartInfo("mosquitto", new[] { "-c", conf }) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient(address, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new InvalidOperationException("mosquitto did not start: " + process.StandardError.ReadToEnd());
    }

    public void Dispose()
    {
        process.Kill();
        process.WaitForExit();
        process.Dispose();
    }
}

/// <summary>
/// mqtt/config applied live against real brokers (issue 15a): mosquitto with a password file (wrong
/// credentials refused and shown in mqtt/state, right ones connect), a broker and prefix changed by POST
/// mqtt/config, TLS attempted against a plain listener and working against a TLS listener with a
/// self-signed CA, and Home Assistant discovery messages read back with mosquitto_sub.
/// Addresses 127.0.57.x, ports 1857x.
/// </summary>
[Collection("udp")]
public class MqttConfigLiveTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string A = "127.0.57.1", B = "127.0.57.2", T = "127.0.57.3";
    const int PortA = 18571, PortB = 18572, PortT = 18573;
    string dir;
    ConfiguredMosquitto brokerA, brokerB, brokerT;
    HostApp host;
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task InitializeAsync()
    {
        if (new NeedsToolsFactAttribute("mosquitto", "mosquitto_sub", "mosquitto_pub", "mosquitto_passwd", "openssl").Skip != null)
            return;
        dir = Path.Combine(Path.GetTempPath(), "cm-mqtt15a-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        Run("mosquitto_passwd", "-b", "-c", Path.Combine(dir, "passwd"), "cm", "right-one");
        // A self-signed CA and a server certificate for 127.0.57.3 (as an IP SAN).
        Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=cm-test-ca",
            "-keyout", Path.Combine(dir, "ca.key"), "-out", Path.Combine(dir, "ca.crt"));
        Run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + T, "-keyout", Path.Combine(dir, "server.key"), "-out", Path.Combine(dir, "server.csr"));
        File.WriteAllText(Path.Combine(dir, "san.ext"), "subjectAltName=IP:" + T + "\n");
        Run("openssl", "x509", "-req", "-in", Path.Combine(dir, "server.csr"), "-CA", Path.Combine(dir, "ca.crt"), "-CAkey", Path.Combine(dir, "ca.key"),
            "-CAcreateserial", "-days", "2", "-extfile", Path.Combine(dir, "san.ext"), "-out", Path.Combine(dir, "server.crt"));
        // mosquitto started as root drops to its own user, which must be able to read the key (a throw-away test key).
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path.Combine(dir, "server.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        brokerA = new ConfiguredMosquitto(dir, "a", A, PortA, $"allow_anonymous false\npassword_file {Path.Combine(dir, "passwd")}");
        brokerB = new ConfiguredMosquitto(dir, "b", B, PortB, "allow_anonymous true");
        brokerT = new ConfiguredMosquitto(dir, "t", T, PortT,
            $"allow_anonymous true\ncafile {Path.Combine(dir, "ca.crt")}\ncertfile {Path.Combine(dir, "server.crt")}\nkeyfile {Path.Combine(dir, "server.key")}");
        var options = HostOptions.Parse(new[]
        {
            "--http", A + ":18570", "--udp", A + ":0", "--data", Path.Combine(dir, "data"), "--simulate", "2",
            "--simulate-from", "127.0.57.20", "--speed", "10", "--mqtt", A + ":" + PortA, "--mqtt-prefix", "cm/T15a",
            "--mqtt-user", "cm", "--mqtt-password", "wrong-one", "--mqtt-ca", Path.Combine(dir, "ca.crt"),
        }, out string error);
        Assert.Null(error);
        host = await HostApp.StartAsync(options, TextWriter.Null);
    }

    public async Task DisposeAsync()
    {
        if (host == null)
            return;
        await host.DisposeAsync();
        brokerA.Dispose();
        brokerB.Dispose();
        brokerT.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    string Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        output.WriteLine($"$ {file} {string.Join(' ', args)}\n{stdout}{stderr}");
        return stdout;
    }

    JsonNode Get(string path) => JsonNode.Parse(http.GetStringAsync($"http://{A}:18570/{path}").Result)!;

    (int status, string body) Post(string path, string json)
    {
        var answer = http.PostAsync($"http://{A}:18570/{path}", new StringContent(json, Encoding.UTF8, "application/json")).Result;
        return ((int)answer.StatusCode, answer.Content.ReadAsStringAsync().Result);
    }

    static bool WaitFor(Func<bool> condition, int ms)
    {
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < ms)
        {
            if (condition())
                return true;
            Thread.Sleep(100);
        }
        return condition();
    }

    static string Config(string broker, int port, string user, string password, string prefix, int protocol) =>
        $"{{\"enable_mqtt\":true,\"broker_host\":\"{broker}\",\"broker_port\":{port},\"broker_username\":\"{user}\",\"broker_password\":\"{password}\","
        + $"\"global_topic_prefix\":\"{prefix}\",\"client_name\":\"{prefix.Replace('/', '-')}\",\"interval\":1,\"protocol\":{protocol}}}";

    [NeedsToolsFact("mosquitto", "mosquitto_sub", "mosquitto_pub", "mosquitto_passwd", "openssl")]
    public void PasswordFile_LiveBrokerChange_Tls_AndHomeAssistantDiscovery()
    {
        // 1. The options seeded mqtt/config; the wrong password is refused by the broker and shown in mqtt/state.
        var config = Get("mqtt/config");
        Assert.Equal(A, (string)config["broker_host"]!);
        Assert.Equal("", (string)config["broker_password"]!);
        Assert.True(WaitFor(() => (int)Get("mqtt/state")["last_error"]! < 0, 5000), "the refusal is in mqtt/state");
        var state = Get("mqtt/state");
        output.WriteLine("wrong password: " + state.ToJsonString());
        Assert.Equal(1, (int)state["connection_state"]!); // not connected
        Assert.Contains("refused", (string)state["last_error_text"]!);
        Assert.Equal(0, host.Mqtt.Connections);

        // 2. The right password, written live: connected within 5 s, and the broker has the retained objects.
        var (status, body) = Post("mqtt/config", Config(A, PortA, "cm", "right-one", "cm/T15a", 0));
        Assert.Equal(200, status);
        Assert.Contains("\"broker_password\":\"\"", body);
        Assert.True(WaitFor(() => (int)Get("mqtt/state")["connection_state"]! == 2, 5000), "connected with the right password");
        string line = Run("mosquitto_sub", "-h", A, "-p", PortA.ToString(), "-u", "cm", "-P", "right-one", "-v", "-C", "1", "-W", "5",
            "-t", "cm/T15a/charge_manager/available_current");
        Assert.StartsWith("cm/T15a/charge_manager/available_current {\"current\":", line);
        Assert.Equal("", Run("mosquitto_sub", "-h", A, "-p", PortA.ToString(), "-u", "cm", "-P", "wrong-one", "-C", "1", "-W", "2",
            "-t", "cm/T15a/charge_manager/available_current")); // the broker really checks
        Assert.Equal("online", Run("mosquitto_sub", "-h", A, "-p", PortA.ToString(), "-u", "cm", "-P", "right-one", "-C", "1", "-W", "5",
            "-t", "cm/T15a/availability").Trim());

        // A bad write changes nothing: 400 naming the field, still connected to A.
        (status, body) = Post("mqtt/config", Config(A, 0, "cm", "", "cm/T15a", 0));
        Assert.Equal(400, status);
        Assert.Contains("broker_port", body);
        Assert.Equal(2, (int)Get("mqtt/state")["connection_state"]!);

        // 3. Another broker and prefix, over MQTT itself (the same handler): the host moves within 5 s; A is told "offline".
        int connections = host.Mqtt.Connections;
        Run("mosquitto_pub", "-h", A, "-p", PortA.ToString(), "-u", "cm", "-P", "right-one", "-t", "cm/T15a/mqtt/config_update",
            "-m", Config(B, PortB, "", "", "cm/T15b", 0));
        Assert.True(WaitFor(() => host.Mqtt.Connections > connections && (int)Get("mqtt/state")["connection_state"]! == 2, 5000), "moved to broker B");
        Assert.Equal(B, (string)Get("mqtt/config")["broker_host"]!);
        Assert.Equal("offline", Run("mosquitto_sub", "-h", A, "-p", PortA.ToString(), "-u", "cm", "-P", "right-one", "-C", "1", "-W", "5",
            "-t", "cm/T15a/availability").Trim());
        Run("mosquitto_pub", "-h", B, "-p", PortB.ToString(), "-t", "cm/T15b/charge_manager/available_current_update", "-m", "9000");
        Assert.True(WaitFor(() => (int)Get("charge_manager/available_current")["current"]! == 9000, 5000), "a write over MQTT on broker B");

        // 4. Home Assistant discovery on B: every message follows the documented schema; the number sets the current.
        (status, body) = Post("mqtt/auto_discovery_config", "{\"auto_discovery_mode\":2,\"auto_discovery_prefix\":\"homeassistant\"}");
        Assert.Equal(200, status);
        string[] messages = Run("mosquitto_sub", "-h", B, "-p", PortB.ToString(), "-v", "-C", "10", "-W", "5", "-t", "homeassistant/#")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(10, messages.Length); // 4 for the group, 3 for each of the 2 chargers
        var topic = new Regex("^homeassistant/(number|sensor)/[a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+/config$");
        string commandTopic = null, template = null;
        var ids = new HashSet<string>();
        foreach (var m in messages)
        {
            string t = m[..m.IndexOf(' ')];
            var p = JsonNode.Parse(m[(m.IndexOf(' ') + 1)..])!;
            Assert.Matches(topic, t);
            Assert.True(ids.Add((string)p["unique_id"]!));
            Assert.StartsWith("cm/T15b/", (string)p["state_topic"]!);
            Assert.Equal("cm/T15b/availability", (string)p["availability_topic"]!);
            if (t.StartsWith("homeassistant/number/"))
            {
                commandTopic = (string)p["command_topic"]!;
                template = (string)p["command_template"]!;
            }
        }
        Assert.Equal("cm/T15b/charge_manager/available_current_update", commandTopic);
        // What HA publishes for 11000 with that command_template.
        Run("mosquitto_pub", "-h", B, "-p", PortB.ToString(), "-t", commandTopic, "-m", template.Replace("{{ value | int }}", "11000"));
        Assert.True(WaitFor(() => (int)Get("charge_manager/available_current")["current"]! == 11000, 5000), "HA's number sets the available current");
        // Off again: the discovery messages are removed (empty retained).
        Assert.Equal(200, Post("mqtt/auto_discovery_config", "{\"auto_discovery_mode\":0,\"auto_discovery_prefix\":\"homeassistant\"}").status);
        Assert.True(WaitFor(() => Run("mosquitto_sub", "-h", B, "-p", PortB.ToString(), "-v", "-C", "1", "-W", "1", "-t", "homeassistant/#") == "", 5000),
            "discovery messages removed");

        // 5. TLS: against the plain listener it is attempted and fails (shown); against the TLS listener it connects.
        Assert.Equal(200, Post("mqtt/config", Config(B, PortB, "", "", "cm/T15b", 1)).status);
        Assert.True(WaitFor(() => (int)Get("mqtt/state")["last_error"]! != 0, 5000), "a TLS handshake with a plain listener fails");
        output.WriteLine("TLS to a plain listener: " + Get("mqtt/state").ToJsonString());
        Assert.Equal(1, (int)Get("mqtt/state")["connection_state"]!);
        Assert.True((long)Get("mqtt/state")["connection_end"]! >= (long)Get("mqtt/state")["connection_start"]!, "the last connection's end is shown");
        connections = host.Mqtt.Connections;
        Assert.Equal(200, Post("mqtt/config", Config(T, PortT, "", "", "cm/T15t", 1)).status);
        Assert.True(WaitFor(() => (int)Get("mqtt/state")["connection_state"]! == 2, 5000), "connected over TLS");
        Assert.True(host.Mqtt.Connections > connections);
        line = Run("mosquitto_sub", "-h", T, "-p", PortT.ToString(), "--cafile", Path.Combine(dir, "ca.crt"), "-v", "-C", "1", "-W", "5",
            "-t", "cm/T15t/charge_manager/available_current");
        Assert.StartsWith("cm/T15t/charge_manager/available_current {\"current\":11000}", line);
    }
}
