using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Simulation;
using Xunit;

namespace ChargeManager.Distribution.Tests.Allocation;

/// <summary>A limit below the sum of minimums: pause the fewest, rotate fairly, never flap.</summary>
public class ScarcityTests
{
    [Fact]
    public void PausesOnlyAsManyAsNeeded_AndKeepsTheRestAtTheirMinimum()
    {
        var bench = new AllocatorBench(5);
        for (int i = 0; i < 5; i++)
            bench.Set(i, VehicleState.Charging);
        bench.Run(64000);
        Assert.Equal(5, bench.Active());

        bench.Advance(10_000);
        bench.Run(20000); // room for three minimums of 6 A
        Assert.Equal(3, bench.Active());
        Assert.Equal(2, bench.Alloc.Count(a => a.Reason == AllocationReason.PhaseOverload));
        Assert.True(bench.PhaseSum(Phase.L1) <= 20000);
    }

    [Fact]
    public void ShedsTheCarThatReceivedMostFirst()
    {
        var bench = new AllocatorBench(3);
        bench.Set(0, VehicleState.Charging).SupportedCurrent = 6000;
        bench.Set(1, VehicleState.Charging);
        bench.Set(2, VehicleState.Charging).SupportedCurrent = 8000;
        bench.Run(40000);
        bench.RunFor(100_000, 40000);
        Assert.True(bench.Alloc[1].AllocatedChargeMaMs > bench.Alloc[2].AllocatedChargeMaMs);

        bench.Advance(10_000);
        bench.Run(12000);
        Assert.Equal(0, bench.Alloc[1].Current);
        Assert.Equal(6000, bench.Alloc[0].Current);
        Assert.Equal(6000, bench.Alloc[2].Current);
    }

    [Fact]
    public void RotationSharesAScarceSupplyFairlyOverHours()
    {
        var bench = new AllocatorBench(4, c => c.RotationIntervalMs = 900_000);
        bench.TimeOfDayMs = 0;
        for (int i = 0; i < 4; i++)
            bench.Set(i, VehicleState.Charging);
        bench.Run(12000); // room for two of four
        var onTime = new long[4];
        for (int t = 0; t < 360; t++) // one hour in 10 s runs
        {
            bench.Advance(10_000);
            bench.Run(12000);
            for (int i = 0; i < 4; i++)
                if (bench.Alloc[i].Current > 0)
                    onTime[i] += 10_000;
        }
        foreach (var time in onTime)
            Assert.InRange(time, 1_500_000, 2_100_000); // each about half of the hour
    }

    [Fact]
    public void ALimitOscillatingAroundTheThreshold_SwitchesOnAtMostOncePerHysteresis()
    {
        var bench = new AllocatorBench(2, c => c.PlugInTimeMs = 0);
        bench.Set(0, VehicleState.Charging);
        bench.Set(1, VehicleState.Charging);
        int switchOns = 0;
        var was = new bool[2];
        for (int t = 0; t < 360; t++) // an hour, the limit flipping every 10 s between one and two minimums
        {
            bench.Advance(10_000);
            bench.Run(t % 2 == 0 ? 13000 : 7000);
            for (int i = 0; i < 2; i++)
            {
                bool on = bench.Alloc[i].Current > 0;
                if (on && !was[i])
                    switchOns++;
                was[i] = on;
            }
            Assert.True(bench.PhaseSum(Phase.L1) <= (t % 2 == 0 ? 13000 : 7000));
        }
        Assert.True(switchOns <= 3600 / 210 + 2, $"{switchOns} switch-ons in an hour");
    }

    [Fact]
    public void WhileTheLimitFlaps_OnlyWhatFitsItsLowerLevelIsSwitchedOn_AStepUpAdmitsAtOnce()
    {
        // No rotation here: a rotation re-admits by fairness and may start a charger into the gap.
        var bench = new AllocatorBench(3, c => { c.PlugInTimeMs = 0; c.RotationIntervalMs = 0; });
        for (int i = 0; i < 3; i++)
            bench.Set(i, VehicleState.Charging);
        bench.Run(12000); // room for two minimums
        bench.RunFor(300_000, 12000);
        Assert.Equal(2, bench.Active());

        // A single step up: the third is admitted at the next run.
        bench.Advance(10_000);
        bench.Run(30000);
        Assert.Equal(3, bench.Active());

        // Flapping 30 A ↔ 12 A every 20 s: the third is shed at each drop and never started again at 30 A.
        int switchOns = 0;
        bool wasOn = true;
        for (int t = 0; t < 180; t++)
        {
            bench.Advance(20_000);
            bench.Run(t % 2 == 0 ? 12000 : 30000);
            int active = bench.Active();
            Assert.True(active <= (t % 2 == 0 ? 2 : 3));
            bool on = active == 3;
            if (on && !wasOn)
                switchOns++;
            wasOn = on;
        }
        Assert.Equal(0, switchOns); // the flapping is recognised at the first drop after the step up
        Assert.Equal(30000, bench.PhaseSum(Phase.L1)); // the two active ones take what the higher level allows
    }

    /// <summary>Chargers charging at 12 A for 5 minutes (two at their minimum), then a step up to 30 A that admits them all; no rotation.</summary>
    static AllocatorBench SteppedUpTo30A(int chargers, int supported = 32000)
    {
        var bench = new AllocatorBench(chargers, c => { c.PlugInTimeMs = 0; c.RotationIntervalMs = 0; });
        for (int i = 0; i < chargers; i++)
            bench.Set(i, VehicleState.Charging).SupportedCurrent = supported;
        bench.Run(12000);
        bench.RunFor(300_000, 12000);
        bench.Advance(10_000);
        bench.Run(30000);
        Assert.Equal(chargers, bench.Active());
        return bench;
    }

    [Fact]
    public void AChargerHeldOutByAFlappingLimit_SaysSo_NotThatThePhaseCannotCarryIt()
    {
        var bench = SteppedUpTo30A(3);
        bench.Advance(20_000);
        long dropAt = bench.Now;
        bench.Run(12000); // down again within the hysteresis of the rise: the limit flaps
        int shed = Array.FindIndex(bench.Alloc, a => a.Phases == 0);
        Assert.Equal(AllocationReason.PhaseOverload, bench.Alloc[shed].Reason); // true at 12 A: three minimums need 18 A

        bench.Advance(20_000);
        bench.Run(30000); // 12 A on the two active, room for its 6 A: only the flapping rule holds it out
        Assert.Equal(0, bench.Alloc[shed].Phases);
        Assert.Equal(AllocationReason.LimitUnsteady, bench.Alloc[shed].Reason);
        Assert.Equal(Phase.L1, bench.Alloc[shed].ReasonPhase);
        Assert.Equal(dropAt + bench.Config.GlobalHysteresisMs, bench.Alloc[shed].ReasonUntilMs);
        Assert.Equal("waiting for the limit on L1 to hold steady (190 s)", ReasonText.Describe(bench.Alloc[shed], bench.Now));

        bench.RunFor(200_000, 30000); // held steady for a hysteresis since the drop: started
        Assert.Equal(3, bench.Active());
    }

    [Fact]
    public void OnlyAsManyAsTheLimitItselfCarries_AreToldTheyWaitForItToHoldSteady()
    {
        var bench = SteppedUpTo30A(4, supported: 24000);
        bench.Advance(20_000);
        bench.Run(12000); // flaps: two of four are paused
        bench.Advance(20_000);
        bench.Run(18000); // room for one more minimum beside the two at 6 A
        Assert.Equal(2, bench.Active());
        Assert.Single(bench.Alloc, a => a.Reason == AllocationReason.LimitUnsteady);
        Assert.Single(bench.Alloc, a => a.Phases == 0 && a.Reason != AllocationReason.LimitUnsteady
            && ReasonText.Describe(a, bench.Now).Contains("L1")); // the other lacks current on L1 even once the limit holds

        bench.RunFor(200_000, 18000);
        Assert.Equal(3, bench.Active()); // as said: one started once it held
    }

    [Fact]
    public void TheWaitForASteadyLimitCountsFromTheLastPhaseThatFlapped()
    {
        var bench = SteppedUpTo30A(3);
        bench.Advance(20_000);
        bench.Run(12000, 30000, 30000); // L1 flaps
        int held = Array.FindIndex(bench.Alloc, a => a.Phases == 0);
        bench.Advance(20_000);
        bench.Run(30000); // L1 back up: L1's low holds for a hysteresis from its drop
        bench.Advance(20_000);
        bench.Run(30000, 12000, 30000); // L2 flaps 40 s later
        bench.Advance(20_000);
        long l2DropAt = bench.Now - 20_000;
        bench.Run(30000);
        Assert.Equal(AllocationReason.LimitUnsteady, bench.Alloc[held].Reason);
        Assert.Equal(l2DropAt + bench.Config.GlobalHysteresisMs, bench.Alloc[held].ReasonUntilMs); // the later of L1's and L2's
    }
}
