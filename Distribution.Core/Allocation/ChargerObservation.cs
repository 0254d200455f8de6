using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Allocation
{
    /// <summary>
    /// What the manager last learned about one charger: written by the link layer from state
    /// packets (and by tests and simulators directly), read by the allocator. One instance per
    /// configured charger, reused for the charger's lifetime.
    /// </summary>
    public sealed class ChargerObservation
    {
        public const long Never = long.MinValue;

        /// <summary>Manager uptime (ms) when the last valid state packet was accepted, or <see cref="Never"/>.</summary>
        public long LastHeardMs = Never;

        public PhaseRotation Rotation = PhaseRotation.Unknown;
        public VehicleState State = VehicleState.NotConnected;

        /// <summary>Minimum over the charger's other current limits (cable, user, …); 0 means something else blocks it.</summary>
        public int SupportedCurrent = AllocatorConfig.MaxChargerCurrent;

        /// <summary>Phases the charger uses or is wired for (1 or 3).</summary>
        public int ReportedPhases = 3;

        /// <summary>The charger can switch to the other phase count right now (state v3, phases bit 2).</summary>
        public bool CanSwitchPhases;

        /// <summary>"The vehicle stopped charging by itself": probably full.</summary>
        public bool CarStoppedCharging;

        /// <summary>Measured line currents in A (NaN without a meter), as the charger reports them.</summary>
        public float LineCurrent1 = float.NaN;
        public float LineCurrent2 = float.NaN;
        public float LineCurrent3 = float.NaN;

        /// <summary>Time since the last IEC state change, when the charger reports it (state v2+); otherwise -1.</summary>
        public long TimeSinceStateChangeMs = -1;

        /// <summary>The charger's echo of the manager's current it applies (allowed_charging_current), in mA.</summary>
        public int AppliedCurrent;

        /// <summary>Non-zero when the charger is in an error that must keep it at 0 A (the link's error code).</summary>
        public int ErrorCode;

        /// <summary>It can disconnect its control pilot on request, and has it disconnected now.</summary>
        public bool SupportsPilotDisconnect;
        public bool PilotDisconnected;

        public bool IsPluggedIn
        {
            get { return State != VehicleState.NotConnected; }
        }
    }
}
