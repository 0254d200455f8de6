using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Stage 9: cars that stopped by themselves ("probably full") are offered their enable current
    /// only from what is left after everyone charging got theirs, so a wake-up never takes current
    /// from normal charging. An attempt lasts the wake-up time; a failed one is retried after the
    /// same pause. Order: the attempt under way first, then those tried longest ago.
    /// </summary>
    public static class WakeupStage
    {
        const long WakingGroup = 0;
        const long RetryGroup = 1L << 61;

        public static void Run(AllocationRun run)
        {
            long now = run.NowMs;
            int wakeup = run.Config.WakeupTimeMs;
            int n = 0;
            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (!run.IsFree(i) || a.Phases[i] > 0 || a.LastWakeupMs[i] == ChargerAllocation.Never)
                    continue;
                bool waking = now < a.LastWakeupMs[i] + wakeup;
                bool mayRetry = now >= a.LastWakeupMs[i] + 2L * wakeup;
                if (!waking && !mayRetry)
                    continue;
                if (!run.MaySwitch(i) && a.PreviousPhases[i] == 0)
                {
                    a.SetReason(i, AllocationReason.HysteresisBlocks, 0, run.SwitchAllowedFromMs(i));
                    continue;
                }
                run.Order[n++] = i;
                run.Key[i] = waking ? WakingGroup - a.LastWakeupMs[i] / 2 : RetryGroup + a.LastWakeupMs[i] / 2;
            }
            IndexSort.Ascending(run.Order, n, run.Key);

            for (int k = 0; k < n; k++)
            {
                int i = run.Order[k];
                AllocationTable a = run.Plan;
                int phases = a.PinnedPhases[i] != 0 ? a.PinnedPhases[i] : Rotation.IsKnown(run.Seen.Rotation[i]) ? 1 : 3;
                int enable = run.Config.EnableCurrentFor(phases, true);
                if (!Fits(run, i, enable, phases))
                {
                    if (a.Reason[i] == AllocationReason.None)
                        a.SetReason(i, AllocationReason.ProbablyFull);
                    continue;
                }
                a.Phases[i] = phases;
                run.Grant(i, enable);
                a.SetReason(i, AllocationReason.WakingUp);
            }
        }

        static bool Fits(AllocationRun run, int i, int current, int phases)
        {
            PhaseRotation rotation = run.Seen.Rotation[i];
            for (int p = Phase.L1; p <= Phase.L3; p++)
                if (Cost.On(p, current, phases, rotation) > Ints.Max(run.Remaining[p], 0))
                    return false;
            return true;
        }
    }
}
