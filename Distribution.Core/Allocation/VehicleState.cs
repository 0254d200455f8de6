namespace ChargeManager.Distribution.Allocation
{
    /// <summary>The charger's "charger_state" byte (spec §1.4).</summary>
    // byte: a table's array of them is 1 B per charger on nanoCLR (4 B as int).
    public enum VehicleState : byte
    {
        NotConnected = 0,
        WaitingForRelease = 1,
        Ready = 2,
        Charging = 3,
        Error = 4,
    }
}
