using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Simulation;
using Xunit;

namespace ChargeManager.Distribution.Tests.Allocation;

/// <summary>The spec's allocator test cases 7–14 (§6), one named test each, on a hand-moved clock.</summary>
public class AllocatorCaseTests
{
    [Fact]
    public void Case07a_NotEnoughForAMinimum_AllChargersGetNothing()
    {
        var bench = new AllocatorBench(3);
        for (int i = 0; i < 3; i++)
            bench.Set(i, VehicleState.Ready);
        bench.Run(5000);
        Assert.All(bench.Alloc, a =>
        {
            Assert.Equal(0, a.Phases);
            Assert.Equal(AllocationReason.MinimumNotReachable, a.Reason);
        });
    }

    [Fact]
    public void Case07b_TwelveAmpsForThreeThreePhaseChargers_ExactlyTwoGetSixAmps()
    {
        var bench = new AllocatorBench(3);
        for (int i = 0; i < 3; i++)
            bench.Set(i, VehicleState.Ready);
        bench.Run(12000);
        Assert.Equal(2, bench.Alloc.Count(a => a.Current == 6000 && a.Phases == 3));
        Assert.Equal(1, bench.Alloc.Count(a => a.Current == 0));
        Assert.Equal(12000, bench.PhaseSum(Phase.L1));
    }

    [Fact]
    public void Case08_Rotation_AdmitsTheWaitingCarAndLeavesOutTheOneThatGotMost()
    {
        var bench = new AllocatorBench(3, c => { c.RotationIntervalMs = 900_000; });
        bench.TimeOfDayMs = 0; // midnight: rotations at 00:15:01, 00:30:01, …
        bench.Set(0, VehicleState.Charging).SupportedCurrent = 6000; // takes no more than 6 A
        bench.Set(1, VehicleState.Charging);
        bench.Set(2, VehicleState.Ready);
        bench.Run(14000);
        Assert.Equal(6000, bench.Alloc[0].Current);
        Assert.Equal(8000, bench.Alloc[1].Current);
        Assert.Equal(AllocationReason.WaitingForRotation, bench.Alloc[2].Reason);
        Assert.Equal(bench.Now + 901_000, bench.Alloc[2].ReasonUntilMs);

        bench.RunFor(890_000, 14000);
        Assert.Equal(0, bench.Alloc[2].Current); // not before the aligned instant

        bench.RunFor(20_000, 14000);
        Assert.True(bench.Alloc[2].Current >= 6000, "the waiting car is admitted at the rotation");
        Assert.Equal(6000, bench.Alloc[0].Current);
        Assert.Equal(0, bench.Alloc[1].Current);
        Assert.Equal(AllocationReason.RotatedOut, bench.Alloc[1].Reason);
    }

    [Fact]
    public void Case09_Hysteresis_IsPerCharger_AnotherChargersSwitchNeverMakesItWait()
    {
        var bench = new AllocatorBench(2, c => c.PlugInTimeMs = 0);
        bench.Set(0, VehicleState.Charging);
        bench.Set(1, VehicleState.NotConnected);
        bench.Run(32000);
        Assert.Equal(32000, bench.Alloc[0].Current);

        bench.Advance(60_000); // charger 0 switched on a minute ago
        bench.Set(1, VehicleState.Charging);
        bench.Run(32000);
        Assert.True(bench.Alloc[1].Current >= 6000, $"{bench.Alloc[1].Reason}: not held back by charger 0's switch");
    }

    [Fact]
    public void Case09_Hysteresis_AChargerSwitchedOffWaitsFromItsOwnSwitch()
    {
        var bench = new AllocatorBench(2, c => c.PlugInTimeMs = 0);
        bench.Set(0, VehicleState.Charging);
        var o1 = bench.Set(1, VehicleState.Charging);
        bench.Run(32000);
        bench.RunFor(250_000, 32000);
        o1.SupportedCurrent = 0; // its own slot blocks it: switched off by choice, not by a limit
        o1.State = VehicleState.Ready;
        bench.Advance(10_000);
        bench.Run(32000);
        Assert.Equal(0, bench.Alloc[1].Phases);
        long off = bench.Now;

        o1.SupportedCurrent = 32000;
        bench.Advance(10_000);
        bench.Run(32000);
        Assert.Equal(AllocationReason.HysteresisBlocks, bench.Alloc[1].Reason);
        Assert.Equal(off + 210_000, bench.Alloc[1].ReasonUntilMs);
        Assert.Equal(32000, bench.Alloc[0].Current); // the other charger is not affected
        while (bench.Now < off + 200_000)
        {
            bench.RunFor(10_000, 32000);
            Assert.Equal(0, bench.Alloc[1].Phases);
        }
        bench.RunFor(20_000, 32000);
        Assert.True(bench.Alloc[1].Current >= 6000, "admitted once its own hysteresis has passed");
    }

    [Fact]
    public void Case09_AChargerShedForAWelcomeCharge_ResumesWhenTheVisitorLeaves()
    {
        // Limit 10 A: car B charges; car A plugs in, its welcome charge pauses B; A leaves 20 s later.
        var bench = new AllocatorBench(2);
        bench.Set(0, VehicleState.NotConnected);
        bench.Set(1, VehicleState.Charging);
        bench.Run(10000);
        bench.RunFor(300_000, 10000);
        bench.Advance(1000);
        bench.Set(0, VehicleState.Ready);
        bench.Run(10000);
        Assert.Equal(AllocationReason.WelcomeCharge, bench.Alloc[0].Reason);
        Assert.Equal(0, bench.Alloc[1].Current);
        bench.Advance(20_000);
        bench.Set(0, VehicleState.NotConnected);
        bench.Run(10000);
        Assert.Equal(10000, bench.Alloc[1].Current); // at once, not after a hysteresis
    }

    [Fact]
    public void Case09_Hysteresis_DoesNotBlockAWelcomeCharge()
    {
        var bench = new AllocatorBench(2);
        bench.Set(0, VehicleState.Charging);
        bench.Set(1, VehicleState.NotConnected);
        bench.Run(32000);
        bench.Advance(60_000);
        bench.Set(1, VehicleState.Ready);
        bench.Run(32000);
        Assert.True(bench.Alloc[1].Current >= 6000);
        Assert.Equal(AllocationReason.WelcomeCharge, bench.Alloc[1].Reason);
        Assert.Equal(bench.Now + 210_000, bench.Alloc[1].ReasonUntilMs);
    }

    [Fact]
    public void Case10_WelcomeCharge_OverloadShedsTheOthersFirst()
    {
        var bench = new AllocatorBench(3);
        bench.Set(0, VehicleState.Charging);
        bench.Set(1, VehicleState.Charging).SupportedCurrent = 6000;
        bench.Set(2, VehicleState.NotConnected);
        bench.Run(12000);
        bench.RunFor(60_000, 12000); // charger 0 (6 A + left-over) gathers more charge than 1
        Assert.True(bench.Alloc[0].AllocatedChargeMaMs >= bench.Alloc[1].AllocatedChargeMaMs);

        bench.Advance(10_000);
        bench.Set(2, VehicleState.Ready);
        bench.Run(12000);
        Assert.Equal(AllocationReason.WelcomeCharge, bench.Alloc[2].Reason);
        Assert.Equal(6000, bench.Alloc[2].Current);
        Assert.Equal(0, bench.Alloc[0].Current);
        Assert.Equal(AllocationReason.PhaseOverload, bench.Alloc[0].Reason);
        Assert.Equal(6000, bench.Alloc[1].Current);
        Assert.True(bench.PhaseSum(Phase.L1) <= 12000);
    }

    [Fact]
    public void Case11_ProbablyFull_IsOnlyWokenFromLeftOversAndForTheWakeupTime()
    {
        var bench = new AllocatorBench(2);
        bench.Set(0, VehicleState.Charging);
        bench.Set(1, VehicleState.Ready).CarStoppedCharging = true;
        bench.Run(32000);
        bench.RunFor(220_000, 32000); // past the hysteresis of charger 0's switch-on
        Assert.Equal(32000, bench.Alloc[0].Current);
        Assert.Equal(0, bench.Alloc[1].Current);
        Assert.Equal(AllocationReason.ProbablyFull, bench.Alloc[1].Reason);

        bench.Advance(10_000);
        bench.Run(40000);
        Assert.Equal(32000, bench.Alloc[0].Current); // never at the charging car's expense
        Assert.True(bench.Alloc[1].Current >= 6000);
        Assert.Equal(AllocationReason.WakingUp, bench.Alloc[1].Reason);
        long attempt = bench.Now;

        while (bench.Now < attempt + 200_000)
        {
            bench.Advance(10_000);
            bench.Run(40000);
            Assert.Equal(AllocationReason.WakingUp, bench.Alloc[1].Reason);
            Assert.Equal(32000, bench.Alloc[0].Current);
        }
        bench.Advance(20_000);
        bench.Run(40000);
        Assert.Equal(0, bench.Alloc[1].Current); // the attempt lasted the wake-up time
    }

    [Fact]
    public void Case12_PhaseSwitch_OnePhaseUntilNewPhasesHaveRoom_NoSecondSwitchWithinHysteresis()
    {
        var bench = new AllocatorBench(1);
        var o = bench.Set(0, VehicleState.Charging, phases: 3, switchable: true, rotation: PhaseRotation.L123);
        bench.Run(32000, 4000, 4000);
        Assert.Equal(1, bench.Alloc[0].Phases);
        Assert.Equal(32000, bench.Alloc[0].Current);
        o.ReportedPhases = 1; // the charger switched

        bench.Advance(10_000);
        bench.Run(32000);
        Assert.Equal(1, bench.Alloc[0].Phases); // phase lock: switched less than 210 s ago

        while (bench.Alloc[0].Phases == 1 && bench.Now < 300_000)
        {
            bench.Advance(10_000);
            bench.Run(32000);
        }
        Assert.Equal(3, bench.Alloc[0].Phases);
        Assert.InRange(bench.Now, 211_000, 221_000); // right after the phase lock of the first switch
        long switched = bench.Now;
        bench.Advance(10_000);
        bench.Run(32000);
        Assert.Equal(3, bench.Alloc[0].Phases); // held while the charger still reports 1 phase
        o.ReportedPhases = 3;

        bench.Advance(10_000);
        bench.Run(32000, 4000, 4000);
        Assert.Equal(0, bench.Alloc[0].Phases); // cannot switch back yet: paused instead
        while (bench.Now < switched + 200_000)
        {
            bench.Advance(10_000);
            bench.Run(32000, 4000, 4000);
            Assert.NotEqual(1, bench.Alloc[0].Phases);
        }
        bench.RunFor(20_000, 32000 / 1);
        Assert.True(bench.Alloc[0].Phases != 0, $"{bench.Alloc[0].Reason} until {bench.Alloc[0].ReasonUntilMs - switched} after the switch");
    }

    [Fact]
    public void Case12_NonSwitchableCharger_FollowsItsReportedPhases()
    {
        var bench = new AllocatorBench(2);
        bench.Set(0, VehicleState.Charging, phases: 1, rotation: PhaseRotation.L231);
        bench.Set(1, VehicleState.Charging, phases: 3, rotation: PhaseRotation.L123);
        bench.Run(32000);
        Assert.Equal(1, bench.Alloc[0].Phases);
        Assert.Equal(3, bench.Alloc[1].Phases);
    }

    [Theory]
    [InlineData(10f, 0.2f, float.NaN, 32000)]
    [InlineData(10f, 9f, 9f, 13000)]
    [InlineData(-0.001f, -0.001f, -0.001f, 6000)]
    [InlineData(0f, 0f, 0f, 32000)]
    public void Case13_RequestedCurrent_FromTheMeterAfterTheThreshold(float l1, float l2, float l3, int expected)
    {
        var bench = new AllocatorBench(2);
        var o = bench.Set(0, VehicleState.Charging);
        bench.Set(1, VehicleState.Charging);
        bench.Run(32000);
        bench.Advance(70_000);
        o.LineCurrent1 = l1; o.LineCurrent2 = l2; o.LineCurrent3 = l3;
        bench.Run(32000);
        Assert.Equal(expected, bench.Alloc[0].RequestedCurrent);
        int share = Math.Min(expected, 32000 - 6000);
        Assert.Equal(share >= 16000 ? 16000 : share, bench.Alloc[0].Current);
    }

    [Fact]
    public void Case13_LessThanRequested_UsesTheSupportedCurrentForTheThreshold()
    {
        var bench = new AllocatorBench(2);
        var o = bench.Set(0, VehicleState.Charging);
        bench.Set(1, VehicleState.Charging);
        o.LineCurrent1 = 10f; o.LineCurrent2 = 9f; o.LineCurrent3 = 9f;
        bench.Run(20000); // 10 A each: less than requested (supported, 32 A)
        Assert.Equal(AllocationReason.FairShare, bench.Alloc[0].Reason);

        bench.Advance(50_000); // state C for 50 s, and still within the fast ramp-up
        bench.Run(20000);
        Assert.Equal(32000, bench.Alloc[0].RequestedCurrent);

        bench.Advance(20_000); // 70 s: ramp-up over, the meter counts
        bench.Run(20000);
        Assert.Equal(13000, bench.Alloc[0].RequestedCurrent);
    }

    [Fact]
    public void Case14_SilentCharger_KeepsItsBudgetFor32sThenNothing_OthersContinue()
    {
        var bench = new AllocatorBench(2);
        bench.Set(0, VehicleState.Charging);
        bench.Set(1, VehicleState.Charging);
        bench.Run(32000);
        Assert.Equal(16000, bench.Alloc[1].Current);
        long lastHeard = bench.Now;

        bench.Advance(20_000);
        bench.Run(32000, 1);
        Assert.Equal(16000, bench.Alloc[1].Current);
        Assert.Equal(AllocationReason.UnreachableKeepsBudget, bench.Alloc[1].Reason);
        Assert.Equal(lastHeard + 32_000, bench.Alloc[1].ReasonUntilMs);
        Assert.Equal(16000, bench.Alloc[0].Current);

        bench.Advance(13_000);
        bench.Run(32000, 1);
        Assert.Equal(0, bench.Alloc[1].Current);
        Assert.Equal(AllocationReason.Unreachable, bench.Alloc[1].Reason);
        Assert.Equal(32000, bench.Alloc[0].Current);
    }

    [Fact]
    public void Case14_GroupBlockingError_StopsEveryCharger()
    {
        var bench = new AllocatorBench(3);
        for (int i = 0; i < 3; i++)
            bench.Set(i, VehicleState.Charging);
        bench.Run(32000);
        Assert.Equal(3, bench.Active());
        bench.Allocator.GroupBlocked = true;
        bench.Advance(1000);
        bench.Run(32000);
        Assert.All(bench.Alloc, a =>
        {
            Assert.Equal(0, a.Current);
            Assert.Equal(AllocationReason.GroupBlocked, a.Reason);
        });
    }

    [Fact]
    public void Case14_ChargerError_StopsOnlyThatCharger()
    {
        var bench = new AllocatorBench(2);
        bench.Set(0, VehicleState.Charging);
        bench.Set(1, VehicleState.Charging).ErrorCode = 196;
        bench.Run(32000);
        Assert.Equal(32000, bench.Alloc[0].Current);
        Assert.Equal(0, bench.Alloc[1].Current);
        Assert.Equal(AllocationReason.ChargerError, bench.Alloc[1].Reason);
    }
}
