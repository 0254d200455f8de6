namespace ChargeManager.Distribution.Protocol
{
    /// <summary>
    /// Charger → manager (spec §1.4): v1 80 bytes, v2 84 (time since state change), v3 88 (phases),
    /// v4 92 (requested charge mode), v5 136 (auth info). A newer version is read by its known prefix.
    /// One instance is reused for every packet; fields of versions the packet lacks get their defaults.
    /// </summary>
    public sealed class StatePacket
    {
        public static readonly int[] LengthByVersion = { 0, 80, 84, 88, 92, 136 };
        public const int NewestVersion = 5;
        public const int NewestLength = 136;

        public const uint FeatureUrgent = 0x80000000;
        public const uint FeatureRequestReallocation = 0x40000000;
        public const uint FeatureCpDisconnect = 0x40;
        public const uint FeatureMeter = 0x02;

        public const int StateFlagManaged = 0x80;
        public const int StateFlagCpDisconnected = 0x40;

        public int Version;
        public ushort Seq;
        public uint FeatureFlags;
        public uint Esp32Uid;
        public uint EvseUptime;
        public uint CarStoppedCharging;
        public int AllowedChargingCurrent;
        public int SupportedCurrent;
        public int Iec61851State;
        public int ChargerState;
        public int ErrorState;
        public int StateFlags;
        public float LineVoltage1, LineVoltage2, LineVoltage3;
        public float LineCurrent1, LineCurrent2, LineCurrent3;
        public float PowerTotal;
        public float EnergyAbs;

        /// <summary>-1 without v2.</summary>
        public long TimeSinceStateChangeMs;

        /// <summary>Phases (1 or 3; 3 without v3), and the v3 flags.</summary>
        public int Phases;
        public bool CanSwitchPhasesNow;
        public bool SwitchingPhases;

        /// <summary>4 (Default: no request) without v4.</summary>
        public int RequestedChargeMode;

        public bool IsManaged { get { return (StateFlags & StateFlagManaged) != 0; } }
        public bool IsUrgent { get { return (FeatureFlags & FeatureUrgent) != 0; } }
        public bool RequestsReallocation { get { return (FeatureFlags & FeatureRequestReallocation) != 0; } }

        /// <summary>Validates the datagram (§1.5) and, if valid, reads it into this instance.</summary>
        public PacketCheck Decode(byte[] b, int received)
        {
            PacketCheck check = PacketHeader.Check(b, received, LengthByVersion);
            if (check != PacketCheck.Ok)
                return check;
            Version = b[PacketHeader.VersionOffset];
            Seq = Wire.U16(b, PacketHeader.SeqOffset);
            FeatureFlags = Wire.U32(b, 8);
            Esp32Uid = Wire.U32(b, 12);
            EvseUptime = Wire.U32(b, 16);
            CarStoppedCharging = Wire.U32(b, 20);
            AllowedChargingCurrent = Wire.U16(b, 24);
            SupportedCurrent = Wire.U16(b, 26);
            Iec61851State = b[28];
            ChargerState = b[29];
            ErrorState = b[30];
            StateFlags = b[31];
            LineVoltage1 = Range(Wire.F32(b, 32), MaxVolts);
            LineVoltage2 = Range(Wire.F32(b, 36), MaxVolts);
            LineVoltage3 = Range(Wire.F32(b, 40), MaxVolts);
            LineCurrent1 = Range(Wire.F32(b, 44), MaxAmps);
            LineCurrent2 = Range(Wire.F32(b, 48), MaxAmps);
            LineCurrent3 = Range(Wire.F32(b, 52), MaxAmps);
            PowerTotal = Range(Wire.F32(b, 68), MaxWatts);
            EnergyAbs = Range(Wire.F32(b, 76), MaxKwh);
            TimeSinceStateChangeMs = Version >= 2 ? Wire.U32(b, 80) : -1;
            if (Version >= 3)
            {
                int phases = b[84];
                Phases = (phases & 0x03) == 1 ? 1 : 3;
                CanSwitchPhasesNow = (phases & 0x04) != 0;
                SwitchingPhases = (phases & 0x08) != 0;
            }
            else
            {
                Phases = 3;
                CanSwitchPhasesNow = false;
                SwitchingPhases = false;
            }
            RequestedChargeMode = Version >= 4 ? b[88] : 4;
            return PacketCheck.Ok;
        }

        /// <summary>
        /// Bounds for the meter's floats (A, V, W, kWh; symmetric, far beyond any charger). Every float
        /// from the wire is clamped into them at once, so that no later cast to an integer overflows:
        /// .NET saturates such a cast and nanoCLR wraps it (3e6 A once became 32 A on one and 6 A on
        /// the other). NaN stays NaN: it means "no meter".
        /// </summary>
        public const float MaxAmps = 1000f, MaxVolts = 10000f, MaxWatts = 1e7f, MaxKwh = 1e9f;

        /// <summary>value clamped to [-bound, bound] (infinities included); NaN unchanged.</summary>
        public static float Range(float value, float bound)
        {
            if (float.IsNaN(value))
                return value; // first: on nanoCLR NaN > bound is true
            if (value > bound)
                return bound;
            if (value < -bound)
                return -bound;
            return value;
        }

        /// <summary>Writes the packet in the given version (for the charger simulator and tests); returns its length.</summary>
        public int Encode(byte[] b, int version)
        {
            int length = LengthByVersion[version];
            Wire.Clear(b, 0, length);
            PacketHeader.Write(b, length, Seq, version);
            Wire.PutU32(b, 8, FeatureFlags);
            Wire.PutU32(b, 12, Esp32Uid);
            Wire.PutU32(b, 16, EvseUptime);
            Wire.PutU32(b, 20, CarStoppedCharging);
            Wire.PutU16(b, 24, AllowedChargingCurrent);
            Wire.PutU16(b, 26, SupportedCurrent);
            b[28] = (byte)Iec61851State;
            b[29] = (byte)ChargerState;
            b[30] = (byte)ErrorState;
            b[31] = (byte)StateFlags;
            Wire.PutF32(b, 32, LineVoltage1);
            Wire.PutF32(b, 36, LineVoltage2);
            Wire.PutF32(b, 40, LineVoltage3);
            Wire.PutF32(b, 44, LineCurrent1);
            Wire.PutF32(b, 48, LineCurrent2);
            Wire.PutF32(b, 52, LineCurrent3);
            Wire.PutF32(b, 68, PowerTotal);
            Wire.PutF32(b, 76, EnergyAbs);
            if (version >= 2)
                Wire.PutU32(b, 80, (uint)TimeSinceStateChangeMs);
            if (version >= 3)
                b[84] = (byte)((Phases == 1 ? 1 : 3) | (CanSwitchPhasesNow ? 0x04 : 0) | (SwitchingPhases ? 0x08 : 0));
            if (version >= 4)
                b[88] = (byte)RequestedChargeMode;
            return length;
        }
    }
}
