namespace ChargeManager.Distribution.Contactor
{
    /// <summary>Where the phase switch sequence stands (numbers are shown by the API).</summary>
    public enum SwitchStep
    {
        Idle = 0,
        Stopping = 1,          // every charger told 0 A; waiting until each reports 0 A applied
        DisconnectingPilot = 2, // chargers that can disconnect the control pilot do so
        Settling = 3,          // at least 5 s without current before the contactor moves
        Toggling = 4,          // the relay is set once the dead time since the last toggle has passed
        WaitingForFeedback = 5, // the auxiliary contact must confirm the wanted state
        Reconnecting = 6,      // pilot reconnected; cars get a moment before current returns
        Error = 7,             // latched: the group gets 0 A until an explicit reset
    }
}
