using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Util;
using ChargeManager.Distribution.Protocol;

namespace ChargeManager.Distribution.Link
{
    /// <summary>
    /// The manager's side of the WARP charge-management protocol for one group (spec §1): matches state
    /// packets to chargers by source address and port, validates them, feeds the Distributor, and sends
    /// each charger its command: at once when it changed or when the charger asks urgently, and as a
    /// keep-alive about once a second, round-robin. Until every charger has answered (at most 30 s) it
    /// sends ignore-allocation packets and adopts what the chargers apply; after that, real commands,
    /// including 0 A to chargers never heard from. A charger that may not follow commands (management
    /// disabled, charge controller hung or not reacting) is counted at its worst case and the others
    /// share what is left (<see cref="Distributor.SetUncontrolled"/>); nothing from one charger's
    /// address stops the others. Transport-free: datagrams arrive through <see cref="Receive"/> and leave
    /// through <see cref="IDatagramSender"/>; the shell calls <see cref="Tick"/> every 50–100 ms.
    /// </summary>
    public sealed class GroupLink
    {
        public const int ManagerPort = 34127;
        public const int ChargerPort = 34128;
        public const int StartupGraceMs = 30000;
        public const int ReResolveAfterMs = 6000;
        public const int StartupResolveEveryMs = 1000;
        public const int FrozenUptimeMs = 10000;
        public const int UnreachableAfterMs = 32000;
        public const int NonreactiveAfterMs = 32000;

        readonly Distributor group;
        readonly IDatagramSender sender;
        readonly IHostResolver resolver;
        readonly CommandPacket command = new CommandPacket();
        readonly StatePacket state = new StatePacket();
        readonly byte[] sendBuffer = new byte[CommandPacket.MaxLength];
        readonly long startedMs;

        // What the link knows per charger, one primitive array per field, indexed by charger (on nanoCLR a
        // class field costs a 12-byte heap block on the ESP32, an array element only its size): 64 chargers
        // took 50,592 B on the 64-bit host's nanoCLR as one object each, and take 7,968 B so.
        readonly TextList hosts;              // the config's own list (not copied; a new config makes a new link)
        readonly byte[] kinds;                // HostKind
        readonly uint[] addresses;            // 0 until resolved; a stale address keeps being used while a new resolution runs
        readonly long[] lastResolveRequestMs;
        readonly ushort[] lastSeenSeq;
        readonly byte[] stateVersions;
        readonly uint[] lastEvseUptime;
        readonly long[] lastAcceptedMs;       // Never until heard
        readonly short[] errors;              // ChargerError, below 192 + 256
        readonly uint[] uids;                 // ESP32 UID, learned from the first state packet accepted from its address
        readonly ushort[] worstCurrent;       // mA it may draw if it does not follow us: the most it reports it supports or applies, at most 32 A
        readonly byte[] worstPhases;          // 3 unless it is fixed to 1
        readonly long[] resumedMs;            // accepted again after not being: it may not have our command yet
        readonly int[] lastSentCurrent;       // -1: nothing sent
        readonly sbyte[] lastSentPhases;
        readonly byte[] flags;                // Flag* bits
        readonly int[] counters;              // [charger * Counters + Count*]

        const byte FlagUidKnown = 1, FlagUrgentReplyDue = 2, FlagLastSendWasUrgent = 4, FlagLastSentIgnore = 8,
            FlagLastSentPilotDisconnect = 16, FlagUncontrolled = 32, FlagPushDue = 64;
        public const int CountAccepted = 0, CountStale = 1, CountInvalid = 2, CountUnmanaged = 3, CountFrozenUptime = 4,
            CountSent = 5, CountForeignUid = 6, CountUidChanges = 7, CountImplausible = 8;
        const int Counters = 9;
        const long Never = ChargerLink.Never;

        // Chargers a config change removed: told 0 A once a second until they have surely fallen back on
        // their own (the Distributor keeps what they may draw reserved that long).
        // (null: none), each until 32 s after its own removal.
        uint[] farewellAddresses;
        byte[] farewellVersions;
        long[] farewellUntilMs;
        long nextFarewellMs = Never;

        ushort nextSeq = 1;
        bool startupOver;
        long startupEndedMs;
        int roundRobin;
        long nextKeepAliveMs;

        /// <summary>Datagrams from addresses that are no configured charger.</summary>
        public int UnknownSource;
        public int DatagramsSent;

        /// <summary>
        /// Counts every change of a charger's error, identity or "may not follow commands" and the end of
        /// the start-up, so that a caller can tell in O(1) that none of these changed since it last looked.
        /// </summary>
        public int Changes;

        /// <summary>Counts the state packets accepted (and so observations written), for the same purpose.</summary>
        public int StatesAccepted;

        public GroupLink(Distributor group, TextList hosts, IDatagramSender sender, IHostResolver resolver, long nowMs)
        {
            this.group = group;
            this.sender = sender;
            this.resolver = resolver;
            startedMs = nowMs;
            nextKeepAliveMs = nowMs;
            int n = hosts.Length;
            this.hosts = hosts;
            kinds = new byte[n];
            addresses = new uint[n];
            lastResolveRequestMs = new long[n];
            lastSeenSeq = new ushort[n];
            stateVersions = new byte[n];
            lastEvseUptime = new uint[n];
            lastAcceptedMs = new long[n];
            errors = new short[n];
            uids = new uint[n];
            worstCurrent = new ushort[n];
            worstPhases = new byte[n];
            resumedMs = new long[n];
            lastSentCurrent = new int[n];
            lastSentPhases = new sbyte[n];
            flags = new byte[n];
            counters = new int[n * Counters];
            for (int i = 0; i < n; i++)
            {
                string host = hosts[i];
                HostKind kind = HostName.Classify(host);
                kinds[i] = (byte)kind;
                uint address;
                if (kind == HostKind.Ipv4Literal && HostName.TryParseIpv4(host, out address))
                    addresses[i] = address;
                lastResolveRequestMs[i] = Never;
                lastSeenSeq[i] = SequenceNumbers.InitialLastSeen;
                lastAcceptedMs[i] = Never;
                worstCurrent[i] = AllocatorConfig.MaxChargerCurrent;
                worstPhases[i] = 3;
                resumedMs[i] = Never;
                lastSentCurrent[i] = -1;
                lastSentPhases[i] = -1;
                flags[i] = FlagPushDue;
            }
        }

        /// <summary>
        /// A new link for a changed charger list that keeps everything the previous link knew of the
        /// chargers that stay (matched by host, not by position: previousIndex[i] is charger i's index in
        /// the previous link, or -1 for a new charger): their address, sequence numbers, identity, errors
        /// and timing, and the sequence counter and start-up phase of the group. So a reordered or
        /// extended config interrupts nobody and needs no new start-up. The Distributor must carry the
        /// same chargers (<see cref="Distributor.CarryFrom"/>).
        /// </summary>
        public GroupLink(Distributor group, TextList hosts, IDatagramSender sender, IHostResolver resolver, long nowMs,
            GroupLink previous, int[] previousIndex)
            : this(group, hosts, sender, resolver, nowMs)
        {
            startedMs = previous.startedMs;
            startupOver = previous.startupOver;
            startupEndedMs = previous.startupEndedMs;
            nextSeq = previous.nextSeq;
            nextKeepAliveMs = previous.nextKeepAliveMs;
            UnknownSource = previous.UnknownSource;
            DatagramsSent = previous.DatagramsSent;
            for (int i = 0; i < hosts.Length; i++)
            {
                int k = previousIndex[i];
                if (k < 0)
                    continue;
                // The host keeps this config's spelling; the kind is the previous one's (the same host).
                kinds[i] = previous.kinds[k];
                addresses[i] = previous.addresses[k];
                lastResolveRequestMs[i] = previous.lastResolveRequestMs[k];
                lastSeenSeq[i] = previous.lastSeenSeq[k];
                stateVersions[i] = previous.stateVersions[k];
                lastEvseUptime[i] = previous.lastEvseUptime[k];
                lastAcceptedMs[i] = previous.lastAcceptedMs[k];
                errors[i] = previous.errors[k];
                uids[i] = previous.uids[k];
                worstCurrent[i] = previous.worstCurrent[k];
                worstPhases[i] = previous.worstPhases[k];
                resumedMs[i] = previous.resumedMs[k];
                lastSentCurrent[i] = previous.lastSentCurrent[k];
                lastSentPhases[i] = previous.lastSentPhases[k];
                flags[i] = (byte)(previous.flags[k] | FlagPushDue); // the new group is told again on the next tick
                for (int c = 0; c < Counters; c++)
                    counters[i * Counters + c] = previous.counters[k * Counters + c];
            }
            KeepFarewells(previous, previousIndex, nowMs);
        }

        /// <summary>
        /// The chargers the new config leaves out get 0 A on 0 phases (WARP's "stop", spec §2) once a
        /// second for <see cref="Transition.TransitionGuard.ChargerFallbackProofMs"/>: without a command
        /// they would keep what they were allowed until their own 30 s fallback, current the others
        /// may be given once the Distributor's reservation ends. Also those an earlier change removed and
        /// this one does not add back.
        /// </summary>
        void KeepFarewells(GroupLink previous, int[] previousIndex, long nowMs)
        {
            // Once per config change: the arrays are made anew.
            bool[] stays = new bool[previous.Count];
            for (int i = 0; i < previousIndex.Length; i++)
                if (previousIndex[i] >= 0)
                    stays[previousIndex[i]] = true;
            int carried = previous.farewellAddresses == null ? 0 : previous.farewellAddresses.Length;
            int n = carried;
            for (int k = 0; k < previous.Count; k++)
                if (!stays[k] && previous.addresses[k] != 0)
                    n++;
            uint[] to = new uint[n];
            byte[] versions = new byte[n];
            long[] until = new long[n];
            n = 0;
            for (int j = 0; j < carried; j++)
            {
                to[n] = previous.farewellAddresses[j];
                versions[n] = previous.farewellVersions[j];
                until[n++] = previous.farewellUntilMs[j];
            }
            for (int k = 0; k < previous.Count; k++)
            {
                if (stays[k] || previous.addresses[k] == 0)
                    continue;
                to[n] = previous.addresses[k];
                versions[n] = previous.stateVersions[k];
                until[n++] = nowMs + Transition.TransitionGuard.ChargerFallbackProofMs;
            }
            // Still due, and not configured again (one that is gets its commands from the link as any charger does).
            int kept = 0;
            for (int j = 0; j < n; j++)
            {
                bool configured = false;
                for (int i = 0; i < addresses.Length; i++)
                    configured |= addresses[i] == to[j];
                if (configured || nowMs >= until[j])
                    continue;
                to[kept] = to[j];
                versions[kept] = versions[j];
                until[kept++] = until[j];
            }
            if (kept == 0)
                return;
            farewellAddresses = new uint[kept];
            farewellVersions = new byte[kept];
            farewellUntilMs = new long[kept];
            for (int j = 0; j < kept; j++)
            {
                farewellAddresses[j] = to[j];
                farewellVersions[j] = versions[j];
                farewellUntilMs[j] = until[j];
            }
            nextFarewellMs = previous.farewellAddresses != null && previous.nextFarewellMs > nowMs ? previous.nextFarewellMs : nowMs;
            if (kept > carried)
                nextFarewellMs = nowMs; // a new removal is told at once
        }

        /// <summary>How many removed chargers are still being told 0 A.</summary>
        public int Farewells(long nowMs)
        {
            if (farewellAddresses == null)
                return 0;
            int n = 0;
            for (int j = 0; j < farewellUntilMs.Length; j++)
                if (nowMs < farewellUntilMs[j])
                    n++;
            return n;
        }

        public int Count { get { return hosts.Length; } }
        public bool StartupOver { get { return startupOver; } }

        /// <summary>A read-only view of charger i's link state (see <see cref="ChargerLink"/>).</summary>
        public ChargerLink Charger(int i) { return new ChargerLink(this, i); }

        /// <summary>Charger i's configured host (a new string: see <see cref="TextList"/>).</summary>
        public string Host(int i) { return hosts[i]; }

        /// <summary>Charger i's configured host as a JSON string value, without making a string.</summary>
        public void WriteHost(Json.JsonWriter w, int i) { hosts.WriteValue(w, i); }
        public HostKind Kind(int i) { return (HostKind)kinds[i]; }
        public uint Address(int i) { return addresses[i]; }
        public long LastResolveRequestMs(int i) { return lastResolveRequestMs[i]; }
        public ushort LastSeenSeq(int i) { return lastSeenSeq[i]; }
        public int StateVersion(int i) { return stateVersions[i]; }
        public uint LastEvseUptime(int i) { return lastEvseUptime[i]; }
        public long LastAcceptedMs(int i) { return lastAcceptedMs[i]; }
        public bool Heard(int i) { return lastAcceptedMs[i] != Never; }
        /// <summary>Charger i's error (<see cref="ChargerError"/>).</summary>
        public int Error(int i) { return errors[i]; }
        public uint Esp32Uid(int i) { return uids[i]; }
        public bool UidKnown(int i) { return (flags[i] & FlagUidKnown) != 0; }
        public int WorstCurrent(int i) { return worstCurrent[i]; }
        public int WorstPhases(int i) { return worstPhases[i]; }
        public long ResumedMs(int i) { return resumedMs[i]; }
        public int LastSentCurrent(int i) { return lastSentCurrent[i]; }
        public int LastSentPhases(int i) { return lastSentPhases[i]; }
        public int Counter(int i, int which) { return counters[i * Counters + which]; }

        void Counted(int i, int which) { counters[i * Counters + which]++; }

        bool Has(int i, byte flag) { return (flags[i] & flag) != 0; }

        void Set(int i, byte flag, bool value)
        {
            flags[i] = (byte)(value ? flags[i] | flag : flags[i] & ~flag);
        }

        void SetError(int i, int error)
        {
            if (errors[i] == error)
                return;
            errors[i] = (short)error;
            flags[i] |= FlagPushDue;
            Changes++;
        }

        /// <summary>A name resolution finished (from the resolver, on any thread the shell serialises).</summary>
        public void Resolved(int charger, uint address)
        {
            if (address != 0)
                addresses[charger] = address;
        }

        /// <summary>
        /// One received datagram. Malformed, stale, spoofed or unknown ones are counted and dropped, and
        /// change nothing else: anyone on the LAN can send a datagram from a charger's address, so a bad one
        /// says nothing about the charger. A datagram carrying another charger's identity (ESP32 UID) is
        /// dropped too, unless the charger restarted (its uptime went back): then it was replaced.
        /// Values beyond what a WARP can report are clamped.
        /// </summary>
        public void Receive(byte[] datagram, int length, uint sourceIp, int sourcePort, long nowMs)
        {
            int i = Find(sourceIp, sourcePort);
            if (i < 0)
            {
                UnknownSource++;
                return;
            }
            if (state.Decode(datagram, length) != PacketCheck.Ok)
            {
                Counted(i, CountInvalid);
                return;
            }
            bool heard = Heard(i);
            bool replaced = false;
            if (Has(i, FlagUidKnown) && state.Esp32Uid != uids[i])
            {
                // A restarted charger's uptime starts again from 0: only then may a new identity be a replacement.
                if (!heard || state.EvseUptime >= lastEvseUptime[i])
                {
                    Counted(i, CountForeignUid);
                    return;
                }
                replaced = true;
            }
            else if (SequenceNumbers.IsStale(state.Seq, lastSeenSeq[i]))
            {
                Counted(i, CountStale);
                return;
            }
            if (replaced)
            {
                Counted(i, CountUidChanges);
                uids[i] = state.Esp32Uid;
                Changes++;
            }
            lastSeenSeq[i] = state.Seq;
            if (!Has(i, FlagUidKnown))
            {
                uids[i] = state.Esp32Uid;
                flags[i] |= FlagUidKnown;
                Changes++;
            }
            MakePlausible(i);
            int worst = state.SupportedCurrent > state.AllowedChargingCurrent ? state.SupportedCurrent : state.AllowedChargingCurrent;
            int worstP = state.Phases == 1 && !state.CanSwitchPhasesNow ? 1 : 3;
            if (worst != worstCurrent[i] || worstP != worstPhases[i])
            {
                worstCurrent[i] = (ushort)worst;
                worstPhases[i] = (byte)worstP;
                flags[i] |= FlagPushDue;
            }
            if (!state.IsManaged)
            {
                Counted(i, CountUnmanaged);
                SetError(i, ChargerError.NotManaged);
                return;
            }
            int error = errors[i];
            if (heard && state.EvseUptime == lastEvseUptime[i])
            {
                // The ESP answers but its charge controller hangs: nothing it says is current.
                Counted(i, CountFrozenUptime);
                if (nowMs - lastAcceptedMs[i] > FrozenUptimeMs)
                    SetError(i, ChargerError.EvseUnreachable);
                return;
            }

            if (!heard || error == ChargerError.NotManaged || error == ChargerError.ChargerUnreachable
                || error == ChargerError.EvseUnreachable)
                resumedMs[i] = nowMs;
            lastEvseUptime[i] = state.EvseUptime;
            lastAcceptedMs[i] = nowMs;
            stateVersions[i] = (byte)state.Version;
            Counted(i, CountAccepted);
            StatesAccepted++;
            int now = state.ErrorState != 0 ? ChargerError.ClientErrorBase + state.ErrorState : ChargerError.Ok;
            if (error == ChargerError.EvseNonreactive && state.AllowedChargingCurrent > group.CommandedCurrent(i))
                now = ChargerError.EvseNonreactive; // latched until it obeys; a new packet alone proves nothing
            SetError(i, now);
            Observe(i);
            if (!startupOver)
                Adopt(i);
            group.StateReceived(i, nowMs, state.RequestsReallocation);
            if (state.IsUrgent && !Has(i, FlagLastSendWasUrgent))
                flags[i] |= FlagUrgentReplyDue;
        }

        /// <summary>A WARP reports at most 32 A allowed and supported (its slots' range); more is clamped and counted.</summary>
        void MakePlausible(int i)
        {
            int max = AllocatorConfig.MaxChargerCurrent;
            if (state.AllowedChargingCurrent > max || state.SupportedCurrent > max)
            {
                Counted(i, CountImplausible);
                if (state.AllowedChargingCurrent > max)
                    state.AllowedChargingCurrent = max;
                if (state.SupportedCurrent > max)
                    state.SupportedCurrent = max;
            }
        }

        int Find(uint sourceIp, int sourcePort)
        {
            if (sourcePort != ChargerPort || sourceIp == 0)
                return -1;
            uint[] a = addresses;
            for (int i = 0; i < a.Length; i++)
                if (a[i] == sourceIp)
                    return i;
            return -1;
        }

        void Observe(int i)
        {
            ObservationTable o = group.ObservationTable;
            o.State[i] = state.ChargerState <= 4 ? (VehicleState)state.ChargerState : VehicleState.Error;
            o.SupportedCurrent[i] = state.SupportedCurrent;
            o.ReportedPhases[i] = state.Phases;
            o.CanSwitchPhases[i] = state.CanSwitchPhasesNow;
            o.CarStoppedCharging[i] = state.CarStoppedCharging != 0;
            o.LineCurrent1[i] = state.LineCurrent1;
            o.LineCurrent2[i] = state.LineCurrent2;
            o.LineCurrent3[i] = state.LineCurrent3;
            o.TimeSinceStateChangeMs[i] = state.TimeSinceStateChangeMs;
            o.AppliedCurrent[i] = state.AllowedChargingCurrent;
            o.ErrorCode[i] = ErrorKeepingAtZero(errors[i]);
            o.SupportsPilotDisconnect[i] = (state.FeatureFlags & StatePacket.FeatureCpDisconnect) != 0;
            o.PilotDisconnected[i] = (state.StateFlags & StatePacket.StateFlagCpDisconnected) != 0;
        }

        /// <summary>The charger's own errors, and those that mean it may not follow us, keep it at 0 A in the plan.</summary>
        static int ErrorKeepingAtZero(int error)
        {
            return error >= ChargerError.ClientErrorBase || ChargerError.Uncontrollable(error) ? error : 0;
        }

        /// <summary>Before the first allocation, what a charger applies is our starting plan (spec §1.9).</summary>
        void Adopt(int i)
        {
            AllocationTable a = group.AllocationTable;
            int applied = state.AllowedChargingCurrent;
            bool valid = applied > 0 && applied <= AllocatorConfig.MaxChargerCurrent;
            a.Current[i] = valid ? applied : 0;
            a.Phases[i] = valid ? state.Phases : 0;
        }

        /// <summary>Start-up, errors, name resolution, the allocator and the sends that are due.</summary>
        public void Tick(long nowMs, long timeOfDayMs)
        {
            if (!startupOver && (AllHeard() || nowMs - startedMs >= StartupGraceMs))
            {
                startupOver = true;
                startupEndedMs = nowMs;
                Changes++;
                group.Scheduler.RequestNow();
            }
            EvaluateErrors(nowMs);
            RequestResolutions(nowMs);
            if (startupOver)
                group.Tick(nowMs, timeOfDayMs);
            SendDue(nowMs);
        }

        bool AllHeard()
        {
            long[] accepted = lastAcceptedMs;
            for (int i = 0; i < accepted.Length; i++)
                if (accepted[i] == Never)
                    return false;
            return true;
        }

        /// <summary>
        /// Every tick, the errors that come with time (never heard, unreachable, not reacting); the group
        /// hears of a charger's error and worst case only when they changed (nothing else sets them).
        /// </summary>
        void EvaluateErrors(long nowMs)
        {
            long[] accepted = lastAcceptedMs;
            short[] error = errors;
            byte[] flag = flags;
            int[] commanded = group.Guard.CommandedCurrent;
            for (int i = 0; i < accepted.Length; i++)
            {
                int e = error[i];
                long last = accepted[i];
                if (last == Never)
                {
                    if (e == ChargerError.Ok)
                        SetError(i, ChargerError.NeverHeard);
                }
                else if (nowMs - last > UnreachableAfterMs)
                {
                    if (!ChargerError.Uncontrollable(e) && e != ChargerError.ChargerUnreachable)
                    {
                        SetError(i, ChargerError.ChargerUnreachable);
                        group.Scheduler.RequestSoon(); // its budget can go to the others
                    }
                }
                else if (startupOver && e != ChargerError.EvseNonreactive && group.ObservationTable.AppliedCurrent[i] > commanded[i]
                    && Disobeys(i, nowMs))
                    SetError(i, ChargerError.EvseNonreactive);
                int f = flag[i];
                if ((f & FlagPushDue) == 0)
                    continue;
                e = error[i];
                bool uncontrollable = ChargerError.Uncontrollable(e);
                group.ObservationTable.ErrorCode[i] = ErrorKeepingAtZero(e);
                group.SetUncontrolled(i, uncontrollable, worstCurrent[i], worstPhases[i]);
                if (uncontrollable != ((f & FlagUncontrolled) != 0))
                    Changes++;
                flag[i] = (byte)((uncontrollable ? f | FlagUncontrolled : f & ~FlagUncontrolled) & ~FlagPushDue);
            }
        }

        /// <summary>
        /// Applies more than we have commanded (the caller checked), long after our command changed (spec
        /// §1.10 rule 4). Counted from the end of the start-up at the earliest (before it we commanded
        /// nothing), and from when the charger was accepted again after management disabled, silence or a
        /// hung controller.
        /// </summary>
        bool Disobeys(int i, long nowMs)
        {
            long since = group.Guard.CommandSinceMs[i];
            if (since < startupEndedMs)
                since = startupEndedMs;
            if (since < resumedMs[i])
                since = resumedMs[i]; // it could not have followed a command it was not listening to
            return nowMs - since > NonreactiveAfterMs;
        }

        void RequestResolutions(long nowMs)
        {
            int every = startupOver ? group.Config.AllocationIntervalMs : StartupResolveEveryMs;
            byte[] kind = kinds;
            for (int i = 0; i < kind.Length; i++)
            {
                if (kind[i] == (byte)HostKind.Ipv4Literal)
                    continue;
                long last = lastAcceptedMs[i];
                bool silent = last == Never || nowMs - last > ReResolveAfterMs;
                if ((addresses[i] == 0 || silent) && nowMs - lastResolveRequestMs[i] >= every)
                {
                    lastResolveRequestMs[i] = nowMs;
                    resolver.Resolve(i, hosts[i], (HostKind)kind[i]);
                }
            }
        }

        void SendDue(long nowMs)
        {
            int n = hosts.Length;
            byte[] flag = flags;
            int[] sentCurrent = lastSentCurrent;
            sbyte[] sentPhases = lastSentPhases;
            int[] current = group.Guard.CommandedCurrent;
            int[] phases = group.Guard.CommandedPhases;
            int pilot = group.PilotDisconnect ? FlagLastSentPilotDisconnect : 0;
            for (int i = 0; i < n; i++)
            {
                int f = flag[i];
                if ((f & FlagUrgentReplyDue) != 0)
                {
                    flag[i] = (byte)(f & ~FlagUrgentReplyDue);
                    Send(i, true);
                }
                else if (startupOver && ((f & FlagLastSentIgnore) != 0 || sentCurrent[i] != current[i]
                    || sentPhases[i] != phases[i] || (f & FlagLastSentPilotDisconnect) != pilot))
                    Send(i, false); // a changed command goes out now, not at its turn
            }

            TickFarewells(nowMs);
            if (n == 0)
                return;
            int period = 1000 / n;
            if (period < 1)
                period = 1;
            if (nowMs - nextKeepAliveMs > 1000)
                nextKeepAliveMs = nowMs; // after a stall, no burst
            for (int sent = 0; sent < n && nowMs >= nextKeepAliveMs; sent++)
            {
                flags[roundRobin] &= unchecked((byte)~FlagLastSendWasUrgent);
                Send(roundRobin, false);
                roundRobin = (roundRobin + 1) % n;
                nextKeepAliveMs += period;
            }
        }

        /// <summary>
        /// Tells the chargers a config change removed 0 A when due (once a second for 32 s). Part of every
        /// tick; the app calls it alone while charge management is disabled, when the link sends nothing else.
        /// </summary>
        public void TickFarewells(long nowMs)
        {
            if (farewellAddresses != null && nowMs >= nextFarewellMs)
                SendFarewells(nowMs);
        }

        void SendFarewells(long nowMs)
        {
            nextFarewellMs = nowMs + 1000;
            command.AllocatedCurrent = 0;
            command.AllocatedPhases = 0;
            command.Flags = 0;
            command.ChargeMode = CommandPacket.ChargeModeFast;
            bool any = false;
            for (int j = 0; j < farewellAddresses.Length; j++)
            {
                if (nowMs >= farewellUntilMs[j])
                    continue;
                any = true;
                int length = command.Encode(sendBuffer, nextSeq, CommandPacket.VersionForStateVersion(farewellVersions[j]));
                nextSeq++;
                sender.Send(sendBuffer, length, farewellAddresses[j], ChargerPort);
                DatagramsSent++;
            }
            if (!any)
                farewellAddresses = null; // all told long enough: nothing to look at on later ticks
        }

        void Send(int i, bool urgent)
        {
            uint address = addresses[i];
            if (address == 0)
                return;
            bool pilot = startupOver && group.PilotDisconnect;
            if (startupOver)
            {
                command.AllocatedCurrent = group.CommandedCurrent(i);
                command.AllocatedPhases = group.CommandedPhases(i);
                command.Flags = group.PilotDisconnect && group.ObservationTable.SupportsPilotDisconnect[i] ? CommandPacket.FlagCpDisconnect : 0;
                command.ChargeMode = CommandPacket.ChargeModeFast;
            }
            else
            {
                command.AllocatedCurrent = CommandPacket.IgnoredCurrent;
                command.AllocatedPhases = 0;
                command.Flags = CommandPacket.FlagIgnoreAllocation;
                command.ChargeMode = CommandPacket.ChargeModeDefault;
            }
            int length = command.Encode(sendBuffer, nextSeq, CommandPacket.VersionForStateVersion(stateVersions[i]));
            nextSeq++;
            sender.Send(sendBuffer, length, address, ChargerPort);
            Counted(i, CountSent);
            DatagramsSent++;
            lastSentCurrent[i] = command.AllocatedCurrent;
            lastSentPhases[i] = (sbyte)command.AllocatedPhases;
            int f = flags[i] & ~(FlagLastSentIgnore | FlagLastSentPilotDisconnect);
            if (!startupOver)
                f |= FlagLastSentIgnore;
            if (pilot)
                f |= FlagLastSentPilotDisconnect;
            if (urgent)
                f |= FlagLastSendWasUrgent;
            flags[i] = (byte)f;
        }
    }
}
