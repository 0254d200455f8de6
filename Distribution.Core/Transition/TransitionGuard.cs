using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Transition
{
    /// <summary>
    /// Carries a plan to the chargers without ever letting the group exceed a phase limit on the way.
    ///
    /// For every charger it keeps an envelope: per phase, the most it may still draw. A charger may
    /// draw what it last confirmed applying, or any command sent to it since; so sending a command
    /// widens the envelope, and only a state packet that echoes the latest command (or a silence
    /// long enough that the charger has fallen back to 0 A on its own) narrows it.
    ///
    /// Reductions always go out at once. Anything that would widen an envelope goes out only if the
    /// sum of all envelopes stays within the limit on every phase; otherwise the charger waits (or gets
    /// the part that fits) until the reduced chargers confirm.
    /// </summary>
    public sealed class TransitionGuard
    {
        /// <summary>
        /// A state packet confirms a command only if it arrives this long after the command was first
        /// sent. Commands and states cross a LAN in milliseconds and a charger answers a command after
        /// about 300 ms, so an echo this late cannot be left over from an older command.
        /// </summary>
        public const int ConfirmAfterMs = 100;

        /// <summary>
        /// A charger that last could have heard a non-zero command this long ago draws nothing: either it
        /// hears us and follows our 0 A, or it has heard nothing since and its own 30 s fallback (spec §0)
        /// has cut it. 30 s plus a margin.
        /// </summary>
        public const int ChargerFallbackProofMs = 32000;

        readonly AllocatorConfig config;
        readonly ObservationTable seen;
        readonly int count;
        readonly int[] envelope;   // count × [PV, L1, L2, L3]
        readonly int[] reserve;    // count × [PV, L1, L2, L3]: the floor of the envelope of a charger that may not follow us
        readonly bool[] reserved;

        /// <summary>Per charger: reserved (<see cref="Reserve"/>) until <see cref="Unreserve"/>; the distributor clears it in its per-tick loop.</summary>
        internal bool[] Reserved { get { return reserved; } }
        // A charger whose envelope is the assumption of Forget (no echo since): the most it has reported
        // applying since, per phase. A command up to that is no increase; one above it must fit beside the
        // others like any widening, however far below the assumed 32 A it is (a charger added mid-run draws
        // 0 A until it is told more, and its 12 A is as real an increase as anyone's).
        readonly bool[] unconfirmed;
        readonly int[] reported;   // count × [PV, L1, L2, L3]
        readonly int[] total = new int[Phase.VectorLength];

        public readonly int[] CommandedCurrent;
        public readonly int[] CommandedPhases;

        /// <summary>Uptime when the current command value was decided (the link may send it a little later).</summary>
        public readonly long[] CommandSinceMs;

        /// <summary>True while a charger's plan is held back, or partly held back, for others to reduce first.</summary>
        public readonly bool[] WaitingForOthers;

        public TransitionGuard(AllocatorConfig config, ChargerObservation[] observations)
            : this(config, ObservationTable.Of(observations))
        {
        }

        /// <summary>For a group's observation table (row i: charger i).</summary>
        public TransitionGuard(AllocatorConfig config, ObservationTable observations)
        {
            this.config = config;
            seen = observations;
            count = observations.Count;
            envelope = new int[count * Phase.VectorLength];
            reserve = new int[count * Phase.VectorLength];
            reserved = new bool[count];
            unconfirmed = new bool[count];
            reported = new int[count * Phase.VectorLength];
            CommandedCurrent = new int[count];
            CommandedPhases = new int[count];
            CommandSinceMs = new long[count];
            WaitingForOthers = new bool[count];
            for (int i = 0; i < count; i++)
                Forget(i);
        }

        /// <summary>
        /// Nothing is known of what the charger draws (at start-up, or after its configuration changed):
        /// it may be anything up to the most a charger allows, on three phases, until it echoes a command
        /// of ours or is proven to have fallen back to 0 A.
        /// </summary>
        public void Forget(int charger)
        {
            int o = charger * Phase.VectorLength;
            unconfirmed[charger] = true;
            for (int p = 0; p < Phase.VectorLength; p++)
            {
                envelope[o + p] = Cost.On(p, AllocatorConfig.MaxChargerCurrent, 3, PhaseRotation.Unknown);
                reported[o + p] = 0;
            }
        }

        /// <summary>
        /// The charger may not follow our commands: until <see cref="Unreserve"/> it may draw current (mA)
        /// on phases (its worst case: the most it reports supporting or applying), whatever it echoes and
        /// however long it is silent.
        /// </summary>
        public void Reserve(int charger, int current, int phases)
        {
            PhaseRotation rotation = seen.Rotation[charger];
            int o = charger * Phase.VectorLength;
            reserved[charger] = true;
            for (int p = 0; p < Phase.VectorLength; p++)
            {
                // What it draws is its own choice now, not our commands': exactly its worst case.
                reserve[o + p] = Cost.On(p, current, phases, rotation);
                envelope[o + p] = reserve[o + p];
            }
        }

        /// <summary>It follows our commands again: its envelope narrows with its next echo, as anyone's.</summary>
        public void Unreserve(int charger)
        {
            reserved[charger] = false;
        }

        /// <summary>Takes over one charger's commands, envelope and reservation from the guard of the previous link (a changed charger list).</summary>
        public void CarryFrom(TransitionGuard previous, int previousCharger, int charger)
        {
            int from = previousCharger * Phase.VectorLength, to = charger * Phase.VectorLength;
            for (int p = 0; p < Phase.VectorLength; p++)
            {
                envelope[to + p] = previous.envelope[from + p];
                reserve[to + p] = previous.reserve[from + p];
            }
            reserved[charger] = previous.reserved[previousCharger];
            unconfirmed[charger] = previous.unconfirmed[previousCharger];
            for (int p = 0; p < Phase.VectorLength; p++)
                reported[to + p] = previous.reported[from + p];
            CommandedCurrent[charger] = previous.CommandedCurrent[previousCharger];
            CommandedPhases[charger] = previous.CommandedPhases[previousCharger];
            CommandSinceMs[charger] = previous.CommandSinceMs[previousCharger];
            WaitingForOthers[charger] = previous.WaitingForOthers[previousCharger];
        }

        /// <summary>The most the charger may still draw on the grid phase.</summary>
        public int MayDraw(int charger, int phase)
        {
            return envelope[charger * Phase.VectorLength + phase];
        }

        /// <summary>Σ over all chargers of what they may still draw on the grid phase.</summary>
        public int MayDrawTotal(int phase)
        {
            int sum = 0;
            for (int i = 0; i < count; i++)
                sum += envelope[i * Phase.VectorLength + phase];
            return sum;
        }

        /// <summary>
        /// A state packet from the charger: it applies appliedCurrent on reportedPhases right now.
        /// Narrows the envelope only when that is the latest command; widens it when the charger
        /// draws more than we thought (after our restart, or a charger that does not obey).
        /// </summary>
        public void Confirm(int charger, int appliedCurrent, int reportedPhases, long nowMs)
        {
            PhaseRotation rotation = seen.Rotation[charger];
            int phases = reportedPhases == 1 ? 1 : 3;
            int o = charger * Phase.VectorLength;
            bool echoesLatest = appliedCurrent == CommandedCurrent[charger]
                && nowMs >= CommandSinceMs[charger] + ConfirmAfterMs;
            if (echoesLatest)
                unconfirmed[charger] = false;
            for (int p = 0; p < Phase.VectorLength; p++)
            {
                int applied = Cost.On(p, appliedCurrent, phases, rotation);
                reported[o + p] = Ints.Max(reported[o + p], applied);
                if (echoesLatest)
                {
                    // Still moving between phase counts: it may land on the commanded one.
                    int commanded = Cost.On(p, CommandedCurrent[charger], CommandedPhases[charger], rotation);
                    envelope[o + p] = Ints.Max(applied, commanded);
                }
                else
                    envelope[o + p] = Ints.Max(envelope[o + p], applied);
                if (reserved[charger])
                    envelope[o + p] = Ints.Max(envelope[o + p], reserve[o + p]);
            }
        }

        /// <summary>
        /// For a charger we cannot hear: once our command to it has been 0 A for the fallback proof time,
        /// it draws nothing any more, whether it heard us or not.
        /// </summary>
        public void ReleaseSilent(int charger, long nowMs)
        {
            if (reserved[charger] || CommandedCurrent[charger] != 0 || nowMs < CommandSinceMs[charger] + ChargerFallbackProofMs)
                return;
            PhaseRotation rotation = seen.Rotation[charger];
            int o = charger * Phase.VectorLength;
            unconfirmed[charger] = false;
            for (int p = 0; p < Phase.VectorLength; p++)
                envelope[o + p] = Cost.On(p, CommandedCurrent[charger], CommandedPhases[charger], rotation);
        }

        /// <summary>
        /// Moves the commands toward the plan as far as the limits allow right now. Call after every
        /// allocator run and whenever confirmations may have made room. Returns true if a command changed.
        /// </summary>
        public bool Rollout(ChargerAllocation[] plan, int[] limit, long nowMs)
        {
            AllocationTable table = AllocationTable.Of(plan);
            return Rollout(table.Current, table.Phases, limit, nowMs);
        }

        /// <summary>As above, for the plan planCurrent[i] mA on planPhases[i] phases.</summary>
        public bool Rollout(int[] planCurrent, int[] planPhases, int[] limit, long nowMs)
        {
            bool changed = false, pending = false;
            int[] commandedCurrent = CommandedCurrent, commandedPhases = CommandedPhases;
            bool[] waiting = WaitingForOthers;
            // Pass 1: everything that widens no envelope, reductions above all.
            for (int i = 0; i < count; i++)
            {
                waiting[i] = false;
                int current = planCurrent[i], phases = planPhases[i];
                // IsCommanded, inline: most ticks every charger is (on nanoCLR a call costs more than this test).
                int commanded = commandedCurrent[i];
                if (commanded == current && (commandedPhases[i] == phases || current == 0 && commandedPhases[i] == 0))
                    continue;
                if (WithinEnvelope(i, current, phases))
                    changed |= Command(i, current, phases, nowMs);
                pending |= !IsCommanded(i, current, phases);
            }
            // Most ticks everything is commanded already: pass 2 would change nothing (and its totals are
            // only used there), so skip it; on nanoCLR that halves the rollout.
            if (!pending)
                return changed;

            for (int p = 0; p < Phase.VectorLength; p++)
                total[p] = MayDrawTotal(p);

            // Pass 2: increases, only where the sum of envelopes stays within every limit.
            for (int i = 0; i < count; i++)
            {
                int want = planCurrent[i], wantPhases = planPhases[i];
                if (IsCommanded(i, want, wantPhases))
                    continue;
                int fits = LargestFitting(i, wantPhases, limit);
                int minimum = config.MinimumFor(wantPhases);
                if (fits >= want)
                    changed |= Widen(i, want, wantPhases, nowMs);
                else if (fits >= minimum && fits > 0 && (wantPhases != CommandedPhases[i] || fits > CommandedCurrent[i]))
                {
                    changed |= Widen(i, fits, wantPhases, nowMs);
                    WaitingForOthers[i] = true;
                }
                else
                {
                    // Step toward the plan without widening: same phases as now, no more current than now.
                    int stay = CommandedPhases[i];
                    int lower = stay == 0 ? 0 : Ints.Min(CommandedCurrent[i], Ints.Max(want, config.MinimumFor(stay)));
                    if (stay != 0 && lower < CommandedCurrent[i])
                        changed |= Command(i, lower, stay, nowMs);
                    WaitingForOthers[i] = true;
                }
            }
            return changed;
        }

        bool IsCommanded(int i, int current, int phases)
        {
            return CommandedCurrent[i] == current && (CommandedPhases[i] == phases || current == 0 && CommandedPhases[i] == 0);
        }

        bool WithinEnvelope(int i, int current, int phases)
        {
            for (int p = 0; p < Phase.VectorLength; p++)
                if (CommandCost(i, p, current, phases) > NoIncreaseUpTo(i, p))
                    return false;
            return true;
        }

        /// <summary>Up to this cost on a phase a command raises nobody's draw: the envelope, or for a charger not
        /// yet confirmed the most it has reported applying.</summary>
        int NoIncreaseUpTo(int i, int p)
        {
            int o = i * Phase.VectorLength + p;
            return unconfirmed[i] ? Ints.Min(envelope[o], reported[o]) : envelope[o];
        }

        /// <summary>
        /// What a command may cost on a phase. A charger that can switch now stops, switches, then applies
        /// the new current on the new phases (its old draw is in the envelope already). One that cannot
        /// (fixed wiring, or a contactor in front of it) applies the current on the phases it has, so the
        /// worse of commanded and reported counts.
        /// </summary>
        int CommandCost(int i, int p, int current, int phases)
        {
            PhaseRotation rotation = seen.Rotation[i];
            int asCommanded = Cost.On(p, current, phases, rotation);
            if (phases == 0 || seen.CanSwitchPhases[i])
                return asCommanded;
            int asReported = Cost.On(p, current, seen.ReportedPhases[i] == 1 ? 1 : 3, rotation);
            return asReported > asCommanded ? asReported : asCommanded;
        }

        /// <summary>The largest current on these phases whose envelope still fits every grid limit.</summary>
        int LargestFitting(int i, int phases, int[] limit)
        {
            int o = i * Phase.VectorLength;
            int largest = AllocatorConfig.MaxChargerCurrent;
            for (int p = Phase.L1; p <= Phase.L3; p++)
            {
                if (CommandCost(i, p, 1, phases) == 0)
                    continue;
                int others = total[p] - envelope[o + p];
                // Up to its own envelope it widens nothing; beyond, it must fit beside the others.
                int room = Ints.Max(NoIncreaseUpTo(i, p), limit[p] - others);
                largest = Ints.Min(largest, room);
            }
            return Ints.Max(largest, 0);
        }

        bool Widen(int i, int current, int phases, long nowMs)
        {
            int o = i * Phase.VectorLength;
            for (int p = 0; p < Phase.VectorLength; p++)
            {
                int cost = CommandCost(i, p, current, phases);
                if (cost > envelope[o + p])
                {
                    total[p] += cost - envelope[o + p];
                    envelope[o + p] = cost;
                }
            }
            return Command(i, current, phases, nowMs);
        }

        bool Command(int i, int current, int phases, long nowMs)
        {
            if (IsCommanded(i, current, phases))
                return false;
            CommandedCurrent[i] = current;
            CommandedPhases[i] = current == 0 ? 0 : phases;
            CommandSinceMs[i] = nowMs;
            return true;
        }
    }
}
