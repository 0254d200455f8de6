namespace ChargeManager.Distribution.Allocation
{
    /// <summary>
    /// Everything the allocator is tuned by. Currents in mA, durations in ms.
    /// Defaults are WARP's (spec §2.2, §2.3, §5a); our own knobs (unbalanced-load cap,
    /// unreachable hold, reallocation rate limit) default to WARP-compatible behaviour.
    /// Validation of user input lives with the API; this class only carries values.
    /// </summary>
    public sealed class AllocatorConfig
    {
        public int MinimumCurrent3p = 6000;
        public int MinimumCurrent1p = 6000;

        /// <summary>Enable current = minimum × factor / 100 while another charger is active (100 for a static manager).</summary>
        public int EnableCurrentFactorPct = 100;

        /// <summary>After this long in state C, a metered charger's request is its largest phase current plus the margin.</summary>
        public int RequestedCurrentThresholdMs = 60000;
        public int RequestedCurrentMarginMa = 3000;

        public int GlobalHysteresisMs = 210000;
        public int WakeupTimeMs = 210000;

        /// <summary>Welcome-charge duration after plug-in; 0 disables it.</summary>
        public int PlugInTimeMs = 210000;

        public int AllocationIntervalMs = 10000;

        /// <summary>Round-robin rotation period, aligned to local wall-clock time when known; 0 disables it.</summary>
        public int RotationIntervalMs = 900000;

        /// <summary>A silent charger keeps its last allocation in the budget this long (longer than the charger's own 30 s fallback).</summary>
        public int UnreachableHoldMs = 32000;

        /// <summary>Largest allowed difference between the most and least loaded phase; 0 = no cap.</summary>
        public int MaxUnbalancedLoadMa = 0;

        /// <summary>Requests to reallocate early (plug-in, a charger asking) are honoured at most this often. A lower limit always runs at once.</summary>
        public int ReallocationRateLimitMs = 5000;

        /// <summary>The largest current a WARP charger accepts, and the clamp of the meter-based request (spec §3.1.4).</summary>
        public const int MaxChargerCurrent = 32000;
        public const int MinRequestedCurrent = 6000;

        /// <summary>
        /// minimum_current_auto: the minimums follow the vehicle type (spec §2.2). Type 0: 6 A on one
        /// and three phases; any type above 0 counts as type 1 (Renault ZOE and similar): 6 A on one,
        /// 9.2 A on three phases. Without auto, the configured minimums stand.
        /// </summary>
        public void SetMinimums(bool auto, int vehicleType, int minimumCurrent3p, int minimumCurrent1p)
        {
            if (auto)
            {
                MinimumCurrent1p = 6000;
                MinimumCurrent3p = vehicleType > 0 ? 9200 : 6000;
            }
            else
            {
                MinimumCurrent3p = minimumCurrent3p;
                MinimumCurrent1p = minimumCurrent1p;
            }
        }

        public int MinimumFor(int phases)
        {
            return phases == 3 ? MinimumCurrent3p : phases == 1 ? MinimumCurrent1p : 0;
        }

        public int EnableCurrentFor(int phases, bool othersActive)
        {
            int minimum = MinimumFor(phases);
            return othersActive ? (int)((long)minimum * EnableCurrentFactorPct / 100) : minimum;
        }
    }
}
