using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Scheduling;
using Xunit;

namespace ChargeManager.Distribution.Tests.Scheduling;

public class AllocationSchedulerTests
{
    readonly AllocationScheduler scheduler = new(new AllocatorConfig { AllocationIntervalMs = 10000, ReallocationRateLimitMs = 5000 });

    [Fact]
    public void RunsFirstAtOnce_ThenEveryInterval()
    {
        Assert.True(scheduler.IsDue(0));
        scheduler.Ran(0);
        Assert.False(scheduler.IsDue(9999));
        Assert.True(scheduler.IsDue(10000));
    }

    [Fact]
    public void ALowerLimitRunsAtOnceEvenRightAfterARun()
    {
        scheduler.Ran(0);
        scheduler.RequestNow();
        Assert.True(scheduler.IsDue(1));
    }

    [Fact]
    public void AnEarlyRequestIsRateLimited()
    {
        scheduler.Ran(0);
        scheduler.RequestSoon();
        Assert.False(scheduler.IsDue(4999));
        Assert.True(scheduler.IsDue(5000));
        scheduler.Ran(5000);
        scheduler.RequestSoon();
        Assert.False(scheduler.IsDue(9999));
        Assert.True(scheduler.IsDue(10000));
    }
}
