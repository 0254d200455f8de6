using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Stage 4: admits waiting chargers, the one with the least charge per time plugged in first, as
    /// long as every phase it would use can carry the minimums of all active chargers plus its enable
    /// current: beside active chargers within the lowest limit of the recent past
    /// (<see cref="AllocationRun.AdmissionLimit"/>). A new switch-on waits for the charger's own
    /// hysteresis; chargers that were active when the run began (rotated or shed in this run) may
    /// come straight back if they fit the present limit.
    /// </summary>
    public static class ActivationStage
    {
        public static void Run(AllocationRun run)
        {
            run.RecomputeWindowMin();
            int n = 0;
            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (!run.IsFree(i) || a.Phases[i] > 0 || !a.WantsToCharge[i] || a.LastWakeupMs[i] != ChargerAllocation.Never)
                    continue;
                run.Order[n++] = i;
                run.Key[i] = run.FairnessKey(i);
            }
            IndexSort.Ascending(run.Order, n, run.Key);

            bool anyActive = run.CountActive() > 0;
            for (int k = 0; k < n; k++)
            {
                int i = run.Order[k];
                AllocationTable a = run.Plan;
                if (!a.ActiveAtStart[i] && !run.MaySwitch(i))
                {
                    a.SetReason(i, AllocationReason.HysteresisBlocks, 0, run.SwitchAllowedFromMs(i));
                    continue;
                }
                int blockedOn = TryStart(run, i, anyActive);
                if (blockedOn == 0)
                {
                    anyActive = true;
                    continue;
                }
                if (a.Reason[i] == AllocationReason.RotatedOut || a.Reason[i] == AllocationReason.PhaseOverload)
                    continue; // keeps the more telling reason
                if (anyActive && run.Config.RotationIntervalMs > 0)
                    a.SetReason(i, AllocationReason.WaitingForRotation, blockedOn, run.NextRotationMs);
                else
                    a.SetReason(i, AllocationReason.MinimumNotReachable, blockedOn, ChargerAllocation.Never);
            }
        }

        /// <summary>Tries 3 phases first where that is the better choice, then 1; returns 0 on success, else the blocking phase.</summary>
        static int TryStart(AllocationRun run, int i, bool anyActive)
        {
            AllocationTable a = run.Plan;
            bool unknownRotation = !Rotation.IsKnown(run.Seen.Rotation[i]);
            // An unknown-rotation 1p charger loads all three phases anyway, so 3p costs nothing more.
            int first = a.PinnedPhases[i] != 0 ? a.PinnedPhases[i] : unknownRotation ? 3 : 1;
            int[] limit = anyActive && !a.ActiveAtStart[i] ? run.AdmissionLimit : run.Limit;
            int blockedOn = run.PhaseBlockingStart(i, first, anyActive, 0, limit);
            int phases = first;
            if (blockedOn != 0 && a.PinnedPhases[i] == 0 && first == 3)
            {
                phases = 1;
                blockedOn = run.PhaseBlockingStart(i, 1, anyActive, 0, limit);
            }
            if (blockedOn != 0)
                return blockedOn;
            a.Phases[i] = phases;
            a.SetReason(i, AllocationReason.None);
            Cost.Add(run.WindowMin, 0, run.Config.MinimumFor(phases), phases, run.Seen.Rotation[i], 1);
            return 0;
        }
    }
}
