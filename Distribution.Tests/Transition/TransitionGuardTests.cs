using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Transition;
using Xunit;

namespace ChargeManager.Distribution.Tests.Transition;

public class TransitionGuardTests
{
    readonly ChargerObservation[] obs = { new(), new(), new() };
    readonly ChargerAllocation[] plan = { new(), new(), new() };
    readonly int[] limit = { Phase.Unlimited, 32000, 32000, 32000 };
    readonly TransitionGuard guard;
    long now = 1000;

    public TransitionGuardTests()
    {
        guard = new TransitionGuard(new AllocatorConfig(), obs);
    }

    void Plan(int i, int current, int phases = 3)
    {
        plan[i].Current = current;
        plan[i].Phases = phases;
    }

    /// <summary>Every charger echoes its current command, late enough to count.</summary>
    void AllConfirm()
    {
        now += TransitionGuard.ConfirmAfterMs;
        for (int i = 0; i < obs.Length; i++)
            guard.Confirm(i, guard.CommandedCurrent[i], guard.CommandedPhases[i] == 1 ? 1 : 3, now);
    }

    void Settle(params (int charger, int current)[] plans)
    {
        foreach (var (c, current) in plans)
            Plan(c, current);
        for (int k = 0; k < 4; k++)
        {
            guard.Rollout(plan, limit, now);
            AllConfirm();
        }
    }

    [Fact]
    public void AtStartUp_NothingIsKnown_SoEveryChargerMayDrawTheMost()
    {
        Assert.Equal(32000, guard.MayDraw(0, Phase.L1));
        Assert.Equal(3 * 32000, guard.MayDrawTotal(Phase.L2));
    }

    [Fact]
    public void AChargerAddedMidRun_GetsNoCurrentBeforeTheOthersConfirmTheirReduction()
    {
        // Found when the per-charger hysteresis let the allocator plan a charger added mid-run at once: 12 A is
        // below the assumed 32 A of an unknown charger, yet a real increase from the 0 A it draws.
        Settle((0, 32000));
        guard.Forget(2);                                   // the new charger: nothing known, not heard yet
        now += 1000;
        Plan(0, 16000);
        Plan(2, 16000);
        guard.Rollout(plan, limit, now);
        Assert.Equal(16000, guard.CommandedCurrent[0]);    // the reduction goes out at once
        Assert.Equal(0, guard.CommandedCurrent[2]);        // the increase waits
        Assert.True(guard.WaitingForOthers[2]);
        now += TransitionGuard.ConfirmAfterMs;
        guard.Confirm(0, 16000, 3, now);
        guard.Confirm(2, 0, 3, now);                       // echoes our 0 A: now it is known
        guard.Rollout(plan, limit, now);
        Assert.Equal(16000, guard.CommandedCurrent[2]);
    }

    [Fact]
    public void AfterOurRestart_WhatAChargerReportsApplyingGoesOutAtOnce()
    {
        guard.Confirm(0, 16000, 3, now);                   // before any command of ours: adopted, no interruption
        Plan(0, 16000);
        guard.Rollout(plan, limit, now);
        Assert.Equal(16000, guard.CommandedCurrent[0]);
    }

    [Fact]
    public void AReductionGoesOutAtOnce_TheIncreaseWaitsForItsConfirmation()
    {
        Settle((0, 20000), (1, 12000));
        Assert.Equal(20000, guard.CommandedCurrent[0]);
        Assert.Equal(32000, guard.MayDrawTotal(Phase.L1));

        Plan(0, 12000);
        Plan(1, 20000);
        guard.Rollout(plan, limit, now);
        Assert.Equal(12000, guard.CommandedCurrent[0]);
        Assert.Equal(12000, guard.CommandedCurrent[1]); // 20 A + 20 A could meet for a moment: wait
        Assert.True(guard.WaitingForOthers[1]);
        Assert.Equal(20000, guard.MayDraw(0, Phase.L1));

        now += TransitionGuard.ConfirmAfterMs;
        guard.Confirm(0, 12000, 3, now);
        guard.Rollout(plan, limit, now);
        Assert.Equal(20000, guard.CommandedCurrent[1]);
        Assert.False(guard.WaitingForOthers[1]);
        Assert.Equal(32000, guard.MayDrawTotal(Phase.L1));
    }

    [Fact]
    public void AnIncreaseTakesThePartThatFitsAboveItsMinimum()
    {
        Settle((0, 20000), (1, 12000));
        Plan(0, 14000);
        Plan(1, 18000);
        limit[Phase.L1] = limit[Phase.L2] = limit[Phase.L3] = 34000;
        guard.Rollout(plan, limit, now);
        Assert.Equal(14000, guard.CommandedCurrent[0]);
        Assert.Equal(14000, guard.CommandedCurrent[1]); // 34 - 20 (charger 0 may still draw)
        Assert.True(guard.WaitingForOthers[1]);
        Assert.True(guard.MayDrawTotal(Phase.L1) <= 34000);
    }

    [Fact]
    public void AnEchoOfAnOlderCommandNarrowsNothing()
    {
        Settle((0, 16000));
        Plan(0, 6000);
        guard.Rollout(plan, limit, now);
        now += 2000;
        guard.Confirm(0, 16000, 3, now); // still applies the old value
        Assert.Equal(16000, guard.MayDraw(0, Phase.L1));
        guard.Confirm(0, 6000, 3, now);
        Assert.Equal(6000, guard.MayDraw(0, Phase.L1));
    }

    [Fact]
    public void AnEchoTooSoonAfterTheCommandCouldBeStaleAndNarrowsNothing()
    {
        Settle((0, 16000));
        Plan(0, 0);
        guard.Rollout(plan, limit, now);
        guard.Confirm(0, 0, 3, now + TransitionGuard.ConfirmAfterMs - 1);
        Assert.Equal(16000, guard.MayDraw(0, Phase.L1));
    }

    [Fact]
    public void AChargerDrawingMoreThanWeThought_WidensItsEnvelope()
    {
        Settle((0, 6000));
        guard.Confirm(0, 10000, 3, now + 5000);
        Assert.Equal(10000, guard.MayDraw(0, Phase.L1));
    }

    [Fact]
    public void ASilentChargerIsReleasedOnlyAfterTheChargersOwnFallbackCouldHaveCutIt()
    {
        Settle((0, 16000));
        Plan(0, 0);
        guard.Rollout(plan, limit, now);
        long zeroSince = now;
        guard.ReleaseSilent(0, zeroSince + TransitionGuard.ChargerFallbackProofMs - 1);
        Assert.Equal(16000, guard.MayDraw(0, Phase.L1));
        guard.ReleaseSilent(0, zeroSince + TransitionGuard.ChargerFallbackProofMs);
        Assert.Equal(0, guard.MayDraw(0, Phase.L1));
    }

    [Fact]
    public void ASilentChargerStillCommandedCurrentIsNeverReleased()
    {
        Settle((0, 16000));
        guard.ReleaseSilent(0, now + 10 * TransitionGuard.ChargerFallbackProofMs);
        Assert.Equal(16000, guard.MayDraw(0, Phase.L1));
    }

    [Fact]
    public void AChargerThatCannotSwitch_IsCountedOnThePhasesItHas()
    {
        obs[0].Rotation = PhaseRotation.L231;
        obs[0].ReportedPhases = 3; // e.g. a contactor in front of it keeps it on three phases
        Settle((0, 6000));
        Plan(0, 10000, 1);
        guard.Rollout(plan, limit, now);
        Assert.Equal(10000, guard.MayDraw(0, Phase.L1)); // a "1 phase" request changes nothing for it
        Assert.Equal(10000, guard.MayDraw(0, Phase.L3));
    }

    [Fact]
    public void APhaseSwitchCountsBothPhaseCountsUntilConfirmed()
    {
        obs[0].Rotation = PhaseRotation.L231; // P1 on L2
        obs[0].CanSwitchPhases = true;
        Settle((0, 10000));
        Plan(0, 16000, 1);
        guard.Rollout(plan, limit, now);
        Assert.Equal(1, guard.CommandedPhases[0]);
        Assert.Equal(16000, guard.MayDraw(0, Phase.L2));
        Assert.Equal(10000, guard.MayDraw(0, Phase.L1)); // may still be on 3 phases
        now += 1000;
        guard.Confirm(0, 16000, 1, now);
        Assert.Equal(0, guard.MayDraw(0, Phase.L1));
        Assert.Equal(16000, guard.MayDraw(0, Phase.L2));
    }

    [Fact]
    public void AfterAnExternalDropNothingWidens_UntilTheReductionsAreConfirmed()
    {
        Settle((0, 16000), (1, 16000));
        limit[Phase.L1] = limit[Phase.L2] = limit[Phase.L3] = 20000;
        Plan(0, 10000);
        Plan(1, 10000);
        Plan(2, 6000);
        guard.Rollout(plan, limit, now);
        Assert.Equal(10000, guard.CommandedCurrent[0]);
        Assert.Equal(10000, guard.CommandedCurrent[1]);
        Assert.Equal(0, guard.CommandedCurrent[2]);
        Assert.Equal(32000, guard.MayDrawTotal(Phase.L1));
    }
}
