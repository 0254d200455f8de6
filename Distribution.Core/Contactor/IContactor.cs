namespace ChargeManager.Distribution.Contactor
{
    /// <summary>
    /// The external contactor in front of the charger group: a relay output that drives its coil
    /// (energised = three phases) and an input from its auxiliary contact that says what it really did.
    /// The device's GPIO glue and the desktop's simulated contactor implement it.
    /// </summary>
    public interface IContactor
    {
        void SetRelay(bool threePhases);

        /// <summary>What the auxiliary contact reports now: true when the contactor is closed (three phases).</summary>
        bool FeedbackThreePhases { get; }
    }
}
