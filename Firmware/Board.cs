namespace ChargeManager.Firmware
{
    /// <summary>
    /// What differs between boards, in one place. The network (Ethernet PHY pins), the contactor
    /// relay and its feedback input join here with the protocol, application and phase-switch issues.
    /// </summary>
    public static class Board
    {
        /// <summary>WARP's limit on boards with PSRAM; the core sizes every array for this many chargers at start.</summary>
        public const int MaxChargers = 64;

        /// <summary>The allocator's tick: the core decides when a run is due; this only wakes it.</summary>
        public const int TickMs = 100;
    }
}
