using ChargeManager.Distribution.Api;
using Xunit;

namespace ChargeManager.Distribution.Tests.Api;

public class EventLogTests
{
    [Fact]
    public void BoundedByCountAndByText_OldestDroppedFirst()
    {
        var log = new EventLog(200);
        for (int i = 0; i < 1000; i++)
            log.Add(i, "message " + i.ToString("D4") + new string('x', 88)); // 100 characters
        Assert.Equal(EventLog.MaxChars / 100, log.Count);
        Assert.Equal("message 0999", log.Line(log.Count - 1)[..12]);
        Assert.Equal(999, log.Time(log.Count - 1));
        Assert.Equal(1000 - log.Count, log.Time(0));
        Assert.True(Enumerable.Range(0, log.Count).Sum(i => log.Line(i).Length) <= EventLog.MaxChars);

        for (int i = 0; i < 500; i++)
            log.Add(2000 + i, "short " + i.ToString());
        Assert.Equal(200, log.Count);                 // short messages: the count is the bound again
        Assert.Equal("short 300", log.Line(0));
        Assert.Equal("short 499", log.Line(199));

        log.Add(3000, new string('y', EventLog.MaxChars + 10));
        Assert.Equal(1, log.Count);                   // one huge message: cut to the bound, everything else dropped
        Assert.Equal(EventLog.MaxChars, log.Line(0).Length);
        log.Add(3001, "after");
        Assert.Equal(1, log.Count);
        Assert.Equal("after", log.Line(0));
    }
}
