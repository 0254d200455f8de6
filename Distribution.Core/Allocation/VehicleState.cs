namespace ChargeManager.Distribution.Allocation
{
    /// <summary>The charger's "charger_state" byte (spec §1.4).</summary>
    public enum VehicleState
    {
        NotConnected = 0,
        WaitingForRelease = 1,
        Ready = 2,
        Charging = 3,
        Error = 4,
    }
}
