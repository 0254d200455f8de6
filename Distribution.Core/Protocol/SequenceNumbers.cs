namespace ChargeManager.Distribution.Protocol
{
    /// <summary>
    /// The reject rule both sides apply (spec §1.7): a packet whose seq is at most 4 behind the last one
    /// seen (or equal) is a duplicate or reordered and dropped; anything further behind is a peer restart
    /// and accepted. Wrap-around needs no special case.
    /// </summary>
    public static class SequenceNumbers
    {
        /// <summary>The manager's initial "last seen" for every charger (a first seq of 65531..65535 is dropped, as in the firmware).</summary>
        public const ushort InitialLastSeen = 65535;

        public static bool IsStale(ushort received, ushort lastSeen)
        {
            return received <= lastSeen && lastSeen - received < 5;
        }
    }
}
