using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Allocation
{
    /// <summary>
    /// The shared workspace of one allocator run: inputs, the per-phase budget and the scratch
    /// arrays every stage uses. Sized once for the configured number of chargers, so a run
    /// allocates nothing.
    /// </summary>
    public sealed class AllocationRun
    {
        public readonly AllocatorConfig Config;
        ChargerObservation[] observations;
        ChargerAllocation[] allocations;

        /// <summary>Views of <see cref="Seen"/>'s rows, made on first use (the stages read the columns).</summary>
        public ChargerObservation[] Observations
        {
            get
            {
                if (observations == null)
                    observations = Seen.Views();
                return observations;
            }
        }

        /// <summary>Views of <see cref="Plan"/>'s rows, made on first use.</summary>
        public ChargerAllocation[] Allocations
        {
            get
            {
                if (allocations == null)
                    allocations = Plan.Views();
                return allocations;
            }
        }

        /// <summary>The same data as columns: what the stages' hot loops read (<see cref="Observations"/>[i] is row i).</summary>
        public readonly ObservationTable Seen;
        /// <summary>The same data as columns (<see cref="Allocations"/>[i] is row i).</summary>
        public readonly AllocationTable Plan;
        public readonly int Count;

        public long NowMs;

        /// <summary>Local wall-clock time of day (ms since midnight) when the clock is synced, else -1.</summary>
        public long TimeOfDayMs = -1;

        /// <summary>Hard per-phase limits [PV, L1, L2, L3] for this run.</summary>
        public readonly int[] Limit = new int[Phase.VectorLength];

        /// <summary>
        /// What a new switch-on beside active chargers must fit: the lowest limit seen within the
        /// hysteresis (never above <see cref="Limit"/>). A limit that dropped a minute ago will
        /// probably drop again; a charger started into the gap would be shed at the next drop.
        /// </summary>
        public readonly int[] AdmissionLimit = new int[Phase.VectorLength];
        /// <summary>Per phase: until when (ms) the admission limit stays at the recent low, if no lower value comes; Never while it is the limit.</summary>
        public readonly long[] AdmissionLowUntilMs = new long[Phase.VectorLength];
        /// <summary>Minimums of the chargers this run found held out only by the admission limit, per [PV, L1, L2, L3]: they would start together once the limit holds.</summary>
        public readonly int[] HeldOutMin = new int[Phase.VectorLength];

        /// <summary>Limit minus the cost of every current granted so far in this run.</summary>
        public readonly int[] Remaining = new int[Phase.VectorLength];

        /// <summary>Σ of the minimum cost of every charger that has phases (held chargers at their current).</summary>
        public readonly int[] WindowMin = new int[Phase.VectorLength];

        /// <summary>Σ of what the chargers with phases would take at their requested current (stage 5's "could they absorb it?").</summary>
        public readonly int[] WindowMax = new int[Phase.VectorLength];

        public bool GroupBlocked;
        public long LastHysteresisResetMs = ChargerAllocation.Never;
        public long NextRotationMs = ChargerAllocation.Never;
        public bool RotationDue;

        internal readonly int[] Order;
        internal readonly long[] Key;
        internal readonly int[] Shape;   // the balance stage's per-charger phases drawn on
        internal readonly int[] UsersPerPhase = new int[Phase.VectorLength];
        internal readonly int[] Load = new int[Phase.VectorLength];

        public AllocationRun(AllocatorConfig config, ChargerObservation[] observations, ChargerAllocation[] allocations)
            : this(config, ObservationTable.Of(observations), AllocationTable.Of(allocations))
        {
            this.observations = observations;
            this.allocations = allocations;
        }

        public AllocationRun(AllocatorConfig config, ObservationTable observations, AllocationTable allocations)
        {
            Config = config;
            Seen = observations;
            Plan = allocations;
            Count = allocations.Count;
            Order = new int[Count];
            Key = new long[Count];
            Shape = new int[Count];
        }

        /// <summary>
        /// Per-charger hysteresis: a charger may be switched (on, off by choice, or to another phase
        /// count) once the hysteresis has passed since its own last switch; other chargers never
        /// make it wait. Hard limits (shedding) ignore it, and a shed does not restart it: a charger
        /// shed by a lower limit or for a welcome charge may return once it fits, but never sooner
        /// than the hysteresis after its last switch-on, so its contactor closes at most once per
        /// hysteresis.
        /// </summary>
        public bool MaySwitch(int charger)
        {
            long last = Plan.LastSwitchMs[charger];
            return last == ChargerAllocation.Never || NowMs >= last + Config.GlobalHysteresisMs;
        }

        /// <summary>When the charger's own hysteresis ends (ms, manager uptime).</summary>
        public long SwitchAllowedFromMs(int charger)
        {
            return Plan.LastSwitchMs[charger] + Config.GlobalHysteresisMs;
        }

        /// <summary>
        /// Fairness key: the charge allocated since plug-in per time plugged in (mA × phases, i.e. the
        /// average allocation while plugged in). Equal average power while plugged in is what users
        /// call fair; a late arrival is not made to catch up on absolute charge. The plugged time
        /// counts at least one allocation interval, so a car plugged in a moment ago is not ranked
        /// by a few milliseconds.
        /// </summary>
        public long FairnessKey(int charger)
        {
            long plugIn = Plan.LastPlugInMs[charger];
            long plugged = plugIn == ChargerAllocation.Never ? 0 : NowMs - plugIn;
            if (plugged < Config.AllocationIntervalMs)
                plugged = Config.AllocationIntervalMs;
            if (plugged < 1)
                plugged = 1;
            return Plan.AllocatedChargeMaMs[charger] / plugged;
        }

        public PhaseRotation RotationOf(int charger)
        {
            return Seen.Rotation[charger];
        }

        /// <summary>A charger the stages may change: has phases or may get them, and is neither off nor held.</summary>
        public bool IsFree(int charger)
        {
            return !Plan.Off[charger] && !Plan.Held[charger];
        }

        /// <summary>How many chargers have phases in the plan so far.</summary>
        public int CountActive()
        {
            int active = 0;
            int[] phases = Plan.Phases;
            for (int i = 0; i < Count; i++)
                if (phases[i] > 0)
                    active++;
            return active;
        }

        /// <summary>Minimum cost of the charger on the grid phase if it ran on these phases.</summary>
        public int MinimumCostOn(int gridPhase, int charger, int phases)
        {
            return Cost.On(gridPhase, Config.MinimumFor(phases), phases, RotationOf(charger));
        }

        public void RecomputeWindowMin()
        {
            for (int p = 0; p < Phase.VectorLength; p++)
                WindowMin[p] = 0;
            AllocationTable t = Plan;
            for (int i = 0; i < Count; i++)
            {
                int phases = t.Phases[i];
                if (phases == 0)
                    continue;
                int current = t.Held[i] ? t.Current[i] : Config.MinimumFor(phases);
                Cost.Add(WindowMin, 0, current, phases, Seen.Rotation[i], 1);
            }
        }

        /// <summary>
        /// Would the charger's start (its enable current on these phases) fit beside the minimums of
        /// everyone already active? Returns 0 when it fits, else the first grid phase that lacks current.
        /// </summary>
        public int PhaseBlockingStart(int charger, int phases, bool othersActive, int alreadyCountedPhases)
        {
            return PhaseBlockingStart(charger, phases, othersActive, alreadyCountedPhases, othersActive ? AdmissionLimit : Limit);
        }

        /// <summary>As above, against the given per-phase limits.</summary>
        public int PhaseBlockingStart(int charger, int phases, bool othersActive, int alreadyCountedPhases, int[] limit)
        {
            int enable = Config.EnableCurrentFor(phases, othersActive);
            PhaseRotation rotation = RotationOf(charger);
            for (int p = Phase.L1; p <= Phase.L3; p++)
            {
                int add = Cost.On(p, enable, phases, rotation);
                if (add == 0)
                    continue;
                int counted = alreadyCountedPhases == 0 ? 0 : MinimumCostOn(p, charger, alreadyCountedPhases);
                if (WindowMin[p] - counted + add > limit[p])
                    return p;
            }
            return 0;
        }

        /// <summary>The most current the charger may still get on its phases from the remaining budget.</summary>
        public int Headroom(int charger)
        {
            int phases = Plan.Phases[charger];
            if (phases == 0)
                return Phase.Unlimited; // uses no phase
            int room = Phase.Unlimited;
            int p1 = phases == 3 ? 0 : Rotation.GridPhaseOfP1(Seen.Rotation[charger]);
            for (int p = Phase.L1; p <= Phase.L3; p++)
                if ((p1 == 0 || p1 == p) && Remaining[p] < room) // Cost.Uses, inline
                    room = Remaining[p];
            return room > 0 ? room : 0;
        }

        /// <summary>
        /// The grid phases the charger loads at its present phase count, as bits (1 &lt;&lt; Phase.L1 …):
        /// <see cref="Cost.Uses"/> for L1..L3 in one call, for loops that would ask three times.
        /// </summary>
        public int UsedPhases(int charger)
        {
            int phases = Plan.Phases[charger];
            if (phases == 0)
                return 0;
            int p1 = phases == 3 ? 0 : Rotation.GridPhaseOfP1(Seen.Rotation[charger]);
            return p1 == 0 ? AllGridPhases : 1 << p1;
        }

        /// <summary>L1, L2 and L3 as bits of <see cref="UsedPhases"/>.</summary>
        public const int AllGridPhases = (1 << Phase.L1) | (1 << Phase.L2) | (1 << Phase.L3);

        /// <summary>The grid phase with the least remaining budget among those the charger uses.</summary>
        public int TightestPhase(int charger)
        {
            int used = UsedPhases(charger);
            int tightest = 0;
            for (int p = Phase.L1; p <= Phase.L3; p++)
                if ((used & (1 << p)) != 0 && (tightest == 0 || Remaining[p] < Remaining[tightest]))
                    tightest = p;
            return tightest;
        }

        /// <summary>Adds current to a charger and takes its cost from the remaining budget.</summary>
        public void Grant(int charger, int amount)
        {
            if (amount <= 0)
                return;
            Cost.Add(Remaining, 0, amount, Plan.Phases[charger], Seen.Rotation[charger], -1);
            Plan.Current[charger] += amount;
        }

        /// <summary>Clears a charger's phases and current, returning its cost to the budget.</summary>
        public void Release(int charger, AllocationReason reason, int phase, long untilMs)
        {
            AllocationTable t = Plan;
            if (t.Current[charger] > 0)
                Cost.Add(Remaining, 0, t.Current[charger], t.Phases[charger], Seen.Rotation[charger], 1);
            t.Current[charger] = 0;
            t.Phases[charger] = 0;
            t.SetReason(charger, reason, phase, untilMs);
        }
    }

}
