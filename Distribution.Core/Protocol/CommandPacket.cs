namespace ChargeManager.Distribution.Protocol
{
    /// <summary>
    /// Manager → charger (spec §1.3). The layout is cumulative: v1 12 bytes (current, flags),
    /// v2 12 bytes (phases in v1's padding), v3 16 bytes (charge mode, supported modes), v4 20 bytes
    /// (auth feedback). One instance is reused for every send.
    /// </summary>
    public sealed class CommandPacket
    {
        public static readonly int[] LengthByVersion = { 0, 12, 12, 16, 20 };
        public const int NewestVersion = 4;
        public const int MaxLength = 20;

        public const int FlagIgnoreAllocation = 0x80;
        public const int FlagCpDisconnect = 0x40;

        /// <summary>The "don't care" current sent with ignore-allocation during start-up (§1.9).</summary>
        public const int IgnoredCurrent = 65535;

        public const byte ChargeModeFast = 0;
        public const byte ChargeModeOff = 1;
        public const byte ChargeModeDefault = 4;

        public int AllocatedCurrent;
        public int Flags;
        public int AllocatedPhases;
        public byte ChargeMode = ChargeModeFast;
        public byte SupportedModes0 = 0x03; // {Fast, Off}: we implement neither PV nor Eco
        public byte SupportedModes1;
        public byte AuthFeedback;

        /// <summary>Writes the packet in the given version (1..4) into buffer; returns its length.</summary>
        public int Encode(byte[] buffer, ushort seq, int version)
        {
            int length = LengthByVersion[version];
            Wire.Clear(buffer, 0, length);
            PacketHeader.Write(buffer, length, seq, version);
            Wire.PutU16(buffer, 8, AllocatedCurrent);
            buffer[10] = (byte)Flags;
            if (version >= 2)
                buffer[11] = (byte)(sbyte)AllocatedPhases;
            if (version >= 3)
            {
                buffer[12] = ChargeMode;
                buffer[13] = SupportedModes0;
                buffer[14] = SupportedModes1;
            }
            if (version >= 4)
                buffer[16] = AuthFeedback;
            return length;
        }

        /// <summary>Validates and reads a command as a charger does (its newest version is 4); for the charger simulator and tests.</summary>
        public PacketCheck Decode(byte[] b, int received, out int version, out ushort seq)
        {
            version = 0;
            seq = 0;
            PacketCheck check = PacketHeader.Check(b, received, LengthByVersion);
            if (check != PacketCheck.Ok)
                return check;
            version = b[PacketHeader.VersionOffset];
            seq = Wire.U16(b, PacketHeader.SeqOffset);
            AllocatedCurrent = Wire.U16(b, 8);
            Flags = b[10];
            AllocatedPhases = version >= 2 ? (sbyte)b[11] : 0;
            ChargeMode = version >= 3 ? b[12] : ChargeModeFast;
            SupportedModes0 = version >= 3 ? b[13] : (byte)0;
            SupportedModes1 = version >= 3 ? b[14] : (byte)0;
            AuthFeedback = version >= 4 ? b[16] : (byte)0;
            return PacketCheck.Ok;
        }

        /// <summary>
        /// The command version a charger understands, from the state version it sends (§1.6): chargers
        /// before 2.1.4 reject anything longer than 12 bytes, so older state versions get the old command.
        /// Before the first state arrives, v4 (every firmware from 2.1.4 reads its known prefix).
        /// </summary>
        public static int VersionForStateVersion(int stateVersion)
        {
            if (stateVersion <= 0)
                return NewestVersion;
            if (stateVersion <= 2)
                return 1;
            if (stateVersion == 3)
                return 2;
            if (stateVersion == 4)
                return 3;
            return 4;
        }
    }
}
