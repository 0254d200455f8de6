using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Stage 3: while the minimums of the chargers that have phases exceed a phase's limit, shed
    /// chargers, as few as it takes: first one whose pause alone brings every phase within its limit,
    /// else the one that removes the most excess, and among equals the one with the most charge per
    /// time plugged in, welcome charges last. (Shedding in fairness order alone paused two chargers on
    /// one phase where pausing a three-phase one would have been enough; each then waited out its
    /// own hysteresis.) Phase limits are hard, so no hysteresis applies here.
    /// </summary>
    public static class OverloadStage
    {
        const long WelcomeGroup = 1L << 61;

        public static void Run(AllocationRun run)
        {
            run.RecomputeWindowMin();
            if (!Overloaded(run))
                return; // nothing to shed: the usual run, and on nanoCLR the fairness keys and their sort are most of this stage
            AllocationTable a = run.Plan;
            int n = 0;
            for (int i = 0; i < run.Count; i++)
            {
                if (!run.IsFree(i) || a.Phases[i] == 0)
                    continue;
                run.Order[n++] = i;
                run.Key[i] = a.Reason[i] == AllocationReason.WelcomeCharge
                    ? WelcomeGroup + Ints.Max(a.LastPlugInMs[i], -WelcomeGroup + 1)
                    : -run.FairnessKey(i);
            }
            IndexSort.Ascending(run.Order, n, run.Key);

            for (int guard = 0; guard < n; guard++)
            {
                if (!Overloaded(run))
                    return;
                int pick = -1, pickPhase = 0;
                // One pause frees at most the larger minimum per phase: beyond that, no need to look for one that is enough.
                bool oneMayDo = LargestExcess(run) <= Ints.Max(run.Config.MinimumCurrent3p, run.Config.MinimumCurrent1p);
                for (int k = 0; k < n && pick < 0 && oneMayDo; k++)
                {
                    int i = run.Order[k];
                    if (a.Phases[i] != 0 && Excess(run, i, true) == 0)
                        pick = i;
                }
                if (pick < 0)
                {
                    // No single pause is enough: the one that removes the most (the first in the order among equals).
                    long best = 0;
                    for (int k = 0; k < n; k++)
                    {
                        int i = run.Order[k];
                        if (a.Phases[i] == 0)
                            continue;
                        long removes = Excess(run, i, false);
                        if (removes > best)
                        {
                            best = removes;
                            pick = i;
                        }
                    }
                }
                if (pick < 0)
                    return; // what is left over the limit is not ours to shed (held chargers)
                int phases = a.Phases[pick];
                PhaseRotation rotation = run.Seen.Rotation[pick];
                for (int p = Phase.L1; p <= Phase.L3 && pickPhase == 0; p++)
                    if (run.WindowMin[p] > run.Limit[p] && Cost.Uses(p, phases, rotation))
                        pickPhase = p;
                Cost.Add(run.WindowMin, 0, run.Config.MinimumFor(phases), phases, rotation, -1);
                a.Phases[pick] = 0;
                a.SetReason(pick, AllocationReason.PhaseOverload, pickPhase, ChargerAllocation.Never);
            }
        }

        static int LargestExcess(AllocationRun run)
        {
            int largest = 0;
            for (int p = Phase.L1; p <= Phase.L3; p++)
                largest = Ints.Max(largest, run.WindowMin[p] - run.Limit[p]);
            return largest;
        }

        static bool Overloaded(AllocationRun run)
        {
            for (int p = Phase.L1; p <= Phase.L3; p++)
                if (run.WindowMin[p] > run.Limit[p])
                    return true;
            return false;
        }

        /// <summary>
        /// left: the excess (mA, summed over the phases) still over the limits were the charger paused;
        /// otherwise how much of the excess its pause removes.
        /// </summary>
        static long Excess(AllocationRun run, int charger, bool left)
        {
            int phases = run.Plan.Phases[charger];
            int minimum = run.Config.MinimumFor(phases);
            PhaseRotation rotation = run.Seen.Rotation[charger];
            long sum = 0;
            for (int p = Phase.L1; p <= Phase.L3; p++)
            {
                int excess = run.WindowMin[p] - run.Limit[p];
                if (excess <= 0)
                    continue;
                int own = Cost.On(p, minimum, phases, rotation);
                sum += left ? Ints.Max(excess - own, 0) : Ints.Min(excess, own);
            }
            return sum;
        }
    }
}
