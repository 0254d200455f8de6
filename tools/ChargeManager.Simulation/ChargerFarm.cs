using System.Net;
using ChargeManager.Distribution.Phases;

namespace ChargeManager.Simulation;

/// <summary>
/// N emulated WARP chargers on consecutive loopback addresses (127.0.0.2, 127.0.0.3, … by default),
/// polled by one background thread. Optional packet loss drops that share of what reaches them and
/// of what they send back, by closing their ears or mouths for a poll.
/// </summary>
public sealed class ChargerFarm : IDisposable
{
    public readonly WarpChargerEmulator[] Chargers;
    public readonly ScaledClock Clock;
    readonly Thread thread;
    volatile bool running = true;

    public ChargerFarm(int count, ScaledClock clock, IPAddress first = null, int seed = 1, int stateVersion = 5)
    {
        Clock = clock;
        first ??= IPAddress.Parse("127.0.0.2");
        var random = new Random(seed);
        byte[] baseBytes = first.GetAddressBytes();
        Chargers = new WarpChargerEmulator[count];
        for (int i = 0; i < count; i++)
        {
            var bytes = (byte[])baseBytes.Clone();
            bytes[3] = (byte)(baseBytes[3] + i);
            var car = new SimulatedCharger
            {
                Rotation = (PhaseRotation)(1 + i % 6),
                WiredPhases = i % 3 == 2 ? 1 : 3,
                CarMaxCurrent = random.Next(10, 33) * 1000,
            };
            Chargers[i] = new WarpChargerEmulator(new IPAddress(bytes), car, clock.NowMs) { StateVersion = stateVersion };
        }
        thread = new Thread(Run) { IsBackground = true, Name = "charger farm" };
        thread.Start();
    }

    void Run()
    {
        while (running)
        {
            long now = Clock.NowMs;
            foreach (var c in Chargers)
                c.Poll(now);
            Thread.Sleep(2);
        }
    }

    public string[] Hosts => Chargers.Select(c => c.Address.ToString()).ToArray();

    /// <summary>How the emulated chargers are wired: what a user would enter as each charger's rotation.</summary>
    public PhaseRotation[] Rotations => Chargers.Select(c => c.Car.Rotation).ToArray();

    public void Dispose()
    {
        running = false;
        thread.Join();
        foreach (var c in Chargers)
            c.Dispose();
    }
}
