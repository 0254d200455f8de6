namespace ChargeManager.Distribution.Allocation
{
    /// <summary>
    /// The allocator's per-charger data of a group, one primitive array per value, indexed by charger
    /// (<see cref="ChargerAllocation"/> is a view of one row; the meaning of each column is on its
    /// property there). On nanoFramework every field of an object is a heap block (12 B on the ESP32)
    /// while an array of primitives holds 1–8 B per element: a charger's 27 values take 117 B there
    /// instead of 27 blocks. The allocator's hot loops read the arrays directly.
    /// </summary>
    public sealed class AllocationTable
    {
        public readonly int Count;
        public readonly int[] Current;
        public readonly int[] Phases;
        public readonly AllocationReason[] Reason;
        public readonly int[] ReasonPhase;
        public readonly long[] ReasonUntilMs;
        public readonly bool[] WasPluggedIn;
        public readonly bool[] Observed;
        public readonly VehicleState[] LastState;
        public readonly long[] LastPlugInMs;
        public readonly long[] LastSwitchOnMs;
        public readonly long[] LastSwitchMs;
        public readonly long[] LastPhaseSwitchMs;
        public readonly long[] WelcomeUntilMs;
        public readonly long[] LastWakeupMs;
        public readonly long[] UseSupportedUntilMs;
        public readonly bool[] WasProbablyFull;
        public readonly long[] AllocatedChargeMaMs;
        internal readonly int[] PreviousCurrent;
        internal readonly int[] PreviousPhases;
        internal readonly bool[] Off;
        internal readonly bool[] Held;
        internal readonly bool[] WantsToCharge;
        internal readonly bool[] ProbablyFull;
        internal readonly bool[] IsCharging;
        internal readonly bool[] ActiveAtStart;
        public readonly int[] RequestedCurrent;
        internal readonly int[] PinnedPhases;

        public AllocationTable(int count)
        {
            Count = count;
            Current = new int[count];
            Phases = new int[count];
            Reason = new AllocationReason[count];
            ReasonPhase = new int[count];
            ReasonUntilMs = new long[count];
            WasPluggedIn = new bool[count];
            Observed = new bool[count];
            LastState = new VehicleState[count];
            LastPlugInMs = new long[count];
            LastSwitchOnMs = new long[count];
            LastSwitchMs = new long[count];
            LastPhaseSwitchMs = new long[count];
            WelcomeUntilMs = new long[count];
            LastWakeupMs = new long[count];
            UseSupportedUntilMs = new long[count];
            WasProbablyFull = new bool[count];
            AllocatedChargeMaMs = new long[count];
            PreviousCurrent = new int[count];
            PreviousPhases = new int[count];
            Off = new bool[count];
            Held = new bool[count];
            WantsToCharge = new bool[count];
            ProbablyFull = new bool[count];
            IsCharging = new bool[count];
            ActiveAtStart = new bool[count];
            RequestedCurrent = new int[count];
            PinnedPhases = new int[count];
            for (int i = 0; i < count; i++)
                Clear(i);
        }

        /// <summary>Row i as before the first run.</summary>
        public void Clear(int i)
        {
            Current[i] = 0;
            Phases[i] = 0;
            Reason[i] = AllocationReason.None;
            ReasonPhase[i] = 0;
            ReasonUntilMs[i] = ChargerAllocation.Never;
            WasPluggedIn[i] = false;
            Observed[i] = false;
            LastState[i] = VehicleState.NotConnected;
            LastPlugInMs[i] = ChargerAllocation.Never;
            LastSwitchOnMs[i] = ChargerAllocation.Never;
            LastSwitchMs[i] = ChargerAllocation.Never;
            LastPhaseSwitchMs[i] = ChargerAllocation.Never;
            WelcomeUntilMs[i] = ChargerAllocation.Never;
            LastWakeupMs[i] = ChargerAllocation.Never;
            UseSupportedUntilMs[i] = ChargerAllocation.Never;
            WasProbablyFull[i] = false;
            AllocatedChargeMaMs[i] = 0;
            PreviousCurrent[i] = 0;
            PreviousPhases[i] = 0;
            Off[i] = false;
            Held[i] = false;
            WantsToCharge[i] = false;
            ProbablyFull[i] = false;
            IsCharging[i] = false;
            ActiveAtStart[i] = false;
            RequestedCurrent[i] = 0;
            PinnedPhases[i] = 0;
        }

        /// <summary>Copies row k of another table into row i of this one.</summary>
        public void CopyRow(int i, AllocationTable from, int k)
        {
            Current[i] = from.Current[k];
            Phases[i] = from.Phases[k];
            Reason[i] = from.Reason[k];
            ReasonPhase[i] = from.ReasonPhase[k];
            ReasonUntilMs[i] = from.ReasonUntilMs[k];
            WasPluggedIn[i] = from.WasPluggedIn[k];
            Observed[i] = from.Observed[k];
            LastState[i] = from.LastState[k];
            LastPlugInMs[i] = from.LastPlugInMs[k];
            LastSwitchOnMs[i] = from.LastSwitchOnMs[k];
            LastSwitchMs[i] = from.LastSwitchMs[k];
            LastPhaseSwitchMs[i] = from.LastPhaseSwitchMs[k];
            WelcomeUntilMs[i] = from.WelcomeUntilMs[k];
            LastWakeupMs[i] = from.LastWakeupMs[k];
            UseSupportedUntilMs[i] = from.UseSupportedUntilMs[k];
            WasProbablyFull[i] = from.WasProbablyFull[k];
            AllocatedChargeMaMs[i] = from.AllocatedChargeMaMs[k];
            PreviousCurrent[i] = from.PreviousCurrent[k];
            PreviousPhases[i] = from.PreviousPhases[k];
            Off[i] = from.Off[k];
            Held[i] = from.Held[k];
            WantsToCharge[i] = from.WantsToCharge[k];
            ProbablyFull[i] = from.ProbablyFull[k];
            IsCharging[i] = from.IsCharging[k];
            ActiveAtStart[i] = from.ActiveAtStart[k];
            RequestedCurrent[i] = from.RequestedCurrent[k];
            PinnedPhases[i] = from.PinnedPhases[k];
        }

        /// <summary>A view of every row (row i is element i).</summary>
        public ChargerAllocation[] Views()
        {
            ChargerAllocation[] views = new ChargerAllocation[Count];
            for (int i = 0; i < Count; i++)
                views[i] = new ChargerAllocation(this, i);
            return views;
        }

        /// <summary>
        /// The table behind these views, row i for views[i]. Views made one by one (tests, tools: each
        /// has a table of its own) are moved into one new table with their values, so the allocator can
        /// read columns; views already laid out so (a <see cref="Distributor"/>'s) keep theirs.
        /// </summary>
        public static AllocationTable Of(ChargerAllocation[] views)
        {
            int n = views.Length;
            if (n > 0)
            {
                AllocationTable shared = views[0].table;
                bool laidOut = shared.Count == n;
                for (int i = 0; i < n && laidOut; i++)
                    laidOut = views[i].table == shared && views[i].index == i;
                if (laidOut)
                    return shared;
            }
            AllocationTable table = new AllocationTable(n);
            for (int i = 0; i < n; i++)
            {
                table.CopyRow(i, views[i].table, views[i].index);
                views[i].table = table;
                views[i].index = i;
            }
            return table;
        }

        public void SetReason(int i, AllocationReason reason)
        {
            Reason[i] = reason;
            ReasonPhase[i] = 0;
            ReasonUntilMs[i] = ChargerAllocation.Never;
        }

        public void SetReason(int i, AllocationReason reason, int phase, long untilMs)
        {
            Reason[i] = reason;
            ReasonPhase[i] = phase;
            ReasonUntilMs[i] = untilMs;
        }
    }
}
