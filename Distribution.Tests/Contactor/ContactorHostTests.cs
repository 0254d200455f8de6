using System.Text.Json.Nodes;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Contactor;

/// <summary>End to end: the host with emulated chargers behind a simulated contactor, driven through the HTTP API.</summary>
[Collection("udp")]
public class ContactorHostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TheGroupSwitchesThreeToOneToThree_ThroughTheApi()
    {
        string data = Path.Combine(Path.GetTempPath(), "cm-contactor-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[] { "--http", "127.0.0.1:18083", "--udp", "127.0.0.1:0", "--data", data,
            "--simulate", "2", "--simulate-from", "127.0.34.2", "--speed", "10", "--contactor" }, out string error);
        Assert.Null(error);
        await using var host = await HostApp.StartAsync(options, TextWriter.Null);
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:18083") };
        async Task Post(string path, string body) =>
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        async Task<JsonNode> Contactor() => JsonNode.Parse(await http.GetStringAsync("/charge_manager/state"))!["contactor"]!;
        async Task<bool> Eventually(Func<JsonNode, bool> condition, int realMs)
        {
            for (int waited = 0; waited < realMs; waited += 100)
            {
                if (condition(await Contactor())) return true;
                await Task.Delay(100);
            }
            return false;
        }

        // A ZOE-type minimum (9.2 A on three phases, 6 A on one) and a short hysteresis for the test.
        var config = JsonNode.Parse(await http.GetStringAsync("/charge_manager/config"))!;
        config["minimum_current_vehicle_type"] = 1;
        await Post("/charge_manager/config", config.ToJsonString());
        var low = JsonNode.Parse(await http.GetStringAsync("/charge_manager/low_level_config"))!;
        low["global_hysteresis"] = 10;
        await Post("/charge_manager/low_level_config", low.ToJsonString());
        foreach (var c in host.Farm.Chargers)
            c.Car.Plug(host.Clock.NowMs, false);
        Assert.Equal(3, (int)(await Contactor())["phases"]!);

        await Post("/charge_manager/available_current", "8000"); // not enough for 3 x 9.2 A, enough for 1 x 6 A
        Assert.True(await Eventually(c => (int)c["phases"]! == 1 && (int)c["step"]! == 0, 8000), "switched to one phase");
        long switched = host.Manager.Group.Switcher.LastSwitchMs - host.Manager.Group.Switcher.SwitchStartedMs;
        Assert.All(host.Farm.Chargers, c => Assert.Equal(1, c.Car.WiredPhases));
        await Task.Delay(1500);
        Assert.Contains(host.Farm.Chargers, c => c.Car.Applied > 0); // charging on one phase

        await Post("/charge_manager/available_current", "16000");
        Assert.True(await Eventually(c => (int)c["phases"]! == 3 && (int)c["step"]! == 0, 8000), "back to three phases");
        Assert.All(host.Farm.Chargers, c => Assert.Equal(3, c.Car.WiredPhases));
        Assert.Equal(2, host.Contactor.Toggles);
        output.WriteLine($"a 3 -> 1 switch took {switched} ms (stop, settle 5 s, toggle, confirm, reconnect 5 s)");

        // A stuck contactor latches an error, visible in state, until reset through the API.
        host.Contactor.Stuck = true;
        await Post("/charge_manager/phase_switching", "{\"mode\": 1}");
        Assert.True(await Eventually(c => (int)c["step"]! == 7, 8000), "contactor error latched");
        Assert.Contains("did not confirm", (string)(await Contactor())["error"]!);
        host.Contactor.Stuck = false;
        await Post("/charge_manager/phase_switching", "{\"mode\": 0}");
        await Post("/charge_manager/contactor_reset", "{}");
        Assert.Equal(0, (int)(await Contactor())["step"]!);
        Directory.Delete(data, true);
    }
}
