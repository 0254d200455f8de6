using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using Microsoft.Playwright;
using Xunit;

namespace ChargeManager.Distribution.Tests.Web;

/// <summary>users/config on the page, in Debian's chromium (issue 15b): edited there, then the browser's own Digest
/// login (the page is public, its fetches get 401). 127.0.58.5:18585; run under the shared lock.</summary>
[Collection("udp")]
public class UsersPageTests
{
    [NeedsToolsFact("chromium")]
    public async Task UsersAreEditedOnThePage_ThenTheBrowserLogsInWithDigest()
    {
        const string Address = "http://127.0.58.5:18585";
        string data = Path.Combine(Path.GetTempPath(), "cm-users-web-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[] { "--http", "127.0.58.5:18585", "--udp", "127.0.58.5:0", "--data", data,
            "--simulate", "2", "--simulate-from", "127.0.58.20" }, out _);
        await using var host = await HostApp.StartAsync(options, TextWriter.Null);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = new[] { "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking" },
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(Address + "/");
        await page.WaitForSelectorAsync("#http_auth_enabled", new() { Timeout = 5000 });

        // A new user without a password: refused, the message at the users field, nothing applied.
        await page.ClickAsync("text=Add user");
        await page.FillAsync("#users tr.user:nth-child(1) .uname", "admin");
        await page.CheckAsync("#http_auth_enabled");
        await page.ClickAsync("#users_config button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('users_config-msg').textContent.startsWith('Not saved')");
        Assert.Contains("users[0].password is required", await page.InnerTextAsync(".field[data-key=users] .ferr"));
        lock (host.Manager.Gate)
            Assert.False(host.Manager.App.Users.HttpAuthEnabled);

        await page.FillAsync("#users tr.user:nth-child(1) .upass", "pa ss");
        await page.ClickAsync("#users_config button:text('Save')");
        await page.WaitForFunctionAsync("document.getElementById('users_config-msg').textContent === 'Saved.'");
        lock (host.Manager.Gate)
            Assert.True(host.Manager.App.Users.HttpAuthEnabled);

        // A browser with the credentials: the page loads without them, its fetches answer the Digest challenge.
        await using var context = await browser.NewContextAsync(new() { HttpCredentials = new() { Username = "admin", Password = "pa ss" } });
        var logged = await context.NewPageAsync();
        var challenged = new List<string>();
        var seen = new List<string>();
        logged.Response += (_, r) => { seen.Add(r.Status + " " + r.Url); if (r.Status == 401) challenged.Add(r.Url); };
        await logged.GotoAsync(Address + "/");
        try { await logged.WaitForFunctionAsync("document.querySelectorAll('tr.charger').length === 2", null, new() { Timeout = 10000 }); }
        catch (TimeoutException) { Assert.Fail(string.Join("\n", seen.Take(20))); }
        // (Chromium answers the 401s itself; the chargers shown prove its fetches passed with Digest, Basic is never offered.)
        // The password is not shown again: the field is empty, "unchanged".
        await logged.WaitForSelectorAsync("#users tr.user .upass", new() { Timeout = 5000 });
        Assert.Equal("", await logged.InputValueAsync("#users tr.user .upass"));
        Assert.Equal("unchanged", await logged.GetAttributeAsync("#users tr.user .upass", "placeholder"));
        Assert.Equal("admin", await logged.InputValueAsync("#users tr.user .uname"));
        // Without credentials the page still loads, but shows nothing of the manager.
        var stranger = await (await browser.NewContextAsync()).NewPageAsync();
        var response = await stranger.GotoAsync(Address + "/");
        Assert.Equal(200, response!.Status);
        Assert.Equal(401, (await stranger.APIRequest.GetAsync(Address + "/charge_manager/state")).Status);
        Directory.Delete(data, recursive: true);
    }
}
