using System.Diagnostics;
using System.Text.Json.Nodes;
using ChargeManager.Distribution.Tests.Api;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Web;

/// <summary>
/// The page edits mqtt/config and mqtt/auto_discovery_config and shows mqtt/state (issue 15a), in
/// Debian's chromium against the host and a real mosquitto with a password file. 127.0.57.5, ports 1857x.
/// </summary>
[Collection("udp")]
public class MqttPageTests(ITestOutputHelper output)
{
    [NeedsToolsFact("chromium", "mosquitto", "mosquitto_passwd")]
    public async Task ThePageSetsTheBrokerAndItsPassword_ShowsTheConnection_AndTurnsOnDiscovery()
    {
        const string Address = "http://127.0.57.5:18575";
        string dir = Path.Combine(Path.GetTempPath(), "cm-web15a-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        Process.Start("mosquitto_passwd", new[] { "-b", "-c", Path.Combine(dir, "passwd"), "page", "pw-from-page" })!.WaitForExit();
        using var broker = new ConfiguredMosquitto(dir, "page", "127.0.57.5", 18576, $"allow_anonymous false\npassword_file {Path.Combine(dir, "passwd")}");
        var options = HostOptions.Parse(new[] { "--http", "127.0.57.5:18575", "--udp", "127.0.0.1:0", "--data", Path.Combine(dir, "data"),
            "--simulate", "1", "--simulate-from", "127.0.57.50", "--speed", "10" }, out string error);
        Assert.Null(error);
        await using var host = await HostApp.StartAsync(options, TextWriter.Null);
        using var http = new HttpClient { BaseAddress = new Uri(Address) };
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = new[] { "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking" },
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var problems = new List<string>();
        page.PageError += (_, e) => problems.Add(e);

        await page.GotoAsync(Address + "/");
        const string Form = "[id='mqtt/config']";
        await page.WaitForSelectorAsync(Form + " [data-path=broker_host]", new() { Timeout = 5000 });
        // mqtt/state is shown by the first poll, which comes after the forms.
        await page.WaitForFunctionAsync("document.getElementById('mqtt-state').textContent.startsWith('MQTT off')", null, new() { Timeout = 5000 });
        Assert.Equal("password", await page.GetAttributeAsync(Form + " [data-path=broker_password]", "type"));

        // A bad port: not saved, the message at the field.
        await page.CheckAsync(Form + " [data-path=enable_mqtt]");
        await page.FillAsync(Form + " [data-path=broker_host]", "127.0.57.5");
        await page.FillAsync(Form + " [data-path=broker_port]", "0");
        await page.ClickAsync(Form + " button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('mqtt/config-msg').textContent.startsWith('Not saved')");
        Assert.Contains("broker_port", await page.InnerTextAsync(Form + " .field.bad"));
        Assert.False((bool)JsonNode.Parse(await http.GetStringAsync("/mqtt/config"))!["enable_mqtt"]!);

        // The right broker and password: connected, shown on the page; the password is not shown again.
        await page.FillAsync(Form + " [data-path=broker_port]", "18576");
        await page.FillAsync(Form + " [data-path=broker_username]", "page");
        await page.FillAsync(Form + " [data-path=broker_password]", "pw-from-page");
        await page.ClickAsync(Form + " button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('mqtt/config-msg').textContent === 'Saved.'");
        await page.WaitForFunctionAsync("document.getElementById('mqtt-state').textContent.startsWith('connected')", null, new() { Timeout = 8000 });
        Assert.Equal("", await page.InputValueAsync(Form + " [data-path=broker_password]"));
        Assert.Equal("pw-from-page", host.Manager.App.Mqtt.Config.BrokerPassword);

        // Home Assistant discovery on.
        const string Discovery = "[id='mqtt/auto_discovery_config']";
        await page.SelectOptionAsync(Discovery + " select[data-path=auto_discovery_mode]", "2");
        await page.ClickAsync(Discovery + " button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('mqtt/auto_discovery_config-msg').textContent === 'Saved.'");
        Assert.Equal(2, (int)JsonNode.Parse(await http.GetStringAsync("/mqtt/auto_discovery_config"))!["auto_discovery_mode"]!);

        string artifacts = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(artifacts);
        await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "web-page-mqtt.png"), FullPage = true });
        output.WriteLine(string.Join("\n", problems));
        Assert.Empty(problems);
        Directory.Delete(dir, true);
    }
}
