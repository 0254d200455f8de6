using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Optional unbalanced-load cap (<c>maximum_unbalanced_load</c>): the most loaded phase may carry
    /// at most N mA more than the least loaded one. It counts what each charger really draws per
    /// phase: the phases its meter shows current on (a 1-phase car on a 3-phase charger draws on P1
    /// only); without a meter, or before the car draws, the worst case, all on P1. A charger of
    /// unknown rotation that does not draw on all three phases may load any one phase, so its whole
    /// current counts toward the imbalance. Only the chargers that make the imbalance are lowered
    /// (never below their minimum), then paused (the most charge per time plugged in first); what
    /// that frees goes to chargers that draw evenly on all three phases, which cannot add imbalance.
    /// </summary>
    public static class BalanceStage
    {
        const int Unplaced = 1 << 4;     // draws on fewer than three phases of unknown rotation
        const int AllThree = (1 << Phase.L1) | (1 << Phase.L2) | (1 << Phase.L3);

        /// <summary>A phase counts as drawn on from this share of the largest measured phase current.</summary>
        const float DrawnShare = 0.25f;

        /// <summary>Below this largest phase current (A) the meter tells nothing about the car's phases.</summary>
        const float MeasurableA = 1.0f;

        public static void Run(AllocationRun run)
        {
            int cap = run.Config.MaxUnbalancedLoadMa;
            if (cap <= 0)
                return;
            for (int i = 0; i < run.Count; i++)
                run.Shape[i] = ShapeOf(run, i);

            bool lowered = false;
            for (int guard = 0; guard < 2 * run.Count + 3; guard++)
            {
                int unplaced = SumLoad(run);
                int[] load = run.Load;
                int heaviest = Phase.L1, lightest = Phase.L1;
                for (int p = Phase.L2; p <= Phase.L3; p++)
                {
                    if (load[p] > load[heaviest]) heaviest = p;
                    if (load[p] < load[lightest]) lightest = p;
                }
                // Worst case: every unplaced load sits on the heaviest phase.
                int excess = load[heaviest] + unplaced - load[lightest] - cap;
                if (excess <= 0)
                    break;
                if (Lower(run, heaviest, lightest, excess) || Pause(run, heaviest, lightest))
                    lowered = true;
                else
                    break; // what remains comes from chargers we do not control (held)
            }
            if (lowered)
                GrantEvenLoads(run);
        }

        /// <summary>Grid phases the charger draws on (bits 1..3), or <see cref="Unplaced"/>.</summary>
        static int ShapeOf(AllocationRun run, int i)
        {
            AllocationTable a = run.Plan;
            ObservationTable o = run.Seen;
            int chargerPhases = 1; // bits 0..2: P1, P2, P3; worst case: P1 only
            if (a.Phases[i] == 3 && o.State[i] == VehicleState.Charging)
            {
                float l1 = o.LineCurrent1[i], l2 = o.LineCurrent2[i], l3 = o.LineCurrent3[i];
                if (!float.IsNaN(l1) && !float.IsNaN(l2) && !float.IsNaN(l3))
                {
                    float largest = l1 > l2 ? l1 : l2;
                    largest = largest > l3 ? largest : l3;
                    if (largest >= MeasurableA)
                    {
                        float drawn = largest * DrawnShare;
                        chargerPhases = (l1 >= drawn ? 1 : 0) | (l2 >= drawn ? 2 : 0) | (l3 >= drawn ? 4 : 0);
                    }
                }
            }
            PhaseRotation rotation = run.Seen.Rotation[i];
            if (!Rotation.IsKnown(rotation))
                return chargerPhases == 7 ? AllThree : Unplaced;
            int shape = 0;
            for (int k = 1; k <= 3; k++)
                if ((chargerPhases & (1 << (k - 1))) != 0)
                    shape |= 1 << GridPhaseOf(rotation, k);
            return shape;
        }

        /// <summary>The grid phase (1..3) a charger's phase Pk (1..3) is wired to; rotation known.</summary>
        static int GridPhaseOf(PhaseRotation rotation, int k)
        {
            int p1 = Rotation.GridPhaseOfP1(rotation);
            if (k == 1)
                return p1;
            // L123, L231, L312 keep the cyclic order; L132, L213, L321 reverse it.
            bool cyclic = rotation == PhaseRotation.L123 || rotation == PhaseRotation.L231 || rotation == PhaseRotation.L312;
            int step = cyclic ? k - 1 : 3 - (k - 1);
            return (p1 - 1 + step) % 3 + 1;
        }

        /// <summary>Fills run.Load with the placed loads per grid phase; returns the sum of unplaced loads.</summary>
        static int SumLoad(AllocationRun run)
        {
            int[] load = run.Load;
            for (int p = 0; p < Phase.VectorLength; p++)
                load[p] = 0;
            int unplaced = 0;
            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (a.Phases[i] == 0 || a.Current[i] <= 0)
                    continue;
                int shape = run.Shape[i];
                if (shape == Unplaced)
                    unplaced += a.Current[i];
                for (int p = Phase.L1; p <= Phase.L3; p++)
                    if ((shape & (1 << p)) != 0)
                        load[p] += a.Current[i];
            }
            return unplaced;
        }

        /// <summary>Loads the heaviest phase more than the lightest: lowering it narrows the gap.</summary>
        static bool Unbalances(AllocationRun run, int i, int heaviest, int lightest)
        {
            int shape = run.Shape[i];
            return run.IsFree(i) && run.Plan.Phases[i] > 0 && run.Plan.Current[i] > 0
                && (shape == Unplaced || ((shape & (1 << heaviest)) != 0 && (shape & (1 << lightest)) == 0));
        }

        /// <summary>Lowers the unbalancing charger with the most current above its minimum; false if none has any.</summary>
        static bool Lower(AllocationRun run, int heaviest, int lightest, int excess)
        {
            int best = -1, bestSpare = 0;
            for (int i = 0; i < run.Count; i++)
            {
                if (!Unbalances(run, i, heaviest, lightest))
                    continue;
                AllocationTable c = run.Plan;
                int spare = c.Current[i] - run.Config.MinimumFor(c.Phases[i]);
                if (spare > bestSpare)
                {
                    best = i;
                    bestSpare = spare;
                }
            }
            if (best < 0)
                return false;
            AllocationTable a = run.Plan;
            int cut = Ints.Min(excess, bestSpare);
            a.Current[best] -= cut;
            Cost.Add(run.Remaining, 0, cut, a.Phases[best], run.Seen.Rotation[best], 1);
            a.SetReason(best, AllocationReason.BalancedLoad, heaviest, ChargerAllocation.Never);
            return true;
        }

        static bool Pause(AllocationRun run, int heaviest, int lightest)
        {
            int victim = -1;
            long victimKey = 0;
            for (int i = 0; i < run.Count; i++)
            {
                if (!Unbalances(run, i, heaviest, lightest))
                    continue;
                long key = run.FairnessKey(i);
                if (victim < 0 || key > victimKey)
                {
                    victim = i;
                    victimKey = key;
                }
            }
            if (victim < 0)
                return false;
            run.Release(victim, AllocationReason.UnbalancedLoad, heaviest, ChargerAllocation.Never);
            return true;
        }

        /// <summary>What lowering freed goes to chargers that draw evenly on all three phases, up to what they take.</summary>
        static void GrantEvenLoads(AllocationRun run)
        {
            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (!run.IsFree(i) || a.Phases[i] != 3 || a.Current[i] == 0 || run.Shape[i] != AllThree)
                    continue;
                int supported = Ints.Min(run.Seen.SupportedCurrent[i], AllocatorConfig.MaxChargerCurrent);
                int want = a.IsCharging[i] ? Ints.Min(supported, a.RequestedCurrent[i]) : supported;
                run.Grant(i, Ints.Min(Ints.Max(want - a.Current[i], 0), run.Headroom(i)));
            }
        }
    }
}
