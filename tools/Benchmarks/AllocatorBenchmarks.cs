using BenchmarkDotNet.Attributes;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;

namespace ChargeManager.Benchmarks;

/// <summary>
/// One allocator run, and one full tick (run + rollout), for groups of 1 to 1024 chargers in a
/// busy mix: 1p and 3p, known and unknown rotations, switchable, charging, waiting, probably full.
/// The limit alternates so that every run has to move currents. Reports ns and bytes per run.
/// </summary>
[MemoryDiagnoser]
public class AllocatorBenchmarks
{
    [Params(1, 8, 64, 256, 1024)]
    public int Chargers;

    Distributor group;
    long now;
    int flip;

    [GlobalSetup]
    public void Setup()
    {
        group = new Distributor(new AllocatorConfig { RotationIntervalMs = 60_000 }, Chargers);
        var random = new Random(42);
        for (int i = 0; i < Chargers; i++)
        {
            var o = group.Observations[i];
            o.Rotation = (PhaseRotation)random.Next(0, 7);
            o.ReportedPhases = random.Next(3) == 0 ? 1 : 3;
            o.CanSwitchPhases = random.Next(4) == 0;
            o.State = (VehicleState)random.Next(0, 4);
            o.CarStoppedCharging = random.Next(8) == 0;
            o.LineCurrent1 = o.LineCurrent2 = o.LineCurrent3 = random.Next(0, 20);
            o.TimeSinceStateChangeMs = 120_000;
        }
        // Warm up: a few minutes of the group so hysteresis, energy and rotation state are realistic.
        for (int k = 0; k < 300; k++)
            Tick();
    }

    int Limit => (flip++ & 1) == 0 ? Chargers * 9000 : Chargers * 12000;

    void Heard()
    {
        for (int i = 0; i < Chargers; i++)
        {
            group.Observations[i].AppliedCurrent = group.CommandedCurrent(i);
            group.StateReceived(i, now, false);
        }
    }

    [Benchmark]
    public void AllocatorRun()
    {
        now += 1000;
        for (int i = 0; i < Chargers; i++)
            group.Observations[i].LastHeardMs = now; // live chargers: silent ones would skip most stages
        int limit = Limit;
        group.Allocator.Run(limit, limit, limit, now, now % 86_400_000);
    }

    [Benchmark]
    public bool Tick()
    {
        now += 1000;
        Heard();
        group.SetAvailableCurrent(Limit);
        return group.Tick(now, now % 86_400_000);
    }
}
