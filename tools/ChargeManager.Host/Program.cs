using System.Net;
using System.Net.Sockets;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Host;
using ChargeManager.Host.Link;
using ChargeManager.Simulation;

// The charge manager on the desktop: the portable core, the chargers' UDP protocol on port 34127,
// and (by default) emulated WARP chargers on 127.0.0.2, 127.0.0.3, … so one command shows it working.
// The HTTP and MQTT APIs join with issue 4.
//   --simulate N    number of emulated chargers (default 5, 1..64)
//   --speed X       clock speed for the emulation (default 1 = real time)
//   --seconds S     stop after S seconds of the clock (default: run until Ctrl-C)
int chargers = 5, seconds = int.MaxValue;
double speed = 1;
for (int i = 0; i < args.Length; i++)
{
    string next = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--simulate" when int.TryParse(next, out var n) && n is >= 1 and <= 64: chargers = n; i++; break;
        case "--speed" when double.TryParse(next, System.Globalization.CultureInfo.InvariantCulture, out var x) && x is > 0 and <= 100: speed = x; i++; break;
        case "--seconds" when int.TryParse(next, out var s) && s > 0: seconds = s; i++; break;
        default:
            Console.Error.WriteLine($"unknown or invalid option '{args[i]}'. Options: --simulate N (1..64), --speed X (0..100], --seconds S");
            return 2;
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

var clock = new ScaledClock(speed);
using var farm = new ChargerFarm(chargers, clock);
UdpManager manager;
try
{
    manager = new UdpManager(new AllocatorConfig(), farm.Hosts, clock, rotations: farm.Rotations);
}
catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
{
    Console.Error.WriteLine("UDP port 34127 is in use: is another charge manager running on this machine?");
    return 1;
}
using (manager)
{
    var site = new SiteScenario(manager, farm, seed: 1);
    site.Start();
    Console.WriteLine($"ChargeManager: {chargers} emulated WARP chargers on {farm.Hosts[0]}… over UDP {manager.LocalEndPoint}. Ctrl-C stops.");
    long nextReport = 10_000;
    while (!stop.IsCancellationRequested && clock.NowMs < seconds * 1000L)
    {
        site.Advance(clock.NowMs);
        if (clock.NowMs >= nextReport)
        {
            nextReport += 10_000;
            foreach (var line in site.Report())
                Console.WriteLine(line);
        }
        stop.Token.WaitHandle.WaitOne(Math.Max(1, (int)(100 / speed)));
    }
    Console.WriteLine($"stopped after {clock.NowMs / 1000} s; {manager.Link.DatagramsSent} commands sent.");
}
return 0;
