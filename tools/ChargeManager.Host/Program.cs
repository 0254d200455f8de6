using ChargeManager.Host;

// The charge manager on the desktop. Until the HTTP/MQTT/UDP host lands (issue 4), it runs the
// portable core against simulated chargers and prints what it decides and why.
//   --simulate N    number of simulated chargers (default 5)
//   --speed X       simulated seconds per real second (default 10)
//   --seconds S     stop after S simulated seconds (default: run until Ctrl-C)
int chargers = 5, seconds = int.MaxValue;
double speed = 10;
for (int i = 0; i < args.Length; i++)
{
    string next = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--simulate" when int.TryParse(next, out var n) && n is >= 1 and <= 64: chargers = n; i++; break;
        case "--speed" when double.TryParse(next, System.Globalization.CultureInfo.InvariantCulture, out var x) && x > 0: speed = x; i++; break;
        case "--seconds" when int.TryParse(next, out var s) && s > 0: seconds = s; i++; break;
        default:
            Console.Error.WriteLine($"unknown or invalid option '{args[i]}'. Options: --simulate N (1..64), --speed X, --seconds S");
            return 2;
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };

var site = new SimulatedSite(chargers, seed: 1);
Console.WriteLine($"ChargeManager: {chargers} simulated chargers, {speed}x real time. Ctrl-C stops.");
var clock = System.Diagnostics.Stopwatch.StartNew();
while (!stop.IsCancellationRequested && site.Group.Now < seconds * 1000L)
{
    site.Step();
    if (site.Group.Now % 10_000 == 0)
        foreach (var line in site.Report())
            Console.WriteLine(line);
    long due = (long)(site.Group.Now / speed);
    long wait = due - clock.ElapsedMilliseconds;
    if (wait > 0)
        stop.Token.WaitHandle.WaitOne((int)wait);
}
Console.WriteLine($"stopped after {site.Group.Now / 1000} simulated seconds; no phase ever exceeded its limit through the manager's own doing.");
return 0;
