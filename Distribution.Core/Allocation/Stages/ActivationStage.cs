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
            for (int p = 0; p < Phase.VectorLength; p++)
                run.HeldOutMin[p] = 0;
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
                long steadyFromMs;
                int blockedOn = TryStart(run, i, anyActive, out steadyFromMs);
                if (blockedOn == 0)
                {
                    anyActive = true;
                    continue;
                }
                // The reason must be true now: a charger shed at a drop no longer "cannot be carried"
                // once the limit is back up and only the flapping rule holds it out.
                if (a.Reason[i] == AllocationReason.RotatedOut)
                    continue;
                if (steadyFromMs != ChargerAllocation.Never)
                    a.SetReason(i, AllocationReason.LimitUnsteady, blockedOn, steadyFromMs);
                else if (a.Reason[i] == AllocationReason.PhaseOverload)
                    a.ReasonPhase[i] = blockedOn; // still paused by a lack of current: on the phase that lacks it now
                else if (anyActive && run.Config.RotationIntervalMs > 0)
                    a.SetReason(i, AllocationReason.WaitingForRotation, blockedOn, run.NextRotationMs);
                else
                    a.SetReason(i, AllocationReason.MinimumNotReachable, blockedOn, ChargerAllocation.Never);
            }
        }

        /// <summary>
        /// Starts the charger if it fits: 0, else the blocking phase. steadyFromMs: when it is held out only
        /// by the admission limit (the recent low of a flapping limit) and would fit the limit itself beside
        /// those held out so before it, when the admission limit is back at the limit on every phase it
        /// would use; else Never.
        /// </summary>
        static int TryStart(AllocationRun run, int i, bool anyActive, out long steadyFromMs)
        {
            AllocationTable a = run.Plan;
            steadyFromMs = ChargerAllocation.Never;
            bool admission = anyActive && !a.ActiveAtStart[i];
            int phases;
            int blockedOn = Blocking(run, i, anyActive, admission ? run.AdmissionLimit : run.Limit, out phases);
            if (blockedOn != 0)
            {
                if (admission)
                {
                    // Named in the reason: the phase that lacks current under the limit itself, if one does,
                    // judged beside the minimums of those held out before it (they would start together).
                    AddHeldOut(run, 1);
                    int present = Blocking(run, i, anyActive, run.Limit, out phases);
                    AddHeldOut(run, -1);
                    if (present != 0)
                        return present;
                    PhaseRotation rotation = run.Seen.Rotation[i];
                    Cost.Add(run.HeldOutMin, 0, run.Config.MinimumFor(phases), phases, rotation, 1);
                    for (int p = Phase.L1; p <= Phase.L3; p++)
                        if (Cost.Uses(p, phases, rotation) && run.AdmissionLowUntilMs[p] > steadyFromMs)
                            steadyFromMs = run.AdmissionLowUntilMs[p];
                }
                return blockedOn;
            }
            a.Phases[i] = phases;
            a.SetReason(i, AllocationReason.None);
            Cost.Add(run.WindowMin, 0, run.Config.MinimumFor(phases), phases, run.Seen.Rotation[i], 1);
            return 0;
        }

        static void AddHeldOut(AllocationRun run, int sign)
        {
            for (int p = 0; p < Phase.VectorLength; p++)
                run.WindowMin[p] += sign * run.HeldOutMin[p];
        }

        /// <summary>Tries 3 phases first where that is the better choice, then 1: 0 and the phases it fits on, else the blocking phase.</summary>
        static int Blocking(AllocationRun run, int i, bool anyActive, int[] limit, out int phases)
        {
            AllocationTable a = run.Plan;
            bool unknownRotation = !Rotation.IsKnown(run.Seen.Rotation[i]);
            // An unknown-rotation 1p charger loads all three phases anyway, so 3p costs nothing more.
            int first = a.PinnedPhases[i] != 0 ? a.PinnedPhases[i] : unknownRotation ? 3 : 1;
            phases = first;
            int blockedOn = run.PhaseBlockingStart(i, first, anyActive, 0, limit);
            if (blockedOn != 0 && a.PinnedPhases[i] == 0 && first == 3)
            {
                phases = 1;
                blockedOn = run.PhaseBlockingStart(i, 1, anyActive, 0, limit);
            }
            return blockedOn;
        }
    }
}
