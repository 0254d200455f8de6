namespace ChargeManager.Distribution.Link
{
    /// <summary>What the link knows of one charger's connection: address, sequence, timing, errors and counters.</summary>
    public sealed class ChargerLink
    {
        public const long Never = long.MinValue / 4;

        /// <summary>As configured (a new config may spell the same host differently).</summary>
        public string Host;
        public readonly HostKind Kind;

        /// <summary>0 until resolved. A stale address keeps being used while a new resolution runs.</summary>
        public uint Address;
        public long LastResolveRequestMs = Never;

        public ushort LastSeenSeq = Protocol.SequenceNumbers.InitialLastSeen;
        public int StateVersion;
        public uint LastEvseUptime;
        public long LastAcceptedMs = Never;
        public int Error;

        /// <summary>The charger's identity (ESP32 UID), learned from the first state packet accepted from its address.</summary>
        public uint Esp32Uid;
        public bool UidKnown;

        /// <summary>What it may draw if it does not follow our commands: the most it reports it supports or applies (mA, at most 32 A), and 3 phases unless it is fixed to 1. 32 A on 3 phases until heard.</summary>
        public int WorstCurrent = Allocation.AllocatorConfig.MaxChargerCurrent;
        public int WorstPhases = 3;

        /// <summary>When it was accepted again after not being (first heard, management re-enabled, back from silence or a hung controller): it may not have our command yet.</summary>
        public long ResumedMs = Never;

        /// <summary>When the charger's echo first disagreed with our command, or Never.</summary>
        public long DisagreesSinceMs = Never;

        public bool UrgentReplyDue;
        public bool LastSendWasUrgent;
        public int LastSentCurrent = -1;
        public int LastSentPhases = -1;
        public bool LastSentIgnore;
        public bool LastSentPilotDisconnect;

        // Counters for state and diagnostics. ForeignUid: datagrams from its address carrying another charger's UID
        // (dropped); UidChanges: replacements accepted (the new UID came with a restart); Implausible: values
        // beyond what a WARP can report, clamped.
        public int Accepted, Stale, Invalid, Unmanaged, FrozenUptime, Sent, ForeignUid, UidChanges, Implausible;

        public ChargerLink(string host)
        {
            Host = host;
            Kind = HostName.Classify(host);
            uint address;
            if (Kind == HostKind.Ipv4Literal && HostName.TryParseIpv4(host, out address))
                Address = address;
        }

        public bool Heard { get { return LastAcceptedMs != Never; } }
    }
}
