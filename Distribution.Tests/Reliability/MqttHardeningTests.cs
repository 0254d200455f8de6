using System.Diagnostics;
using System.Text;
using ChargeManager.Distribution.Tests.Api;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using MQTTnet;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Reliability;

/// <summary>A test that needs mosquitto and runs only with CM_LONG=1 (it takes longer than CI allows).</summary>
public sealed class LongMosquittoFactAttribute : FactAttribute
{
    public LongMosquittoFactAttribute()
    {
        Skip = new NeedsToolsFactAttribute("mosquitto", "mosquitto_sub", "mosquitto_pub").Skip
            ?? (ReliabilityTable.Long ? null : "long: runs with CM_LONG=1");
    }
}

/// <summary>
/// The host's MQTT bridge against a real mosquitto that goes away and comes back (issue 13): after any
/// outage the retained objects are there again and writes work within 10 s of the broker's return;
/// and hostile payloads on every _update topic are rejected, logged and change nothing.
/// </summary>
[Collection("udp")]
public class MqttHardeningTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int BrokerPort = 18534;
    const string Prefix = "warp/Rel13";
    Mosquitto broker;
    HostApp host;
    string data;
    int rejected;

    public async Task InitializeAsync()
    {
        if (new NeedsToolsFactAttribute("mosquitto", "mosquitto_sub", "mosquitto_pub").Skip != null)
            return;
        broker = new Mosquitto(BrokerPort);
        data = Path.Combine(Path.GetTempPath(), "cm-mqtt13-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[]
        {
            "--http", "127.0.53.1:18535", "--udp", "127.0.53.1:0", "--data", data, "--simulate", "1",
            "--simulate-from", "127.0.53.40", "--speed", "1", "--mqtt", "127.0.0.1:" + BrokerPort, "--mqtt-prefix", Prefix,
        }, out string error);
        Assert.Null(error);
        host = await HostApp.StartAsync(options, TextWriter.Null);
        host.Manager.App.Log.Written += (_, message) =>
        {
            if (message.Contains(" rejected: "))
                Interlocked.Increment(ref rejected);
        };
        Assert.True(SpinWait.SpinUntil(() => host.Mqtt.Connections >= 1, 5000), "the host connects to the broker");
    }

    public async Task DisposeAsync()
    {
        if (host == null)
            return;
        await host.DisposeAsync();
        broker.Dispose();
        Directory.Delete(data, recursive: true);
    }

    int Limit()
    {
        lock (host.Manager.Gate)
            return host.Manager.Group.Limit(1);
    }

    static (int exit, string stdout) Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout);
    }

    /// <summary>
    /// Stops the broker for <paramref name="seconds"/>, starts it again (empty: mosquitto without
    /// persistence forgets retained messages) and measures until the retained available_current is
    /// back and until a write over MQTT is applied.
    /// </summary>
    void Outage(int seconds)
    {
        Assert.True(SpinWait.SpinUntil(() => Run("mosquitto_sub", "-h", "127.0.0.1", "-p", BrokerPort.ToString(), "-C", "1", "-W", "1",
            "-t", Prefix + "/charge_manager/available_current").exit == 0, 5000), "published before the outage");
        int connections = host.Mqtt.Connections;
        broker.Stop();
        Thread.Sleep(seconds * 1000);
        broker.Start();
        var back = Stopwatch.StartNew();
        double retainedAfter = -1, writeAfter = -1;
        int value = 7000 + seconds;
        while (back.ElapsedMilliseconds < 15_000 && (retainedAfter < 0 || writeAfter < 0))
        {
            if (writeAfter < 0)
                Run("mosquitto_pub", "-h", "127.0.0.1", "-p", BrokerPort.ToString(), "-t", Prefix + "/charge_manager/available_current_update", "-m", value.ToString());
            if (writeAfter < 0 && Limit() == value)
                writeAfter = back.Elapsed.TotalSeconds;
            if (retainedAfter < 0)
            {
                var (exit, stdout) = Run("mosquitto_sub", "-h", "127.0.0.1", "-p", BrokerPort.ToString(), "-C", "1", "-W", "1",
                    "-t", Prefix + "/charge_manager/available_current");
                if (exit == 0 && stdout.Contains("current"))
                    retainedAfter = back.Elapsed.TotalSeconds;
            }
            Thread.Sleep(100);
        }
        bool ok = retainedAfter is >= 0 and <= 10 && writeAfter is >= 0 and <= 10 && host.Mqtt.Connections > connections;
        output.WriteLine($"broker down {seconds} s: retained objects back after {retainedAfter:0.0} s, a write applied after {writeAfter:0.0} s");
        output.WriteLine(ReliabilityTable.Add("broker outages (MQTT)", 1, ok ? 0 : 1, $"{seconds} s down: back in {Math.Max(retainedAfter, writeAfter):0.0} s"));
        Assert.True(retainedAfter is >= 0 and <= 10, $"retained objects back within 10 s (after {retainedAfter:0.0} s)");
        Assert.True(writeAfter is >= 0 and <= 10, $"writes work within 10 s (after {writeAfter:0.0} s)");
    }

    [NeedsToolsFact("mosquitto", "mosquitto_sub", "mosquitto_pub")]
    public void BrokerDown5s_BackWithin10s() => Outage(5);

    [NeedsToolsFact("mosquitto", "mosquitto_sub", "mosquitto_pub")]
    public void BrokerDown30s_BackWithin10s() => Outage(30);

    [LongMosquittoFact]
    public void BrokerDown90s_BackWithin10s() => Outage(90);

    /// <summary>
    /// Payloads that are invalid by construction (cut JSON objects, unknown keys, wrong types, values out
    /// of range, random bytes, 17 KB, empty) on every writable _update topic: every one rejected and
    /// logged, nothing changed, and a valid write still works afterwards. 3,000 (30,000 with CM_LONG=1).
    /// </summary>
    [NeedsToolsFact("mosquitto")]
    public async Task FuzzedPayloads_RejectedLoggedAndNothingChanges()
    {
        int total = ReliabilityTable.Long ? 30_000 : 3_000;
        string[] topics = { "available_current", "config", "low_level_config", "phase_rotations", "phase_switching" };
        string Snapshot()
        {
            lock (host.Manager.Gate)
            {
                var sb = new StringBuilder();
                foreach (var name in topics)
                {
                    host.Manager.App.Render(name, host.Clock.NowMs);
                    sb.Append(Encoding.UTF8.GetString(host.Manager.App.Response.Buffer, 0, host.Manager.App.Response.Length));
                }
                return sb.ToString();
            }
        }
        string before = Snapshot();
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", BrokerPort).WithClientId("fuzz13").Build());
        var random = new Random(1313);
        int rejectedBefore = rejected;
        for (int i = 0; i < total; i++)
        {
            string topic = topics[random.Next(topics.Length)];
            byte[] payload = InvalidPayload(random, topic);
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{Prefix}/charge_manager/{topic}_update").WithPayload(payload).Build());
        }
        Assert.True(SpinWait.SpinUntil(() => rejected - rejectedBefore >= total, 30_000), $"{rejected - rejectedBefore} of {total} rejections logged");
        int failures = total - (rejected - rejectedBefore);
        string after = Snapshot();
        if (after != before)
            failures++;
        Assert.Equal(before, after);
        // Still listening: a valid write is applied.
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"{Prefix}/charge_manager/available_current_update").WithPayload("11000").Build());
        Assert.True(SpinWait.SpinUntil(() => Limit() == 11000, 5000), "a valid write after the fuzz");
        output.WriteLine(ReliabilityTable.Add("MQTT payloads fuzzed", total, failures, "invalid by construction, 5 topics; each must be rejected and logged"));
        Assert.Equal(0, failures);
    }

    static readonly string[] Valid =
    {
        "{\"current\":16000}", ChargeManagerAppTests.SeedConfig, "{\"rotations\":[1]}", "{\"mode\":0}",
        "{\"global_hysteresis\":210,\"wakeup_time\":180,\"plug_in_time\":180,\"enable_current_factor_pct\":150,\"allocation_interval\":10,\"rotation_interval\":15,\"maximum_unbalanced_load\":0}",
    };

    internal static byte[] InvalidPayload(Random random, string topic)
    {
        string valid = topic switch
        {
            "available_current" => Valid[0],
            "config" => Valid[1],
            "phase_rotations" => Valid[2],
            "phase_switching" => Valid[3],
            _ => Valid[4],
        };
        switch (random.Next(7))
        {
            case 0: // an object cut before its end
                return Encoding.UTF8.GetBytes(valid[..random.Next(0, valid.Length - 1)].TrimEnd());
            case 1: // an unknown key
                return Encoding.UTF8.GetBytes("{\"x" + random.Next() + "\":1," + valid[1..]);
            case 2: // a string where a number is (the two objects with an abbreviated form), a number where an object is
                return Encoding.UTF8.GetBytes(topic is "available_current" or "phase_switching" ? "\"" + random.Next(2) + "\"" : random.Next(100).ToString());
            case 3: // out of range
                return Encoding.UTF8.GetBytes(topic == "available_current" ? (32001 + random.Next(1_000_000)).ToString() : valid.Replace(":", ":-9999999999", StringComparison.Ordinal));
            case 4: // random bytes after an opening brace, never closed
            {
                var b = new byte[random.Next(1, 300)];
                random.NextBytes(b);
                for (int k = 0; k < b.Length; k++)
                    if (b[k] == (byte)'}' || b[k] == (byte)']')
                        b[k] = (byte)'x';
                return new[] { (byte)'{' }.Concat(b).ToArray();
            }
            case 5: // over the 16 KB limit
                return Encoding.UTF8.GetBytes(valid + new string(' ', 16_400));
            default:
                return Array.Empty<byte>();
        }
    }
}
