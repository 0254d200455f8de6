using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ChargeManager.Host;
using Xunit;
using Xunit.Abstractions;
using ChargeManager.Distribution.Tests.Support;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>A real mosquitto broker, started and stopped by the test.</summary>
public sealed class Mosquitto : IDisposable
{
    public readonly int Port;
    Process process;

    public Mosquitto(int port)
    {
        Port = port;
        Start();
    }

    public void Start()
    {
        process = Process.Start(new ProcessStartInfo("mosquitto", new[] { "-p", Port.ToString() })
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var probe = new TcpClient("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new InvalidOperationException("mosquitto did not start");
    }

    public void Stop()
    {
        process.Kill();
        process.WaitForExit();
        process.Dispose();
    }

    public void Dispose() => Stop();
}

/// <summary>The user's document, verbatim: every mosquitto command of the seed against the host's MQTT API.</summary>
[Collection("udp")]
public class MqttTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int BrokerPort = 18831;
    Mosquitto broker;
    HostApp host;
    string data;

    public async Task InitializeAsync()
    {
        if (new NeedsToolsFactAttribute("mosquitto").Skip != null)
            return; // every test here is skipped
        broker = new Mosquitto(BrokerPort);
        data = Path.Combine(Path.GetTempPath(), "cm-mqtt-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[]
        {
            "--http", "127.0.0.1:18081", "--udp", "127.0.0.1:0", "--data", data, "--simulate", "2",
            "--simulate-from", "127.0.31.2", "--speed", "10", "--mqtt", "127.0.0.1:" + BrokerPort, "--mqtt-prefix", "warp/AbCd",
        }, out string error);
        Assert.Null(error);
        host = await HostApp.StartAsync(options, TextWriter.Null);
        Assert.True(WaitFor(() => host.Mqtt.Connections >= 1, 5000), "the host connects to the broker");
    }

    public async Task DisposeAsync()
    {
        if (host == null)
            return;
        await host.DisposeAsync();
        broker.Dispose();
        Directory.Delete(data, recursive: true);
    }

    static bool WaitFor(Func<bool> condition, int ms)
    {
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < ms)
        {
            if (condition())
                return true;
            Thread.Sleep(50);
        }
        return condition();
    }

    /// <summary>Runs a command as the document writes it; BROKER and PREFIX as in the document (the broker on a test port).</summary>
    string Shell(string command) => UserShell.Run(command, new Dictionary<string, string>
    {
        ["BROKER"] = "127.0.0.1 -p " + BrokerPort,
        ["PREFIX"] = "warp/AbCd",
    }, output).stdout;

    /// <summary>mosquitto_sub -v prints "topic payload": the payload as JSON.</summary>
    JsonNode Read(string objectName)
    {
        string line = Shell($"timeout 5 mosquitto_sub -v -C 1 -h $BROKER -t $PREFIX/charge_manager/{objectName}").Trim();
        Assert.StartsWith($"warp/AbCd/charge_manager/{objectName} ", line);
        return JsonNode.Parse(line[(line.IndexOf(' ') + 1)..]);
    }

    bool Eventually(string objectName, string expectedJson) =>
        WaitFor(() => JsonNode.DeepEquals(Read(objectName), JsonNode.Parse(expectedJson)), 5000);

    [NeedsToolsFact("mosquitto", "mosquitto_sub", "mosquitto_pub")]
    public void TheSeedsAvailableCurrentCommands()
    {
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{ \"current\": 16000 }"), Read("available_current")));
        Shell("mosquitto_pub -h $BROKER -t $PREFIX/charge_manager/available_current_update -m '{ \"current\": 12000 }'");
        Assert.True(Eventually("available_current", "{ \"current\": 12000 }"));
        Shell("mosquitto_pub -h $BROKER -t $PREFIX/charge_manager/available_current_update -m '16000'");
        Assert.True(Eventually("available_current", "{ \"current\": 16000 }"));
        lock (host.Manager.Gate)
            Assert.Equal(16000, host.Manager.Group.Limit(1));

        // And it reaches the chargers: with every car plugged in, a lower limit written over MQTT is
        // what their slots add up to at most, on every phase.
        foreach (var c in host.Farm.Chargers)
            c.Car.Plug(host.Clock.NowMs, false);
        Assert.True(WaitFor(() => host.Farm.Chargers.Any(c => c.Car.Applied > 0), 5000));
        Shell("mosquitto_pub -h $BROKER -t $PREFIX/charge_manager/available_current_update -m '7000'");
        Assert.True(WaitFor(() => Enumerable.Range(1, 3).All(p => host.Farm.Chargers.Sum(c => c.Car.DrawOn(p)) <= 7000), 5000),
            "the chargers follow a limit written over MQTT");
    }

    [NeedsToolsFact("mosquitto", "mosquitto_sub", "mosquitto_pub")]
    public void TheSeedsConfigCommands()
    {
        var current = Read("config");
        Assert.Equal(2, current["chargers"]!.AsArray().Count);
        Shell("mosquitto_pub -h $BROKER -t $PREFIX/charge_manager/config_update -m '" + ChargeManagerAppTests.SeedConfig + "'");
        Assert.True(Eventually("config", ChargeManagerAppTests.SeedConfig));
    }

    /// <summary>
    /// low_level_state changes on every tick (its uptime): it goes out at most every mqtt/config "interval"
    /// (20 s here, on the host's clock, which --speed 10 runs ten times faster: 2 s), not every 250 ms round.
    /// </summary>
    [NeedsToolsFact("mosquitto", "mosquitto_sub")]
    public void StateObjectsGoOutAtMostOncePerInterval()
    {
        using var http = new HttpClient();
        var config = JsonNode.Parse(http.GetStringAsync("http://127.0.0.1:18081/mqtt/config").Result)!;
        config["interval"] = 20; // the password reads back "" and is kept
        var answer = http.PostAsync("http://127.0.0.1:18081/mqtt/config", new StringContent(config.ToJsonString(), System.Text.Encoding.UTF8, "application/json")).Result;
        Assert.Equal(200, (int)answer.StatusCode);
        string lines = Shell("timeout 5 mosquitto_sub -v -h $BROKER -t $PREFIX/charge_manager/low_level_state || true");
        long[] uptimes = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonNode.Parse(l[(l.IndexOf(' ') + 1)..])!["uptime"]!.GetValue<long>()).ToArray();
        output.WriteLine("uptimes: " + string.Join(", ", uptimes));
        Assert.True(uptimes.Length >= 2, "low_level_state is republished as it changes");
        for (int i = 1; i < uptimes.Length; i++)
            Assert.True(uptimes[i] - uptimes[i - 1] >= 20000, $"published {uptimes[i] - uptimes[i - 1]} ms after the one before");
    }

    /// <summary>After a write the states go out at once, whatever the interval: state never lags behind the config a subscriber just got.</summary>
    [NeedsToolsFact("mosquitto", "mosquitto_sub")]
    public void StateFollowsAConfigWriteAtOnce()
    {
        using var http = new HttpClient();
        StringContent Json(JsonNode n) => new(n.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        var mqtt = JsonNode.Parse(http.GetStringAsync("http://127.0.0.1:18081/mqtt/config").Result)!;
        mqtt["interval"] = 3600; // an hour of the host's clock: 6 minutes at --speed 10
        Assert.Equal(200, (int)http.PostAsync("http://127.0.0.1:18081/mqtt/config", Json(mqtt)).Result.StatusCode);
        var config = JsonNode.Parse(http.GetStringAsync("http://127.0.0.1:18081/charge_manager/config").Result)!;
        config["chargers"]![0]!["name"] = "renamed";
        Assert.Equal(200, (int)http.PostAsync("http://127.0.0.1:18081/charge_manager/config", Json(config)).Result.StatusCode);
        Assert.True(WaitFor(() => Read("state")["chargers"]![0]!["n"]!.GetValue<string>() == "renamed", 3000),
            "state shows the new name within 3 s of the write");
    }

    [NeedsToolsFact("mosquitto", "mosquitto_sub", "mosquitto_pub")]
    public void ARejectedWriteChangesNothingAndIsLogged()
    {
        Shell("mosquitto_pub -h $BROKER -t $PREFIX/charge_manager/available_current_update -m '99999'");
        Assert.True(WaitFor(() =>
        {
            lock (host.Manager.Gate)
                return Enumerable.Range(0, host.Manager.App.Log.Count).Any(i => host.Manager.App.Log.Line(i).Contains("rejected: Current too large"));
        }, 5000));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{ \"current\": 16000 }"), Read("available_current")));
    }

    [NeedsToolsFact("mosquitto", "mosquitto_sub", "mosquitto_pub")]
    public void StatePublishedRetained_AndABrokerRestartIsSurvived()
    {
        var state = Read("state");
        Assert.Equal(2, state["chargers"]!.AsArray().Count);
        broker.Stop();
        Thread.Sleep(500);
        broker.Start();
        Assert.True(WaitFor(() => host.Mqtt.Connections >= 2, 10_000), "reconnected");
        Assert.True(Eventually("available_current", "{ \"current\": 16000 }"), "retained values published again");
        Shell("mosquitto_pub -h $BROKER -t $PREFIX/charge_manager/available_current_update -m '10000'");
        Assert.True(Eventually("available_current", "{ \"current\": 10000 }"), "writes work after the restart");
    }
}
