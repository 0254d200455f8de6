using ChargeManager.Distribution.Api;
using Xunit;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>The core's decision which requests come from where they should (issue 13), without a transport.</summary>
public class RequestGuardTests
{
    static readonly RequestGuard Guard = new(new[] { "warp-AbCd", "warp-abcd.local", "192.168.1.20", "::1", "localhost", "127.0.0.1" });

    static int Check(string method, string host, string origin = null, string referer = null, string contentType = null) =>
        Guard.Check(method, host, origin, referer, contentType);

    [Theory]
    // The document's curl lines: no Origin, no Referer; -d sends application/x-www-form-urlencoded.
    [InlineData("POST", "warp-AbCd", null, null, "application/x-www-form-urlencoded")]
    [InlineData("POST", "192.168.1.20:80", null, null, "application/x-www-form-urlencoded")]
    [InlineData("PUT", "localhost:8080", null, null, null)]
    [InlineData("POST", "127.0.0.1:8080", null, null, "application/json")]
    // The web page: same origin, JSON.
    [InlineData("POST", "warp-abcd.local", "http://warp-abcd.local", null, "application/json")]
    [InlineData("POST", "WARP-ABCD.LOCAL.", "http://warp-abcd.LOCAL.", null, "application/json; charset=utf-8")]
    [InlineData("POST", "192.168.1.20:8080", "http://192.168.1.20:8080", "http://192.168.1.20:8080/", "Application/JSON")]
    [InlineData("POST", "192.168.1.20", "http://192.168.1.20:80", null, "application/json")]
    [InlineData("POST", "[::1]:8080", "http://[::1]:8080", null, "application/json")]
    [InlineData("POST", "warp-AbCd", null, "http://warp-AbCd/index.html?x=1", "application/json")]
    // Reads pass whatever their Origin: the answers carry no Access-Control-Allow-Origin.
    [InlineData("GET", "warp-AbCd", "http://evil.example", null, "text/plain")]
    [InlineData("HEAD", null, null, null, null)]
    // HTTP/1.0 without Host (no browser sends that).
    [InlineData("POST", null, null, null, "application/json")]
    public void Allowed(string method, string host, string origin, string referer, string contentType)
    {
        Assert.Equal(0, Check(method, host, origin, referer, contentType));
        Assert.Null(Guard.Message);
    }

    [Theory]
    // DNS rebinding: the page's own name arrives as Host, for reads and writes.
    [InlineData("GET", "evil.example", null, null, null, 403, "Host 'evil.example'")]
    [InlineData("POST", "evil.example:8080", "http://evil.example:8080", null, "application/json", 403, "Host")]
    [InlineData("GET", "warp-AbCd.evil.example", null, null, null, 403, "Host")]
    [InlineData("GET", "192.168.1.21", null, null, null, 403, "Host")]
    [InlineData("GET", "[::1", null, null, null, 403, "Host")]
    [InlineData("GET", "warp-AbCd:80x", null, null, null, 403, "Host")]
    // Cross-origin writes, whatever the content type.
    [InlineData("POST", "warp-AbCd", "http://evil.example", null, "text/plain", 403, "Origin 'http://evil.example'")]
    [InlineData("POST", "warp-AbCd", "http://evil.example", null, "application/x-www-form-urlencoded", 403, "cross-origin")]
    [InlineData("POST", "warp-AbCd", "http://evil.example", null, null, 403, "cross-origin")]
    [InlineData("POST", "warp-AbCd", "null", null, "application/json", 403, "Origin 'null'")]
    [InlineData("POST", "warp-AbCd", "http://warp-AbCd:8080", null, "application/json", 403, "cross-origin")]
    [InlineData("POST", "warp-AbCd", "https://warp-AbCd", null, "application/json", 403, "cross-origin")]
    [InlineData("POST", "warp-AbCd", "http://warp-abcd.local", null, "application/json", 403, "cross-origin")]
    [InlineData("PUT", "warp-AbCd", null, "http://evil.example/page", "application/json", 403, "Referer")]
    [InlineData("POST", "warp-AbCd", null, "http://warp-AbCd.evil.example/", "application/json", 403, "Referer")]
    [InlineData("POST", "warp-AbCd", null, "file:///home/x.html", null, 403, "Referer")]
    [InlineData("DELETE", "warp-AbCd", "http://evil.example", null, null, 403, "cross-origin")]
    // A CORS preflight from another origin gets no grant.
    [InlineData("OPTIONS", "warp-AbCd", "http://evil.example", null, null, 403, "cross-origin")]
    // Same origin but a content type a page may send cross-origin without asking.
    [InlineData("POST", "warp-AbCd", "http://warp-AbCd", null, "text/plain;charset=UTF-8", 415, "text/plain")]
    [InlineData("POST", "warp-AbCd", null, null, "multipart/form-data; boundary=x", 415, "multipart/form-data")]
    [InlineData("POST", "warp-AbCd", null, null, "application/jsonx", 415, "application/jsonx")]
    public void Refused(string method, string host, string origin, string referer, string contentType, int status, string message)
    {
        Assert.Equal(status, Check(method, host, origin, referer, contentType));
        Assert.Contains(message, Guard.Message);
    }

    [Fact]
    public void OwnNamesCanChange()
    {
        var guard = new RequestGuard(new[] { "a" });
        Assert.Equal(403, guard.Check("GET", "b", null, null, null));
        guard.SetOwnNames(new[] { "a", "b" });
        Assert.Equal(0, guard.Check("GET", "b", null, null, null));
        Assert.Equal(403, new RequestGuard(null).Check("GET", "a", null, null, null));
    }

    [Fact]
    public void ArbitraryHeaders_NeverThrow()
    {
        var random = new Random(13);
        string[] parts = { "http://", "https://", "[", "]", ":", "::1", "@", "/", "?", "#", "warp-AbCd", "80", "99999999999", ";", " ", "application/json", "\u00e9", "" };
        for (int i = 0; i < 20_000; i++)
        {
            string Make() => random.Next(5) == 0 ? null : string.Concat(Enumerable.Range(0, random.Next(0, 6)).Select(_ => parts[random.Next(parts.Length)]));
            int status = Guard.Check(random.Next(2) == 0 ? "GET" : "POST", Make(), Make(), Make(), Make());
            Assert.Contains(status, new[] { 0, 403, 415 });
        }
    }
}
