namespace ChargeManager.Distribution.Allocation
{
    /// <summary>
    /// The allocator's view of one charger: the plan of the last run (current, phases, reason) and
    /// the bookkeeping that carries over between runs (switch-on times, energy, welcome and
    /// wake-up timers). Values marked "per run" are scratch, recomputed at the start of each run.
    /// A view of one row of an <see cref="AllocationTable"/> (the values live there, compact on
    /// nanoFramework); one made with <c>new</c> has a table of its own until an allocator takes it into its.
    /// </summary>
    public sealed class ChargerAllocation
    {
        public const long Never = long.MinValue / 4;

        internal AllocationTable table;
        internal int index;

        public ChargerAllocation()
        {
            table = new AllocationTable(1);
        }

        internal ChargerAllocation(AllocationTable table, int index)
        {
            this.table = table;
            this.index = index;
        }

        // The plan.
        public int Current { get { return table.Current[index]; } set { table.Current[index] = value; } }
        public int Phases { get { return table.Phases[index]; } set { table.Phases[index] = value; } }
        public AllocationReason Reason { get { return table.Reason[index]; } set { table.Reason[index] = value; } }
        public int ReasonPhase { get { return table.ReasonPhase[index]; } set { table.ReasonPhase[index] = value; } }
        public long ReasonUntilMs { get { return table.ReasonUntilMs[index]; } set { table.ReasonUntilMs[index] = value; } }

        // Carried between runs.
        public bool WasPluggedIn { get { return table.WasPluggedIn[index]; } set { table.WasPluggedIn[index] = value; } }
        /// <summary>At least one run saw this charger's state.</summary>
        public bool Observed { get { return table.Observed[index]; } set { table.Observed[index] = value; } }
        public VehicleState LastState { get { return table.LastState[index]; } set { table.LastState[index] = value; } }
        public long LastPlugInMs { get { return table.LastPlugInMs[index]; } set { table.LastPlugInMs[index] = value; } }
        public long LastSwitchOnMs { get { return table.LastSwitchOnMs[index]; } set { table.LastSwitchOnMs[index] = value; } }
        /// <summary>Last time the plan switched this charger on, off by choice (not shed by a hard limit) or to another phase count: its own hysteresis counts from here.</summary>
        public long LastSwitchMs { get { return table.LastSwitchMs[index]; } set { table.LastSwitchMs[index] = value; } }
        public long LastPhaseSwitchMs { get { return table.LastPhaseSwitchMs[index]; } set { table.LastPhaseSwitchMs[index] = value; } }
        public long WelcomeUntilMs { get { return table.WelcomeUntilMs[index]; } set { table.WelcomeUntilMs[index] = value; } }
        /// <summary>Never: not being woken up.</summary>
        public long LastWakeupMs { get { return table.LastWakeupMs[index]; } set { table.LastWakeupMs[index] = value; } }
        public long UseSupportedUntilMs { get { return table.UseSupportedUntilMs[index]; } set { table.UseSupportedUntilMs[index] = value; } }
        public bool WasProbablyFull { get { return table.WasProbablyFull[index]; } set { table.WasProbablyFull[index] = value; } }
        /// <summary>Charge allocated since plug-in: Σ current × phases × time (mA·ms), as WARP's "allocated energy". Divided by the time plugged in, the fairness key.</summary>
        public long AllocatedChargeMaMs { get { return table.AllocatedChargeMaMs[index]; } set { table.AllocatedChargeMaMs[index] = value; } }

        // Per run.
        internal int PreviousCurrent { get { return table.PreviousCurrent[index]; } set { table.PreviousCurrent[index] = value; } }
        internal int PreviousPhases { get { return table.PreviousPhases[index]; } set { table.PreviousPhases[index] = value; } }
        internal bool Off { get { return table.Off[index]; } set { table.Off[index] = value; } }
        /// <summary>Unreachable, but its last allocation stays in the budget.</summary>
        internal bool Held { get { return table.Held[index]; } set { table.Held[index] = value; } }
        internal bool WantsToCharge { get { return table.WantsToCharge[index]; } set { table.WantsToCharge[index] = value; } }
        internal bool ProbablyFull { get { return table.ProbablyFull[index]; } set { table.ProbablyFull[index] = value; } }
        internal bool IsCharging { get { return table.IsCharging[index]; } set { table.IsCharging[index] = value; } }
        internal bool ActiveAtStart { get { return table.ActiveAtStart[index]; } set { table.ActiveAtStart[index] = value; } }
        /// <summary>What it would take: meter-based after the threshold, else supported.</summary>
        public int RequestedCurrent { get { return table.RequestedCurrent[index]; } set { table.RequestedCurrent[index] = value; } }
        /// <summary>0 = may choose 1 or 3.</summary>
        internal int PinnedPhases { get { return table.PinnedPhases[index]; } set { table.PinnedPhases[index] = value; } }

        public void SetReason(AllocationReason reason)
        {
            table.SetReason(index, reason);
        }

        public void SetReason(AllocationReason reason, int phase, long untilMs)
        {
            table.SetReason(index, reason, phase, untilMs);
        }
    }
}
