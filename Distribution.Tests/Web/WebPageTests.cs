using System.Text.Json.Nodes;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Web;

/// <summary>
/// The web page in a real browser: Debian's chromium, headless, driven by Playwright, against the
/// desktop host with emulated chargers. A screenshot is kept in the test output folder (artifacts/).
/// </summary>
[Collection("udp")]
public class WebPageTests(ITestOutputHelper output)
{
    const string Address = "http://127.0.0.1:18082";

    [NeedsToolsFact("chromium")]
    public async Task ThePageShowsTheGroup_FollowsTheLimit_AndValidatesTheConfig()
    {
        string data = Path.Combine(Path.GetTempPath(), "cm-web-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[] { "--http", "127.0.0.1:18082", "--udp", "127.0.0.1:0", "--data", data,
            "--simulate", "3", "--simulate-from", "127.0.32.2", "--speed", "10" }, out _);
        await using var host = await HostApp.StartAsync(options, TextWriter.Null);
        using var http = new HttpClient { BaseAddress = new Uri(Address) };

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = new[] { "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync" },
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add(message.Text); };
        page.PageError += (_, error) => problems.Add(error);

        await page.GotoAsync(Address + "/");
        await page.WaitForFunctionAsync("document.querySelectorAll('tr.charger').length === 3", null, new() { Timeout = 5000 });
        Assert.Equal(new[] { "sim-1", "sim-2", "sim-3" }, await page.Locator("tr.charger td:first-child").AllInnerTextsAsync());
        Assert.Equal(3, await page.Locator("#phases .bar").CountAsync());

        // A limit written through the API shows within two seconds.
        await http.PostAsync("/charge_manager/available_current", new StringContent("9000", System.Text.Encoding.UTF8, "application/json")); // a write declares JSON (issue 13)
        await page.WaitForFunctionAsync("document.getElementById('available').textContent.includes('available 9.0 A')", null, new() { Timeout = 2000 });
        Assert.Empty(problems); // loaded and polling without a console error

        // A bad field: the API's message, and nothing saved.
        await page.FillAsync("#config input[name=minimum_current_1p]", "100");
        await page.ClickAsync("#config button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('config-msg').textContent.length > 0");
        Assert.Contains("minimum_current_1p: 100 is less than the allowed minimum of 6000", await page.InnerTextAsync("#config-msg"));
        var stored = JsonNode.Parse(await http.GetStringAsync("/charge_manager/config"))!;
        Assert.Equal(6000, (int)stored["minimum_current_1p"]!);

        // A good one is saved.
        await page.FillAsync("#config input[name=minimum_current_1p]", "6000");
        await page.FillAsync("#config input[name=requested_current_margin]", "4000");
        await page.ClickAsync("#config button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('config-msg').textContent === 'Saved.'");
        stored = JsonNode.Parse(await http.GetStringAsync("/charge_manager/config"))!;
        Assert.Equal(4000, (int)stored["requested_current_margin"]!);

        // The quick control sets the available current.
        await page.FillAsync("#current", "12000");
        await page.ClickAsync("#current-form button");
        await page.WaitForFunctionAsync("document.getElementById('current-msg').textContent === 'Set.'");
        Assert.Equal(12000, (int)JsonNode.Parse(await http.GetStringAsync("/charge_manager/available_current"))!["current"]!);

        string artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "web-page.png"), FullPage = true });
        output.WriteLine("screenshot: " + Path.Combine(artifacts, "web-page.png"));

        // Since then the browser has only logged the deliberate 400 of the bad field.
        Assert.All(problems, p => Assert.Contains("status of 400", p));
        Assert.Single(problems);
        Directory.Delete(data, true);
    }

    [NeedsToolsFact("chromium")]
    public async Task ThePageSaysSoWhenTheManagerIsUnreachable()
    {
        string data = Path.Combine(Path.GetTempPath(), "cm-web-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[] { "--http", "127.0.0.1:18082", "--udp", "127.0.0.1:0", "--data", data, "--simulate", "1",
            "--simulate-from", "127.0.33.2" }, out _);
        var host = await HostApp.StartAsync(options, TextWriter.Null);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = new[] { "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync" },
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(Address + "/");
        await page.WaitForFunctionAsync("document.querySelectorAll('tr.charger').length === 1");
        await host.DisposeAsync();
        await page.WaitForFunctionAsync("getComputedStyle(document.getElementById('banner')).display === 'block'", null, new() { Timeout = 5000 });
        Assert.Contains("unreachable", await page.InnerTextAsync("#banner"));
        Directory.Delete(data, true);
    }
}
