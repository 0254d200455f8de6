namespace ChargeManager.Distribution.Protocol
{
    /// <summary>
    /// The 8-byte header of every packet (spec §1.2) and the validation both sides apply (§1.5):
    /// known versions must have exactly their length; newer ("future") versions must be at least as
    /// long as our newest, and only the known prefix is read.
    /// </summary>
    public static class PacketHeader
    {
        public const int Length = 8;
        public const ushort Magic = 34127;

        public const int MagicOffset = 0;
        public const int LengthOffset = 2;
        public const int SeqOffset = 4;
        public const int VersionOffset = 6;

        public static void Write(byte[] b, int length, ushort seq, int version)
        {
            Wire.PutU16(b, MagicOffset, Magic);
            Wire.PutU16(b, LengthOffset, length);
            Wire.PutU16(b, SeqOffset, seq);
            b[VersionOffset] = (byte)version;
            b[7] = 0;
        }

        /// <summary>
        /// Checks a received datagram against the table of lengths per version (index = version).
        /// A datagram longer than our newest packet is fine for a future version: its tail is ignored.
        /// </summary>
        public static PacketCheck Check(byte[] b, int received, int[] lengthByVersion)
        {
            if (received < Length)
                return PacketCheck.TruncatedHeader;
            if (Wire.U16(b, MagicOffset) != Magic)
                return PacketCheck.BadMagic;
            int version = b[VersionOffset];
            if (version < 1)
                return PacketCheck.BadVersion;
            int declared = Wire.U16(b, LengthOffset);
            int newest = lengthByVersion.Length - 1;
            if (version <= newest)
            {
                if (declared != lengthByVersion[version])
                    return PacketCheck.BadLength;
                if (received != declared)
                    return PacketCheck.LengthMismatch;
                return PacketCheck.Ok;
            }
            int newestLength = lengthByVersion[newest];
            if (declared < newestLength)
                return PacketCheck.BadLength;
            if (received < newestLength)
                return PacketCheck.LengthMismatch;
            return PacketCheck.Ok;
        }
    }

    public enum PacketCheck
    {
        Ok = 0,
        TruncatedHeader = 1,
        BadMagic = 2,
        BadVersion = 3,
        BadLength = 4,      // the header's length does not fit its version
        LengthMismatch = 5, // the datagram is not as long as the header says
    }
}
