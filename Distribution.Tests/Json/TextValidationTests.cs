using System.Text;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Protocol;
using ChargeManager.Distribution.Tests.Api;
using Xunit;

namespace ChargeManager.Distribution.Tests.Json;

/// <summary>
/// Text is valid Unicode or rejected: request strings must be valid UTF-8 (no surrogates encoded in
/// UTF-8, nothing above U+10FFFF, no overlong forms, no invalid bytes), escapes must not be U+0000 or
/// unpaired surrogates; what is served is always valid UTF-8. The same inputs run on nanoCLR in
/// NanoClrDiffTests (scripts "json" and "utf8").
/// </summary>
public class TextValidationTests : IDatagramSender, IHostResolver
{
    void IDatagramSender.Send(byte[] buffer, int length, uint ipv4, int port) { }
    void IHostResolver.Resolve(int charger, string host, HostKind kind) { }

    static readonly UTF8Encoding Strict = new(false, true);

    static string ParseError(byte[] body)
    {
        var p = new JsonParser();
        Assert.Null(p.Parse(body, body.Length));
        return p.Error;
    }

    static byte[] Bytes(params object[] parts) =>
        parts.SelectMany(x => x is string s ? Encoding.ASCII.GetBytes(s) : (byte[])x).ToArray();

    [Theory]
    [InlineData(new byte[] { 0xF7, 0xBF, 0xBF, 0xBF }, "byte 0xF7 cannot start a character")]
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 }, "above U+10FFFF")]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, "a surrogate (U+D800) encoded in UTF-8")]
    [InlineData(new byte[] { 0xED, 0xBF, 0xBF }, "a surrogate (U+DFFF) encoded in UTF-8")]
    [InlineData(new byte[] { 0xC0, 0xAF }, "overlong encoding")]
    [InlineData(new byte[] { 0xE0, 0x80, 0xAF }, "overlong encoding")]
    [InlineData(new byte[] { 0xF0, 0x80, 0x80, 0xAF }, "overlong encoding")]
    [InlineData(new byte[] { 0x80 }, "byte 0x80 cannot start a character")]
    [InlineData(new byte[] { 0xE2, 0x82 }, "a character is cut short")]
    public void InvalidUtf8IsRejectedNamingTheField(byte[] text, string why)
    {
        var error = ParseError(Bytes("{\"name\": \"a", text, "\"}"));
        Assert.Contains("(in 'name')", error);
        Assert.EndsWith(why, error);
    }

    [Theory]
    [InlineData("\\udc00", "unpaired surrogate \\uDC00")]
    [InlineData("\\ud800a", "unpaired surrogate \\uD800")]
    [InlineData("\\ud800", "unpaired surrogate \\uD800")]
    [InlineData("\\ud800\\u0041", "unpaired surrogate \\uD800")]
    [InlineData("\\ud800\\ud800", "unpaired surrogate \\uD800")]
    [InlineData("ab\\u0000cd", "U+0000 is not allowed in strings")]
    public void BadEscapesAreRejectedNamingTheField(string escaped, string why)
    {
        var error = ParseError(Bytes("{\"chargers\": [{\"name\": \"", escaped, "\"}]}"));
        Assert.Contains("(in 'name')", error);
        Assert.Contains(why, error);
    }

    [Theory]
    [InlineData(new byte[] { 0xF4, 0x8F, 0xBF, 0xBF }, "\U0010FFFF")]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x98, 0x80 }, "😀")]
    [InlineData(new byte[] { 0xC2, 0xA9 }, "©")]
    public void ValidUtf8AndEscapedPairsPass(byte[] text, string expected)
    {
        var p = new JsonParser();
        var raw = Bytes("\"", text, "\"");
        Assert.Equal(expected, p.Parse(raw, raw.Length).Text);
        var escaped = Encoding.ASCII.GetBytes("\"\\ud83d\\ude00\"");
        Assert.Equal("😀", p.Parse(escaped, escaped.Length).Text);
    }

    [Fact]
    public void TheWriterServesValidUtf8ByCodePoints()
    {
        var w = new JsonWriter(16);
        foreach (var (text, expected) in new[]
        {
            ("😀", new byte[] { 0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22 }),
            ("\ud800", new byte[] { 0x22, 0xEF, 0xBF, 0xBD, 0x22 }),     // a lone surrogate (only .NET can hold one): U+FFFD
            ("x\udc00", new byte[] { 0x22, 0x78, 0xEF, 0xBF, 0xBD, 0x22 }),
            ("\ud800a", new byte[] { 0x22, 0xEF, 0xBF, 0xBD, 0x61, 0x22 }),
            ("\0", Encoding.ASCII.GetBytes("\"\\u0000\"")),
        })
        {
            w.Reset();
            w.Value(text);
            Assert.Equal(expected, w.Buffer.Take(w.Length).ToArray());
        }
        var longText = string.Concat(Enumerable.Repeat("é😀\ud800", 20));
        w.Reset();
        w.Value(longText);
        var served = Strict.GetString(w.Buffer, 0, w.Length); // throws on invalid UTF-8
        Assert.Equal("\"" + longText.Replace("\ud800", "\ufffd") + "\"", served);
    }

    [Fact]
    public void AChargerNameWithInvalidUtf8Is400NamingTheFieldAndChangesNothing()
    {
        var store = new MemoryStore();
        var app = new ChargeManagerApp(store, this, this, new ManagerConfig
        {
            EnableChargeManager = true, DefaultAvailableCurrent = 16000, MaximumAvailableCurrent = 32000,
            Hosts = new[] { "10.0.0.2" }, Names = new[] { "one" },
        }, 0);
        string Config(string name) => ChargeManagerAppTests.SeedConfig.Replace("warp-AbCd", name);
        foreach (var body in new[]
        {
            Bytes(Config("k").Split("\"k\"")[0], "\"k", new byte[] { 0xF7, 0xBF, 0xBF, 0xBF }, "\"", Config("k").Split("\"k\"")[1]),
            Encoding.ASCII.GetBytes(Config("\\udc00")),
            Encoding.ASCII.GetBytes(Config("\\ud800x")),
        })
        {
            Assert.Equal(400, app.Handle("POST", "/charge_manager/config", body, body.Length, 0));
            Assert.Contains("'name'", app.ErrorText);
            Assert.Equal(new[] { "one" }, app.Config.Names.ToArray());
            Assert.Empty(store.Files);
        }
        var good = Encoding.UTF8.GetBytes(Config("😀 garage"));
        Assert.Equal(200, app.Handle("POST", "/charge_manager/config", good, good.Length, 0));
        Assert.Equal(200, app.Handle("GET", "/charge_manager/state", Array.Empty<byte>(), 0, 0));
        Assert.Contains("\"n\":\"😀 garage\"", Strict.GetString(app.Response.Buffer, 0, app.Response.Length));
    }

    [Theory]
    [InlineData(3e6f, 1000f)]
    [InlineData(-3e6f, -1000f)]
    [InlineData(float.PositiveInfinity, 1000f)]
    [InlineData(float.NegativeInfinity, -1000f)]
    [InlineData(15.5f, 15.5f)]
    public void WireFloatsAreClampedBeforeTheyBecomeIntegers(float sent, float decoded)
    {
        var packet = new StatePacket { LineCurrent1 = sent, LineCurrent2 = float.NaN, LineCurrent3 = sent, LineVoltage1 = sent, PowerTotal = sent };
        var b = new byte[StatePacket.NewestLength];
        int length = packet.Encode(b, 5);
        var back = new StatePacket();
        Assert.Equal(PacketCheck.Ok, back.Decode(b, length));
        Assert.Equal(decoded, back.LineCurrent1);
        Assert.True(float.IsNaN(back.LineCurrent2)); // no meter stays "no meter"
        Assert.Equal(decoded, back.LineCurrent3);
        Assert.InRange(back.LineVoltage1, -StatePacket.MaxVolts, StatePacket.MaxVolts);
        Assert.InRange(back.PowerTotal, -StatePacket.MaxWatts, StatePacket.MaxWatts);
    }
}
