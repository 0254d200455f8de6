using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Contactor;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Scheduling;
using ChargeManager.Distribution.Transition;

namespace ChargeManager.Distribution
{
    /// <summary>
    /// One charger group: the limits, what is known of each charger, the allocator that plans,
    /// the scheduler that says when, and the guard that carries each plan to the chargers without
    /// overshoot. Transport-free: the link layer writes observations and reports state packets;
    /// it reads <see cref="CommandedCurrent"/> and <see cref="CommandedPhases"/> to send.
    /// Everything is sized at construction; <see cref="Tick"/> allocates nothing.
    /// </summary>
    public sealed class Distributor
    {
        public readonly AllocatorConfig Config;
        public readonly ChargerObservation[] Observations;
        public readonly ChargerAllocation[] Allocations;
        public readonly Allocator Allocator;
        public readonly TransitionGuard Guard;
        public readonly AllocationScheduler Scheduler;

        readonly int[] limit = new int[Phase.VectorLength];
        readonly bool[] pluggedIn;

        // With a contactor in front of the group: what every charger gets while it switches or is in error,
        // and the vehicle states from before the switch, which the allocator keeps seeing meanwhile.
        readonly ChargerAllocation[] zeroPlan;
        readonly VehicleState[] stateBeforeSwitch;
        readonly bool[] fullBeforeSwitch;
        bool wasSwitching;

        public Distributor(AllocatorConfig config, int chargerCount)
        {
            Config = config;
            Observations = new ChargerObservation[chargerCount];
            Allocations = new ChargerAllocation[chargerCount];
            pluggedIn = new bool[chargerCount];
            zeroPlan = new ChargerAllocation[chargerCount];
            stateBeforeSwitch = new VehicleState[chargerCount];
            fullBeforeSwitch = new bool[chargerCount];
            // The zero plan is only read (0 A, 0 phases): one shared entry, not one per charger. On nanoCLR a
            // ChargerAllocation holds 648 B on a 64-bit host (every field is a heap block), so this saves
            // about 40 KB there at 64 chargers.
            ChargerAllocation zero = new ChargerAllocation();
            for (int i = 0; i < chargerCount; i++)
            {
                Observations[i] = new ChargerObservation();
                Allocations[i] = new ChargerAllocation();
                zeroPlan[i] = zero;
            }
            Allocator = new Allocator(config, Observations, Allocations);
            Guard = new TransitionGuard(config, Observations);
            Scheduler = new AllocationScheduler(config);
            limit[Phase.PV] = Phase.Unlimited;
        }

        public int Count { get { return Allocations.Length; } }

        /// <summary>The group sits behind this contactor (null: none); it decides the group's phase count.</summary>
        public PhaseSwitcher Switcher;

        /// <summary>Chargers that support it should disconnect their control pilot now (during a phase switch).</summary>
        public bool PilotDisconnect { get { return Switcher != null && Switcher.PilotDisconnected; } }

        public int Limit(int phase)
        {
            return limit[phase];
        }

        /// <summary>Sets the per-phase limits. Anything lower takes effect on the next tick, not at the next interval.</summary>
        public void SetLimits(int l1, int l2, int l3)
        {
            bool lower = l1 < limit[Phase.L1] || l2 < limit[Phase.L2] || l3 < limit[Phase.L3];
            bool higher = l1 > limit[Phase.L1] || l2 > limit[Phase.L2] || l3 > limit[Phase.L3];
            limit[Phase.L1] = l1;
            limit[Phase.L2] = l2;
            limit[Phase.L3] = l3;
            if (lower)
                Scheduler.RequestNow();
            else if (higher)
                Scheduler.RequestSoon();
        }

        /// <summary>The same available current on every phase (the API's available_current).</summary>
        public void SetAvailableCurrent(int current)
        {
            SetLimits(current, current, current);
        }

        /// <summary>
        /// The link accepted a state packet and wrote it into Observations[charger]: confirm what the
        /// charger applies; react at once to a charger heard for the first time or an unplug, and soon
        /// (rate-limited) to a plug-in or a charger asking for it.
        /// </summary>
        public void StateReceived(int charger, long nowMs, bool requestsReallocation)
        {
            ChargerObservation o = Observations[charger];
            if (Switcher != null)
            {
                // Behind the contactor a charger has what the contactor gives, and cannot switch itself.
                o.ReportedPhases = Switcher.GroupPhases;
                o.CanSwitchPhases = false;
                if (Switcher.Switching)
                {
                    o.State = stateBeforeSwitch[charger];
                    o.CarStoppedCharging = fullBeforeSwitch[charger];
                }
            }
            if (o.LastHeardMs == ChargerObservation.Never)
                Scheduler.RequestNow(); // a charger appeared: give it a plan (and the others a fair share) at once
            o.LastHeardMs = nowMs;
            Guard.Confirm(charger, o.AppliedCurrent, o.ReportedPhases, nowMs);
            bool plugged = o.IsPluggedIn;
            if (plugged != pluggedIn[charger])
            {
                pluggedIn[charger] = plugged;
                if (plugged)
                    Scheduler.RequestSoon();
                else
                    Scheduler.RequestNow();
            }
            if (requestsReallocation)
                Scheduler.RequestSoon();
        }

        /// <summary>
        /// Runs the allocator when due and moves the commands toward its plan as far as is safe.
        /// timeOfDayMs: local time since midnight when the clock is synced, else -1.
        /// Returns true if any command changed.
        /// </summary>
        public bool Tick(long nowMs, long timeOfDayMs)
        {
            for (int i = 0; i < Count; i++)
            {
                if (SilentPastHold(i, nowMs))
                    Guard.ReleaseSilent(i, nowMs);
            }
            if (Switcher != null)
            {
                TickSwitcher(nowMs);
                if (Switcher.HoldsAtZero)
                    return Guard.Rollout(zeroPlan, limit, nowMs); // the allocator's memory stays as it was
            }
            if (Scheduler.IsDue(nowMs))
            {
                Allocator.Run(limit[Phase.L1], limit[Phase.L2], limit[Phase.L3], nowMs, timeOfDayMs);
                Scheduler.Ran(nowMs);
            }
            return Guard.Rollout(Allocations, limit, nowMs);
        }

        /// <summary>Never heard, or silent longer than the hold: no longer counted on to draw anything.</summary>
        bool SilentPastHold(int charger, long nowMs)
        {
            long lastHeard = Observations[charger].LastHeardMs;
            return lastHeard == ChargerObservation.Never || nowMs - lastHeard > Config.UnreachableHoldMs;
        }

        void TickSwitcher(long nowMs)
        {
            bool allZero = true, pilotsOff = true;
            for (int i = 0; i < Count; i++)
            {
                ChargerObservation o = Observations[i];
                bool gone = SilentPastHold(i, nowMs); // it has fallen back to 0 A on its own
                allZero &= gone || o.AppliedCurrent == 0;
                pilotsOff &= gone || !o.SupportsPilotDisconnect || o.PilotDisconnected;
            }
            int choice = PhaseSwitcher.Choose(limit[Phase.L1], limit[Phase.L2], limit[Phase.L3], Config);
            Switcher.Tick(nowMs, choice, allZero, pilotsOff);
            bool switching = Switcher.Switching;
            if (switching && !wasSwitching)
                for (int i = 0; i < Count; i++)
                {
                    stateBeforeSwitch[i] = Observations[i].State;
                    fullBeforeSwitch[i] = Observations[i].CarStoppedCharging;
                }
            if (!switching && wasSwitching)
            {
                for (int i = 0; i < Count; i++)
                    Observations[i].ReportedPhases = Switcher.GroupPhases;
                Scheduler.RequestNow(); // back to the allocator, on the new phase count
            }
            wasSwitching = switching;
        }

        public int CommandedCurrent(int charger)
        {
            return Guard.CommandedCurrent[charger];
        }

        public int CommandedPhases(int charger)
        {
            return Guard.CommandedPhases[charger];
        }
    }
}
