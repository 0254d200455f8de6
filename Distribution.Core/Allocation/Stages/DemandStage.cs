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
            ChargerObservation o = run.Observations[i];
            ChargerAllocation a = run.Allocations[i];
            long now = run.NowMs;

            a.PreviousCurrent = a.Current;
            a.PreviousPhases = a.Phases;
            a.Off = false;
            a.Held = false;
            a.ActiveAtStart = false;
            a.SetReason(AllocationReason.None);

            bool heard = o.LastHeardMs != ChargerObservation.Never;
            long silentMs = heard ? now - o.LastHeardMs : long.MaxValue;

            if (heard)
                TrackTransitions(run, o, a);

            a.IsCharging = o.State == VehicleState.Charging;
            bool waitingStates = o.State == VehicleState.WaitingForRelease || o.State == VehicleState.Ready;
            a.WantsToCharge = (!o.CarStoppedCharging && o.SupportedCurrent != 0 && waitingStates) || a.IsCharging;
            a.ProbablyFull = o.CarStoppedCharging && o.SupportedCurrent != 0 && waitingStates;
            if (a.ProbablyFull && !a.WasProbablyFull)
                a.LastWakeupMs = now - config.WakeupTimeMs - 1; // counts as "woke up without success" until tried
            if (!waitingStates)
                a.LastWakeupMs = ChargerAllocation.Never;
            a.WasProbablyFull = a.ProbablyFull;
            a.RequestedCurrent = Requested(config, o, a, now);

            // Within the hysteresis after a switch the count stays where we switched it to (the charger
            // reports the old count while it is still switching); a charger that cannot switch keeps its own.
            bool phaseLocked = a.LastPhaseSwitchMs != ChargerAllocation.Never && now < a.LastPhaseSwitchMs + config.GlobalHysteresisMs;
            int reported = o.ReportedPhases == 1 ? 1 : 3;
            if (!o.CanSwitchPhases)
                a.PinnedPhases = reported; // physics first: e.g. a contactor in front of it decides
            else if (phaseLocked)
                a.PinnedPhases = a.Phases != 0 ? a.Phases : reported;
            else
                a.PinnedPhases = 0;

            if (run.GroupBlocked)
                TurnOff(a, AllocationReason.GroupBlocked);
            else if (!heard || silentMs > config.UnreachableHoldMs)
                TurnOff(a, AllocationReason.Unreachable);
            else if (o.ErrorCode != 0)
                TurnOff(a, AllocationReason.ChargerError);
            else if (silentMs > SilentAfterMs && a.Phases == 0)
                TurnOff(a, AllocationReason.Unreachable); // never start a charger that may not hear us
            else if (silentMs > SilentAfterMs)
            {
                // It may not hear us: keep what it was given in the budget until the hold ends.
                a.Held = true;
                a.SetReason(AllocationReason.UnreachableKeepsBudget, 0, o.LastHeardMs + config.UnreachableHoldMs);
            }
            else
            {
                a.Current = 0; // recomputed by the stages; phases carry over for the rotation stage
                if (!o.IsPluggedIn)
                    a.SetReason(AllocationReason.NoVehicle);
            }
        }

        static void TurnOff(ChargerAllocation a, AllocationReason reason)
        {
            a.Off = true;
            a.Current = 0;
            a.Phases = 0;
            a.SetReason(reason);
        }

        static void TrackTransitions(AllocationRun run, ChargerObservation o, ChargerAllocation a)
        {
            long now = run.NowMs;
            bool plugged = o.IsPluggedIn;
            if (plugged && !a.WasPluggedIn)
            {
                a.LastPlugInMs = now;
                a.AllocatedChargeMaMs = 0;
                // No welcome for a car that was already there when we first saw the charger.
                a.WelcomeUntilMs = a.Observed && run.Config.PlugInTimeMs > 0 ? WelcomePending : ChargerAllocation.Never;
            }
            if (!plugged)
            {
                a.WelcomeUntilMs = ChargerAllocation.Never;
                a.LastWakeupMs = ChargerAllocation.Never;
                a.LastPhaseSwitchMs = ChargerAllocation.Never;
                a.AllocatedChargeMaMs = 0;
                a.WasProbablyFull = false;
            }
            bool enteredCharging = o.State == VehicleState.Charging && a.LastState != VehicleState.Charging;
            bool stoppedCharging = a.LastState == VehicleState.Charging && o.State == VehicleState.Ready;
            if (a.Observed && (enteredCharging || stoppedCharging))
                a.LastPhaseSwitchMs = now; // some cars restart after a phase switch even when full
            a.WasPluggedIn = plugged;
            a.LastState = o.State;
            a.Observed = true;
        }

        /// <summary>Welcome charge granted but not started: its end is set when the charger gets phases.</summary>
        public const long WelcomePending = long.MaxValue;

        static int Requested(AllocatorConfig config, ChargerObservation o, ChargerAllocation a, long now)
        {
            int supported = Ints.Min(o.SupportedCurrent, AllocatorConfig.MaxChargerCurrent);
            if (now < a.UseSupportedUntilMs)
                return supported; // fast ramp-up: let the car show what it can take
            if (o.State != VehicleState.Charging || o.TimeSinceStateChangeMs < config.RequestedCurrentThresholdMs)
                return supported;

            float l1 = o.LineCurrent1, l2 = o.LineCurrent2, l3 = o.LineCurrent3;
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
