using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Simulation;
using Xunit;

namespace ChargeManager.Distribution.Tests.Allocation;

public class BalanceTests
{
    [Fact]
    public void WithoutACap_OnePhaseChargersMayLoadOnePhaseAlone()
    {
        var bench = new AllocatorBench(2);
        bench.Set(0, VehicleState.Charging, 1, rotation: PhaseRotation.L123);
        bench.Set(1, VehicleState.Charging, 1, rotation: PhaseRotation.L132);
        bench.Run(32000);
        Assert.Equal(32000, bench.PhaseSum(Phase.L1));
        Assert.Equal(0, bench.PhaseSum(Phase.L2));
    }

    [Fact]
    public void TheCapKeepsTheMostAndLeastLoadedPhasesWithinN()
    {
        var bench = new AllocatorBench(3, c => c.MaxUnbalancedLoadMa = 10000);
        bench.Set(0, VehicleState.Charging, 1, rotation: PhaseRotation.L123);
        bench.Set(1, VehicleState.Charging, 1, rotation: PhaseRotation.L132);
        bench.Set(2, VehicleState.Charging, 1, rotation: PhaseRotation.L231);
        bench.Run(32000);
        int l1 = bench.PhaseSum(Phase.L1), l2 = bench.PhaseSum(Phase.L2), l3 = bench.PhaseSum(Phase.L3);
        Assert.True(Math.Max(l1, Math.Max(l2, l3)) - Math.Min(l1, Math.Min(l2, l3)) <= 10000, $"{l1} {l2} {l3}");
        Assert.Contains(bench.Alloc, a => a.Reason == AllocationReason.BalancedLoad || a.Reason == AllocationReason.UnbalancedLoad);
    }

    [Fact]
    public void WhenLoweringIsNotEnough_APhaseChargerIsPaused()
    {
        var bench = new AllocatorBench(2, c => c.MaxUnbalancedLoadMa = 4000);
        bench.Set(0, VehicleState.Charging, 1, rotation: PhaseRotation.L123);
        bench.Set(1, VehicleState.Charging, 1, rotation: PhaseRotation.L231);
        bench.Run(32000); // L1 and L2 could each carry 6 A, but L3 has nothing: 6 > 4
        Assert.Equal(0, bench.Active());
        Assert.All(bench.Alloc, a => Assert.Equal(AllocationReason.UnbalancedLoad, a.Reason));
    }

    static ChargerObservation Metered(ChargerObservation o, float l1, float l2, float l3)
    {
        o.LineCurrent1 = l1;
        o.LineCurrent2 = l2;
        o.LineCurrent3 = l3;
        return o;
    }

    [Fact]
    public void OnlyTheChargersThatMakeTheImbalanceAreLowered_AThreePhaseCarTakesWhatIsFreed()
    {
        // Cap 10 A, a 3-phase car plus a 1-phase car on L1, limit 32 A: 22 A + 10 A keeps L1 at 32 A
        // and the imbalance at 10 A (not 16 A + 10 A).
        var bench = new AllocatorBench(2, c => c.MaxUnbalancedLoadMa = 10000);
        Metered(bench.Set(0, VehicleState.Charging, 3, rotation: PhaseRotation.L123), 16f, 16f, 16f);
        Metered(bench.Set(1, VehicleState.Charging, 1, rotation: PhaseRotation.L123), 16f, -0.001f, -0.001f); // P1 on L1
        bench.Run(32000);
        Assert.Equal(22000, bench.Alloc[0].Current);
        Assert.Equal(10000, bench.Alloc[1].Current);
        Assert.Equal(AllocationReason.BalancedLoad, bench.Alloc[1].Reason);
    }

    [Fact]
    public void AOnePhaseCarOnAThreePhaseCharger_IsCappedByWhatItsMeterShows()
    {
        var bench = new AllocatorBench(1, c => c.MaxUnbalancedLoadMa = 20000);
        Metered(bench.Set(0, VehicleState.Charging, 3, rotation: PhaseRotation.L123), 32f, -0.001f, -0.001f);
        bench.Run(32000);
        Assert.Equal(20000, bench.Alloc[0].Current);
        Assert.Equal(AllocationReason.BalancedLoad, bench.Alloc[0].Reason);

        Metered(bench.Obs[0], 20f, 20f, 20f); // a 3-phase car: nothing to balance
        bench.Advance(10_000);
        bench.Run(32000);
        Assert.Equal(32000, bench.Alloc[0].Current);
    }

    [Fact]
    public void WithoutAMeter_ACarCountsAsDrawingOnOnePhase_TheWorstCase()
    {
        var bench = new AllocatorBench(1, c => c.MaxUnbalancedLoadMa = 20000);
        bench.Set(0, VehicleState.Charging, 3, rotation: PhaseRotation.L123); // line currents NaN: no meter
        bench.Run(32000);
        Assert.Equal(20000, bench.Alloc[0].Current);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void AChargerOfUnknownRotation_IsCappedToo(int wiredPhases)
    {
        var bench = new AllocatorBench(1, c => c.MaxUnbalancedLoadMa = 20000);
        Metered(bench.Set(0, VehicleState.Charging, wiredPhases, rotation: PhaseRotation.Unknown), 32f, -0.001f, -0.001f);
        bench.Run(32000);
        Assert.Equal(20000, bench.Alloc[0].Current);
    }

    [Fact]
    public void AThreePhaseCarOfUnknownRotation_DrawingOnAllPhases_IsNotCapped()
    {
        var bench = new AllocatorBench(1, c => c.MaxUnbalancedLoadMa = 10000);
        Metered(bench.Set(0, VehicleState.Charging, 3, rotation: PhaseRotation.Unknown), 30f, 30f, 30f);
        bench.Run(32000);
        Assert.Equal(32000, bench.Alloc[0].Current);
    }
}
