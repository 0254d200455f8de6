using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Phases;

namespace ChargeManager.Scenarios;

/// <summary>Who decides the chargers' currents in a run: our core, or a baseline.</summary>
public interface IPolicy
{
    string Name { get; }
    /// <summary>A charger's state packet arrived (its observation is filled in).</summary>
    void StateReceived(int charger, long nowMs);
    void SetLimits(int l1, int l2, int l3);
    /// <summary>Every 100 ms; returns the commands (current, phases) per charger.</summary>
    void Tick(long nowMs, int[] current, int[] phases);
    ChargerObservation[] Observations { get; }
    /// <summary>True: a changed command goes out at once (ours); false: round-robin, one charger per 1000/N ms.</summary>
    bool SendsChangesAtOnce { get; }
}

/// <summary>
/// Ours: the real Distributor, exactly as on the device, including the link's start-up phase
/// (<see cref="GroupLink"/>): until every charger has answered (at most
/// <see cref="GroupLink.StartupGraceMs"/>) the group is not planned and what each charger applies is
/// adopted as the starting plan; then it is planned at once.
/// </summary>
public sealed class CorePolicy : IPolicy
{
    readonly Distributor group;
    readonly bool[] heard;
    long startedMs = -1;
    bool startupOver;

    public CorePolicy(int chargers)
    {
        group = new Distributor(new AllocatorConfig(), chargers);
        heard = new bool[chargers];
    }

    public string Name => "ChargeManager";
    public bool SendsChangesAtOnce => true;
    public ChargerObservation[] Observations => group.Observations;
    public bool StartupOver => startupOver;

    public void StateReceived(int charger, long nowMs)
    {
        heard[charger] = true;
        if (!startupOver)
        {
            // As GroupLink.Adopt: before the first allocation, what a charger applies is our starting plan.
            var o = group.Observations[charger];
            var a = group.Allocations[charger];
            bool valid = o.AppliedCurrent > 0 && o.AppliedCurrent <= AllocatorConfig.MaxChargerCurrent;
            a.Current = valid ? o.AppliedCurrent : 0;
            a.Phases = valid ? o.ReportedPhases : 0;
        }
        group.StateReceived(charger, nowMs, false);
    }

    public void SetLimits(int l1, int l2, int l3) => group.SetLimits(l1, l2, l3);

    public void Tick(long nowMs, int[] current, int[] phases)
    {
        if (startedMs < 0)
            startedMs = nowMs;
        if (!startupOver && (heard.All(h => h) || nowMs - startedMs >= GroupLink.StartupGraceMs))
        {
            startupOver = true;
            group.Scheduler.RequestNow();
        }
        if (!startupOver)
            return; // the link sends "ignore allocation": every charger keeps what it applies
        group.Tick(nowMs, -1);
        for (int i = 0; i < current.Length; i++)
        {
            current[i] = group.CommandedCurrent(i);
            phases[i] = group.CommandedPhases(i);
        }
    }
}

/// <summary>
/// The simple baselines, re-planned every 10 s and sent at once, as a plain manager would: no
/// transition safety, no rotation, no hysteresis, every charger on its wired phases.
/// </summary>
public abstract class BaselinePolicy(int chargers) : IPolicy
{
    protected readonly ChargerObservation[] observations = Enumerable.Range(0, chargers).Select(_ => new ChargerObservation()).ToArray();
    protected readonly int[] limit = new int[4];
    protected readonly int[] plan = new int[chargers];
    protected readonly long[] arrivedAt = Enumerable.Repeat(long.MaxValue, chargers).ToArray();
    long nextPlanMs;
    bool lower;
    public abstract string Name { get; }
    public bool SendsChangesAtOnce => false;
    public ChargerObservation[] Observations => observations;

    public void StateReceived(int charger, long nowMs)
    {
        var o = observations[charger];
        o.LastHeardMs = nowMs;
        if (o.IsPluggedIn && arrivedAt[charger] == long.MaxValue) arrivedAt[charger] = nowMs;
        if (!o.IsPluggedIn) arrivedAt[charger] = long.MaxValue;
    }

    public void SetLimits(int l1, int l2, int l3)
    {
        lower = l1 < limit[1] || l2 < limit[2] || l3 < limit[3];
        limit[1] = l1; limit[2] = l2; limit[3] = l3;
    }

    protected bool Wants(int i) => observations[i].IsPluggedIn && !observations[i].CarStoppedCharging && observations[i].LastHeardMs != ChargerObservation.Never;

    protected int Cost(int i, int p, int current) => Distribution.Phases.Cost.On(p, current, observations[i].ReportedPhases, observations[i].Rotation);

    public void Tick(long nowMs, int[] current, int[] phases)
    {
        if (nowMs >= nextPlanMs || lower)
        {
            Plan();
            nextPlanMs = nowMs + 10_000;
            lower = false;
        }
        for (int i = 0; i < current.Length; i++)
        {
            current[i] = plan[i];
            phases[i] = plan[i] > 0 ? observations[i].ReportedPhases : 0;
        }
    }

    protected abstract void Plan();
}

/// <summary>Equal share of each phase among all cars that want current; if the share is below the minimum, everyone stops.</summary>
public sealed class EqualSharePolicy(int chargers) : BaselinePolicy(chargers)
{
    public override string Name => "Equal share";

    protected override void Plan()
    {
        int share = int.MaxValue;
        for (int p = 1; p <= 3; p++)
        {
            int users = Enumerable.Range(0, plan.Length).Count(i => Wants(i) && Cost(i, p, 1) > 0);
            if (users > 0) share = Math.Min(share, limit[p] / users);
        }
        for (int i = 0; i < plan.Length; i++)
            plan[i] = Wants(i) && share >= 6000 ? Math.Min(share, 32000) : 0;
    }
}

/// <summary>First come, first served: cars in arrival order get up to 32 A while every phase still has room for their minimum.</summary>
public sealed class FirstComePolicy(int chargers) : BaselinePolicy(chargers)
{
    public override string Name => "First come";

    protected override void Plan()
    {
        var remaining = new[] { 0, limit[1], limit[2], limit[3] };
        Array.Clear(plan);
        foreach (int i in Enumerable.Range(0, plan.Length).Where(Wants).OrderBy(i => arrivedAt[i]))
        {
            int give = 32000;
            for (int p = 1; p <= 3; p++)
                if (Cost(i, p, 1) > 0) give = Math.Min(give, remaining[p]);
            if (give < 6000) continue;
            plan[i] = give;
            for (int p = 1; p <= 3; p++) remaining[p] -= Cost(i, p, give);
        }
    }
}
