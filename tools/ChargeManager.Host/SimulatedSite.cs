using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;
using ChargeManager.Simulation;

namespace ChargeManager.Host;

/// <summary>
/// A small site for trying the charge manager without hardware: N simulated chargers with a mix of
/// 1p/3p cars and rotations, cars arriving and leaving, and the available current stepping down and
/// up the way a household load would push it. Every step is checked by GroupSimulation's invariants.
/// </summary>
public sealed class SimulatedSite
{
    public readonly GroupSimulation Group;
    readonly int[] schedule = { 32000, 32000, 24000, 16000, 10000, 16000, 24000 };
    int scheduleIndex;

    public SimulatedSite(int chargers, int seed)
    {
        var random = new Random(seed);
        var sims = new SimulatedCharger[chargers];
        for (int i = 0; i < chargers; i++)
        {
            bool onePhase = i % 3 == 2;
            sims[i] = new SimulatedCharger
            {
                Rotation = (PhaseRotation)(1 + i % 6),
                WiredPhases = onePhase ? 1 : 3,
                CarMaxCurrent = random.Next(10, 33) * 1000,
                NetworkDelayMs = random.Next(1, 20),
            };
            if (i % 2 == 0)
                sims[i].Plug(0, false);
        }
        Group = new GroupSimulation(new AllocatorConfig(), sims, seed);
        Group.SetLimit(schedule[0]);
    }

    /// <summary>One 100 ms step; every 2 minutes the limit moves, every so often a car comes or goes.</summary>
    public void Step()
    {
        if (Group.Now > 0 && Group.Now % 120_000 == 0)
        {
            scheduleIndex = (scheduleIndex + 1) % schedule.Length;
            Group.SetLimit(schedule[scheduleIndex]);
        }
        if (Group.Random.NextDouble() < 0.002)
        {
            var c = Group.Chargers[Group.Random.Next(Group.Chargers.Length)];
            if (c.State == VehicleState.NotConnected)
                c.Plug(Group.Now, false);
            else
                c.Unplug(Group.Now);
        }
        Group.Step();
    }

    public IEnumerable<string> Report()
    {
        var d = Group.Distributor;
        long now = Group.Now;
        yield return $"t = {now / 1000,5} s   available {d.Limit(Phase.L1) / 1000.0:0.#} A per phase   " +
            $"allocated L1 {d.Allocator.Allocated[Phase.L1] / 1000.0:0.#} A  L2 {d.Allocator.Allocated[Phase.L2] / 1000.0:0.#} A  L3 {d.Allocator.Allocated[Phase.L3] / 1000.0:0.#} A";
        for (int i = 0; i < d.Count; i++)
        {
            var a = d.Allocations[i];
            var c = Group.Chargers[i];
            string waiting = d.Guard.WaitingForOthers[i] ? "  (waiting for others to reduce first)" : "";
            yield return $"  charger {i + 1,2} {c.State,-17} {d.CommandedCurrent(i) / 1000.0,5:0.0} A {d.CommandedPhases(i)}p   {ReasonText.Describe(a, now)}{waiting}";
        }
    }
}
