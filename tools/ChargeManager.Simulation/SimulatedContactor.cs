using ChargeManager.Distribution.Contactor;

namespace ChargeManager.Simulation;

/// <summary>
/// A contactor in front of simulated chargers: the contact follows the coil after a delay and then
/// the chargers behind it have three phases or one (their P1). Fault switches: it sticks, it bounces
/// once after moving, or its auxiliary contact lies.
/// </summary>
public sealed class SimulatedContactor(Func<long> clock, IEnumerable<SimulatedCharger> chargers, int delayMs = 60) : IContactor
{
    bool relay = true, contact = true, bounced;
    long movesAtMs = long.MaxValue;
    public bool Stuck, Bounces, Lies;
    public int Toggles;

    public bool ContactThreePhases => contact;

    public void SetRelay(bool threePhases)
    {
        if (threePhases != relay)
            Toggles++;
        relay = threePhases;
        movesAtMs = clock() + delayMs;
        bounced = false;
    }

    public bool FeedbackThreePhases
    {
        get
        {
            Step();
            bool reading = contact;
            if (Bounces && !bounced && contact == relay && clock() < movesAtMs + 30)
                reading = !contact; // one short bounce right after moving
            return Lies ? !reading : reading;
        }
    }

    /// <summary>Moves the contact when due and gives the chargers what it now connects.</summary>
    public void Step()
    {
        if (!Stuck && clock() >= movesAtMs && contact != relay)
        {
            contact = relay;
            foreach (var c in chargers)
                c.WiredPhases = contact ? 3 : 1;
        }
    }
}
