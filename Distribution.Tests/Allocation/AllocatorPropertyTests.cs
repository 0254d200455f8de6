using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Simulation;
using CsCheck;
using Xunit;

namespace ChargeManager.Distribution.Tests.Allocation;

/// <summary>Spec case 6: for random charger sets, states, rotations and limits, over many runs.</summary>
public class AllocatorPropertyTests
{
    public sealed record Charger(int State, int Phases, bool Switchable, int Rotation, int Supported, bool Full, bool Silent, float Line);

    static readonly Gen<Charger> Chargers = Gen.Select(Gen.Int[0, 4], Gen.OneOf(1, 3), Gen.Bool, Gen.Int[0, 6],
        Gen.OneOf(0, 6000, 10000, 16000, 32000), Gen.Bool, Gen.Int[0, 9].Select(x => x == 0), Gen.Single[-1f, 32f],
        (s, p, sw, r, sup, full, silent, line) => new Charger(s, p, sw, r, sup, full, silent, line));

    static readonly Gen<int[]> Limits = Gen.Int[0, 70].Select(a => a * 1000).Array[3];

    [Fact]
    public void EveryRunFitsEveryPhaseAndRespectsMinimums()
    {
        Gen.Select(Chargers.Array[1, 24], Limits.Array[1, 12], Gen.OneOf(6000, 9200), Gen.OneOf(0, 8000))
            .Sample((chargers, limits, min3p, cap) =>
            {
                var bench = new AllocatorBench(chargers.Length, c =>
                {
                    c.MinimumCurrent3p = min3p;
                    c.MaxUnbalancedLoadMa = cap;
                    c.GlobalHysteresisMs = 30_000;
                    c.RotationIntervalMs = 60_000;
                });
                for (int i = 0; i < chargers.Length; i++)
                {
                    var c = chargers[i];
                    var o = bench.Set(i, (VehicleState)c.State, c.Phases, c.Switchable, (PhaseRotation)c.Rotation);
                    o.SupportedCurrent = c.Supported;
                    o.CarStoppedCharging = c.Full;
                    o.LineCurrent1 = o.LineCurrent2 = o.LineCurrent3 = c.Line;
                }
                int[] silent = Enumerable.Range(0, chargers.Length).Where(i => chargers[i].Silent).ToArray();
                var lastOn = Enumerable.Repeat(long.MinValue, chargers.Length).ToArray();
                var phasesBefore = new int[chargers.Length];
                foreach (var l in limits)
                {
                    for (int run = 0; run < 5; run++)
                    {
                        bench.Advance(7000);
                        bench.Run(l[0], l[1], l[2], silent);
                        for (int p = Phase.L1; p <= Phase.L3; p++)
                        {
                            int held = 0;
                            for (int i = 0; i < chargers.Length; i++)
                                if (bench.Alloc[i].Reason == AllocationReason.UnreachableKeepsBudget)
                                    held += Cost.On(p, bench.Alloc[i].Current, bench.Alloc[i].Phases, bench.Obs[i].Rotation);
                            Assert.True(bench.PhaseSum(p) <= Math.Max(l[p - 1], held), $"{Phase.Name(p)}: {bench.PhaseSum(p)} > {l[p - 1]}");
                        }
                        for (int i = 0; i < chargers.Length; i++)
                        {
                            // Per-charger hysteresis: at most one switch-on per 30 s, whatever the others do.
                            var a = bench.Alloc[i];
                            if (phasesBefore[i] == 0 && a.Phases != 0)
                            {
                                Assert.True(a.Reason == AllocationReason.WelcomeCharge || lastOn[i] == long.MinValue || bench.Now - lastOn[i] >= 30_000,
                                    $"charger {i} switched on {bench.Now - lastOn[i]} ms after its last switch-on");
                                lastOn[i] = bench.Now;
                            }
                            phasesBefore[i] = a.Phases;
                        }
                        foreach (var a in bench.Alloc)
                        {
                            Assert.True(a.Current == 0 || a.Current >= bench.Config.MinimumFor(a.Phases));
                            Assert.True(a.Current <= AllocatorConfig.MaxChargerCurrent);
                            Assert.True(a.Phases is 0 or 1 or 3);
                            Assert.True(a.Current == 0 ? a.Phases == 0 || a.Reason == AllocationReason.UnreachableKeepsBudget : a.Phases != 0);
                            Assert.NotEqual(AllocationReason.None, a.Reason);
                        }
                    }
                }
            }, iter: 500);
    }
}
