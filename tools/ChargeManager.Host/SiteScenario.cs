using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Phases;
using ChargeManager.Host.Link;
using ChargeManager.Simulation;

namespace ChargeManager.Host;

/// <summary>What happens at the emulated site while the host runs: cars arrive and leave. The available current is the user's (the API).</summary>
public sealed class SiteScenario(UdpManager manager, ChargerFarm farm, int seed)
{
    readonly Random random = new(seed);

    public void Start()
    {
        for (int i = 0; i < farm.Chargers.Length; i += 2)
            farm.Chargers[i].Car.Plug(farm.Clock.NowMs, false);
    }

    /// <summary>Called every 100 ms of the clock: now and then a car comes or goes.</summary>
    public void Advance(long nowMs)
    {
        if (random.NextDouble() >= 0.002)
            return;
        var car = farm.Chargers[random.Next(farm.Chargers.Length)].Car;
        if (car.State == VehicleState.NotConnected)
            car.Plug(nowMs, false);
        else
            car.Unplug(nowMs);
    }

    public IEnumerable<string> Report()
    {
        lock (manager.Gate)
        {
            var d = manager.Group;
            long now = manager.Clock.NowMs;
            string phase(int p) => $"{d.Allocator.Allocated[p] / 1000.0:0.#}";
            yield return $"t = {now / 1000,5} s   available {manager.App.AvailableCurrent / 1000.0:0.#} A per phase   allocated " +
                $"L1 {phase(Phase.L1)} A  L2 {phase(Phase.L2)} A  L3 {phase(Phase.L3)} A   {manager.Link.DatagramsSent} commands sent";
            for (int i = 0; i < d.Count; i++)
            {
                var link = manager.Link.Charger(i);
                string why = link.Error != ChargerError.Ok ? ChargerError.Describe(link.Error) : ReasonText.Describe(d.Allocations[i], now);
                string waiting = d.Guard.WaitingForOthers[i] ? "  (waiting for others to reduce first)" : "";
                yield return $"  {ConsoleText.Printable(manager.App.Config.Names[i]),-10} {link.Host,-16} {d.Observations[i].State,-17} {d.CommandedCurrent(i) / 1000.0,5:0.0} A {d.CommandedPhases(i)}p   {why}{waiting}";
            }
        }
    }
}
