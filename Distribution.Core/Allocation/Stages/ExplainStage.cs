using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Last stage: every charger leaves the run with a reason for exactly what it got. Stages that
    /// decide something special (welcome, wake-up, balance, rotation, overload …) set theirs as
    /// they go; this fills in the rest from the final plan.
    /// </summary>
    public static class ExplainStage
    {
        public static void Run(AllocationRun run)
        {
            for (int p = 0; p < Phase.VectorLength; p++)
                run.UsersPerPhase[p] = 0;
            for (int j = 0; j < run.Count; j++)
            {
                ChargerAllocation b = run.Allocations[j];
                for (int p = Phase.L1; p <= Phase.L3; p++)
                    if (b.Current > 0 && Cost.Uses(p, b.Phases, run.RotationOf(j)))
                        run.UsersPerPhase[p]++;
            }
            for (int i = 0; i < run.Count; i++)
            {
                ChargerAllocation a = run.Allocations[i];
                if (!run.IsFree(i))
                    continue;
                if (a.Phases == 0)
                    ExplainZero(run, i, a);
                else
                    ExplainCurrent(run, i, a);
            }
        }

        static void ExplainZero(AllocationRun run, int i, ChargerAllocation a)
        {
            ChargerObservation o = run.Observations[i];
            if (!o.IsPluggedIn)
                a.SetReason(AllocationReason.NoVehicle);
            else if (o.SupportedCurrent == 0)
                a.SetReason(AllocationReason.NotSupported);
            else if (a.Reason != AllocationReason.None)
                return;
            else if (a.ProbablyFull)
                a.SetReason(AllocationReason.ProbablyFull);
            else
                a.SetReason(AllocationReason.NotChargingAnymore);
        }

        static void ExplainCurrent(AllocationRun run, int i, ChargerAllocation a)
        {
            switch (a.Reason)
            {
                case AllocationReason.WelcomeCharge:
                case AllocationReason.WakingUp:
                case AllocationReason.BalancedLoad:
                    return;
            }
            int supported = run.Observations[i].SupportedCurrent;
            if (a.Current >= supported || a.Current >= AllocatorConfig.MaxChargerCurrent)
            {
                a.SetReason(AllocationReason.SupportedByCharger);
                return;
            }
            int target = ShareStage.Target(run, i, true);
            if (a.Current > target)
            {
                a.SetReason(AllocationReason.LeftOver);
                return;
            }
            if (a.Current == target)
            {
                if (!a.IsCharging)
                    a.SetReason(AllocationReason.EnableCurrent);
                else if (run.NowMs < a.UseSupportedUntilMs)
                    a.SetReason(AllocationReason.FastRampUp);
                else
                    a.SetReason(AllocationReason.VehicleLimit);
                return;
            }
            int phase = run.TightestPhase(i);
            if (a.Current == run.Config.MinimumFor(a.Phases) && run.Remaining[phase] <= 0)
                a.SetReason(AllocationReason.Minimum, phase, ChargerAllocation.Never);
            else if (run.UsersPerPhase[phase] > 1)
                a.SetReason(AllocationReason.FairShare, phase, ChargerAllocation.Never);
            else
                a.SetReason(AllocationReason.PhaseLimit, phase, ChargerAllocation.Never);
        }
    }
}
