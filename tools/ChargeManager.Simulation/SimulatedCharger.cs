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
    public int Supported = 32000;

    /// <summary>The car behind it (the model shared with the scenario runner, which plugs in its own cars): by default it starts 3 s after it is offered its minimum and follows at once.</summary>
    public SimulatedCar Car = new SimulatedCar();
    public int CarMaxCurrent { get => Car.MaxCurrent; set => Car.MaxCurrent = value; }
    public bool CarOnePhase { get => Car.Phases == 1; set => Car.Phases = value ? 1 : 3; }
    public bool CarFull { get => Car.Full; set => Car.Full = value; }

    public VehicleState State = VehicleState.NotConnected;
    public long StateSinceMs;

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
        Car.Reset();
        State = VehicleState.Ready;
        CarFull = full;
        StateSinceMs = now;
    }

    public void Unplug(long now)
    {
        Car.Reset();
        State = VehicleState.NotConnected;
        CarFull = false;
        StateSinceMs = now;
    }

    /// <summary>The car follows the offered current (<see cref="SimulatedCar"/>): charging while it draws.</summary>
    public void StepCar(long now, int minimumToStart, int stepMs = 0)
    {
        if (State == VehicleState.NotConnected)
            return;
        bool drawing = Car.Step(now, Applied, WiredPhases, minimumToStart, stepMs);
        var state = drawing ? VehicleState.Charging : VehicleState.Ready;
        if (state != State)
        {
            State = state;
            StateSinceMs = now;
        }
    }

    public float LineCurrentA(int chargerPhase) =>
        State != VehicleState.Charging ? -0.001f : Car.LineCurrentA(chargerPhase, WiredPhases);

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
