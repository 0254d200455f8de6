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
                AllocationTable b = run.Plan;
                if (b.Phases[j] > 0)
                    Cost.Add(wanted, 0, Wanted(b, j), b.Phases[j], run.Seen.Rotation[j], 1);
            }

            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (!run.IsFree(i) || a.Phases[i] != 1 || a.PinnedPhases[i] != 0 || !Rotation.IsKnown(run.Seen.Rotation[i]))
                    continue;
                if (a.PreviousPhases[i] > 0 && !run.MaySwitch(i))
                    continue;
                if (run.PhaseBlockingStart(i, 3, true, 1) != 0 || !SpareOnNewPhases(run, i))
                    continue;
                PhaseRotation rotation = run.Seen.Rotation[i];
                Cost.Add(run.WindowMin, 0, run.Config.MinimumFor(1), 1, rotation, -1);
                Cost.Add(run.WindowMin, 0, run.Config.MinimumFor(3), 3, rotation, 1);
                Cost.Add(wanted, 0, Wanted(a, i), 1, rotation, -1);
                Cost.Add(wanted, 0, Wanted(a, i), 3, rotation, 1);
                a.Phases[i] = 3;
            }
        }

        static int Wanted(AllocationTable b, int j)
        {
            return b.Held[j] ? b.Current[j] : b.RequestedCurrent[j];
        }

        /// <summary>
        /// True when, on each phase the charger does not use yet, the requests of everyone active
        /// leave room for its 3-phase minimum: going 3-phase then adds charging instead of taking it from others.
        /// </summary>
        static bool SpareOnNewPhases(AllocationRun run, int charger)
        {
            int own = Rotation.GridPhaseOfP1(run.Seen.Rotation[charger]);
            for (int p = Phase.L1; p <= Phase.L3; p++)
                if (p != own && run.WindowMax[p] + run.Config.MinimumFor(3) > run.Limit[p])
                    return false;
            return true;
        }
    }
}
