using System.Text;
using ChargeManager.Distribution.Api;
using ChargeManager.Host.Link;
using ChargeManager.Simulation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ChargeManager.Host;

/// <summary>
/// One running charge manager on the desktop: the core's app behind the UDP link, ASP.NET Core's own
/// web server for the HTTP API, and (unless --simulate 0) emulated chargers with cars that come and go.
/// </summary>
public sealed class HostApp : IAsyncDisposable
{
    public readonly HostOptions Options;
    public readonly ScaledClock Clock;
    public readonly ChargerFarm Farm;
    public readonly UdpManager Manager;
    public readonly SiteScenario Site;
    public readonly Mqtt.MqttBridge Mqtt;
    public readonly SimulatedContactor Contactor;
    readonly WebApplication web;

    HostApp(HostOptions options, TextWriter log)
    {
        Options = options;
        Clock = new ScaledClock(options.Speed);
        if (options.Simulate > 0)
            Farm = new ChargerFarm(options.Simulate, Clock, options.SimulateFrom);
        var defaults = new ManagerConfig
        {
            EnableChargeManager = Farm != null,
            DefaultAvailableCurrent = 16000,
            MaximumAvailableCurrent = 32000,
            MinimumCurrentVehicleType = 0,
            Hosts = Farm?.Hosts ?? Array.Empty<string>(),
            Names = Farm?.Chargers.Select((c, i) => $"sim-{i + 1}").ToArray() ?? Array.Empty<string>(),
        };
        var store = new DirectoryStore(options.Data);
        if (options.Contactor && Farm != null)
        {
            foreach (var c in Farm.Chargers)
                c.Car.Switchable = false; // the contactor decides their phases
            Contactor = new SimulatedContactor(() => Clock.NowMs, Farm.Chargers.Select(c => c.Car).ToArray());
        }
        Manager = new UdpManager(defaults, store, Clock, options.Udp, contactor: Contactor);
        if (Farm != null && !store.Exists(ChargeManagerApp.PhaseRotationsFile))
            SetRotations(Manager, Farm.Rotations);
        Manager.App.Log.Written += (now, message) => log.WriteLine($"[{now / 1000.0,8:0.0} s] {message}");
        if (Farm != null)
            Site = new SiteScenario(Manager, Farm, seed: 1);
        if (options.MqttHost != null)
            Mqtt = new Mqtt.MqttBridge(Manager, options.MqttHost, options.MqttPort, options.MqttPrefix, options.MqttUser, options.MqttPassword);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{options.Http}");
        web = builder.Build();
        web.Run(Serve);
    }

    /// <summary>Tells the manager how chargers are wired, as a user would through the API.</summary>
    public static void SetRotations(UdpManager manager, ChargeManager.Distribution.Phases.PhaseRotation[] rotations)
    {
        byte[] body = Encoding.UTF8.GetBytes("{\"rotations\":[" + string.Join(",", rotations.Select(r => (int)r)) + "]}");
        lock (manager.Gate)
            if (manager.App.Handle("PUT", "/charge_manager/phase_rotations", body, body.Length, manager.Clock.NowMs) != 200)
                throw new InvalidOperationException(manager.App.ErrorText);
    }

    public static async Task<HostApp> StartAsync(HostOptions options, TextWriter log)
    {
        var host = new HostApp(options, log);
        await host.web.StartAsync();
        host.Site?.Start();
        return host;
    }

    public string HttpAddress => $"http://{Options.Http}";

    /// <summary>Every request goes to the core's API handler: (method, path, body) → (status, body).</summary>
    async Task Serve(HttpContext context)
    {
        var request = context.Request;
        if (request.Method == "GET" && request.Path.Value is "/" or "/index.html")
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.SendFileAsync(Path.Combine(AppContext.BaseDirectory, "web", "index.html"));
            return;
        }
        var body = new byte[ChargeManagerApp.MaxBodyBytes + 1];
        int length = 0, read;
        while (length < body.Length && (read = await request.Body.ReadAsync(body.AsMemory(length))) > 0)
            length += read;
        int status;
        byte[] answer;
        lock (Manager.Gate)
        {
            var app = Manager.App;
            status = app.Handle(request.Method, request.Path.Value ?? "", body, length, Clock.NowMs);
            answer = status == 200
                ? app.Response.Buffer.AsSpan(0, app.Response.Length).ToArray()
                : Encoding.UTF8.GetBytes(app.ErrorText + "\n");
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = status == 200 ? "application/json" : "text/plain; charset=utf-8";
        await context.Response.Body.WriteAsync(answer);
    }

    public async ValueTask DisposeAsync()
    {
        await web.StopAsync();
        await web.DisposeAsync();
        if (Mqtt != null)
            await Mqtt.DisposeAsync();
        Manager.Dispose();
        Farm?.Dispose();
    }
}
