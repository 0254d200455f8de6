using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using Microsoft.Playwright;
using Xunit;

namespace ChargeManager.Distribution.Tests.Web;

/// <summary>network/config, ntp/config and board/config edited on the page in a real browser; ntp/state shown. 127.0.59.1:18592 (issue 15c).</summary>
[Collection("udp")]
public class DeviceSettingsPageTests
{
    [NeedsToolsFact("chromium")]
    public async Task TimeNameAndBoardAreEditedOnThePage_AndABadFieldIsShownAtTheField()
    {
        const string Address = "http://127.0.59.1:18592";
        string data = Path.Combine(Path.GetTempPath(), "cm-web15c-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[] { "--http", "127.0.59.1:18592", "--udp", "127.0.59.1:0", "--data", data, "--mdns", "none",
            "--simulate", "1", "--simulate-from", "127.0.59.20" }, out _);
        await using var host = await HostApp.StartAsync(options, TextWriter.Null);
        using var http = new HttpClient { BaseAddress = new Uri(Address) };
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = new[] { "--no-sandbox", "--disable-gpu" } });
        var page = await browser.NewPageAsync();
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add(error);
        await page.GotoAsync(Address + "/");
        await page.WaitForSelectorAsync("[id='ntp/config'] [data-path=timezone]", new() { Timeout = 5000 });
        await page.WaitForFunctionAsync("document.getElementById('ntp-state').textContent.startsWith('Clock synced: ')", null, new() { Timeout = 5000 });
        Assert.Contains("Time zone", await page.InnerTextAsync("[id='ntp/config']"));
        Assert.Contains("Relay pin (GPIO)", await page.InnerTextAsync("[id='board/config']"));

        // A bad time zone: not saved, the message at the field
        await page.FillAsync("[id='ntp/config'] [data-path=timezone]", "Europe/Berlin");
        await page.ClickAsync("[id='ntp/config'] button");
        await page.WaitForSelectorAsync("[id='ntp/config'] .field.bad[data-key=timezone]", new() { Timeout = 5000 });
        Assert.Contains("CET-1CEST", await http.GetStringAsync("/ntp/config"));

        await page.FillAsync("[id='ntp/config'] [data-path=timezone]", "EST5EDT,M3.2.0,M11.1.0");
        await page.ClickAsync("[id='ntp/config'] button");
        await page.WaitForFunctionAsync("document.getElementById('ntp/config-msg').textContent === 'Saved.'", null, new() { Timeout = 5000 });
        Assert.Contains("\"timezone\":\"EST5EDT,M3.2.0,M11.1.0\"", await http.GetStringAsync("/ntp/config"));

        await page.FillAsync("[id='network/config'] [data-path=hostname]", "garage-cm");
        await page.ClickAsync("[id='network/config'] button");
        await page.WaitForFunctionAsync("document.getElementById('network/config-msg').textContent === 'Saved.'", null, new() { Timeout = 5000 });
        Assert.Contains("\"hostname\":\"garage-cm\"", await http.GetStringAsync("/network/config"));

        await page.FillAsync("[id='board/config'] [data-path=contactor_relay_pin]", "36");
        await page.ClickAsync("[id='board/config'] button");
        await page.WaitForSelectorAsync("[id='board/config'] .field.bad[data-key=contactor_relay_pin]", new() { Timeout = 5000 });
        Assert.Contains("input-only", await page.InnerTextAsync("[id='board/config'] .field.bad"));
        await page.FillAsync("[id='board/config'] [data-path=contactor_relay_pin]", "4");
        await page.CheckAsync("[id='board/config'] [data-path=contactor_installed]");
        await page.ClickAsync("[id='board/config'] button");
        await page.WaitForFunctionAsync("document.getElementById('board/config-msg').textContent === 'Saved.'", null, new() { Timeout = 5000 });
        Assert.Contains("\"contactor_installed\":true,\"contactor_relay_pin\":4", await http.GetStringAsync("/board/config"));
        Assert.Empty(problems);
        Directory.Delete(data, recursive: true);
    }
}
