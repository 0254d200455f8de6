using ChargeManager.Distribution.Allocation;
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
        readonly ChargerLink[] links;
        readonly IDatagramSender sender;
        readonly IHostResolver resolver;
        readonly CommandPacket command = new CommandPacket();
        readonly StatePacket state = new StatePacket();
        readonly byte[] sendBuffer = new byte[CommandPacket.MaxLength];
        readonly long startedMs;

        ushort nextSeq = 1;
        bool startupOver;
        long startupEndedMs;
        int roundRobin;
        long nextKeepAliveMs;

        /// <summary>Datagrams from addresses that are no configured charger.</summary>
        public int UnknownSource;
        public int DatagramsSent;

        public GroupLink(Distributor group, string[] hosts, IDatagramSender sender, IHostResolver resolver, long nowMs)
        {
            this.group = group;
            this.sender = sender;
            this.resolver = resolver;
            startedMs = nowMs;
            nextKeepAliveMs = nowMs;
            links = new ChargerLink[hosts.Length];
            for (int i = 0; i < hosts.Length; i++)
                links[i] = new ChargerLink(hosts[i]);
        }

        /// <summary>
        /// A new link for a changed charger list that keeps everything the previous link knew of the
        /// chargers that stay (matched by host, not by position: previousIndex[i] is charger i's index in
        /// the previous link, or -1 for a new charger): their address, sequence numbers, identity, errors
        /// and timing, and the sequence counter and start-up phase of the group. So a reordered or
        /// extended config interrupts nobody and needs no new start-up. The Distributor must carry the
        /// same chargers (<see cref="Distributor.CarryFrom"/>).
        /// </summary>
        public GroupLink(Distributor group, string[] hosts, IDatagramSender sender, IHostResolver resolver, long nowMs,
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
            for (int i = 0; i < links.Length; i++)
                if (previousIndex[i] >= 0)
                {
                    links[i] = previous.links[previousIndex[i]];
                    links[i].Host = hosts[i];
                }
        }

        public int Count { get { return links.Length; } }
        public bool StartupOver { get { return startupOver; } }
        public ChargerLink Charger(int i) { return links[i]; }

        /// <summary>A name resolution finished (from the resolver, on any thread the shell serialises).</summary>
        public void Resolved(int charger, uint address)
        {
            if (address != 0)
                links[charger].Address = address;
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
            ChargerLink link = links[i];
            if (state.Decode(datagram, length) != PacketCheck.Ok)
            {
                link.Invalid++;
                return;
            }
            bool replaced = false;
            if (link.UidKnown && state.Esp32Uid != link.Esp32Uid)
            {
                // A restarted charger's uptime starts again from 0: only then may a new identity be a replacement.
                if (!link.Heard || state.EvseUptime >= link.LastEvseUptime)
                {
                    link.ForeignUid++;
                    return;
                }
                replaced = true;
            }
            else if (SequenceNumbers.IsStale(state.Seq, link.LastSeenSeq))
            {
                link.Stale++;
                return;
            }
            if (replaced)
            {
                link.UidChanges++;
                link.Esp32Uid = state.Esp32Uid;
            }
            link.LastSeenSeq = state.Seq;
            if (!link.UidKnown)
            {
                link.Esp32Uid = state.Esp32Uid;
                link.UidKnown = true;
            }
            MakePlausible(link);
            link.WorstCurrent = state.SupportedCurrent > state.AllowedChargingCurrent ? state.SupportedCurrent : state.AllowedChargingCurrent;
            link.WorstPhases = state.Phases == 1 && !state.CanSwitchPhasesNow ? 1 : 3;
            if (!state.IsManaged)
            {
                link.Unmanaged++;
                link.Error = ChargerError.NotManaged;
                return;
            }
            if (link.Heard && state.EvseUptime == link.LastEvseUptime)
            {
                // The ESP answers but its charge controller hangs: nothing it says is current.
                link.FrozenUptime++;
                if (nowMs - link.LastAcceptedMs > FrozenUptimeMs)
                    link.Error = ChargerError.EvseUnreachable;
                return;
            }

            if (!link.Heard || link.Error == ChargerError.NotManaged || link.Error == ChargerError.ChargerUnreachable
                || link.Error == ChargerError.EvseUnreachable)
                link.ResumedMs = nowMs;
            link.LastEvseUptime = state.EvseUptime;
            link.LastAcceptedMs = nowMs;
            link.StateVersion = state.Version;
            link.Accepted++;
            int error = state.ErrorState != 0 ? ChargerError.ClientErrorBase + state.ErrorState : ChargerError.Ok;
            if (link.Error == ChargerError.EvseNonreactive && state.AllowedChargingCurrent > group.CommandedCurrent(i))
                error = ChargerError.EvseNonreactive; // latched until it obeys; a new packet alone proves nothing
            link.Error = error;
            Observe(i);
            if (!startupOver)
                Adopt(i);
            group.StateReceived(i, nowMs, state.RequestsReallocation);
            if (state.IsUrgent && !link.LastSendWasUrgent)
                link.UrgentReplyDue = true;
        }

        /// <summary>A WARP reports at most 32 A allowed and supported (its slots' range); more is clamped and counted.</summary>
        void MakePlausible(ChargerLink link)
        {
            int max = AllocatorConfig.MaxChargerCurrent;
            if (state.AllowedChargingCurrent > max || state.SupportedCurrent > max)
            {
                link.Implausible++;
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
            for (int i = 0; i < links.Length; i++)
                if (links[i].Address == sourceIp)
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
            o.ErrorCode[i] = ErrorKeepingAtZero(links[i].Error);
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
            for (int i = 0; i < links.Length; i++)
                if (!links[i].Heard)
                    return false;
            return true;
        }

        void EvaluateErrors(long nowMs)
        {
            for (int i = 0; i < links.Length; i++)
            {
                ChargerLink link = links[i];
                bool uncontrollable = ChargerError.Uncontrollable(link.Error);
                if (!link.Heard && link.Error == ChargerError.Ok)
                    link.Error = ChargerError.NeverHeard;
                if (link.Heard && nowMs - link.LastAcceptedMs > UnreachableAfterMs && !uncontrollable
                    && link.Error != ChargerError.ChargerUnreachable)
                {
                    link.Error = ChargerError.ChargerUnreachable;
                    group.Scheduler.RequestSoon(); // its budget can go to the others
                }
                if (startupOver && link.Heard && nowMs - link.LastAcceptedMs <= UnreachableAfterMs && Disobeys(i, nowMs))
                    link.Error = ChargerError.EvseNonreactive;
                uncontrollable = ChargerError.Uncontrollable(link.Error);
                group.ObservationTable.ErrorCode[i] = ErrorKeepingAtZero(link.Error);
                group.SetUncontrolled(i, uncontrollable, link.WorstCurrent, link.WorstPhases);
            }
        }

        /// <summary>
        /// Applies more than we have commanded, long after our command changed (spec §1.10 rule 4). Counted
        /// from the end of the start-up at the earliest (before it we commanded nothing), and from when the
        /// charger was accepted again after management disabled, silence or a hung controller.
        /// </summary>
        bool Disobeys(int i, long nowMs)
        {
            long since = group.Guard.CommandSinceMs[i];
            if (since < startupEndedMs)
                since = startupEndedMs;
            if (since < links[i].ResumedMs)
                since = links[i].ResumedMs; // it could not have followed a command it was not listening to
            return group.ObservationTable.AppliedCurrent[i] > group.CommandedCurrent(i)
                && nowMs - since > NonreactiveAfterMs;
        }

        void RequestResolutions(long nowMs)
        {
            int every = startupOver ? group.Config.AllocationIntervalMs : StartupResolveEveryMs;
            for (int i = 0; i < links.Length; i++)
            {
                ChargerLink link = links[i];
                if (link.Kind == HostKind.Ipv4Literal)
                    continue;
                bool silent = !link.Heard || nowMs - link.LastAcceptedMs > ReResolveAfterMs;
                if ((link.Address == 0 || silent) && nowMs - link.LastResolveRequestMs >= every)
                {
                    link.LastResolveRequestMs = nowMs;
                    resolver.Resolve(i, link.Host, link.Kind);
                }
            }
        }

        void SendDue(long nowMs)
        {
            for (int i = 0; i < links.Length; i++)
            {
                ChargerLink link = links[i];
                if (link.UrgentReplyDue)
                {
                    link.UrgentReplyDue = false;
                    Send(i, true);
                }
                else if (startupOver && (link.LastSentIgnore || link.LastSentCurrent != group.CommandedCurrent(i)
                    || link.LastSentPhases != group.CommandedPhases(i) || link.LastSentPilotDisconnect != group.PilotDisconnect))
                    Send(i, false); // a changed command goes out now, not at its turn
            }

            if (links.Length == 0)
                return;
            int period = 1000 / links.Length;
            if (period < 1)
                period = 1;
            if (nowMs - nextKeepAliveMs > 1000)
                nextKeepAliveMs = nowMs; // after a stall, no burst
            for (int sent = 0; sent < links.Length && nowMs >= nextKeepAliveMs; sent++)
            {
                links[roundRobin].LastSendWasUrgent = false;
                Send(roundRobin, false);
                roundRobin = (roundRobin + 1) % links.Length;
                nextKeepAliveMs += period;
            }
        }

        void Send(int i, bool urgent)
        {
            ChargerLink link = links[i];
            if (link.Address == 0)
                return;
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
            int length = command.Encode(sendBuffer, nextSeq, CommandPacket.VersionForStateVersion(link.StateVersion));
            nextSeq++;
            sender.Send(sendBuffer, length, link.Address, ChargerPort);
            link.Sent++;
            DatagramsSent++;
            link.LastSentIgnore = !startupOver;
            link.LastSentCurrent = command.AllocatedCurrent;
            link.LastSentPhases = command.AllocatedPhases;
            link.LastSentPilotDisconnect = startupOver && group.PilotDisconnect;
            if (urgent)
                link.LastSendWasUrgent = true;
        }
    }
}
