namespace ChargeManager.Simulation;

/// <summary>
/// A car behind a charger: the one car model of the scenario runner, <see cref="GroupSimulation"/>
/// (through <see cref="SimulatedCharger"/>) and the host's emulated chargers. It starts
/// <see cref="StartDelayMs"/> after it is offered at least its start current, follows a reduction
/// after <see cref="FollowMs"/> and a rise after <see cref="RiseMs"/>, draws at most
/// <see cref="MaxCurrent"/> (mA) on min(its phases, the charger's) and is full once it has
/// <see cref="WantsWh"/>. Drawing starts and stops are counted (churn).
/// </summary>
public sealed class SimulatedCar
{
    public int MaxCurrent = 32000;       // mA
    public int Phases = 3;               // the car's own: 1 or 3
    public int StartDelayMs = 3000;
    public int FollowMs;                 // a reduction takes effect after this long
    public int RiseMs;                   // an increase takes effect after this long
    public double WantsWh = double.PositiveInfinity;

    public bool Full;
    public int Draw;                     // mA per phase it draws on
    public double Wh;
    public int Switches;                 // starts plus stops of drawing

    int target;
    long targetSinceMs;
    long startAtMs = long.MaxValue;

    public bool Drawing => Draw > 0;

    /// <summary>Unplugged: not drawing, no start pending; energy and counts stay (an unplug is no switch of the manager's).</summary>
    public void Reset()
    {
        Draw = 0;
        target = 0;
        startAtMs = long.MaxValue;
    }

    /// <summary>
    /// One step of stepMs: the charger offers offeredMa on chargerPhases; below startAtLeastMa (or
    /// full) the car wants nothing. Returns true when it draws after the step.
    /// </summary>
    public bool Step(long now, int offeredMa, int chargerPhases, int startAtLeastMa, int stepMs)
    {
        if (!Full && Wh >= WantsWh)
        {
            Full = true;
            if (Draw > 0) Switches++;
            Draw = 0;
        }
        int wanted = Full || offeredMa < startAtLeastMa ? 0 : Math.Min(offeredMa, MaxCurrent);
        if (wanted > 0 && Draw == 0 && startAtMs == long.MaxValue)
            startAtMs = now + StartDelayMs;
        if (wanted == 0)
            startAtMs = long.MaxValue;
        if (wanted != target) { target = wanted; targetSinceMs = now; }
        bool was = Draw > 0;
        if (Draw == 0 && wanted > 0)
        {
            if (now >= startAtMs) Draw = wanted;
        }
        else if (wanted < Draw)
        {
            if (now - targetSinceMs >= FollowMs) Draw = wanted; // cars need seconds to follow
        }
        else if (wanted > Draw && now - targetSinceMs >= RiseMs)
            Draw = wanted;
        if ((Draw > 0) != was)
            Switches++;
        Wh += Draw / 1000.0 * 230 * Math.Min(Phases, chargerPhases) * stepMs / 3_600_000.0;
        return Draw > 0;
    }

    /// <summary>What it draws on the charger's phase 1..3 (A), or -0.001 (no current), as WARP's meter reports.</summary>
    public float LineCurrentA(int chargerPhase, int chargerPhases)
    {
        if (Draw == 0 || (chargerPhase != 1 && Math.Min(Phases, chargerPhases) == 1))
            return -0.001f;
        return Draw / 1000f;
    }
}
