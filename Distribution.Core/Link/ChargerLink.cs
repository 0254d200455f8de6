namespace ChargeManager.Distribution.Link
{
    /// <summary>What the link knows of one charger's connection: address, sequence, timing, errors and counters.</summary>
    public sealed class ChargerLink
    {
        public const long Never = long.MinValue / 4;

        public readonly string Host;
        public readonly HostKind Kind;

        /// <summary>0 until resolved. A stale address keeps being used while a new resolution runs.</summary>
        public uint Address;
        public long LastResolveRequestMs = Never;

        public ushort LastSeenSeq = Protocol.SequenceNumbers.InitialLastSeen;
        public int StateVersion;
        public uint LastEvseUptime;
        public long LastAcceptedMs = Never;
        public int Error;
        public uint Esp32Uid;

        /// <summary>When the charger's echo first disagreed with our command, or Never.</summary>
        public long DisagreesSinceMs = Never;

        public bool UrgentReplyDue;
        public bool LastSendWasUrgent;
        public int LastSentCurrent = -1;
        public int LastSentPhases = -1;
        public bool LastSentIgnore;
        public bool LastSentPilotDisconnect;

        // Counters for state and diagnostics.
        public int Accepted, Stale, Invalid, Unmanaged, FrozenUptime, Sent;

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
