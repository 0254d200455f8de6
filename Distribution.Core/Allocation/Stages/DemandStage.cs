using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Stage 0: turns each charger's latest observation into what this run needs: off or held,
    /// plug-in and state transitions, "wants to charge", "probably full", the requested current
    /// (spec §3.1.4) and whether its phase count is pinned.
    /// </summary>
    public static class DemandStage
    {
        /// <summary>Silent longer than this, a charger gets no new decisions; its last plan stays in the budget (WARP re-resolves after 6 s).</summary>
        public const int SilentAfterMs = 6000;

        public static void Run(AllocationRun run)
        {
            for (int i = 0; i < run.Count; i++)
                Derive(run, i);
        }

        static void Derive(AllocationRun run, int i)
        {
            AllocatorConfig config = run.Config;
            ObservationTable o = run.Seen;
            AllocationTable a = run.Plan;
            long now = run.NowMs;

            int phases = a.Phases[i];
            a.PreviousCurrent[i] = a.Current[i];
            a.PreviousPhases[i] = phases;
            a.Off[i] = false;
            a.Held[i] = false;
            a.ActiveAtStart[i] = false;
            a.SetReason(i, AllocationReason.None);

            bool heard = o.LastHeardMs[i] != ChargerObservation.Never;
            long silentMs = heard ? now - o.LastHeardMs[i] : long.MaxValue;

            if (heard)
                TrackTransitions(run, o, a, i);

            VehicleState state = o.State[i];
            bool isCharging = state == VehicleState.Charging;
            a.IsCharging[i] = isCharging;
            bool waitingStates = state == VehicleState.WaitingForRelease || state == VehicleState.Ready;
            bool stopped = o.CarStoppedCharging[i], supports = o.SupportedCurrent[i] != 0;
            a.WantsToCharge[i] = (!stopped && supports && waitingStates) || isCharging;
            bool probablyFull = stopped && supports && waitingStates;
            a.ProbablyFull[i] = probablyFull;
            if (probablyFull && !a.WasProbablyFull[i])
                a.LastWakeupMs[i] = now - config.WakeupTimeMs - 1; // counts as "woke up without success" until tried
            if (!waitingStates)
                a.LastWakeupMs[i] = ChargerAllocation.Never;
            a.WasProbablyFull[i] = probablyFull;
            a.RequestedCurrent[i] = Requested(config, o, a, i, now);

            // Within the hysteresis after a switch the count stays where we switched it to (the charger
            // reports the old count while it is still switching); a charger that cannot switch keeps its own.
            bool phaseLocked = a.LastPhaseSwitchMs[i] != ChargerAllocation.Never && now < a.LastPhaseSwitchMs[i] + config.GlobalHysteresisMs;
            int reported = o.ReportedPhases[i] == 1 ? 1 : 3;
            if (!o.CanSwitchPhases[i])
                a.PinnedPhases[i] = reported; // physics first: e.g. a contactor in front of it decides
            else if (phaseLocked)
                a.PinnedPhases[i] = phases != 0 ? phases : reported;
            else
                a.PinnedPhases[i] = 0;

            if (run.GroupBlocked)
                TurnOff(a, i, AllocationReason.GroupBlocked);
            else if (!heard || silentMs > config.UnreachableHoldMs)
                TurnOff(a, i, AllocationReason.Unreachable);
            else if (o.ErrorCode[i] != 0)
                TurnOff(a, i, AllocationReason.ChargerError);
            else if (silentMs > SilentAfterMs && phases == 0)
                TurnOff(a, i, AllocationReason.Unreachable); // never start a charger that may not hear us
            else if (silentMs > SilentAfterMs)
            {
                // It may not hear us: keep what it was given in the budget until the hold ends.
                a.Held[i] = true;
                a.SetReason(i, AllocationReason.UnreachableKeepsBudget, 0, o.LastHeardMs[i] + config.UnreachableHoldMs);
            }
            else
            {
                a.Current[i] = 0; // recomputed by the stages; phases carry over for the rotation stage
                if (state == VehicleState.NotConnected)
                    a.SetReason(i, AllocationReason.NoVehicle);
            }
        }

        static void TurnOff(AllocationTable a, int i, AllocationReason reason)
        {
            a.Off[i] = true;
            a.Current[i] = 0;
            a.Phases[i] = 0;
            a.SetReason(i, reason);
        }

        static void TrackTransitions(AllocationRun run, ObservationTable o, AllocationTable a, int i)
        {
            long now = run.NowMs;
            bool plugged = o.State[i] != VehicleState.NotConnected;
            if (plugged && !a.WasPluggedIn[i])
            {
                a.LastPlugInMs[i] = now;
                a.AllocatedChargeMaMs[i] = 0;
                // No welcome for a car that was already there when we first saw the charger.
                a.WelcomeUntilMs[i] = a.Observed[i] && run.Config.PlugInTimeMs > 0 ? WelcomePending : ChargerAllocation.Never;
            }
            if (!plugged)
            {
                a.WelcomeUntilMs[i] = ChargerAllocation.Never;
                a.LastWakeupMs[i] = ChargerAllocation.Never;
                a.LastPhaseSwitchMs[i] = ChargerAllocation.Never;
                a.AllocatedChargeMaMs[i] = 0;
                a.WasProbablyFull[i] = false;
            }
            bool enteredCharging = o.State[i] == VehicleState.Charging && a.LastState[i] != VehicleState.Charging;
            bool stoppedCharging = a.LastState[i] == VehicleState.Charging && o.State[i] == VehicleState.Ready;
            if (a.Observed[i] && (enteredCharging || stoppedCharging))
                a.LastPhaseSwitchMs[i] = now; // some cars restart after a phase switch even when full
            a.WasPluggedIn[i] = plugged;
            a.LastState[i] = o.State[i];
            a.Observed[i] = true;
        }

        /// <summary>Welcome charge granted but not started: its end is set when the charger gets phases.</summary>
        public const long WelcomePending = long.MaxValue;

        static int Requested(AllocatorConfig config, ObservationTable o, AllocationTable a, int i, long now)
        {
            int supported = Ints.Min(o.SupportedCurrent[i], AllocatorConfig.MaxChargerCurrent);
            if (now < a.UseSupportedUntilMs[i])
                return supported; // fast ramp-up: let the car show what it can take
            if (o.State[i] != VehicleState.Charging || o.TimeSinceStateChangeMs[i] < config.RequestedCurrentThresholdMs)
                return supported;

            float l1 = o.LineCurrent1[i], l2 = o.LineCurrent2[i], l3 = o.LineCurrent3[i];
            int measured;
            if (float.IsNaN(l1) || float.IsNaN(l2) || float.IsNaN(l3))
                measured = AllocatorConfig.MaxChargerCurrent; // NaN: no meter
            else
            {
                float largest = l1 > l2 ? l1 : l2;
                largest = largest > l3 ? largest : l3;
                measured = (int)(largest * 1000f); // truncates toward zero, as WARP does
                if (measured == 0)
                    measured = AllocatorConfig.MaxChargerCurrent; // old firmware sends 0 without a meter
            }
            long request = (long)measured + config.RequestedCurrentMarginMa;
            if (request > AllocatorConfig.MaxChargerCurrent)
                request = AllocatorConfig.MaxChargerCurrent;
            if (request < AllocatorConfig.MinRequestedCurrent)
                request = AllocatorConfig.MinRequestedCurrent;
            return Ints.Min(supported, (int)request);
        }
    }
}
