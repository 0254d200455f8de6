namespace ChargeManager.Distribution.Allocation
{
    /// <summary>
    /// Why a charger got exactly what it got. Payloads live beside it in
    /// <see cref="ChargerAllocation.ReasonPhase"/> and <see cref="ChargerAllocation.ReasonUntilMs"/>.
    /// Numbers are stable: the API shows them.
    /// </summary>
    // byte: a table's array of them is 1 B per charger on nanoCLR (4 B as int).
    public enum AllocationReason : byte
    {
        None = 0,

        // Zero current
        NoVehicle = 1,
        Disabled = 2,
        Unreachable = 3,
        ChargerError = 4,
        GroupBlocked = 5,
        NotChargingAnymore = 6,
        MinimumNotReachable = 7,   // payload: phase that lacks current
        WaitingForRotation = 8,    // payload: next rotation
        HysteresisBlocks = 9,      // payload: until
        RotatedOut = 10,
        PhaseOverload = 11,        // payload: phase
        ProbablyFull = 12,
        UnbalancedLoad = 13,       // payload: phase
        NotSupported = 14,         // charger reports supported current 0 (blocked by its own slot)
        LimitUnsteady = 15,        // would fit the present limit, but the limit flaps: admission follows its recent low; payload: phase, until

        // Non-zero current
        UnreachableKeepsBudget = 20, // payload: until
        WelcomeCharge = 21,          // payload: until
        WakingUp = 22,
        Minimum = 23,
        EnableCurrent = 24,          // not charging yet: offered its enable current
        FairShare = 25,
        VehicleLimit = 26,           // its requested (measured + margin) current
        SupportedByCharger = 27,
        PhaseLimit = 28,             // payload: phase
        LeftOver = 29,
        FastRampUp = 30,             // using supported current while detecting the vehicle's limit
        BalancedLoad = 31,           // lowered to keep phases within the unbalanced-load cap; payload: phase
    }
}
