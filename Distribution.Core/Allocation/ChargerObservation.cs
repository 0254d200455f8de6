using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Allocation
{
    /// <summary>
    /// What the manager last learned about one charger: written by the link layer from state
    /// packets (and by tests and simulators directly), read by the allocator. One instance per
    /// configured charger, reused for the charger's lifetime. A view of one row of an
    /// <see cref="ObservationTable"/> (the values live there, compact on nanoFramework); one made
    /// with <c>new</c> has a table of its own until an allocator or guard takes it into theirs.
    /// </summary>
    public sealed class ChargerObservation
    {
        public const long Never = long.MinValue;

        internal ObservationTable table;
        internal int index;

        public ChargerObservation()
        {
            table = new ObservationTable(1);
        }

        internal ChargerObservation(ObservationTable table, int index)
        {
            this.table = table;
            this.index = index;
        }

        /// <summary>Manager uptime (ms) when the last valid state packet was accepted, or <see cref="Never"/>.</summary>
        public long LastHeardMs { get { return table.LastHeardMs[index]; } set { table.LastHeardMs[index] = value; } }

        public PhaseRotation Rotation { get { return table.Rotation[index]; } set { table.Rotation[index] = value; } }
        public VehicleState State { get { return table.State[index]; } set { table.State[index] = value; } }

        /// <summary>Minimum over the charger's other current limits (cable, user, …); 0 means something else blocks it.</summary>
        public int SupportedCurrent { get { return table.SupportedCurrent[index]; } set { table.SupportedCurrent[index] = value; } }

        /// <summary>Phases the charger uses or is wired for (1 or 3).</summary>
        public int ReportedPhases { get { return table.ReportedPhases[index]; } set { table.ReportedPhases[index] = value; } }

        /// <summary>The charger can switch to the other phase count right now (state v3, phases bit 2).</summary>
        public bool CanSwitchPhases { get { return table.CanSwitchPhases[index]; } set { table.CanSwitchPhases[index] = value; } }

        /// <summary>"The vehicle stopped charging by itself": probably full.</summary>
        public bool CarStoppedCharging { get { return table.CarStoppedCharging[index]; } set { table.CarStoppedCharging[index] = value; } }

        /// <summary>Measured line currents in A (NaN without a meter), as the charger reports them.</summary>
        public float LineCurrent1 { get { return table.LineCurrent1[index]; } set { table.LineCurrent1[index] = value; } }
        public float LineCurrent2 { get { return table.LineCurrent2[index]; } set { table.LineCurrent2[index] = value; } }
        public float LineCurrent3 { get { return table.LineCurrent3[index]; } set { table.LineCurrent3[index] = value; } }

        /// <summary>Time since the last IEC state change, when the charger reports it (state v2+); otherwise -1.</summary>
        public long TimeSinceStateChangeMs { get { return table.TimeSinceStateChangeMs[index]; } set { table.TimeSinceStateChangeMs[index] = value; } }

        /// <summary>The charger's echo of the manager's current it applies (allowed_charging_current), in mA.</summary>
        public int AppliedCurrent { get { return table.AppliedCurrent[index]; } set { table.AppliedCurrent[index] = value; } }

        /// <summary>Non-zero when the charger is in an error that must keep it at 0 A (the link's error code).</summary>
        public int ErrorCode { get { return table.ErrorCode[index]; } set { table.ErrorCode[index] = value; } }

        /// <summary>It can disconnect its control pilot on request, and has it disconnected now.</summary>
        public bool SupportsPilotDisconnect { get { return table.SupportsPilotDisconnect[index]; } set { table.SupportsPilotDisconnect[index] = value; } }
        public bool PilotDisconnected { get { return table.PilotDisconnected[index]; } set { table.PilotDisconnected[index] = value; } }

        public bool IsPluggedIn
        {
            get { return table.State[index] != VehicleState.NotConnected; }
        }
    }
}
