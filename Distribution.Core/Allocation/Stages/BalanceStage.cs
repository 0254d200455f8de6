using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Optional unbalanced-load cap: the most loaded phase may carry at most N mA more than the
    /// least loaded one. Only 1-phase chargers of known rotation unbalance the phases, so the
    /// heaviest phase's such chargers are lowered (never below their minimum), and if that is not
    /// enough, the one that has received the most charge is paused. Only ever lowers currents.
    /// </summary>
    public static class BalanceStage
    {
        public static void Run(AllocationRun run)
        {
            int[] load = run.Load;
            int cap = run.Config.MaxUnbalancedLoadMa;
            if (cap <= 0)
                return;
            for (int guard = 0; guard < 2 * run.Count + 3; guard++)
            {
                SumLoad(run, load);
                int heaviest = Phase.L1, lightest = Phase.L1;
                for (int p = Phase.L2; p <= Phase.L3; p++)
                {
                    if (load[p] > load[heaviest]) heaviest = p;
                    if (load[p] < load[lightest]) lightest = p;
                }
                int excess = load[heaviest] - load[lightest] - cap;
                if (excess <= 0)
                    return;
                if (!Lower(run, heaviest, excess) && !Pause(run, heaviest))
                    return; // what remains comes from chargers we do not control (held)
            }
        }

        static void SumLoad(AllocationRun run, int[] load)
        {
            for (int p = 0; p < Phase.VectorLength; p++)
                load[p] = 0;
            for (int i = 0; i < run.Count; i++)
            {
                ChargerAllocation a = run.Allocations[i];
                Cost.Add(load, 0, a.Current, a.Phases, run.RotationOf(i), 1);
            }
        }

        static bool IsOnlyOn(AllocationRun run, int i, int phase)
        {
            ChargerAllocation a = run.Allocations[i];
            return run.IsFree(i) && a.Phases == 1 && Rotation.GridPhaseOfP1(run.RotationOf(i)) == phase;
        }

        /// <summary>Lowers the largest reducible 1-phase charger on the phase; false if none is above its minimum.</summary>
        static bool Lower(AllocationRun run, int phase, int excess)
        {
            int best = -1, bestSpare = 0;
            for (int i = 0; i < run.Count; i++)
            {
                if (!IsOnlyOn(run, i, phase))
                    continue;
                int spare = run.Allocations[i].Current - run.Config.MinimumFor(1);
                if (spare > bestSpare)
                {
                    best = i;
                    bestSpare = spare;
                }
            }
            if (best < 0)
                return false;
            ChargerAllocation a = run.Allocations[best];
            int cut = excess < bestSpare ? excess : bestSpare;
            a.Current -= cut;
            Cost.Add(run.Remaining, 0, cut, 1, run.RotationOf(best), 1);
            a.SetReason(AllocationReason.BalancedLoad, phase, ChargerAllocation.Never);
            return true;
        }

        static bool Pause(AllocationRun run, int phase)
        {
            int victim = -1;
            for (int i = 0; i < run.Count; i++)
            {
                if (!IsOnlyOn(run, i, phase) || run.Allocations[i].Current == 0)
                    continue;
                if (victim < 0 || run.Allocations[i].AllocatedChargeMaMs > run.Allocations[victim].AllocatedChargeMaMs)
                    victim = i;
            }
            if (victim < 0)
                return false;
            run.Release(victim, AllocationReason.UnbalancedLoad, phase, ChargerAllocation.Never);
            return true;
        }
    }
}
