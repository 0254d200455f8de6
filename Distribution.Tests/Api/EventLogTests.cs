using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Json;
using Xunit;

namespace ChargeManager.Distribution.Tests.Api;

public class EventLogTests
{
    [Fact]
    public void BoundedByCountAndByText_OldestDroppedFirst()
    {
        var log = new EventLog(200);
        for (int i = 0; i < 1000; i++)
            log.Add(i, "message " + i.ToString("D4") + new string('x', 88)); // 100 bytes
        Assert.Equal(EventLog.MaxBytes / 100, log.Count);
        Assert.Equal("message 0999", log.Line(log.Count - 1)[..12]);
        Assert.Equal(999, log.Time(log.Count - 1));
        Assert.Equal(1000 - log.Count, log.Time(0));
        Assert.True(Enumerable.Range(0, log.Count).Sum(i => log.Line(i).Length) <= EventLog.MaxBytes);
        for (int i = 0; i < log.Count; i++)
            Assert.Equal("message " + (1000 - log.Count + i).ToString("D4") + new string('x', 88), log.Line(i));

        for (int i = 0; i < 500; i++)
            log.Add(2000 + i, "short " + i.ToString());
        Assert.Equal(200, log.Count);                 // short messages: the count is the bound again
        Assert.Equal("short 300", log.Line(0));
        Assert.Equal("short 499", log.Line(199));

        log.Add(3000, new string('y', EventLog.MaxBytes + 10));
        Assert.Equal(1, log.Count);                   // one huge message: cut to the bound, everything else dropped
        Assert.Equal(EventLog.MaxBytes, log.Line(0).Length);
        log.Add(3001, "after");
        Assert.Equal(1, log.Count);
        Assert.Equal("after", log.Line(0));
    }

    [Fact]
    public void KeptAsUtf8_ReadBackAndServedAsWritten_AcrossTheRingsEnd()
    {
        var log = new EventLog(50);
        var rng = new Random(5);
        string[] pieces = { "café ", "😀 ", "\"quoted\" ", "back\\slash ", "tab\t", "line\n", "Ω ", "plain " };
        var expected = new List<string>();
        for (int k = 0; k < 400; k++) // many times around the 4 KB ring, messages split at its end
        {
            string m = "event " + k + " " + string.Concat(Enumerable.Range(0, rng.Next(1, 20)).Select(_ => pieces[rng.Next(pieces.Length)]));
            log.Add(k, m);
            expected.Add(m);
            int held = log.Count;
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(string.Concat(expected.TakeLast(held))) <= EventLog.MaxBytes);
            for (int i = 0; i < held; i++)
            {
                string want = expected[expected.Count - held + i];
                Assert.Equal(want, log.Line(i));
                var a = new JsonWriter(16);
                a.Value(want);
                var b = new JsonWriter(16);
                log.WriteLine(b, i);
                Assert.Equal(a.ToString(), b.ToString());
            }
        }
    }

    [Fact]
    public void ALoneSurrogateIsKeptAsTheReplacementCharacter_AHugeMessageIsCutAtACharacter()
    {
        var log = new EventLog(10);
        log.Add(0, "a\ud800b");
        Assert.Equal("a\ufffdb", log.Line(0));
        log.Add(1, "x" + string.Concat(Enumerable.Repeat("😀", EventLog.MaxBytes / 4)));
        Assert.Equal(1, log.Count);
        string cut = log.Line(0);
        Assert.Equal(1 + 2 * (EventLog.MaxBytes / 4 - 1), cut.Length); // 1 + 4k bytes: the last emoji does not fit whole
        Assert.True(char.IsHighSurrogate(cut[^2]) && char.IsLowSurrogate(cut[^1]));
    }
}
