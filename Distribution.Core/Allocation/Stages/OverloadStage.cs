using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Stage 3: while the minimums of the chargers that have phases exceed a phase's limit, shed
    /// chargers on that phase: the one with the most charge per time plugged in first, welcome
    /// charges last. Phase limits are hard, so no hysteresis applies here.
    /// </summary>
    public static class OverloadStage
    {
        const long WelcomeGroup = 1L << 61;

        public static void Run(AllocationRun run)
        {
            run.RecomputeWindowMin();
            if (run.WindowMin[Phase.L1] <= run.Limit[Phase.L1] && run.WindowMin[Phase.L2] <= run.Limit[Phase.L2]
                && run.WindowMin[Phase.L3] <= run.Limit[Phase.L3])
                return; // nothing to shed: the usual run, and on nanoCLR the fairness keys and their sort are most of this stage
            int n = 0;
            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (!run.IsFree(i) || a.Phases[i] == 0)
                    continue;
                run.Order[n++] = i;
                run.Key[i] = a.Reason[i] == AllocationReason.WelcomeCharge
                    ? WelcomeGroup + Ints.Max(a.LastPlugInMs[i], -WelcomeGroup + 1)
                    : -run.FairnessKey(i);
            }
            IndexSort.Ascending(run.Order, n, run.Key);

            for (int p = Phase.L1; p <= Phase.L3; p++)
            {
                for (int k = 0; k < n && run.WindowMin[p] > run.Limit[p]; k++)
                {
                    int i = run.Order[k];
                    AllocationTable a = run.Plan;
                    if (a.Phases[i] == 0 || !Cost.Uses(p, a.Phases[i], run.Seen.Rotation[i]))
                        continue;
                    Cost.Add(run.WindowMin, 0, run.Config.MinimumFor(a.Phases[i]), a.Phases[i], run.Seen.Rotation[i], -1);
                    a.Phases[i] = 0;
                    a.SetReason(i, AllocationReason.PhaseOverload, p, ChargerAllocation.Never);
                }
            }
        }
    }
}
