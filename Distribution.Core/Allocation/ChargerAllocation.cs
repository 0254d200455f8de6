namespace ChargeManager.Distribution.Allocation
{
    /// <summary>
    /// The allocator's view of one charger: the plan of the last run (current, phases, reason) and
    /// the bookkeeping that carries over between runs (switch-on times, energy, welcome and
    /// wake-up timers). Fields marked "per run" are scratch, recomputed at the start of each run.
    /// </summary>
    public sealed class ChargerAllocation
    {
        public const long Never = long.MinValue / 4;

        // The plan.
        public int Current;
        public int Phases;
        public AllocationReason Reason;
        public int ReasonPhase;
        public long ReasonUntilMs = Never;

        // Carried between runs.
        public bool WasPluggedIn;
        public bool Observed;               // at least one run saw this charger's state
        public VehicleState LastState;
        public long LastPlugInMs = Never;
        public long LastSwitchOnMs = Never;
        /// <summary>Last time the plan switched this charger on, off by choice (not shed by a hard limit) or to another phase count: its own hysteresis counts from here.</summary>
        public long LastSwitchMs = Never;
        public long LastPhaseSwitchMs = Never;
        public long WelcomeUntilMs = Never;
        public long LastWakeupMs = Never;   // Never: not being woken up
        public long UseSupportedUntilMs = Never;
        public bool WasProbablyFull;

        /// <summary>Charge allocated since plug-in: Σ current × phases × time (mA·ms), as WARP's "allocated energy". Divided by the time plugged in, the fairness key.</summary>
        public long AllocatedChargeMaMs;


        // Per run.
        internal int PreviousCurrent;
        internal int PreviousPhases;
        internal bool Off;
        internal bool Held;                 // unreachable, but its last allocation stays in the budget
        internal bool WantsToCharge;
        internal bool ProbablyFull;
        internal bool IsCharging;
        internal bool ActiveAtStart;
        public int RequestedCurrent;        // what it would take: meter-based after the threshold, else supported
        internal int PinnedPhases;          // 0 = may choose 1 or 3

        public void SetReason(AllocationReason reason)
        {
            Reason = reason;
            ReasonPhase = 0;
            ReasonUntilMs = Never;
        }

        public void SetReason(AllocationReason reason, int phase, long untilMs)
        {
            Reason = reason;
            ReasonPhase = phase;
            ReasonUntilMs = untilMs;
        }
    }
}
