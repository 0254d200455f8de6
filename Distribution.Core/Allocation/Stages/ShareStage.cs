using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Stages 6–8: every charger with phases first gets its minimum; what is left is shared
    /// equally (water-filling: chargers that want less take less and leave the rest to the
    /// others), then left-overs go to charging cars up to their request, and last to everyone
    /// up to what their charger supports.
    /// </summary>
    public static class ShareStage
    {
        const long OnePhaseGroup = 1L << 40;

        public static void GrantMinimums(AllocationRun run)
        {
            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (run.IsFree(i) && a.Phases[i] > 0 && a.Current[i] == 0)
                    run.Grant(i, run.Config.MinimumFor(a.Phases[i]));
            }
        }

        /// <summary>The current the charger is aiming for in the fair share.</summary>
        public static int Target(AllocationRun run, int i, bool othersActive)
        {
            AllocationTable a = run.Plan;
            int supported = Ints.Min(run.Seen.SupportedCurrent[i], AllocatorConfig.MaxChargerCurrent);
            if (!a.IsCharging[i])
                return Ints.Min(supported, run.Config.EnableCurrentFor(a.Phases[i], othersActive));
            return Ints.Min(supported, a.RequestedCurrent[i]);
        }

        public static void ShareFairly(AllocationRun run)
        {
            int n = OrderByCapacity(run, false, false, false);
            for (int p = 0; p < Phase.VectorLength; p++)
                run.UsersPerPhase[p] = 0;
            for (int k = 0; k < n; k++)
                CountUser(run, run.Order[k], 1);

            int[] users = run.UsersPerPhase, remaining = run.Remaining;
            for (int k = 0; k < n; k++)
            {
                int i = run.Order[k];
                int used = run.UsedPhases(i);
                int fair = Phase.Unlimited;
                for (int p = Phase.L1; p <= Phase.L3; p++)
                    if ((used & (1 << p)) != 0)
                    {
                        int share = remaining[p] / (users[p] > 1 ? users[p] : 1);
                        if (share < fair)
                            fair = share;
                    }
                run.Grant(i, Ints.Min(Ints.Max(fair, 0), CapacityOf(run.Key[i])));
                for (int p = Phase.L1; p <= Phase.L3; p++) // CountUser(run, i, -1)
                    if ((used & (1 << p)) != 0)
                        users[p]--;
            }
        }

        /// <summary>Left-overs up to each charger's target: charging cars only, or (up to supported) everyone.</summary>
        public static void GrantLeftOvers(AllocationRun run, bool everyone)
        {
            if (NothingLeft(run))
                return; // every grant would be 0 (the usual case when current is scarce)
            int n = OrderByCapacity(run, !everyone, everyone, true);
            for (int k = 0; k < n && !NothingLeft(run); k++)
            {
                int i = run.Order[k];
                int capacity = CapacityOf(run.Key[i]);
                run.Grant(i, Ints.Min(capacity, run.Headroom(i)));
            }
        }

        /// <summary>
        /// Puts the chargers that can take more into Order: 3-phase first, then by ascending capacity
        /// (how much more they want). The capacity is kept in the low bits of the sort key. Without those
        /// that want nothing more (wantingOnly): a grant to them is 0, and the others' order is the same.
        /// </summary>
        static int OrderByCapacity(AllocationRun run, bool chargingOnly, bool upToSupported, bool wantingOnly)
        {
            bool othersActive = run.CountActive() > 1;
            int n = 0;
            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (!run.IsFree(i) || a.Phases[i] == 0 || a.Current[i] == 0)
                    continue;
                if (chargingOnly && !a.IsCharging[i])
                    continue;
                int target = upToSupported
                    ? Ints.Min(run.Seen.SupportedCurrent[i], AllocatorConfig.MaxChargerCurrent)
                    : Target(run, i, othersActive);
                int capacity = Ints.Max(target - a.Current[i], 0);
                if (wantingOnly && capacity == 0)
                    continue;
                run.Order[n++] = i;
                run.Key[i] = (a.Phases[i] == 3 ? 0 : OnePhaseGroup) + capacity;
            }
            IndexSort.Ascending(run.Order, n, run.Key);
            return n;
        }

        /// <summary>No grid phase has budget left: every charger's headroom is 0.</summary>
        static bool NothingLeft(AllocationRun run)
        {
            int[] remaining = run.Remaining;
            return remaining[Phase.L1] <= 0 && remaining[Phase.L2] <= 0 && remaining[Phase.L3] <= 0;
        }

        static int CapacityOf(long key)
        {
            return (int)(key & (OnePhaseGroup - 1));
        }

        static void CountUser(AllocationRun run, int i, int delta)
        {
            int used = run.UsedPhases(i);
            for (int p = Phase.L1; p <= Phase.L3; p++)
                if ((used & (1 << p)) != 0)
                    run.UsersPerPhase[p] += delta;
        }
    }
}
