using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Allocation
{
    /// <summary>Plain words for an allocation reason, for the event log, the console and the web page.</summary>
    public static class ReasonText
    {
        public static string Describe(ChargerAllocation a, long nowMs)
        {
            return Describe(a.table, a.index, nowMs);
        }

        /// <summary>As above, for row i of a group's table.</summary>
        public static string Describe(AllocationTable a, int i, long nowMs)
        {
            string phase = Phase.Name(a.ReasonPhase[i]);
            switch (a.Reason[i])
            {
                case AllocationReason.NoVehicle: return "no vehicle connected";
                case AllocationReason.Disabled: return "charge manager disabled";
                case AllocationReason.Unreachable: return "charger unreachable";
                case AllocationReason.ChargerError: return "charger reports an error";
                case AllocationReason.GroupBlocked: return "blocked: error with another charger";
                case AllocationReason.NotChargingAnymore: return "vehicle does not charge";
                case AllocationReason.MinimumNotReachable: return "not enough current on " + phase + " for the minimum";
                case AllocationReason.WaitingForRotation: return "waiting for rotation" + In(a.ReasonUntilMs[i], nowMs);
                case AllocationReason.HysteresisBlocks: return "waiting for the hysteresis" + In(a.ReasonUntilMs[i], nowMs);
                case AllocationReason.RotatedOut: return "paused for a waiting vehicle (rotation)";
                case AllocationReason.PhaseOverload: return "paused: " + phase + " cannot carry every minimum";
                case AllocationReason.ProbablyFull: return "vehicle probably full";
                case AllocationReason.UnbalancedLoad: return "paused: would unbalance the phases (" + phase + ")";
                case AllocationReason.NotSupported: return "charger blocks charging itself";
                case AllocationReason.LimitUnsteady: return "waiting for the limit on " + phase + " to hold steady" + In(a.ReasonUntilMs[i], nowMs);
                case AllocationReason.UnreachableKeepsBudget: return "silent; its current stays reserved" + In(a.ReasonUntilMs[i], nowMs);
                case AllocationReason.WelcomeCharge: return "welcome charge after plug-in" + In(a.ReasonUntilMs[i], nowMs);
                case AllocationReason.WakingUp: return "trying to wake up the vehicle";
                case AllocationReason.Minimum: return "minimum current; " + phase + " has no more";
                case AllocationReason.EnableCurrent: return "offered its start current";
                case AllocationReason.FairShare: return "fair share of " + phase;
                case AllocationReason.VehicleLimit: return "what the vehicle draws plus margin";
                case AllocationReason.SupportedByCharger: return "all the charger allows";
                case AllocationReason.PhaseLimit: return "all that is left on " + phase;
                case AllocationReason.LeftOver: return "left-over current";
                case AllocationReason.FastRampUp: return "detecting the vehicle's limit";
                case AllocationReason.BalancedLoad: return "lowered to balance the phases (" + phase + ")";
                default: return "";
            }
        }

        static string In(long untilMs, long nowMs)
        {
            if (untilMs == ChargerAllocation.Never || untilMs <= nowMs)
                return "";
            return " (" + ((untilMs - nowMs + 999) / 1000).ToString() + " s)";
        }
    }
}
