using ChargeManager.Distribution.Phases;
using Xunit;

namespace ChargeManager.Distribution.Tests.Phases;

public class CostTests
{
    [Theory]
    [InlineData(PhaseRotation.L123, 1)]
    [InlineData(PhaseRotation.L132, 1)]
    [InlineData(PhaseRotation.L231, 2)]
    [InlineData(PhaseRotation.L213, 2)]
    [InlineData(PhaseRotation.L321, 3)]
    [InlineData(PhaseRotation.L312, 3)]
    [InlineData(PhaseRotation.Unknown, 0)]
    public void OnePhaseChargesOnTheGridPhaseOfP1(PhaseRotation rotation, int gridPhase)
    {
        Assert.Equal(gridPhase, Rotation.GridPhaseOfP1(rotation));
    }

    [Fact]
    public void CostsFollowTheSpecsModel()
    {
        // 3 phases: I on each phase, 3I on PV
        Assert.Equal(10000, Cost.On(Phase.L2, 10000, 3, PhaseRotation.L231));
        Assert.Equal(30000, Cost.On(Phase.PV, 10000, 3, PhaseRotation.Unknown));
        // 1 phase, unknown rotation: I on every phase
        Assert.Equal(10000, Cost.On(Phase.L3, 10000, 1, PhaseRotation.Unknown));
        // 1 phase, known rotation: I on P1's phase only
        Assert.Equal(10000, Cost.On(Phase.L3, 10000, 1, PhaseRotation.L312));
        Assert.Equal(0, Cost.On(Phase.L1, 10000, 1, PhaseRotation.L312));
        // no phases: nothing
        Assert.Equal(0, Cost.On(Phase.L1, 10000, 0, PhaseRotation.L123));
    }
}
