using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Tests.Support;

/// <summary>An allocator with hand-set charger observations and a hand-moved clock.</summary>
public sealed class AllocatorBench
{
    public readonly AllocatorConfig Config;
    public readonly ChargerObservation[] Obs;
    public readonly ChargerAllocation[] Alloc;
    public readonly Allocator Allocator;
    public long Now = 1000;
    public long TimeOfDayMs = -1;

    public AllocatorBench(int chargers, Action<AllocatorConfig> configure = null)
    {
        Config = new AllocatorConfig();
        configure?.Invoke(Config);
        Obs = new ChargerObservation[chargers];
        Alloc = new ChargerAllocation[chargers];
        for (int i = 0; i < chargers; i++)
        {
            Obs[i] = new ChargerObservation { LastHeardMs = Now };
            Alloc[i] = new ChargerAllocation();
        }
        Allocator = new Allocator(Config, Obs, Alloc);
    }

    /// <summary>A charger with a car in the given state (heard just now).</summary>
    public ChargerObservation Set(int i, VehicleState state, int phases = 3, bool switchable = false,
        PhaseRotation rotation = PhaseRotation.Unknown)
    {
        var o = Obs[i];
        o.State = state;
        o.ReportedPhases = phases;
        o.CanSwitchPhases = switchable;
        o.Rotation = rotation;
        o.LastHeardMs = Now;
        o.TimeSinceStateChangeMs = 0;
        return o;
    }

    /// <summary>Runs once with the same limit on all phases; every charger not marked silent counts as heard now.</summary>
    public void Run(int limit, params int[] silent) => Run(limit, limit, limit, silent);

    public void Run(int l1, int l2, int l3, params int[] silent)
    {
        for (int i = 0; i < Obs.Length; i++)
            if (Array.IndexOf(silent, i) < 0)
                Obs[i].LastHeardMs = Now;
        Allocator.Run(l1, l2, l3, Now, TimeOfDayMs);
    }

    public void Advance(long ms)
    {
        Now += ms;
        if (TimeOfDayMs >= 0)
            TimeOfDayMs = (TimeOfDayMs + ms) % 86_400_000;
        foreach (var o in Obs)
            if (o.TimeSinceStateChangeMs >= 0)
                o.TimeSinceStateChangeMs += ms;
    }

    /// <summary>Advances in allocation intervals, running each time.</summary>
    public void RunFor(long ms, int limit)
    {
        for (long t = 0; t < ms; t += Config.AllocationIntervalMs)
        {
            Advance(Config.AllocationIntervalMs);
            Run(limit);
        }
    }

    public int PhaseSum(int phase)
    {
        int sum = 0;
        for (int i = 0; i < Alloc.Length; i++)
            sum += Cost.On(phase, Alloc[i].Current, Alloc[i].Phases, Obs[i].Rotation);
        return sum;
    }

    public int Active()
    {
        int n = 0;
        foreach (var a in Alloc)
            if (a.Current > 0)
                n++;
        return n;
    }
}
