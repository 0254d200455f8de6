using System.Net.Sockets;
using System.Runtime.InteropServices;
using ChargeManager.Host;

// The charge manager on the desktop: the HTTP API (ASP.NET Core) on 127.0.0.1:8080, the chargers'
// UDP protocol on port 34127, config in ./chargemanager-data, and by default five emulated WARP
// chargers on 127.0.0.2 … so that one command shows a working manager. See HostOptions.Usage.
var options = HostOptions.Parse(args, out string error);
if (error != null)
{
    Console.Error.WriteLine(error);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
// A service manager (or `timeout`) stops it with SIGTERM: the same graceful shutdown as Ctrl-C.
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => { signal.Cancel = true; stop.Cancel(); });

HostApp host;
try
{
    host = await HostApp.StartAsync(options, Console.Out);
}
catch (Exception e) when (e is SocketException or IOException)
{
    Console.Error.WriteLine($"cannot start: {e.Message} (is another charge manager running? see --http and --udp)");
    return 1;
}

await using (host)
{
    Console.WriteLine($"ChargeManager: API on {host.HttpAddress}, chargers over UDP {host.Manager.LocalEndPoint}" +
        (host.Farm != null ? $", {host.Farm.Chargers.Length} emulated chargers from {host.Farm.Hosts[0]}" : "") +
        (options.MqttHost != null ? $", MQTT {options.MqttHost}:{options.MqttPort} under {options.MqttPrefix}/" : "") + ". Ctrl-C stops.");
    Console.WriteLine($"  try: curl {host.HttpAddress}/charge_manager/available_current -d 16000");
    var clock = host.Clock;
    long nextReport = 10_000;
    while (!stop.IsCancellationRequested && clock.NowMs < options.Seconds * 1000L)
    {
        host.Site?.Advance(clock.NowMs);
        if (host.Site != null && clock.NowMs >= nextReport)
        {
            nextReport += 10_000;
            foreach (var line in host.Site.Report())
                Console.WriteLine(line);
        }
        stop.Token.WaitHandle.WaitOne(Math.Max(1, (int)(100 / options.Speed)));
    }
    Console.WriteLine($"stopped after {clock.NowMs / 1000} s; {host.Manager.Link.DatagramsSent} commands sent.");
}
return 0;
