using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Tests.Api;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Reliability;

/// <summary>
/// The desktop host's HTTP API against hostile requests over real TCP (issue 13): framing, sizes and
/// encodings get a 4xx, never a 5xx; writes only from the device's own origin and with JSON or curl's
/// content type; requests for a foreign Host refused; the document's curl lines still work verbatim.
/// </summary>
[Collection("udp")]
public class HttpHardeningTests(ITestOutputHelper output) : IAsyncLifetime
{
    const string Authority = "127.0.53.1:18533";
    static readonly IPEndPoint Server = IPEndPoint.Parse(Authority);
    HostApp host;
    string data;

    public async Task InitializeAsync()
    {
        data = Path.Combine(Path.GetTempPath(), "cm-http13-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[]
        {
            "--http", Authority, "--udp", "127.0.53.1:0", "--data", data,
            "--simulate", "2", "--simulate-from", "127.0.53.20", "--speed", "10", "--hostname", "warp-AbCd",
        }, out string error);
        Assert.Null(error);
        host = await HostApp.StartAsync(options, TextWriter.Null);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        Directory.Delete(data, recursive: true);
    }

    int Limit()
    {
        lock (host.Manager.Gate)
            return host.Manager.Group.Limit(1);
    }

    static string Post(string path, string body, string headers = "") =>
        $"POST {path} HTTP/1.1\r\nHost: {Authority}\r\n{headers}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    [Theory]
    [InlineData("80000000")]
    [InlineData("FFFFFFFF")]
    [InlineData("100000000")]
    [InlineData("FFFFFFFFFFFFFFFFFFFF")]
    public void AChunkSizeOf2To31OrMore_Is4xx(string size)
    {
        int status = RawHttp.Send(Server, $"POST /charge_manager/available_current HTTP/1.1\r\nHost: {Authority}\r\nTransfer-Encoding: chunked\r\n\r\n{size}\r\n16000\r\n0\r\n\r\n", out string answer);
        output.WriteLine($"chunk size {size}: {answer.Split('\n')[0]}");
        Assert.InRange(status, 400, 499);
        Assert.Equal(16000, Limit());
    }

    /// <summary>0x7FFFFFFF is a valid chunk size: the host waits for the rest until the client gives up; nothing is applied.</summary>
    [Fact]
    public void TheLargestValidChunkSize_WaitsForItsData_AndAppliesNothing()
    {
        int status = RawHttp.Send(Server, $"POST /charge_manager/available_current HTTP/1.1\r\nHost: {Authority}\r\nTransfer-Encoding: chunked\r\n\r\n7FFFFFFF\r\n16000\r\n0\r\n\r\n", out _, wantBody: false);
        Assert.True(status == 0 || status is >= 400 and < 500, status.ToString());
        Assert.Equal(16000, Limit());
        Assert.Equal(200, RawHttp.Send(Server, $"GET /charge_manager/available_current HTTP/1.1\r\nHost: {Authority}\r\n\r\n", out _));
    }

    [Fact]
    public void CrossOriginWrites_ForeignHosts_AndPageContentTypes_AreRefused()
    {
        // A "simple" cross-origin request a page sends without asking: refused, nothing changes.
        int status = RawHttp.Send(Server, Post("/charge_manager/available_current", "8000", "Origin: http://evil.example\r\nContent-Type: text/plain\r\n"), out string answer);
        Assert.Equal(403, status);
        Assert.Contains("cross-origin", answer);
        status = RawHttp.Send(Server, Post("/charge_manager/available_current", "8000", "Origin: http://evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\n"), out _);
        Assert.Equal(403, status);
        status = RawHttp.Send(Server, Post("/charge_manager/available_current", "8000", "Referer: http://evil.example/attack.html\r\nContent-Type: application/json\r\n"), out _);
        Assert.Equal(403, status);
        // Same origin, but text/plain: 415.
        status = RawHttp.Send(Server, Post("/charge_manager/available_current", "8000", $"Origin: http://{Authority}\r\nContent-Type: text/plain;charset=UTF-8\r\n"), out answer);
        Assert.Equal(415, status);
        Assert.Equal(16000, Limit());

        // DNS rebinding: the attacker's name as Host, for a read and for a write.
        Assert.Equal(403, RawHttp.Send(Server, "GET /charge_manager/config HTTP/1.1\r\nHost: evil.example:18533\r\n\r\n", out answer));
        Assert.Contains("not this device's name", answer);
        Assert.Equal(403, RawHttp.Send(Server, "POST /charge_manager/available_current HTTP/1.1\r\nHost: evil.example:18533\r\nOrigin: http://evil.example:18533\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n8000", out _));
        Assert.Equal(16000, Limit());

        // A CORS preflight gets no grant, and no answer ever says Access-Control-Allow-Origin.
        status = RawHttp.Send(Server, $"OPTIONS /charge_manager/available_current HTTP/1.1\r\nHost: {Authority}\r\nOrigin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: content-type\r\n\r\n", out answer);
        Assert.Equal(403, status);
        Assert.DoesNotContain("Access-Control-Allow", answer, StringComparison.OrdinalIgnoreCase);
        RawHttp.Send(Server, $"GET /charge_manager/state HTTP/1.1\r\nHost: {Authority}\r\nOrigin: http://evil.example\r\n\r\n", out answer);
        Assert.DoesNotContain("Access-Control-Allow", answer, StringComparison.OrdinalIgnoreCase);

        // What is allowed: the page (same origin, JSON), the configured name, curl's form type.
        Assert.Equal(200, RawHttp.Send(Server, Post("/charge_manager/available_current", "9000", $"Origin: http://{Authority}\r\nReferer: http://{Authority}/\r\nContent-Type: application/json\r\n"), out _));
        Assert.Equal(9000, Limit());
        Assert.Equal(200, RawHttp.Send(Server, "POST /charge_manager/available_current HTTP/1.1\r\nHost: warp-abcd:18533\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\n\r\n10000", out _));
        Assert.Equal(10000, Limit());
        Assert.Equal(200, RawHttp.Send(Server, "GET /charge_manager/available_current HTTP/1.1\r\nHost: localhost:18533\r\n\r\n", out _));
    }

    /// <summary>The document's curl lines, verbatim, with $HOST set to the configured name (curl sends it as Host).</summary>
    [NeedsToolsFact("curl")]
    public void TheSeedsCurlLines_StillWork_ByNameAndByAddress()
    {
        foreach (string hostValue in new[] { Authority, "warp-AbCd:18533" })
        {
            var variables = new Dictionary<string, string> { ["HOST"] = hostValue };
            // curl resolves warp-AbCd itself: tell it where, as mDNS or DNS would on a LAN.
            string resolve = hostValue.StartsWith("warp") ? "--resolve warp-AbCd:18533:127.0.53.1 " : "";
            string Curl(string line) => UserShell.Run(line.Replace("curl ", "curl -s " + resolve), variables, output).stdout;
            Curl("curl http://$HOST/charge_manager/available_current -d '{ \"current\": 12000 }'");
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{ \"current\": 12000 }"), JsonNode.Parse(Curl("curl http://$HOST/charge_manager/available_current"))));
            Curl("curl http://$HOST/charge_manager/available_current -d '16000'");
            Assert.Equal(16000, Limit());
            Curl("curl http://$HOST/charge_manager/config -d '" + ChargeManagerAppTests.SeedConfig + "'");
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ChargeManagerAppTests.SeedConfig), JsonNode.Parse(Curl("curl http://$HOST/charge_manager/config"))));
        }
    }

    [Fact]
    public void SizesAndEncodings_Are4xx()
    {
        var cases = new (string name, string request, int low, int high)[]
        {
            ("Content-Length above 16 KB", $"POST /charge_manager/config HTTP/1.1\r\nHost: {Authority}\r\nContent-Length: 99999999\r\n\r\n{{", 413, 413),
            ("a 20 KB body", Post("/charge_manager/config", new string(' ', 20_000) + "{}"), 413, 413),
            ("a 20 KB chunked body", $"POST /charge_manager/config HTTP/1.1\r\nHost: {Authority}\r\nTransfer-Encoding: chunked\r\n\r\n4E20\r\n{new string(' ', 20_000)}\r\n0\r\n\r\n", 413, 413),
            ("Content-Length 2^64", $"POST /charge_manager/config HTTP/1.1\r\nHost: {Authority}\r\nContent-Length: 18446744073709551616\r\n\r\n{{}}", 400, 499),
            ("negative Content-Length", $"POST /charge_manager/config HTTP/1.1\r\nHost: {Authority}\r\nContent-Length: -1\r\n\r\n{{}}", 400, 499),
            ("two Content-Lengths", $"POST /charge_manager/config HTTP/1.1\r\nHost: {Authority}\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{{}}", 400, 499),
            ("body shorter than announced (the client gives up)", $"POST /charge_manager/available_current HTTP/1.1\r\nHost: {Authority}\r\nContent-Length: 50\r\n\r\n16000", 0, 0),
            ("Transfer-Encoding gzip", $"POST /charge_manager/available_current HTTP/1.1\r\nHost: {Authority}\r\nTransfer-Encoding: gzip\r\n\r\n16000", 400, 499),
            ("Transfer-Encoding gzip, chunked", $"POST /charge_manager/available_current HTTP/1.1\r\nHost: {Authority}\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\n15000\r\n0\r\n\r\n", 400, 499),
            ("Transfer-Encoding and Content-Length", $"POST /charge_manager/available_current HTTP/1.1\r\nHost: {Authority}\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\n16000\r\n0\r\n\r\n", 200, 499),
            ("chunk size not hex", $"POST /charge_manager/available_current HTTP/1.1\r\nHost: {Authority}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n16000\r\n0\r\n\r\n", 400, 499),
            ("chunk without end (the client gives up)", $"POST /charge_manager/available_current HTTP/1.1\r\nHost: {Authority}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n16000", 0, 0),
            ("a mangled HTTP version", $"POST /charge_manager/available_current HTT(/1.1\r\nHost: {Authority}\r\nContent-Length: 5\r\n\r\n15000", 400, 400),
            ("HTTP/1.9", $"POST /charge_manager/available_current HTTP/1.9\r\nHost: {Authority}\r\nContent-Length: 5\r\n\r\n15000", 400, 400),
            ("Content-Encoding gzip", Post("/charge_manager/available_current", "16000", "Content-Encoding: gzip\r\n"), 415, 415),
            ("invalid UTF-8 body", Post("/charge_manager/available_current", "{\"current\": \"\u00ff\"}"), 400, 400),
            ("NUL bytes", Post("/charge_manager/available_current", "\0\0\0"), 400, 400),
            ("nesting 10,000 deep", Post("/charge_manager/config", new string('[', 10_000)), 400, 400),
            ("a number of 5,000 digits", Post("/charge_manager/available_current", new string('9', 5000)), 400, 400),
        };
        foreach (var (name, request, low, high) in cases)
        {
            int status = RawHttp.Send(Server, request, out string answer);
            output.WriteLine($"{name}: {status} {RawHttp.Body(answer).Trim().Split('\n')[0]}");
            Assert.True(status >= low && status <= high, $"{name}: {status}\n{answer}");
        }
        Assert.Equal(16000, Limit());
    }

    /// <summary>
    /// Random and mutated requests over real TCP: no 5xx, no hang, and the API still answers after each
    /// batch. 6,000 requests (100,000 with CM_LONG=1).
    /// </summary>
    [Fact]
    public void FuzzedRequests_NeverA5xx()
    {
        int total = ReliabilityTable.Long ? 100_000 : 6_000;
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        int failures = 0;
        var watch = Stopwatch.StartNew();
        // 16 clients at once: an incomplete request costs its client a wait before it gives up.
        Parallel.For(0, total, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i =>
        {
            byte[] request = HttpFuzz.Request(new Random(1301 + i), Authority);
            int status = RawHttp.Send(Server, request, out string answer, IPAddress.Parse("127.0.53." + (30 + i % 40)), patienceMs: 700, wantBody: false);
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status >= 500 || status == -1)
            {
                if (Interlocked.Increment(ref failures) <= 5)
                    lock (output)
                        output.WriteLine($"FAILURE {status} (request {i}): {Encoding.UTF8.GetString(request)[..Math.Min(300, request.Length)]}\n-> {answer[..Math.Min(300, answer.Length)]}");
            }
            if (i % 500 == 499)
                Assert.Equal(200, RawHttp.Send(Server, $"GET /charge_manager/available_current HTTP/1.1\r\nHost: {Authority}\r\n\r\n", out _, wantBody: false));
        });
        output.WriteLine($"{total} fuzzed requests in {watch.Elapsed.TotalSeconds:0.0} s; answers: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => (s.Key == 0 ? "closed" : s.Key.ToString()) + " x" + s.Value))}");
        using var client = new HttpClient();
        var state = JsonNode.Parse(client.GetStringAsync($"http://{Authority}/charge_manager/state").Result);
        Assert.NotNull(state!["chargers"]);
        output.WriteLine(ReliabilityTable.Add("requests fuzzed (HTTP)", total, failures, "raw TCP to the host; 5xx or no answer counts as failure"));
        Assert.Equal(0, failures);
    }
}

/// <summary>Hostile HTTP requests: valid ones mutated at the framing, header, size and body level.</summary>
public static class HttpFuzz
{
    static readonly string[] Paths = { "/charge_manager/available_current", "/charge_manager/config", "/charge_manager/low_level_config",
        "/charge_manager/phase_rotations", "/charge_manager/phase_switching", "/charge_manager/state", "/charge_manager/available_current_update",
        "/charge_manager/contactor_reset", "/", "/index.html", "/charge_manager/%ff%fe", "/%2e%2e/%2e%2e/etc/passwd", "/charge_manager/" + new string('x', 5000) };
    static readonly string[] Methods = { "GET", "POST", "PUT", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "CONNECT", "FOO", "" };
    static readonly string[] Bodies =
    {
        "16000", "{ \"current\": 16000 }", "{\"current\":-1}", "{\"current\":1e400}", "{\"current\":16000,\"current\":1}", "{\"rotations\":[1,2,3]}",
        "{\"mode\":3}", "{}", "[]", "null", "\"\\ud800\"", "{\"current\":\"16000\"}", "{", "}", "\u00ef\u00bb\u00bf16000", ChargeManagerAppTests.SeedConfig,
        "{\"global_hysteresis\":210}", "", " ", "\t16000\n",
    };
    static readonly string[] ContentTypes = { null, "application/json", "application/x-www-form-urlencoded", "text/plain", "application/json; charset=utf-16", "multipart/form-data; boundary=zz", "", "\u00ff" };

    public static byte[] Request(Random random, string authority)
    {
        string method = Methods[random.Next(Methods.Length)];
        string path = Paths[random.Next(Paths.Length)];
        byte[] body = Body(random);
        var headers = new List<string> { "Host: " + (random.Next(20) == 0 ? "evil.example" : authority) };
        string contentType = ContentTypes[random.Next(ContentTypes.Length)];
        if (contentType != null)
            headers.Add("Content-Type: " + contentType);
        if (random.Next(10) == 0)
            headers.Add("Origin: " + (random.Next(2) == 0 ? "http://" + authority : "http://evil.example"));
        if (random.Next(15) == 0)
            headers.Add("Content-Encoding: " + new[] { "gzip", "br", "deflate", "identity", "x\u00ff" }[random.Next(5)]);
        if (random.Next(15) == 0)
            headers.Add("Expect: 100-continue");
        byte[] framed;
        switch (random.Next(6))
        {
            case 0: // chunked, sometimes with hostile chunk sizes
                headers.Add("Transfer-Encoding: " + new[] { "chunked", "chunked", "chunked", "gzip, chunked", "chunked, chunked", "Chunked", "identity" }[random.Next(7)]);
                framed = Chunked(random, body);
                break;
            case 1: // a Content-Length that lies
                headers.Add("Content-Length: " + new[] { "-1", "0", "1", "99999999999999999999", "2147483648", "0x10", " 5", "5,5", (body.Length + random.Next(-3, 4)).ToString() }[random.Next(9)]);
                framed = body;
                break;
            case 2: // no length at all
                framed = body;
                break;
            default:
                headers.Add("Content-Length: " + body.Length);
                framed = body;
                break;
        }
        var head = Encoding.UTF8.GetBytes($"{method} {path} HTTP/1.{(random.Next(10) == 0 ? 0 : 1)}\r\n{string.Join("\r\n", headers)}\r\n\r\n");
        byte[] request = head.Concat(framed).ToArray();
        switch (random.Next(8))
        {
            case 0: // flip bytes anywhere
                for (int k = random.Next(1, 6); k > 0; k--)
                    request[random.Next(request.Length)] = (byte)random.Next(256);
                break;
            case 1: // cut anywhere
                request = request[..random.Next(1, request.Length + 1)];
                break;
            case 2: // a huge header
                request = Encoding.UTF8.GetBytes($"{method} {path} HTTP/1.1\r\nHost: {authority}\r\nX-Big: {new string('a', random.Next(1000, 70_000))}\r\n\r\n").Concat(framed).ToArray();
                break;
        }
        return request;
    }

    static byte[] Body(Random random)
    {
        switch (random.Next(5))
        {
            case 0:
            {
                var b = new byte[random.Next(0, 20_000)];
                random.NextBytes(b);
                return b;
            }
            case 1:
            {
                var b = Encoding.UTF8.GetBytes(Bodies[random.Next(Bodies.Length)]);
                for (int k = random.Next(1, 4); k > 0 && b.Length > 0; k--)
                    b[random.Next(b.Length)] = (byte)random.Next(256);
                return b;
            }
            case 2:
                return Encoding.UTF8.GetBytes(new string('[', random.Next(1, 5000)) + new string(']', random.Next(0, 5000)));
            default:
                return Encoding.UTF8.GetBytes(Bodies[random.Next(Bodies.Length)]);
        }
    }

    static byte[] Chunked(Random random, byte[] body)
    {
        var s = new MemoryStream();
        void Write(string text) => s.Write(Encoding.ASCII.GetBytes(text));
        if (random.Next(4) == 0)
        {
            // a chunk size that does not fit what follows: 2^31 and up among them
            Write(new[] { "80000000", "FFFFFFFF", "7FFFFFFF", "100000000", "FFFFFFFFFFFFFFFFFFFF", "-5", "5;ext=1", "", "g" }[random.Next(9)] + "\r\n");
            s.Write(body);
            Write("\r\n0\r\n\r\n");
            return s.ToArray();
        }
        int at = 0;
        while (at < body.Length)
        {
            int n = Math.Min(body.Length - at, random.Next(1, 4000));
            Write(n.ToString("X") + "\r\n");
            s.Write(body, at, n);
            Write("\r\n");
            at += n;
        }
        Write(random.Next(10) == 0 ? "0\r\nX-Trailer: 1\r\n\r\n" : "0\r\n\r\n");
        return s.ToArray();
    }
}
