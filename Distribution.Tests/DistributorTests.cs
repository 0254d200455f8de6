using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;
using Xunit;

namespace ChargeManager.Distribution.Tests;

public class DistributorTests
{
    static Distributor TwoCharging(out long now)
    {
        var d = new Distributor(new AllocatorConfig(), 2);
        d.SetAvailableCurrent(32000);
        now = 0;
        for (int step = 0; step < 30; step++)
        {
            now += 100;
            for (int i = 0; i < 2; i++)
            {
                var o = d.Observations[i];
                o.State = VehicleState.Charging;
                o.AppliedCurrent = d.CommandedCurrent(i);
                d.StateReceived(i, now, false);
            }
            d.Tick(now, -1);
        }
        return d;
    }

    [Fact]
    public void ALowerLimitReducesOnTheNextTick_NotAtTheNextInterval()
    {
        var d = TwoCharging(out long now);
        Assert.Equal(16000, d.CommandedCurrent(0));
        d.SetAvailableCurrent(20000);
        d.Tick(now + 100, -1);
        Assert.Equal(10000, d.CommandedCurrent(0));
        Assert.Equal(10000, d.CommandedCurrent(1));
    }

    [Fact]
    public void AHigherLimitWaitsForTheRateLimit()
    {
        var d = TwoCharging(out long now);
        d.SetAvailableCurrent(40000);
        d.Tick(now + 100, -1);
        Assert.Equal(16000, d.CommandedCurrent(0));
        for (int i = 0; i < 2; i++)
            d.StateReceived(i, now + 10_000, false);
        d.Tick(now + 10_000, -1);
        Assert.Equal(20000, d.CommandedCurrent(0));
    }

    [Fact]
    public void AnUnpluggedCarIsReleasedOnTheNextTick()
    {
        var d = TwoCharging(out long now);
        d.Observations[1].State = VehicleState.NotConnected;
        d.StateReceived(1, now + 100, false);
        d.Tick(now + 100, -1);
        Assert.Equal(0, d.CommandedCurrent(1));
        Assert.Equal(AllocationReason.NoVehicle, d.Allocations[1].Reason);
    }

    [Fact]
    public void ARunAllocatesNothingAfterWarmUp()
    {
        var d = new Distributor(new AllocatorConfig { RotationIntervalMs = 60_000 }, 64);
        d.SetLimits(200000, 180000, 160000);
        var random = new Random(7);
        for (int i = 0; i < 64; i++)
        {
            var o = d.Observations[i];
            o.Rotation = (PhaseRotation)(i % 7);
            o.ReportedPhases = i % 3 == 0 ? 1 : 3;
            o.CanSwitchPhases = i % 4 == 0;
            o.State = (VehicleState)(i % 4);
            o.CarStoppedCharging = i % 9 == 0;
        }
        long now = 0;
        void Cycle()
        {
            now += 1000;
            for (int i = 0; i < 64; i++)
            {
                d.Observations[i].AppliedCurrent = d.CommandedCurrent(i);
                d.Observations[i].LineCurrent1 = random.Next(0, 20);
                d.StateReceived(i, now, false);
            }
            d.SetAvailableCurrent(random.Next(100, 200) * 1000); // forces a run every cycle half the time
            d.Tick(now, now % 86_400_000);
        }
        for (int k = 0; k < 200; k++)
            Cycle();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 2000; k++)
            Cycle();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

public class DistributorReactionTests
{
    [Fact]
    public void AChargerHeardForTheFirstTimeIsPlannedAtOnce()
    {
        var d = new Distributor(new AllocatorConfig(), 2);
        d.SetAvailableCurrent(32000);
        d.Observations[0].State = VehicleState.Charging;
        d.StateReceived(0, 100, false);
        d.Tick(100, -1);
        Assert.Equal(32000, d.Allocations[0].Current);

        d.Observations[1].State = VehicleState.Charging;
        d.StateReceived(1, 1000, false); // within the rate limit, still planned at once
        d.Observations[0].LastHeardMs = 1000;
        d.Tick(1000, -1);
        Assert.Equal(1000, d.Allocator.LastRunMs); // not at the next interval
        Assert.True(d.Allocations[1].Current >= 6000); // charger 0 switched on 0.9 s ago: that is no reason to wait
    }
}

public class MinimumCurrentTests
{
    [Theory]
    [InlineData(true, 0, 6000, 6000)]
    [InlineData(true, 1, 9200, 6000)]
    [InlineData(true, 7, 9200, 6000)]
    [InlineData(false, 1, 11000, 8000)]
    public void MinimumsFollowTheVehicleTypeWhenAuto(bool auto, int type, int expected3p, int expected1p)
    {
        var config = new AllocatorConfig();
        config.SetMinimums(auto, type, 11000, 8000);
        Assert.Equal(expected3p, config.MinimumFor(3));
        Assert.Equal(expected1p, config.MinimumFor(1));
    }
}
