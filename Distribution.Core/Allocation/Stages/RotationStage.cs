using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Stage 1: decides who keeps their phases. Chargers that no longer want current let go;
    /// when the rotation is due (clock-aligned) and cars that may switch on have been waiting, the
    /// active chargers on the phases they wait for let go too, if their own hysteresis has passed,
    /// so that the activation stage can re-admit everyone in fairness order (least charge per time
    /// plugged in first).
    /// </summary>
    public static class RotationStage
    {
        public static void Run(AllocationRun run)
        {
            UpdateRotationClock(run);

            bool waitsL1 = false, waitsL2 = false, waitsL3 = false;
            long waitingSince = run.NowMs - run.Config.AllocationIntervalMs;
            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (!run.IsFree(i) || !a.WantsToCharge[i] || a.Phases[i] > 0 || a.LastPlugInMs[i] > waitingSince || !run.MaySwitch(i))
                    continue;
                int phases = a.PinnedPhases[i] == 0 ? 1 : a.PinnedPhases[i];
                PhaseRotation rotation = run.Seen.Rotation[i];
                waitsL1 |= Cost.Uses(Phase.L1, phases, rotation);
                waitsL2 |= Cost.Uses(Phase.L2, phases, rotation);
                waitsL3 |= Cost.Uses(Phase.L3, phases, rotation);
            }
            bool rotate = run.RotationDue && (waitsL1 || waitsL2 || waitsL3);

            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (!run.IsFree(i) || a.Phases[i] == 0)
                    continue;
                bool wakingUp = a.LastWakeupMs[i] != ChargerAllocation.Never;
                if (!a.WantsToCharge[i] || wakingUp)
                {
                    a.Phases[i] = 0;
                    a.SetReason(i, a.ProbablyFull[i] ? AllocationReason.ProbablyFull : AllocationReason.NotChargingAnymore);
                    continue;
                }
                a.ActiveAtStart[i] = true;
                if (a.PinnedPhases[i] != 0 && a.PinnedPhases[i] != a.Phases[i])
                    a.Phases[i] = a.PinnedPhases[i];
                PhaseRotation rotation = run.Seen.Rotation[i];
                bool onWaitedPhase = (waitsL1 && Cost.Uses(Phase.L1, a.Phases[i], rotation))
                    || (waitsL2 && Cost.Uses(Phase.L2, a.Phases[i], rotation))
                    || (waitsL3 && Cost.Uses(Phase.L3, a.Phases[i], rotation));
                if (rotate && onWaitedPhase && run.MaySwitch(i))
                {
                    a.Phases[i] = 0;
                    a.SetReason(i, AllocationReason.RotatedOut);
                }
            }
        }

        /// <summary>
        /// Rotation instants are aligned to the wall clock when it is known (hh:00:01, hh:15:01, …
        /// for 15 minutes), so a manager restart does not rotate at once; otherwise they count from start.
        /// </summary>
        static void UpdateRotationClock(AllocationRun run)
        {
            int interval = run.Config.RotationIntervalMs;
            run.RotationDue = false;
            if (interval <= 0)
            {
                run.NextRotationMs = ChargerAllocation.Never;
                return;
            }
            if (run.NextRotationMs == ChargerAllocation.Never)
            {
                run.NextRotationMs = NextBoundary(run, interval);
                return;
            }
            if (run.NowMs >= run.NextRotationMs)
            {
                run.RotationDue = true;
                run.NextRotationMs = NextBoundary(run, interval);
            }
        }

        const int AfterBoundaryMs = 1000;

        static long NextBoundary(AllocationRun run, int interval)
        {
            if (run.TimeOfDayMs < 0)
                return run.NowMs + interval;
            long intoInterval = run.TimeOfDayMs % interval;
            return run.NowMs - intoInterval + interval + AfterBoundaryMs;
        }
    }
}
