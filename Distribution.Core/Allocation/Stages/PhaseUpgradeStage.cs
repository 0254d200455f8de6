using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Stage 5: moves switchable 1-phase chargers to 3 phases when every phase can carry the
    /// 3-phase minimum and the newly used phases have current the active chargers cannot absorb.
    /// A charger that already had current waits for its own hysteresis; its phase lock (set on
    /// every switch) pins it meanwhile. The new phases must fit the recent lowest limit.
    /// </summary>
    public static class PhaseUpgradeStage
    {
        public static void Run(AllocationRun run)
        {
            int[] wanted = run.WindowMax;
            for (int p = 0; p < Phase.VectorLength; p++)
                wanted[p] = 0;
            for (int j = 0; j < run.Count; j++)
            {
                ChargerAllocation b = run.Allocations[j];
                if (b.Phases > 0)
                    Cost.Add(wanted, 0, Wanted(b), b.Phases, run.RotationOf(j), 1);
            }

            for (int i = 0; i < run.Count; i++)
            {
                ChargerAllocation a = run.Allocations[i];
                if (!run.IsFree(i) || a.Phases != 1 || a.PinnedPhases != 0 || !Rotation.IsKnown(run.RotationOf(i)))
                    continue;
                if (a.PreviousPhases > 0 && !run.MaySwitch(i))
                    continue;
                if (run.PhaseBlockingStart(i, 3, true, 1) != 0 || !SpareOnNewPhases(run, i))
                    continue;
                PhaseRotation rotation = run.RotationOf(i);
                Cost.Add(run.WindowMin, 0, run.Config.MinimumFor(1), 1, rotation, -1);
                Cost.Add(run.WindowMin, 0, run.Config.MinimumFor(3), 3, rotation, 1);
                Cost.Add(wanted, 0, Wanted(a), 1, rotation, -1);
                Cost.Add(wanted, 0, Wanted(a), 3, rotation, 1);
                a.Phases = 3;
            }
        }

        static int Wanted(ChargerAllocation b)
        {
            return b.Held ? b.Current : b.RequestedCurrent;
        }

        /// <summary>
        /// True when, on each phase the charger does not use yet, the requests of everyone active
        /// leave room for its 3-phase minimum: going 3-phase then adds charging instead of taking it from others.
        /// </summary>
        static bool SpareOnNewPhases(AllocationRun run, int charger)
        {
            int own = Rotation.GridPhaseOfP1(run.RotationOf(charger));
            for (int p = Phase.L1; p <= Phase.L3; p++)
                if (p != own && run.WindowMax[p] + run.Config.MinimumFor(3) > run.Limit[p])
                    return false;
            return true;
        }
    }
}
