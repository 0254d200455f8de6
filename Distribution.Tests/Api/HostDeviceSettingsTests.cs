using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ChargeManager.Distribution.Discovery;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>
/// The desktop host with network/config, ntp/config and board/config: its mDNS responder answering
/// HOSTNAME.local and _http._tcp over real UDP (a legacy unicast query, RFC 6762 §6.7: loopback has no
/// multicast), curl reaching the API by that name, the Host check following the name, the system clock
/// as ntp/state, --contactor seeding board/config, and everything kept over a restart.
/// Loopback 127.0.59.x, ports 1859x (issue 15c).
/// </summary>
[Collection("udp")]
public class HostDeviceSettingsTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string Http = "127.0.59.1:18590";
    static readonly IPEndPoint Mdns = IPEndPoint.Parse("127.0.59.1:18591");
    HostApp host;
    string data;
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        data = Path.Combine(Path.GetTempPath(), "cm-15c-" + Guid.NewGuid().ToString("N"));
        await Start();
    }

    async Task Start()
    {
        var options = HostOptions.Parse(new[]
        {
            "--http", Http, "--udp", "127.0.59.1:0", "--data", data, "--mdns", Mdns.ToString(),
            "--simulate", "1", "--simulate-from", "127.0.59.10", "--contactor",
        }, out string error);
        Assert.Null(error);
        host = await HostApp.StartAsync(options, TextWriter.Null);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        Directory.Delete(data, recursive: true);
        http.Dispose();
    }

    async Task<(int status, string body)> Call(string method, string path, string body = null, string hostHeader = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), "http://" + Http + path);
        if (body != null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (hostHeader != null)
            request.Headers.Host = hostHeader;
        var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A legacy unicast mDNS query (ID 0x1234, from an ephemeral port); the parsed answer, or null after 1 s.</summary>
    static DnsMessage Ask(string name, int type)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Parse("127.0.59.2"), 0));
        var q = new List<byte> { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            q.Add((byte)label.Length);
            q.AddRange(Encoding.ASCII.GetBytes(label));
        }
        q.AddRange(new byte[] { 0, 0, (byte)type, 0, 1 });
        udp.Send(q.ToArray(), q.Count, Mdns);
        udp.Client.ReceiveTimeout = 1000;
        try
        {
            var from = new IPEndPoint(IPAddress.Any, 0);
            var answer = udp.Receive(ref from);
            var m = new DnsMessage();
            Assert.True(m.Read(answer, answer.Length));
            Assert.True(m.IsResponse);
            Assert.Equal(0x1234, m.Id); // echoed, as §6.7 requires
            Assert.Equal(1, m.QuestionCount);
            Assert.Equal(name, m.QuestionName[0]);
            return m;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    static uint Loopback59 => 127u << 24 | 59u << 8 | 1u;

    [NeedsToolsFact("curl")]
    public async Task Mdns_answers_the_configured_name_and_curl_reaches_the_api_by_it()
    {
        string defaultName = HostApp.DefaultHostname();
        var a = Ask(defaultName + ".local", DnsMessage.TypeA);
        Assert.NotNull(a);
        Assert.Equal(DnsMessage.TypeA, a.Type[0]);
        Assert.Equal(Loopback59, a.Address[0]);

        Assert.Equal(200, (await Call("PUT", "/network/config", "{\"hostname\":\"garage-cm\",\"enable_mdns\":true}")).status);
        Assert.Null(Ask(defaultName + ".local", DnsMessage.TypeA)); // the old name is no longer answered
        a = Ask("GARAGE-CM.local", DnsMessage.TypeA);                // names without regard to case (§16)
        Assert.NotNull(a);
        Assert.Equal(Loopback59, a.Address[0]);

        var ptr = Ask("_http._tcp.local", DnsMessage.TypePtr);
        Assert.NotNull(ptr);
        Assert.Equal("garage-cm._http._tcp.local", ptr.Target[0]);
        int srv = Array.IndexOf(ptr.Type, DnsMessage.TypeSrv, 0, ptr.RecordCount);
        Assert.Equal("garage-cm.local", ptr.Target[srv]);
        Assert.Equal(18590, ptr.Port[srv]);
        Assert.Contains("path=/", ptr.Text[Array.IndexOf(ptr.Type, DnsMessage.TypeTxt, 0, ptr.RecordCount)]);

        // curl by the name, with the address the mDNS answer gave (curl has no mDNS resolver of its own here)
        string address = $"{a.Address[0] >> 24}.{(a.Address[0] >> 16) & 255}.{(a.Address[0] >> 8) & 255}.{a.Address[0] & 255}";
        var (exit, text) = UserShell.Run("curl -s -w '\\n%{http_code}' --resolve garage-cm.local:18590:" + address + " http://garage-cm.local:18590/network/config",
            new Dictionary<string, string>(), output);
        Assert.Equal(0, exit);
        Assert.EndsWith("\n200", text.TrimEnd());
        Assert.Equal(403, (await Call("GET", "/network/config", hostHeader: "other-cm.local:18590")).status);
        Assert.Equal(200, (await Call("GET", "/network/config", hostHeader: "garage-cm:18590")).status);

        Assert.Equal(200, (await Call("PUT", "/network/config", "{\"hostname\":\"garage-cm\",\"enable_mdns\":false}")).status);
        Assert.Null(Ask("garage-cm.local", DnsMessage.TypeA));
        Assert.Null(Ask("other.local", DnsMessage.TypeA));
    }

    [Fact]
    public async Task The_host_clock_is_synced_contactor_seeds_board_and_everything_survives_a_restart()
    {
        var state = JsonNode.Parse((await Call("GET", "/ntp/state")).body)!;
        Assert.True((bool)state["synced"]!);
        Assert.InRange((long)state["time"]!, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        Assert.Contains("\"contactor_installed\":true", (await Call("GET", "/board/config")).body);
        Assert.NotNull(host.Manager.Group.Switcher);

        const string ntp = "{\"enable\":false,\"server\":\"\",\"timezone\":\"UTC0\"}";
        const string net = "{\"hostname\":\"cm-restart\",\"enable_mdns\":true}";
        const string board = "{\"board\":\"wt32-eth01\",\"contactor_installed\":false,\"contactor_relay_pin\":4,\"contactor_feedback_pin\":39}";
        Assert.Equal(200, (await Call("POST", "/ntp/config", ntp)).status);
        Assert.Equal(200, (await Call("POST", "/network/config", net)).status);
        Assert.Equal(200, (await Call("POST", "/board/config", board)).status);
        Assert.Null(host.Manager.Group.Switcher); // applied live: no contactor in front of the group
        var (status, message) = await Call("POST", "/board/config", board.Replace("\"contactor_relay_pin\":4", "\"contactor_relay_pin\":36"));
        Assert.Equal(400, status);
        Assert.Contains("contactor_relay_pin: GPIO36 is input-only", message);

        // UTC0: the allocator's time of day is UTC's
        long expected = (long)DateTime.UtcNow.TimeOfDay.TotalMilliseconds;
        long got;
        lock (host.Manager.Gate)
            got = host.Manager.App.Settings.TimeOfDayMs(host.Manager.Clock.NowMs);
        Assert.InRange(got, expected - 2000, expected + 2000);
        Assert.Matches("\"time\":\"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\"", (await Call("GET", "/charge_manager/event_log")).body);

        await host.DisposeAsync();
        await Start();
        Assert.Equal(ntp, (await Call("GET", "/ntp/config")).body);
        Assert.Equal(net, (await Call("GET", "/network/config")).body);
        Assert.Equal(board, (await Call("GET", "/board/config")).body);
        Assert.Null(host.Manager.Group.Switcher); // the stored board/config wins over --contactor
        Assert.Equal(200, (await Call("POST", "/board/config", board.Replace("\"contactor_installed\":false", "\"contactor_installed\":true"))).status);
        Assert.NotNull(host.Manager.Group.Switcher);
        Assert.NotNull(Ask("cm-restart.local", DnsMessage.TypeA));
    }
}
