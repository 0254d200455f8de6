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
}
