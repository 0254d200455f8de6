using System.Text.Json.Nodes;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Web;

/// <summary>
/// The web page in a real browser: Debian's chromium, headless, driven by Playwright, against the
/// desktop host with emulated chargers. Screenshots are kept in the test output folder (artifacts/).
/// Addresses: 127.0.56.x, ports 1856x (this issue's range).
/// </summary>
[Collection("udp")]
public class WebPageTests(ITestOutputHelper output)
{
    static async Task<(HostApp host, string data)> StartHost(string http, string simulateFrom, int chargers, int speed)
    {
        string data = Path.Combine(Path.GetTempPath(), "cm-web-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[] { "--http", http, "--udp", "127.0.0.1:0", "--data", data,
            "--simulate", chargers.ToString(), "--simulate-from", simulateFrom, "--speed", speed.ToString() }, out _);
        return (await HostApp.StartAsync(options, TextWriter.Null), data);
    }

    static Task<IBrowser> Chromium(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = new[] { "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync" },
    });

    static string Artifact(string name)
    {
        string artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        return Path.Combine(artifacts, name);
    }

    [NeedsToolsFact("chromium")]
    public async Task ThePageSpeaksPlainWords_OffersTheVehicleTypes_ShowsTheErrorAtTheField_AndEditsEveryObject()
    {
        const string Address = "http://127.0.56.1:18561";
        var (host, data) = await StartHost("127.0.56.1:18561", "127.0.56.10", 3, 10);
        await using var _ = host;
        using var http = new HttpClient { BaseAddress = new Uri(Address) };
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add(message.Text); };
        page.PageError += (_, error) => problems.Add(error);
        var writes = new List<string>();
        page.Request += (_, request) => { if (request.Method != "GET") writes.Add(request.Url + " " + request.Headers.GetValueOrDefault("content-type")); };

        await page.GotoAsync(Address + "/");
        await page.WaitForFunctionAsync("document.querySelectorAll('tr.charger').length === 3", null, new() { Timeout = 5000 });
        Assert.Equal(new[] { "sim-1", "sim-2", "sim-3" }, await page.Locator("tr.charger td:first-child").AllInnerTextsAsync());
        Assert.Equal(3, await page.Locator("#phases .bar").CountAsync());

        // Plain words and units, a help text from the user's document; no API key is shown as a label.
        string config = await page.InnerTextAsync("#config");
        foreach (string key in new[] { "enable_charge_manager", "minimum_current_vehicle_type", "requested_current_threshold", "requested_current_margin", "default_available_current" })
            Assert.DoesNotContain(key, config);
        Assert.Contains("Start-up phase length", await page.InnerTextAsync(".field[data-key=requested_current_threshold] label"));
        Assert.Matches(@"^Start-up phase length\s+s$", (await page.InnerTextAsync(".field[data-key=requested_current_threshold] label")).Trim());
        Assert.Contains("Margin added to the largest measured phase current.", config);
        Assert.Equal("3", await page.InputValueAsync("#config [data-path=requested_current_margin]")); // A
        Assert.Contains("= 3000 mA", await page.InnerTextAsync(".field[data-key=requested_current_margin]")); // and the API's mA
        Assert.Contains("Pause after a switch-on", await page.InnerTextAsync("#low_level_config"));

        // The vehicle type is a choice of its named values, and choosing one sets the minimums.
        var vehicleType = page.Locator("#config select[data-path=minimum_current_vehicle_type]");
        var options = await vehicleType.Locator("option").AllInnerTextsAsync();
        Assert.Equal(2, options.Count);
        Assert.Contains("Other vehicles", options[0]);
        Assert.Contains("Renault ZOE", options[1]);
        Assert.Contains("Vehicle type for which the minimum charge current is selected.", config);
        await vehicleType.SelectOptionAsync("1");
        await page.ClickAsync("#config button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('config-msg').textContent === 'Saved.'");
        var stored = JsonNode.Parse(await http.GetStringAsync("/charge_manager/config"))!;
        Assert.Equal(1, (int)stored["minimum_current_vehicle_type"]!);
        // The vehicle type decides the minimums in effect; the stored minimums stay as written (issue 12, kind 3).
        Assert.Equal(6000, (int)stored["minimum_current"]!);
        Assert.Equal("6", await page.InputValueAsync("#config [data-path=minimum_current]"));

        // A limit written through the API shows within two seconds.
        await http.PostAsync("/charge_manager/available_current", new StringContent("9000", System.Text.Encoding.UTF8, "application/json")); // a write declares JSON (issue 13)
        await page.WaitForFunctionAsync("document.getElementById('available').textContent.includes('available 9.0 A')", null, new() { Timeout = 2000 });
        Assert.Empty(problems); // loaded and polling without a console error

        // A bad field: the API's own message beside that field, and nothing saved.
        await page.UncheckAsync("#config [data-path=minimum_current_auto]");
        await page.FillAsync("#config [data-path=minimum_current_1p]", "0.1");
        await page.ClickAsync("#config button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('config-msg').textContent.length > 0");
        const string Expected = "minimum_current_1p: 100 is less than the allowed minimum of 6000";
        Assert.Contains(Expected, await page.InnerTextAsync("#config-msg"));
        Assert.Equal(Expected, await page.InnerTextAsync(".field[data-key=minimum_current_1p] .ferr"));
        Assert.Equal(1, await page.Locator("#config .field.bad").CountAsync());
        stored = JsonNode.Parse(await http.GetStringAsync("/charge_manager/config"))!;
        Assert.Equal(6000, (int)stored["minimum_current_1p"]!);
        Assert.True((bool)stored["minimum_current_auto"]!);

        // A good one is saved; the error goes away.
        await page.FillAsync("#config [data-path=minimum_current_1p]", "7.5");
        await page.FillAsync("#config [data-path=requested_current_margin]", "4");
        await page.ClickAsync("#config button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('config-msg').textContent === 'Saved.'");
        stored = JsonNode.Parse(await http.GetStringAsync("/charge_manager/config"))!;
        Assert.Equal(4000, (int)stored["requested_current_margin"]!);
        Assert.Equal(7500, (int)stored["minimum_current_1p"]!);
        Assert.Equal(0, await page.Locator("#config .field.bad").CountAsync());

        // The other objects: fine tuning, each charger's wiring, the group's phases.
        await page.FillAsync("#low_level_config [data-path=rotation_interval]", "600");
        await page.ClickAsync("#low_level_config button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('low_level_config-msg').textContent === 'Saved.'");
        Assert.Equal(600, (int)JsonNode.Parse(await http.GetStringAsync("/charge_manager/low_level_config"))!["rotation_interval"]!);
        Assert.Contains("sim-2", await page.InnerTextAsync("#phase_rotations"));
        await page.SelectOptionAsync("#phase_rotations select[data-path='rotations.1']", "3");
        await page.ClickAsync("#phase_rotations button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('phase_rotations-msg').textContent === 'Saved.'");
        Assert.Equal(3, (int)JsonNode.Parse(await http.GetStringAsync("/charge_manager/phase_rotations"))!["rotations"]![1]!);
        await page.SelectOptionAsync("#phase_switching select[data-path=mode]", "3");
        await page.ClickAsync("#phase_switching button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('phase_switching-msg').textContent === 'Saved.'");
        Assert.Equal(3, (int)JsonNode.Parse(await http.GetStringAsync("/charge_manager/phase_switching"))!["mode"]!);

        // The quick control takes amperes.
        await page.FillAsync("#current", "12");
        await page.ClickAsync("#current-form button");
        await page.WaitForFunctionAsync("document.getElementById('current-msg').textContent === 'Set.'");
        Assert.Equal(12000, (int)JsonNode.Parse(await http.GetStringAsync("/charge_manager/available_current"))!["current"]!);

        // Every write said it is JSON.
        Assert.Equal(7, writes.Count);
        Assert.All(writes, w => Assert.EndsWith(" application/json", w));

        await page.ScreenshotAsync(new() { Path = Artifact("web-page-forms.png"), FullPage = true });
        // Since then the browser has only logged the deliberate 400 of the bad field.
        Assert.All(problems, p => Assert.Contains("status of 400", p));
        Assert.Single(problems);
        Directory.Delete(data, true);
    }

    /// <summary>
    /// At 100× the emulation's speed the manager gathers a quarter of an hour in about 10 s: 16 A, then the limit
    /// drops to 8 A. A page opened only afterwards draws both from the manager's history, on a desktop and on a phone.
    /// </summary>
    [NeedsToolsFact("chromium")]
    public async Task APageOpenedAfterALimitDrop_DrawsTheDropFromTheManagersHistory_AlsoOnAPhone()
    {
        const string Address = "http://127.0.56.3:18563";
        var (host, data) = await StartHost("127.0.56.3:18563", "127.0.56.30", 3, 100);
        await using var _ = host;
        using var http = new HttpClient { BaseAddress = new Uri(Address) };
        async Task<int> Samples() => (int)JsonNode.Parse(await http.GetStringAsync("/charge_manager/history"))!["count"]!;
        while (await Samples() < 60) // 10 minutes at 16 A
            await Task.Delay(200);
        Assert.Equal(200, (int)(await http.PostAsync("/charge_manager/available_current", new StringContent("8000", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        while (await Samples() < 90) // 5 minutes at 8 A
            await Task.Delay(200);
        var history = JsonNode.Parse(await http.GetStringAsync("/charge_manager/history"))!;
        output.WriteLine($"history after 15 minutes, 3 chargers: {history.ToJsonString().Length} B");
        Assert.Equal(160, (int)history["limit"]![0]![0]!);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        await page.GotoAsync(Address + "/");
        const string Points = "sel => (document.querySelector(sel)?.getAttribute('points') || '').trim().split(' ').filter(s => s).map(s => s.split(',').map(Number))";
        await page.WaitForFunctionAsync($"({Points})('#chart-L1 polyline.limit').length >= 85", null, new() { Timeout = 5000 });
        var limit1 = await page.EvaluateAsync<double[][]>(Points, "#chart-L1 polyline.limit");
        foreach (int phase in new[] { 1, 2, 3 })
        {
            var limit = await page.EvaluateAsync<double[][]>(Points, $"#chart-L{phase} polyline.limit");
            // Drawn from left (older) to right; the drop to half the current lies lower (a larger y).
            Assert.True(limit[0][0] < limit[^1][0]);
            Assert.True(limit[0][1] < limit[^1][1], $"L{phase}: 16 A at y={limit[0][1]}, 8 A at y={limit[^1][1]}");
            Assert.All(limit.Take(50), p => Assert.Equal(limit[0][1], p[1])); // 16 A in the 60 samples before the drop
        }
        Assert.Equal(3, await page.Locator("#chart-chargers polyline.charger").CountAsync());
        var allocated = await page.EvaluateAsync<double[][]>(Points, "#chart-L1 polyline.allocated");
        Assert.True(allocated.Length >= 85);
        Assert.Contains("sim-1", await page.InnerTextAsync("#charger-legend"));
        // Pointing at the chart's left part reads the values from before the drop, in words.
        var box = (await page.Locator("#chart-L1").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + (float)limit1[2][0], box.Y + 50);
        Assert.Contains("L1: limit 16.0 A", await page.InnerTextAsync("#readout"));
        Assert.Contains("sim-3", await page.InnerTextAsync("#readout"));
        await page.ScreenshotAsync(new() { Path = Artifact("web-page.png"), FullPage = true });
        output.WriteLine("screenshot: " + Artifact("web-page.png"));

        // A phone: nothing wider than the screen, the charts fit and still draw the hour.
        var phone = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true, HasTouch = true, DeviceScaleFactor = 2 });
        await phone.GotoAsync(Address + "/");
        await phone.WaitForFunctionAsync($"({Points})('#chart-L1 polyline.limit').length >= 85", null, new() { Timeout = 5000 });
        // (Tables may scroll inside their own box; nothing else sticks out.)
        var wider = await phone.EvaluateAsync<string[]>("[...document.querySelectorAll('body *')].filter(e => !e.parentElement.closest('.scroll') " +
            "&& e.getBoundingClientRect().right > 391).map(e => e.tagName + '#' + e.id + '.' + e.className)");
        Assert.True(wider.Length == 0, "wider than the phone: " + string.Join(", ", wider));
        Assert.Equal(390, await phone.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        double chartWidth = await phone.EvaluateAsync<double>("document.getElementById('chart-L1').getBoundingClientRect().width");
        Assert.InRange(chartWidth, 300, 390);
        var phoneLimit = await phone.EvaluateAsync<double[][]>(Points, "#chart-L1 polyline.limit");
        Assert.True(phoneLimit[^1][0] <= chartWidth && phoneLimit[0][1] < phoneLimit[^1][1]);
        Assert.Equal(3, await phone.Locator("tr.charger").CountAsync());
        await phone.ScreenshotAsync(new() { Path = Artifact("web-page-phone.png"), FullPage = true });
        Directory.Delete(data, true);
    }

    [NeedsToolsFact("chromium")]
    public async Task ThePageSaysSoWhenTheManagerIsUnreachable()
    {
        var (host, data) = await StartHost("127.0.56.2:18562", "127.0.56.20", 1, 1);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync("http://127.0.56.2:18562/");
        await page.WaitForFunctionAsync("document.querySelectorAll('tr.charger').length === 1");
        await host.DisposeAsync();
        await page.WaitForFunctionAsync("getComputedStyle(document.getElementById('banner')).display === 'block'", null, new() { Timeout = 5000 });
        Assert.Contains("unreachable", await page.InnerTextAsync("#banner"));
        Directory.Delete(data, true);
    }
}
