using System.Net;
using System.Text.Json.Nodes;
using ChargeManager.Host;
using Xunit;
using Xunit.Abstractions;
using ChargeManager.Distribution.Tests.Support;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>
/// The user's document, verbatim: every curl command of the seed against the running desktop host
/// (ASP.NET Core, UDP to emulated chargers), with the documented answers.
/// </summary>
[Collection("udp")]
public class HostHttpTests(ITestOutputHelper output) : IAsyncLifetime
{
    HostApp host;
    string data;

    public async Task InitializeAsync()
    {
        data = Path.Combine(Path.GetTempPath(), "cm-http-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[]
        {
            "--http", "127.0.0.1:18080", "--udp", "127.0.0.1:0", "--data", data,
            "--simulate", "3", "--simulate-from", "127.0.30.2", "--speed", "10",
        }, out string error);
        Assert.Null(error);
        host = await HostApp.StartAsync(options, TextWriter.Null);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }

    (int exit, string stdout) Shell(string command) =>
        UserShell.Run(command, new Dictionary<string, string> { ["HOST"] = "127.0.0.1:18080" }, output);

    static void SameJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\nactual   {actual}");

    const string SeedConfigBody = ChargeManagerAppTests.SeedConfig;

    [NeedsToolsFact("curl")]
    public void TheSeedsAvailableCurrentCommands()
    {
        SameJson("{ \"current\": 16000 }", Shell("curl -s http://$HOST/charge_manager/available_current").stdout);
        Shell("curl -s http://$HOST/charge_manager/available_current -d '{ \"current\": 12000 }'");
        SameJson("{ \"current\": 12000 }", Shell("curl -s http://$HOST/charge_manager/available_current").stdout);
        Shell("curl -s http://$HOST/charge_manager/available_current -d '16000'");
        SameJson("{ \"current\": 16000 }", Shell("curl -s http://$HOST/charge_manager/available_current").stdout);
    }

    [NeedsToolsFact("curl")]
    public void TheSeedsConfigCommands()
    {
        var (exit, _) = Shell("curl -sf http://$HOST/charge_manager/config -d '" + SeedConfigBody + "'");
        Assert.Equal(0, exit);
        SameJson(SeedConfigBody, Shell("curl -s http://$HOST/charge_manager/config").stdout);
    }

    [NeedsToolsFact("curl")]
    public void BadInputGetsA400NamingTheField()
    {
        var (_, text) = Shell("curl -s -w '\\n%{http_code}' http://$HOST/charge_manager/config -d '" +
            SeedConfigBody.Replace("\"minimum_current_1p\": 6000", "\"minimum_current_1p\": 100") + "'");
        Assert.EndsWith("400", text.Trim());
        Assert.Contains("minimum_current_1p", text);
        (_, text) = Shell("curl -s -w '\\n%{http_code}' http://$HOST/charge_manager/available_current -d 40000");
        Assert.Contains("Current too large: maximum available current is configured to 32000", text);
        Assert.EndsWith("400", text.Trim());
    }

    /// <summary>A 405 names what the path allows (RFC 9110: the Allow header), as the core says for each object.</summary>
    [NeedsToolsFact("curl")]
    public void A405NamesTheAllowedMethods()
    {
        string Allow(string args) => Shell("curl -s -o /dev/null -D - " + args).stdout.Split('\n')
            .FirstOrDefault(l => l.StartsWith("Allow:", StringComparison.OrdinalIgnoreCase))?.Trim() ?? "(none)";
        Assert.Equal("Allow: GET, HEAD, POST, PUT", Allow("-X DELETE http://$HOST/charge_manager/config"));
        Assert.Equal("Allow: GET, HEAD", Allow("-d '{}' http://$HOST/charge_manager/state"));
        Assert.Equal("Allow: POST, PUT", Allow("http://$HOST/charge_manager/config_update"));
        Assert.Equal("Allow:", Allow("http://$HOST/charge_manager/state_update"));
        Assert.Equal("(none)", Allow("http://$HOST/charge_manager/state")); // 200: no Allow
    }

    [NeedsToolsFact("curl")]
    public void ALimitWrittenOverHttpReachesTheChargers_AndTheSumNeverExceedsIt()
    {
        var g = host;
        foreach (var c in g.Farm.Chargers)
            c.Car.Plug(g.Clock.NowMs, false);
        Shell("curl -s http://$HOST/charge_manager/available_current -d 32000");
        Thread.Sleep(3000); // 30 s of the 10x clock: start-up, admissions
        int excess = 0;
        g.Manager.Ticked += _ =>
        {
            for (int p = 1; p <= 3; p++)
                excess = Math.Max(excess, g.Farm.Chargers.Sum(c => c.Car.DrawOn(p)) - 12000);
        };
        Shell("curl -s http://$HOST/charge_manager/available_current -d 12000");
        Thread.Sleep(300); // 3 s of the clock: time to comply
        excess = 0;
        Thread.Sleep(1000);
        Assert.Equal(0, excess);
        Assert.Contains(g.Farm.Chargers, c => c.Car.Applied > 0);
    }
}
