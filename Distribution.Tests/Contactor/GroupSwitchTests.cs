using ChargeManager.Distribution.Allocation;
using CsCheck;
using ChargeManager.Distribution.Contactor;
using ChargeManager.Distribution.Phases;
using ChargeManager.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Contactor;

/// <summary>
/// A group behind a contactor, in the simulated group whose invariants are checked at every 100 ms
/// step: what each charger may draw, counted through the switch, never exceeds a limit by the
/// manager's doing.
/// </summary>
public class GroupSwitchTests(ITestOutputHelper output)
{
    static GroupSimulation Group(int seed, out SimulatedContactor contactor)
    {
        var chargers = Enumerable.Range(0, 4).Select(i => new SimulatedCharger
        {
            Rotation = (PhaseRotation)((int)PhaseRotation.L123 + i % 6), WiredPhases = 3, NetworkDelayMs = 5,
        }).ToArray();
        foreach (var c in chargers)
            c.Plug(0, false);
        var sim = new GroupSimulation(new AllocatorConfig(), chargers, seed);
        var contactorRef = new SimulatedContactor(() => sim.Now, chargers);
        contactor = contactorRef;
        sim.Distributor.Switcher = new PhaseSwitcher(contactorRef, 0);
        return sim;
    }

    [Fact]
    public void ThreeToOneToThree_WithTheInvariantAtEveryStep()
    {
        var sim = Group(1, out var contactor);
        var switcher = sim.Distributor.Switcher;
        sim.SetLimit(32000);
        sim.Run(2400); // 4 min: without the link's start-up phase the first charger heard starts the hysteresis alone
        Assert.True(sim.Chargers.Count(c => c.Applied > 0) >= 2);

        sim.SetLimit(24000, 3000, 3000); // L2 and L3 cannot carry a 3-phase minimum: one phase is better
        long asked = sim.Now;
        while (switcher.GroupPhases != 1 && sim.Now < asked + 400_000)
            sim.Step();
        Assert.Equal(1, switcher.GroupPhases);
        long switchTook = sim.Now - switcher.SwitchStartedMs;
        while (switcher.Step != SwitchStep.Idle)
            sim.Step();
        sim.Run(300); // 30 s on one phase
        Assert.All(sim.Chargers, c => Assert.Equal(1, c.WiredPhases));
        Assert.Contains(sim.Chargers, c => c.Applied > 0); // charging again, on one phase
        Assert.True(sim.SlotTotal(Phase.L1) <= 24000);

        sim.SetLimit(32000);
        long back = sim.Now;
        while (switcher.GroupPhases != 3 && sim.Now < back + 700_000)
            sim.Step();
        Assert.Equal(3, switcher.GroupPhases);
        sim.Run(300);
        Assert.Contains(sim.Chargers, c => c.Applied > 0 && c.WiredPhases == 3);
        Assert.Equal(2, contactor.Toggles);
        output.WriteLine($"3 -> 1 phases: {switchTook} ms from the start of the sequence; relay toggles: {contactor.Toggles}");
    }

    [Fact]
    public void AStuckContactor_GivesTheWholeGroupZero_AndShowsIt()
    {
        var sim = Group(2, out var contactor);
        var switcher = sim.Distributor.Switcher;
        sim.SetLimit(24000, 3000, 3000);
        contactor.Stuck = true;
        sim.Run(3000);
        Assert.Equal(SwitchStep.Error, switcher.Step);
        Assert.NotNull(switcher.ErrorText);
        Assert.All(sim.Chargers, c => Assert.Equal(0, c.Applied));
        sim.Run(600);
        Assert.All(sim.Chargers, c => Assert.Equal(0, c.Applied)); // latched
    }

    [Fact]
    public void ABouncingContact_IsToleratedAndTheSwitchCompletes()
    {
        var sim = Group(3, out var contactor);
        contactor.Bounces = true;
        sim.SetLimit(24000, 3000, 3000);
        sim.Run(3000);
        Assert.Equal(1, sim.Distributor.Switcher.GroupPhases);
        Assert.Equal(SwitchStep.Idle, sim.Distributor.Switcher.Step);
    }
}

/// <summary>Randomized: limits that make the group switch back and forth, with the invariant at every 100 ms step.</summary>
public class GroupSwitchPropertyTests(ITestOutputHelper output)
{
    [Fact]
    public void RandomLimitsAroundTheThreshold_NeverBreakTheInvariant()
    {
        int switches = 0;
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var chargers = Enumerable.Range(0, 5).Select(i => new SimulatedCharger
            {
                Rotation = (PhaseRotation)(1 + i % 6), WiredPhases = 3, NetworkDelayMs = 1 + i * 20,
            }).ToArray();
            var sim = new GroupSimulation(new AllocatorConfig { GlobalHysteresisMs = 20_000, MinimumCurrent3p = 9200 }, chargers, seed, 0.1);
            var contactor = new SimulatedContactor(() => sim.Now, chargers) { Bounces = seed % 3 == 0 };
            sim.Distributor.Switcher = new PhaseSwitcher(contactor, 0) { DwellMs = 20_000, HysteresisMs = 20_000 };
            var r = sim.Random;
            foreach (var c in chargers)
                if (r.Next(3) > 0) c.Plug(0, false);
            sim.SetLimit(32000);
            for (int step = 0; step < 6000; step++)
            {
                if (r.NextDouble() < 0.003)
                    sim.SetLimit(r.Next(2) == 0 ? r.Next(6, 40) * 1000 : r.Next(5, 10) * 1000);
                if (r.NextDouble() < 0.002)
                {
                    var c = chargers[r.Next(chargers.Length)];
                    if (c.State == VehicleState.NotConnected) c.Plug(sim.Now, false); else c.Unplug(sim.Now);
                }
                sim.Step(); // throws InvariantViolation with the seed on any breach
            }
            switches += contactor.Toggles;
        }, iter: 150, threads: 1);
        output.WriteLine($"{switches} contactor toggles over 150 sequences of 10 minutes");
        Assert.True(switches > 20, "the sequences must make the group switch");
    }
}
