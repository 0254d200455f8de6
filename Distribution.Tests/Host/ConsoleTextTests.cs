using ChargeManager.Host;
using Xunit;

namespace ChargeManager.Distribution.Tests.Host;

public class ConsoleTextTests
{
    [Fact]
    public void ControlCharactersInANameCannotBreakAReportLineOrReachTheTerminal()
    {
        Assert.Equal("a\\u0009b\\u000ac\\u000dd\\u0001\\u001f\\u007f\\u001b[31m", ConsoleText.Printable("a\tb\nc\rd\u0001\u001f\u007f\u001b[31m"));
        Assert.Equal("Gäste 😀 \"x\"", ConsoleText.Printable("Gäste 😀 \"x\""));
        Assert.Equal("", ConsoleText.Printable(""));
        Assert.Null(ConsoleText.Printable(null));
    }
}
