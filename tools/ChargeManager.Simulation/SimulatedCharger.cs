using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;

namespace ChargeManager.Simulation;

/// <summary>
/// A WARP charger with a car, reduced to what the manager can observe and command: it applies
/// commands it receives (after a network delay, possibly lost, in order), falls back to 0 A after
/// 30 s without commands, and reports its state about once a second.
/// </summary>
public sealed class SimulatedCharger
{
    public PhaseRotation Rotation;
    public bool Switchable;
    public int WiredPhases = 3;          // phases in use (what it reports)
    public int CarMaxCurrent = 32000;
    public bool CarOnePhase;
    public int Supported = 32000;

    public VehicleState State = VehicleState.NotConnected;
    public bool CarFull;
    public long StateSinceMs;
    public long CarStartsAtMs = long.MaxValue;

    /// <summary>The value in its charge-manager slot: what it allows the car to draw.</summary>
    public int Applied;
    public long LastCommandMs;

    public bool Silent;                  // sends no state packets
    public bool Deaf;                    // receives no commands
    public int NetworkDelayMs = 5;
    public long NextReportMs;

    readonly Queue<(long at, int current, int phases)> inFlight = new();

    public void Send(long now, int current, int phases, bool lost)
    {
        if (lost || Deaf)
            return;
        inFlight.Enqueue((now + NetworkDelayMs, current, phases));
    }

    /// <summary>Delivers due commands; returns true if one arrived (the charger then answers within 300 ms).</summary>
    public bool Receive(long now)
    {
        bool any = false;
        while (inFlight.Count > 0 && inFlight.Peek().at <= now)
        {
            var (_, current, phases) = inFlight.Dequeue();
            Applied = current;
            if (phases != 0 && phases != WiredPhases && Switchable)
                WiredPhases = phases;
            LastCommandMs = now;
            any = true;
        }
        if (now - LastCommandMs > 30000)
            Applied = 0; // the charger's own fallback
        return any;
    }

    public void Plug(long now, bool full)
    {
        State = VehicleState.Ready;
        CarFull = full;
        StateSinceMs = now;
    }

    public void Unplug(long now)
    {
        State = VehicleState.NotConnected;
        CarFull = false;
        StateSinceMs = now;
        CarStartsAtMs = long.MaxValue;
    }

    /// <summary>The car follows the offered current: starts a few seconds after it is offered enough, pauses at 0 A.</summary>
    public void StepCar(long now, int minimumToStart)
    {
        if (State == VehicleState.Ready && !CarFull && Applied >= minimumToStart)
        {
            if (CarStartsAtMs == long.MaxValue)
                CarStartsAtMs = now + 3000;
            else if (now >= CarStartsAtMs)
            {
                State = VehicleState.Charging;
                StateSinceMs = now;
                CarStartsAtMs = long.MaxValue;
            }
        }
        else if (State == VehicleState.Charging && (Applied == 0 || CarFull))
        {
            State = VehicleState.Ready;
            StateSinceMs = now;
        }
        else if (State == VehicleState.Ready && Applied < minimumToStart)
            CarStartsAtMs = long.MaxValue;
    }

    public float LineCurrentA(int chargerPhase)
    {
        if (State != VehicleState.Charging)
            return -0.001f;
        if (CarOnePhase && chargerPhase != 1)
            return -0.001f;
        if (WiredPhases == 1 && chargerPhase != 1)
            return -0.001f;
        return Math.Min(Applied, CarMaxCurrent) / 1000f;
    }

    public void WriteObservation(ChargerObservation o, long now)
    {
        o.Rotation = Rotation;
        o.State = State;
        o.SupportedCurrent = Supported;
        o.ReportedPhases = WiredPhases;
        o.CanSwitchPhases = Switchable;
        o.CarStoppedCharging = CarFull && State != VehicleState.NotConnected;
        o.LineCurrent1 = LineCurrentA(1);
        o.LineCurrent2 = LineCurrentA(2);
        o.LineCurrent3 = LineCurrentA(3);
        o.TimeSinceStateChangeMs = now - StateSinceMs;
        o.AppliedCurrent = Applied;
    }

    /// <summary>What its slot allows on a grid phase.</summary>
    public int DrawOn(int gridPhase) => Cost.On(gridPhase, Applied, WiredPhases, Rotation);
}
