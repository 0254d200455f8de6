using System.Net;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Tests.Api;
using ChargeManager.Distribution.Phases;
using ChargeManager.Host.Link;
using ChargeManager.Simulation;

namespace ChargeManager.Distribution.Tests.Link;

/// <summary>
/// A manager on 127.0.0.1 (an ephemeral port) and emulated chargers on their own loopback addresses,
/// all on one clock running 10x real time. After every manager tick it samples what the chargers'
/// slots allow per phase and records the worst excess over the limit outside the compliance window
/// that follows an external drop.
/// </summary>
public sealed class UdpGroup : IDisposable
{
    public const double Speed = 10;
    public readonly ScaledClock Clock = new(Speed);
    public readonly ChargerFarm Farm;
    public readonly UdpManager Manager;
    public int WorstExcess;          // mA above the limit while no drop was being complied with
    public long DropAtMs = -1;
    public long CompliedAtMs = -1;
    int limit;

    /// <param name="mdnsNames">Configure the chargers by these *.local names (they advertise them) instead of their addresses.</param>
    public UdpGroup(int chargers, string firstAddress, int stateVersion = 5, string[] mdnsNames = null)
    {
        Farm = new ChargerFarm(chargers, Clock, IPAddress.Parse(firstAddress), stateVersion: stateVersion);
        string[] hosts = Farm.Hosts;
        IPEndPoint[] browseTargets = null;
        if (mdnsNames != null)
        {
            for (int i = 0; i < chargers; i++)
                Farm.Chargers[i].Advertise(mdnsNames[i]);
            hosts = mdnsNames.Select(n => n + ".local").ToArray();
            browseTargets = Farm.Chargers.Select(c => new IPEndPoint(c.Address, 5353)).ToArray();
        }
        var config = new ManagerConfig
        {
            EnableChargeManager = true,
            MaximumAvailableCurrent = 32000 * ManagerConfig.MaxChargers,
            Hosts = hosts,
            Names = hosts,
        };
        Manager = new UdpManager(config, new MemoryStore(), Clock, new IPEndPoint(IPAddress.Loopback, 0), browseTargets);
        ChargeManager.Host.HostApp.SetRotations(Manager, Farm.Rotations); // the wiring, as a user configures it
        Manager.Ticked += Sample;
    }

    public WarpChargerEmulator this[int i] => Farm.Chargers[i];

    public void SetLimit(int current)
    {
        lock (Manager.Gate)
        {
            if (current < limit)
            {
                DropAtMs = Clock.NowMs;
                CompliedAtMs = -1;
            }
            limit = current;
            Manager.Group.SetAvailableCurrent(current);
        }
    }

    public int SlotTotal(int phase) => Farm.Chargers.Sum(c => c.Car.DrawOn(phase));

    void Sample(long now)
    {
        for (int p = Phase.L1; p <= Phase.L3; p++)
        {
            int excess = SlotTotal(p) - limit;
            if (DropAtMs >= 0 && CompliedAtMs < 0)
            {
                if (excess <= 0 && p == Phase.L3)
                    CompliedAtMs = now;
                continue;
            }
            WorstExcess = Math.Max(WorstExcess, excess);
        }
    }

    /// <summary>Waits on the group's clock until the condition holds (checked under the manager's lock) or the time is up.</summary>
    public bool WaitFor(Func<bool> condition, long clockMs)
    {
        long until = Clock.NowMs + clockMs;
        while (Clock.NowMs < until)
        {
            lock (Manager.Gate)
                if (condition())
                    return true;
            Clock.Sleep(50);
        }
        lock (Manager.Gate)
            return condition();
    }

    public void Wait(long clockMs) => WaitFor(() => false, clockMs);

    public void Dispose()
    {
        Manager.Dispose();
        Farm.Dispose();
    }
}
