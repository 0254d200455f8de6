using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Contactor;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Link;
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
        /// <summary>What is known of each charger, compact on nanoFramework: row i is charger i. The link writes it.</summary>
        public readonly ObservationTable ObservationTable;
        /// <summary>The allocator's plan and memory per charger: row i is charger i.</summary>
        public readonly AllocationTable AllocationTable;

        // Views of the rows, made on first use: the core reads and writes the tables, and on nanoCLR 64 views
        // and their array would hold about 6 KB (a heap block per field, 24 B each on this 64-bit host).
        ChargerObservation[] observations;
        ChargerAllocation[] allocations;

        /// <summary>Charger i's observation (a view of <see cref="ObservationTable"/>'s row i; made on first use).</summary>
        public ChargerObservation[] Observations
        {
            get
            {
                if (observations == null)
                    observations = ObservationTable.Views();
                return observations;
            }
        }

        /// <summary>Charger i's plan and allocator memory (a view of <see cref="AllocationTable"/>'s row i; made on first use).</summary>
        public ChargerAllocation[] Allocations
        {
            get
            {
                if (allocations == null)
                    allocations = AllocationTable.Views();
                return allocations;
            }
        }
        public readonly Allocator Allocator;
        public readonly TransitionGuard Guard;
        public readonly AllocationScheduler Scheduler;

        readonly int[] limit = new int[Phase.VectorLength];
        readonly bool[] pluggedIn;

        // Chargers that may not follow our commands, and the most each may draw (mA, phases).
        readonly bool[] uncontrolled;
        readonly int[] worstCurrent;
        readonly int[] worstPhases;
        /// <summary>Σ of the uncontrolled chargers' worst case and of what removed chargers may still draw, per [PV, L1, L2, L3]: the allocator plans within limit − reserved.</summary>
        public readonly int[] Reserved = new int[Phase.VectorLength];
        readonly int[] reservedBefore = new int[Phase.VectorLength];

        // Chargers config changes removed, until they have surely fallen back to 0 A without our commands:
        // their hosts, what each may still draw on L1..L3 (3 per charger) and until when (null: none), and
        // the limit the guard rolls out within meanwhile.
        string[] departedHosts;
        int[] departedDraw;
        long[] departedUntilMs;
        readonly int[] guardLimit = new int[Phase.VectorLength];

        /// <summary>How many chargers the last <see cref="CarryFrom"/> removed that may still draw.</summary>
        public int DepartedDrawing;

        // With a contactor in front of the group: what every charger gets while it switches or is in error
        // (0 A on 0 phases: one array of zeros serves as both), and the vehicle states from before the
        // switch, which the allocator keeps seeing meanwhile.
        readonly int[] zeroPlan;
        readonly VehicleState[] stateBeforeSwitch;
        readonly bool[] fullBeforeSwitch;
        bool wasSwitching;

        public Distributor(AllocatorConfig config, int chargerCount)
        {
            Config = config;
            ObservationTable = new ObservationTable(chargerCount);
            AllocationTable = new AllocationTable(chargerCount);
            pluggedIn = new bool[chargerCount];
            uncontrolled = new bool[chargerCount];
            worstCurrent = new int[chargerCount];
            worstPhases = new int[chargerCount];
            zeroPlan = new int[chargerCount];
            stateBeforeSwitch = new VehicleState[chargerCount];
            fullBeforeSwitch = new bool[chargerCount];
            Allocator = new Allocator(config, ObservationTable, AllocationTable);
            Guard = new TransitionGuard(config, ObservationTable);
            Scheduler = new AllocationScheduler(config);
            limit[Phase.PV] = Phase.Unlimited;
        }

        public int Count { get { return AllocationTable.Count; } }

        /// <summary>
        /// Carries what the previous group knew of the chargers that stay (previousIndex[i]: charger i's
        /// index in previous, or -1 for a new one): observations and the allocator's per-charger memory
        /// (their values, copied into this group's tables), the guard's commands and envelopes, the contactor. A new charger is
        /// unknown: it may draw 32 A on three phases until it echoes a command or has been told 0 A for
        /// the fallback time (counted from now). Call right after construction.
        /// </summary>
        public void CarryFrom(Distributor previous, int[] previousIndex, long nowMs, string[] previousHosts, string[] hosts)
        {
            for (int i = 0; i < Count; i++)
            {
                int k = previousIndex[i];
                if (k < 0)
                {
                    Guard.Forget(i);
                    Guard.CommandSinceMs[i] = nowMs;
                    continue;
                }
                PhaseRotation rotation = ObservationTable.Rotation[i]; // the caller set the new wiring
                ObservationTable.CopyRow(i, previous.ObservationTable, k);
                AllocationTable.CopyRow(i, previous.AllocationTable, k);
                pluggedIn[i] = previous.pluggedIn[k];
                uncontrolled[i] = previous.uncontrolled[k];
                worstCurrent[i] = previous.worstCurrent[k];
                worstPhases[i] = previous.worstPhases[k];
                stateBeforeSwitch[i] = previous.stateBeforeSwitch[k];
                fullBeforeSwitch[i] = previous.fullBeforeSwitch[k];
                Guard.CarryFrom(previous.Guard, k, i);
                if (ObservationTable.Rotation[i] != rotation)
                {
                    ObservationTable.Rotation[i] = rotation;
                    Guard.Forget(i); // counted for the old wiring
                }
            }
            KeepDeparted(previous, previousIndex, nowMs, previousHosts, hosts);
            Allocator.CarryFrom(previous.Allocator);
            Switcher = previous.Switcher;
            wasSwitching = previous.wasSwitching;
            for (int p = 0; p < Phase.VectorLength; p++)
                limit[p] = previous.limit[p];
            Scheduler.RequestNow();
        }

        /// <summary>
        /// A charger the new config leaves out gets no more commands (the link tells it 0 A for a while),
        /// but keeps the current it was allowed until its own fallback (WARP: 0 A after 30 s without a
        /// command). Until then what it may draw stays reserved
        /// (<see cref="TransitionGuard.ChargerFallbackProofMs"/> from now), beside what earlier removals
        /// still reserve, so a removal never lets the others take current it may still draw. One that is
        /// configured again is a new charger, counted as such (unknown: 32 A on three phases), not twice.
        /// </summary>
        void KeepDeparted(Distributor previous, int[] previousIndex, long nowMs, string[] previousHosts, string[] hosts)
        {
            // Once per config change: the arrays are made anew.
            bool[] stays = new bool[previous.Count];
            for (int i = 0; i < previousIndex.Length; i++)
                if (previousIndex[i] >= 0)
                    stays[previousIndex[i]] = true;
            int n = 0;
            int carried = previous.departedHosts == null ? 0 : previous.departedHosts.Length;
            bool[] carry = new bool[carried];
            for (int j = 0; j < carried; j++)
            {
                carry[j] = nowMs < previous.departedUntilMs[j] && HostName.IndexOf(hosts, previous.departedHosts[j]) < 0;
                if (carry[j])
                    n++;
            }
            DepartedDrawing = 0;
            bool[] draws = new bool[previous.Count];
            for (int k = 0; k < previous.Count; k++)
            {
                if (stays[k])
                    continue;
                for (int p = Phase.L1; p <= Phase.L3; p++)
                    draws[k] |= previous.Guard.MayDraw(k, p) > 0;
                if (draws[k])
                    DepartedDrawing++;
            }
            n += DepartedDrawing;
            if (n == 0)
                return;
            departedHosts = new string[n];
            departedDraw = new int[n * 3];
            departedUntilMs = new long[n];
            n = 0;
            for (int j = 0; j < carried; j++)
            {
                if (!carry[j])
                    continue;
                departedHosts[n] = previous.departedHosts[j];
                departedUntilMs[n] = previous.departedUntilMs[j];
                for (int p = 0; p < 3; p++)
                    departedDraw[n * 3 + p] = previous.departedDraw[j * 3 + p];
                n++;
            }
            for (int k = 0; k < previous.Count; k++)
            {
                if (!draws[k])
                    continue;
                departedHosts[n] = previousHosts[k];
                departedUntilMs[n] = nowMs + TransitionGuard.ChargerFallbackProofMs;
                for (int p = 0; p < 3; p++)
                    departedDraw[n * 3 + p] = previous.Guard.MayDraw(k, Phase.L1 + p);
                n++;
            }
        }

        /// <summary>What chargers config changes removed may still draw on the grid phase (mA) now; 0 once they have surely stopped.</summary>
        public int DepartedMayDraw(int phase, long nowMs)
        {
            if (departedHosts == null || phase < Phase.L1)
                return 0;
            int sum = 0;
            for (int j = 0; j < departedHosts.Length; j++)
                if (nowMs < departedUntilMs[j])
                    sum += departedDraw[j * 3 + phase - Phase.L1];
            return sum;
        }

        /// <summary>
        /// The link found that a charger may not follow our commands (management disabled on it, charge
        /// controller hung or not reacting), or that it follows them again. While it may not, it gets 0 A
        /// in the plan, and it is counted as drawing worstCurrent (mA, at most 32 A) on worstPhases (1 or
        /// 3, on its wiring; on all three when the wiring is unknown): the others share what is left of the
        /// limit, and nothing it does costs them more than that. Ours; WARP stops the whole group instead.
        /// </summary>
        public void SetUncontrolled(int charger, bool value, int current, int phases)
        {
            if (current > AllocatorConfig.MaxChargerCurrent || current < 0)
                current = AllocatorConfig.MaxChargerCurrent;
            uncontrolled[charger] = value;
            worstCurrent[charger] = current;
            worstPhases[charger] = phases == 1 ? 1 : 3;
        }

        public bool Uncontrolled(int charger)
        {
            return uncontrolled[charger];
        }

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
            ObservationTable o = ObservationTable;
            if (Switcher != null)
            {
                // Behind the contactor a charger has what the contactor gives, and cannot switch itself.
                o.ReportedPhases[charger] = Switcher.GroupPhases;
                o.CanSwitchPhases[charger] = false;
                if (Switcher.Switching)
                {
                    o.State[charger] = stateBeforeSwitch[charger];
                    o.CarStoppedCharging[charger] = fullBeforeSwitch[charger];
                }
            }
            if (o.LastHeardMs[charger] == ChargerObservation.Never)
                Scheduler.RequestNow(); // a charger appeared: give it a plan (and the others a fair share) at once
            o.LastHeardMs[charger] = nowMs;
            Guard.Confirm(charger, o.AppliedCurrent[charger], o.ReportedPhases[charger], nowMs);
            bool plugged = o.State[charger] != VehicleState.NotConnected;
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
            long[] lastHeard = ObservationTable.LastHeardMs;
            int hold = Config.UnreachableHoldMs;
            for (int i = 0; i < lastHeard.Length; i++)
            {
                long heard = lastHeard[i];
                if (heard == ChargerObservation.Never || nowMs - heard > hold) // SilentPastHold, inline: every tick, every charger
                    Guard.ReleaseSilent(i, nowMs);
            }
            Reserve(nowMs);
            if (Switcher != null)
            {
                TickSwitcher(nowMs);
                if (Switcher.HoldsAtZero)
                    return Guard.Rollout(zeroPlan, zeroPlan, guardLimit, nowMs); // the allocator's memory stays as it was
            }
            long steady = Allocator.AdmissionSteadyAtMs;
            if (steady != ChargerAllocation.Never && nowMs >= steady)
                Scheduler.RequestNow(); // whoever waited for the limit to hold steady starts now, not at the next interval
            if (Scheduler.IsDue(nowMs))
            {
                Allocator.Run(limit[Phase.L1] - Reserved[Phase.L1], limit[Phase.L2] - Reserved[Phase.L2],
                    limit[Phase.L3] - Reserved[Phase.L3], nowMs, timeOfDayMs);
                Scheduler.Ran(nowMs);
            }
            return Guard.Rollout(AllocationTable.Current, AllocationTable.Phases, guardLimit, nowMs);
        }

        /// <summary>
        /// Keeps the uncontrolled chargers' worst case in the guard and out of the allocator's budget, and
        /// removed chargers' current out of both until they have stopped; more reserved runs the allocator at once.
        /// </summary>
        void Reserve(long nowMs)
        {
            for (int p = 0; p < Phase.VectorLength; p++)
            {
                reservedBefore[p] = Reserved[p];
                Reserved[p] = 0;
            }
            bool[] guardReserved = Guard.Reserved;
            for (int i = 0; i < uncontrolled.Length; i++)
            {
                if (!uncontrolled[i])
                {
                    guardReserved[i] = false; // Guard.Unreserve(i), inline: every tick, every charger
                    continue;
                }
                Guard.Reserve(i, worstCurrent[i], worstPhases[i]);
                Cost.Add(Reserved, 0, worstCurrent[i], worstPhases[i], ObservationTable.Rotation[i], 1);
            }
            if (departedHosts != null)
            {
                bool any = false;
                for (int j = 0; j < departedHosts.Length; j++)
                    any |= nowMs < departedUntilMs[j];
                if (!any)
                    departedHosts = null; // all have stopped: nothing to add on later ticks
            }
            for (int p = 0; p < Phase.VectorLength; p++)
            {
                int departed = departedHosts == null ? 0 : DepartedMayDraw(p, nowMs);
                Reserved[p] += departed;
                guardLimit[p] = limit[p] == Phase.Unlimited ? limit[p] : limit[p] - departed;
            }
            bool more = false, less = false;
            for (int p = Phase.L1; p <= Phase.L3; p++)
            {
                more |= Reserved[p] > reservedBefore[p];
                less |= Reserved[p] < reservedBefore[p];
            }
            if (more)
                Scheduler.RequestNow();
            else if (less)
                Scheduler.RequestSoon();
        }

        /// <summary>Never heard, or silent longer than the hold: no longer counted on to draw anything.</summary>
        bool SilentPastHold(int charger, long nowMs)
        {
            long lastHeard = ObservationTable.LastHeardMs[charger];
            return lastHeard == ChargerObservation.Never || nowMs - lastHeard > Config.UnreachableHoldMs;
        }

        void TickSwitcher(long nowMs)
        {
            bool allZero = true, pilotsOff = true;
            ObservationTable o = ObservationTable;
            for (int i = 0; i < Count; i++)
            {
                bool gone = SilentPastHold(i, nowMs); // it has fallen back to 0 A on its own
                allZero &= gone || o.AppliedCurrent[i] == 0;
                pilotsOff &= gone || !o.SupportsPilotDisconnect[i] || o.PilotDisconnected[i];
            }
            int choice = PhaseSwitcher.Choose(limit[Phase.L1], limit[Phase.L2], limit[Phase.L3], Config);
            Switcher.Tick(nowMs, choice, allZero, pilotsOff);
            bool switching = Switcher.Switching;
            if (switching && !wasSwitching)
                for (int i = 0; i < Count; i++)
                {
                    stateBeforeSwitch[i] = o.State[i];
                    fullBeforeSwitch[i] = o.CarStoppedCharging[i];
                }
            if (!switching && wasSwitching)
            {
                for (int i = 0; i < Count; i++)
                    o.ReportedPhases[i] = Switcher.GroupPhases;
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
