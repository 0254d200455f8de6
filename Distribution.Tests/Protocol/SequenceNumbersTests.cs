using ChargeManager.Distribution.Protocol;
using Xunit;

namespace ChargeManager.Distribution.Tests.Protocol;

/// <summary>Spec case 4.</summary>
public class SequenceNumbersTests
{
    [Theory]
    [InlineData(100, 100, true)]   // the same seq: duplicate
    [InlineData(96, 100, true)]    // 4 behind: reordered
    [InlineData(95, 100, false)]   // 5 behind: the peer restarted
    [InlineData(101, 100, false)]
    [InlineData(0, 65535, false)]  // wrap
    [InlineData(3, 65534, false)]  // wrap across
    [InlineData(65533, SequenceNumbers.InitialLastSeen, true)] // firmware parity: a first seq of 65531..65535 is dropped
    [InlineData(0, SequenceNumbers.InitialLastSeen, false)]
    public void RejectsDuplicatesAndUpToFourBehind(int received, int lastSeen, bool stale)
    {
        Assert.Equal(stale, SequenceNumbers.IsStale((ushort)received, (ushort)lastSeen));
    }
}
