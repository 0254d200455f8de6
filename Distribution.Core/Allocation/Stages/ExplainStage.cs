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
                int used = run.Plan.Current[j] > 0 ? run.UsedPhases(j) : 0;
                for (int p = Phase.L1; p <= Phase.L3; p++)
                    if ((used & (1 << p)) != 0)
                        run.UsersPerPhase[p]++;
            }
            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (!run.IsFree(i))
                    continue;
                if (a.Phases[i] == 0)
                    ExplainZero(run, i, a);
                else
                    ExplainCurrent(run, i, a);
            }
        }

        static void ExplainZero(AllocationRun run, int i, AllocationTable a)
        {
            ObservationTable o = run.Seen;
            if (o.State[i] == VehicleState.NotConnected)
                a.SetReason(i, AllocationReason.NoVehicle);
            else if (o.SupportedCurrent[i] == 0)
                a.SetReason(i, AllocationReason.NotSupported);
            else if (a.Reason[i] != AllocationReason.None)
                return;
            else if (a.ProbablyFull[i])
                a.SetReason(i, AllocationReason.ProbablyFull);
            else
                a.SetReason(i, AllocationReason.NotChargingAnymore);
        }

        static void ExplainCurrent(AllocationRun run, int i, AllocationTable a)
        {
            switch (a.Reason[i])
            {
                case AllocationReason.WelcomeCharge:
                case AllocationReason.WakingUp:
                case AllocationReason.BalancedLoad:
                    return;
            }
            int supported = run.Seen.SupportedCurrent[i];
            if (a.Current[i] >= supported || a.Current[i] >= AllocatorConfig.MaxChargerCurrent)
            {
                a.SetReason(i, AllocationReason.SupportedByCharger);
                return;
            }
            int target = ShareStage.Target(run, i, true);
            if (a.Current[i] > target)
            {
                a.SetReason(i, AllocationReason.LeftOver);
                return;
            }
            if (a.Current[i] == target)
            {
                if (!a.IsCharging[i])
                    a.SetReason(i, AllocationReason.EnableCurrent);
                else if (run.NowMs < a.UseSupportedUntilMs[i])
                    a.SetReason(i, AllocationReason.FastRampUp);
                else
                    a.SetReason(i, AllocationReason.VehicleLimit);
                return;
            }
            int phase = run.TightestPhase(i);
            if (a.Current[i] == run.Config.MinimumFor(a.Phases[i]) && run.Remaining[phase] <= 0)
                a.SetReason(i, AllocationReason.Minimum, phase, ChargerAllocation.Never);
            else if (run.UsersPerPhase[phase] > 1)
                a.SetReason(i, AllocationReason.FairShare, phase, ChargerAllocation.Never);
            else
                a.SetReason(i, AllocationReason.PhaseLimit, phase, ChargerAllocation.Never);
        }
    }
}
