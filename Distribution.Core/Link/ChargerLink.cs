namespace ChargeManager.Distribution.Link
{
    /// <summary>
    /// A read-only view of what the link knows of one charger's connection: address, sequence, timing,
    /// errors and counters. The data live in <see cref="GroupLink"/>'s per-field primitive arrays (on
    /// nanoCLR every field of an object costs a heap block, 12 B on the ESP32, while a primitive array
    /// costs its element size), so a view holds only the group and the index, and reads are live.
    /// </summary>
    public struct ChargerLink
    {
        public const long Never = long.MinValue / 4;

        readonly GroupLink link;
        readonly int i;

        public ChargerLink(GroupLink link, int charger)
        {
            this.link = link;
            i = charger;
        }

        /// <summary>As configured (a new config may spell the same host differently).</summary>
        public string Host { get { return link.Host(i); } }
        public HostKind Kind { get { return link.Kind(i); } }

        /// <summary>0 until resolved. A stale address keeps being used while a new resolution runs.</summary>
        public uint Address { get { return link.Address(i); } }
        public long LastResolveRequestMs { get { return link.LastResolveRequestMs(i); } }
        public ushort LastSeenSeq { get { return link.LastSeenSeq(i); } }
        public int StateVersion { get { return link.StateVersion(i); } }
        public uint LastEvseUptime { get { return link.LastEvseUptime(i); } }
        public long LastAcceptedMs { get { return link.LastAcceptedMs(i); } }
        public int Error { get { return link.Error(i); } }

        /// <summary>The charger's identity (ESP32 UID), learned from the first state packet accepted from its address.</summary>
        public uint Esp32Uid { get { return link.Esp32Uid(i); } }
        public bool UidKnown { get { return link.UidKnown(i); } }

        /// <summary>What it may draw if it does not follow our commands (mA, at most 32 A; phases 1 or 3). 32 A on 3 phases until heard.</summary>
        public int WorstCurrent { get { return link.WorstCurrent(i); } }
        public int WorstPhases { get { return link.WorstPhases(i); } }

        /// <summary>When it was accepted again after not being (first heard, management re-enabled, back from silence or a hung controller).</summary>
        public long ResumedMs { get { return link.ResumedMs(i); } }
        public int LastSentCurrent { get { return link.LastSentCurrent(i); } }
        public int LastSentPhases { get { return link.LastSentPhases(i); } }

        // Counters. ForeignUid: datagrams from its address carrying another charger's UID (dropped); UidChanges:
        // replacements accepted (the new UID came with a restart); Implausible: values beyond what a WARP can report, clamped.
        public int Accepted { get { return link.Counter(i, GroupLink.CountAccepted); } }
        public int Stale { get { return link.Counter(i, GroupLink.CountStale); } }
        public int Invalid { get { return link.Counter(i, GroupLink.CountInvalid); } }
        public int Unmanaged { get { return link.Counter(i, GroupLink.CountUnmanaged); } }
        public int FrozenUptime { get { return link.Counter(i, GroupLink.CountFrozenUptime); } }
        public int Sent { get { return link.Counter(i, GroupLink.CountSent); } }
        public int ForeignUid { get { return link.Counter(i, GroupLink.CountForeignUid); } }
        public int UidChanges { get { return link.Counter(i, GroupLink.CountUidChanges); } }
        public int Implausible { get { return link.Counter(i, GroupLink.CountImplausible); } }

        public bool Heard { get { return link.Heard(i); } }
    }
}
