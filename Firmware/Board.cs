namespace ChargeManager.Firmware
{
    /// <summary>
    /// What differs between boards, in one place. The network (Ethernet PHY pins), the contactor
    /// relay and its feedback input join here with the protocol, application and phase-switch issues.
    /// </summary>
    public static class Board
    {
        /// <summary>
        /// The 1p/3p contactor in front of the charger group (Energy Manager-style boards): relay output and
        /// feedback input (auxiliary contact to ground when closed). HasContactor false: no phase switching.
        /// These are board/config's defaults until the user stores their own (DeviceSettings, web page).
        /// </summary>
        public const bool HasContactor = false;
        public const int ContactorRelayPin = 32;
        public const int ContactorFeedbackPin = 33;

        /// <summary>Which Ethernet pins are taken (board/config's "board"): "wt32-eth01" or "olimex-esp32-poe".</summary>
        public const string Name = "wt32-eth01";

        /// <summary>WARP's limit on boards with PSRAM; the core sizes every array for this many chargers at start.</summary>
        public const int MaxChargers = 64;

        /// <summary>The link loop's period: receive, tick, send. The core decides when the allocator runs.</summary>
        public const int TickMs = 50;

        /// <summary>How long boot waits for Ethernet/Wi-Fi before it runs without (the chargers fall back to 0 A on their own).</summary>
        public const int NetworkTimeoutMs = 60000;
    }
}
