using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Phases;

namespace ChargeManager.Simulation;

/// <summary>
/// A Distributor driving simulated chargers over a lossy, delayed "network" with a 100 ms clock,
/// checking at every step:
///  - the plan never exceeds a limit, and every non-zero current is at least its minimum;
///  - the guard's envelope is sound: no charger's slot allows more than the guard thinks it may draw;
///  - overshoot (Σ slots or Σ envelopes above a limit) only ever starts with an external limit drop
///    and never grows while it lasts: everything the manager itself does adds zero overshoot;
///  - contactor wear is bounded per charger: the plan switches a charger on at most once per
///    hysteresis (welcome charges excepted), and never rotates it out sooner than that after its
///    switch-on; what other chargers do is irrelevant.
/// Violations throw with the seed and step, so a failing sequence can be replayed.
/// </summary>
public sealed class GroupSimulation
{
    public const int TickMs = 100;

    public readonly Distributor Distributor;
    public readonly SimulatedCharger[] Chargers;
    public readonly Random Random;
    public readonly int Seed;
    public long Now;
    public double LossRate;
    public int Steps;

    /// <summary>Overshoot still allowed per phase: what an external drop caused, shrinking as chargers comply.</summary>
    readonly int[] allowance = new int[Phase.VectorLength];
    readonly int[] limit = new int[Phase.VectorLength];
    long dropAtMs = -1;

    public readonly List<long> ComplyTimesMs = new();
    public int SwitchOns;
    public int PlanSwitchOns;            // 0 → phases in the allocator's plan
    readonly int[] planPhases;
    readonly long[] planSwitchOnMs;
    public long OvershootMaMs; // ∫ of slot overshoot after drops (what the cars need seconds to follow)

    public GroupSimulation(AllocatorConfig config, SimulatedCharger[] chargers, int seed, double lossRate = 0)
    {
        Distributor = new Distributor(config, chargers.Length);
        Chargers = chargers;
        Seed = seed;
        Random = new Random(seed);
        LossRate = lossRate;
        planPhases = new int[chargers.Length];
        planSwitchOnMs = Enumerable.Repeat(long.MinValue, chargers.Length).ToArray();
        for (int i = 0; i < chargers.Length; i++)
        {
            chargers[i].NextReportMs = Random.Next(0, 1000);
            Distributor.Observations[i].Rotation = chargers[i].Rotation;
        }
    }

    public void SetLimit(int l1, int l2, int l3)
    {
        bool drop = l1 < limit[1] || l2 < limit[2] || l3 < limit[3];
        limit[1] = l1; limit[2] = l2; limit[3] = l3;
        Distributor.SetLimits(l1, l2, l3);
        for (int p = Phase.L1; p <= Phase.L3; p++)
        {
            int excess = Math.Max(Distributor.Guard.MayDrawTotal(p), SlotTotal(p)) - limit[p];
            allowance[p] = Math.Max(allowance[p], Math.Max(excess, 0));
        }
        if (drop && (allowance[1] > 0 || allowance[2] > 0 || allowance[3] > 0) && dropAtMs < 0)
            dropAtMs = Now;
    }

    public void SetLimit(int current) => SetLimit(current, current, current);

    public int SlotTotal(int phase)
    {
        int sum = 0;
        foreach (var c in Chargers)
            sum += c.DrawOn(phase);
        return sum;
    }

    /// <summary>Advances the clock by one tick: network, chargers, cars, manager; then checks.</summary>
    public void Step()
    {
        Now += TickMs;
        Steps++;
        var d = Distributor;
        int minimumToStart = Math.Min(d.Config.MinimumCurrent1p, d.Config.MinimumCurrent3p);
        int[] phasesBefore = new int[Chargers.Length];
        for (int i = 0; i < Chargers.Length; i++)
            phasesBefore[i] = d.CommandedPhases(i);

        for (int i = 0; i < Chargers.Length; i++)
        {
            var c = Chargers[i];
            bool gotCommand = c.Receive(Now);
            c.StepCar(Now, minimumToStart);
            if (gotCommand)
                c.NextReportMs = Math.Min(c.NextReportMs, Now + 300);
            if (Now >= c.NextReportMs)
            {
                c.NextReportMs = Now + 1000 + Random.Next(0, 200);
                if (!c.Silent && Random.NextDouble() >= LossRate)
                {
                    c.WriteObservation(d.Observations[i], Now);
                    d.StateReceived(i, Now, false);
                }
            }
        }

        d.Tick(Now, -1);

        // The link sends every charger its command about once a second; changed values go out at once.
        for (int i = 0; i < Chargers.Length; i++)
        {
            bool changed = d.Guard.CommandSinceMs[i] == Now;
            if (changed || (Now / TickMs + i) % 10 == 0)
                Chargers[i].Send(Now, d.CommandedCurrent(i), d.CommandedPhases(i), Random.NextDouble() < LossRate);
            if (phasesBefore[i] == 0 && d.CommandedPhases(i) != 0)
                SwitchOns++;
        }
        Check();
    }

    public void Run(int steps)
    {
        for (int s = 0; s < steps; s++)
            Step();
    }

    void Check()
    {
        var d = Distributor;
        var config = d.Config;
        for (int p = Phase.L1; p <= Phase.L3; p++)
        {
            int plan = 0, held = 0;
            for (int i = 0; i < Chargers.Length; i++)
            {
                var a = d.Allocations[i];
                int cost = Cost.On(p, a.Current, a.Phases, Chargers[i].Rotation);
                plan += cost;
                if (a.Reason == AllocationReason.UnreachableKeepsBudget)
                    held += cost;
            }
            // The plan fits the limit the allocator last ran with (held chargers are not ours to cut).
            int planned = d.Allocator.Limit(p);
            if (plan > Math.Max(planned, held))
                Fail($"plan {plan} mA above limit {planned} mA on {Phase.Name(p)}");

            for (int i = 0; i < Chargers.Length; i++)
                if (Chargers[i].DrawOn(p) > d.Guard.MayDraw(i, p))
                    Fail($"charger {i} slot allows {Chargers[i].DrawOn(p)} mA on {Phase.Name(p)}, guard counts {d.Guard.MayDraw(i, p)} mA");

            int excess = Math.Max(d.Guard.MayDrawTotal(p), SlotTotal(p)) - limit[p];
            if (excess > allowance[p])
                Fail($"overshoot {excess} mA on {Phase.Name(p)} grew beyond the {allowance[p]} mA an external drop caused");
            allowance[p] = Math.Max(excess, 0);
            if (SlotTotal(p) > limit[p])
                OvershootMaMs += (long)(SlotTotal(p) - limit[p]) * TickMs;
        }
        if (dropAtMs >= 0 && allowance[1] == 0 && allowance[2] == 0 && allowance[3] == 0)
        {
            ComplyTimesMs.Add(Now - dropAtMs);
            dropAtMs = -1;
        }

        for (int i = 0; i < Chargers.Length; i++)
        {
            var a = d.Allocations[i];
            int hysteresis = config.GlobalHysteresisMs;
            if (planPhases[i] == 0 && a.Phases != 0)
            {
                // A welcome charge (a car plugged in since the last switch-on) may come sooner.
                bool welcome = config.PlugInTimeMs > 0 && a.LastPlugInMs >= planSwitchOnMs[i];
                if (!welcome && planSwitchOnMs[i] != long.MinValue && Now - planSwitchOnMs[i] < hysteresis)
                    Fail($"charger {i} switched on {Now - planSwitchOnMs[i]} ms after its last switch-on, within its {hysteresis} ms hysteresis");
                planSwitchOnMs[i] = Now;
                PlanSwitchOns++;
            }
            if (planPhases[i] != 0 && a.Phases == 0 && a.Reason == AllocationReason.RotatedOut && Now - planSwitchOnMs[i] < hysteresis)
                Fail($"charger {i} rotated out {Now - planSwitchOnMs[i]} ms after its switch-on, within its {hysteresis} ms hysteresis");
            planPhases[i] = a.Phases;
            if (a.Current != 0 && a.Current < config.MinimumFor(a.Phases))
                Fail($"charger {i} planned {a.Current} mA on {a.Phases}p, below the minimum");
            int commanded = d.CommandedCurrent(i);
            if (commanded != 0 && commanded < config.MinimumFor(d.CommandedPhases(i)))
                Fail($"charger {i} commanded {commanded} mA on {d.CommandedPhases(i)}p, below the minimum");
        }
    }

    void Fail(string what) =>
        throw new InvariantViolation($"seed {Seed}, step {Steps} (t = {Now} ms): {what}");

    /// <summary>True when every reachable charger has been commanded exactly its plan.</summary>
    public bool Settled()
    {
        var d = Distributor;
        for (int i = 0; i < Chargers.Length; i++)
        {
            var a = d.Allocations[i];
            if (d.CommandedCurrent(i) != a.Current)
                return false;
        }
        return true;
    }
}

public sealed class InvariantViolation(string message) : Exception(message);
