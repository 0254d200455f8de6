using System.Text.Json.Nodes;
using ChargeManager.Distribution.Api.Auth;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Api.Auth;

/// <summary>
/// users/config against the running desktop host with real curl (issue 15b): 401 without credentials, 200 with
/// `--digest -u` and with `-u` (Basic), the document's curl lines with credentials, the slow-down, the page
/// public, the way back in. 127.0.58.x / 1858x; run under the shared lock.
/// </summary>
[Collection("udp")]
public class HostAuthTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string Address = "127.0.58.1:18580";
    HostApp host;
    string data;

    public async Task InitializeAsync()
    {
        data = Path.Combine(Path.GetTempPath(), "cm-auth-" + Guid.NewGuid().ToString("N"));
        await Start();
    }

    async Task Start()
    {
        var options = HostOptions.Parse(new[]
        {
            "--http", Address, "--udp", "127.0.58.1:0", "--data", data, "--simulate", "2", "--simulate-from", "127.0.58.2",
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
        UserShell.Run(command, new Dictionary<string, string> { ["HOST"] = Address }, output);

    /// <summary>The status code (last line) and the body of a curl call.</summary>
    (int status, string body) Curl(string arguments)
    {
        var (_, text) = Shell("curl -s -w '\\n%{http_code}' " + arguments);
        int cut = text.TrimEnd().LastIndexOf('\n');
        return (int.Parse(text.TrimEnd()[(cut + 1)..]), cut < 0 ? "" : text[..cut]);
    }

    const string Enable = "'{\"http_auth_enabled\": true, \"users\": [{\"username\": \"admin\", \"password\": \"Circle Of Life\"}]}'";

    [NeedsToolsFact("curl")]
    public async Task DigestAndBasic_ThroughCurl_TheDocumentsLinesWithCredentials_AndTheWayBackIn()
    {
        Assert.Equal(200, Curl("http://$HOST/users/config -d " + Enable).status);
        // Without credentials: 401 with a Digest challenge; the page itself is still served.
        var (_, headers) = Shell("curl -s -D - -o /dev/null http://$HOST/charge_manager/available_current");
        Assert.Contains("HTTP/1.1 401", headers);
        Assert.Contains("WWW-Authenticate: Digest realm=\"ChargeManager\", qop=\"auth\", algorithm=MD5, nonce=\"", headers);
        Assert.Equal(200, Curl("-o /dev/null http://$HOST/").status);
        Assert.Equal(401, Curl("http://$HOST/charge_manager/available_current -d '16000'").status);
        Assert.Equal(401, Curl("http://$HOST/users/config").status);

        // The document's lines, with --digest -u and with -u.
        const string digest = "--digest -u 'admin:Circle Of Life' ";
        const string basic = "-u 'admin:Circle Of Life' ";
        Assert.Equal(0, Shell("curl -sf " + digest + "http://$HOST/charge_manager/available_current -d '{ \"current\": 12000 }'").exit);
        SameJson("{\"current\":12000}", Shell("curl -sf " + digest + "http://$HOST/charge_manager/available_current").stdout);
        Assert.Equal(0, Shell("curl -sf " + basic + "http://$HOST/charge_manager/available_current -d '16000'").exit);
        SameJson("{\"current\":16000}", Shell("curl -sf " + basic + "http://$HOST/charge_manager/available_current").stdout);
        Assert.Equal(0, Shell("curl -sf " + digest + "http://$HOST/charge_manager/config -d '" + ChargeManagerAppTests.SeedConfig + "'").exit);
        SameJson(ChargeManagerAppTests.SeedConfig, Shell("curl -sf " + digest + "http://$HOST/charge_manager/config").stdout);
        Assert.Equal(200, Curl(digest + "\"http://$HOST/charge_manager/state?x=1\"").status); // uri with a query
        // The password is never read back.
        SameJson("{\"http_auth_enabled\":true,\"users\":[{\"username\":\"admin\",\"password\":null}]}", Shell("curl -sf " + digest + "http://$HOST/users/config").stdout);
        Assert.DoesNotContain("Circle", File.ReadAllText(Path.Combine(data, UsersConfig.File)));

        // Applied live: a new password works at once, the old one no longer.
        Assert.Equal(200, Curl(digest + "http://$HOST/users/config -d '{\"http_auth_enabled\": true, \"users\": [{\"username\": \"admin\", \"password\": \"new one\"}]}'").status);
        Assert.Equal(401, Curl(digest + "http://$HOST/charge_manager/state").status);
        Assert.Equal(200, Curl("--digest -u 'admin:new one' http://$HOST/charge_manager/state").status);

        // Lost password on the host: users_reset in the data directory (or delete users_config.json), restart.
        await host.DisposeAsync();
        File.WriteAllText(Path.Combine(data, UsersConfig.ResetFile), "");
        await Start();
        Assert.Equal(200, Curl("http://$HOST/charge_manager/state").status);
        Assert.False(File.Exists(Path.Combine(data, UsersConfig.File)));
    }

    [NeedsToolsFact("curl")]
    public void WrongPasswords_AreSlowedDown_PerClient_With429()
    {
        Assert.Equal(200, Curl("http://$HOST/users/config -d " + Enable).status);
        var statuses = new List<int>();
        for (int i = 0; i < 5; i++)
            statuses.Add(Curl("--digest -u admin:guess" + i + " http://$HOST/charge_manager/state").status);
        // Three free failures, the fourth blocks for 1 s: the fifth attempt is refused without being checked.
        Assert.Equal(new[] { 401, 401, 401, 401, 429 }, statuses);
        var (_, headers) = Shell("curl -s -D - -o /dev/null --digest -u 'admin:Circle Of Life' http://$HOST/charge_manager/state");
        Assert.True(headers.Contains("HTTP/1.1 429") || headers.Contains("HTTP/1.1 200"), headers); // the block may have run out
        if (headers.Contains("429"))
            Assert.Matches("Retry-After: [12]", headers);
        Thread.Sleep(2100);
        Assert.Equal(200, Curl("--digest -u 'admin:Circle Of Life' http://$HOST/charge_manager/state").status);
        // Success cleared the count: one more wrong password is a plain 401 again.
        Assert.Equal(401, Curl("--digest -u admin:guess http://$HOST/charge_manager/state").status);
        Assert.Equal(200, Curl("-u 'admin:Circle Of Life' http://$HOST/charge_manager/state").status);
    }

    [NeedsToolsFact("curl")]
    public void EnablingWithoutAUser_IsRejected_NamingTheField()
    {
        var (status, body) = Curl("http://$HOST/users/config -d '{\"http_auth_enabled\": true, \"users\": []}'");
        Assert.Equal(400, status);
        Assert.Contains("http_auth_enabled: cannot enable HTTP authentication without a user", body);
        Assert.Equal(200, Curl("http://$HOST/charge_manager/state").status);
    }

    static void SameJson(string expected, string actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}\nactual   {actual}");
}
