using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Phases;
using ChargeManager.Host.Link;
using ChargeManager.Simulation;

namespace ChargeManager.Host;

/// <summary>
/// What happens at a simulated site while the host runs with emulated chargers: cars arrive and leave,
/// and the available current steps down and up the way a household load would push it.
/// </summary>
public sealed class SiteScenario(UdpManager manager, ChargerFarm farm, int seed)
{
    static readonly int[] Schedule = { 32000, 32000, 24000, 16000, 10000, 16000, 24000 };
    readonly Random random = new(seed);
    int step = -1;

    public void Start()
    {
        for (int i = 0; i < farm.Chargers.Length; i += 2)
            farm.Chargers[i].Car.Plug(farm.Clock.NowMs, false);
        SetLimit(0);
    }

    /// <summary>Every 2 minutes the limit moves; now and then a car comes or goes.</summary>
    public void Advance(long nowMs)
    {
        int due = (int)(nowMs / 120_000) % Schedule.Length;
        if (due != step)
            SetLimit(due);
        if (random.NextDouble() < 0.002)
        {
            var car = farm.Chargers[random.Next(farm.Chargers.Length)].Car;
            if (car.State == VehicleState.NotConnected)
                car.Plug(nowMs, false);
            else
                car.Unplug(nowMs);
        }
    }

    void SetLimit(int index)
    {
        step = index;
        lock (manager.Gate)
            manager.Group.SetAvailableCurrent(Schedule[index]);
    }

    public IEnumerable<string> Report()
    {
        lock (manager.Gate)
        {
            var d = manager.Group;
            long now = manager.Clock.NowMs;
            string phase(int p) => $"{d.Allocator.Allocated[p] / 1000.0:0.#}";
            yield return $"t = {now / 1000,5} s   available {d.Limit(Phase.L1) / 1000.0:0.#} A per phase   allocated " +
                $"L1 {phase(Phase.L1)} A  L2 {phase(Phase.L2)} A  L3 {phase(Phase.L3)} A   {manager.Link.DatagramsSent} commands sent";
            for (int i = 0; i < d.Count; i++)
            {
                var link = manager.Link.Charger(i);
                string why = link.Error != ChargerError.Ok ? ChargerError.Describe(link.Error) : ReasonText.Describe(d.Allocations[i], now);
                string waiting = d.Guard.WaitingForOthers[i] ? "  (waiting for others to reduce first)" : "";
                yield return $"  {link.Host,-10} {d.Observations[i].State,-17} {d.CommandedCurrent(i) / 1000.0,5:0.0} A {d.CommandedPhases(i)}p   {why}{waiting}";
            }
        }
    }
}
