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
    /// <summary>The mDNS responder for network/config's HOSTNAME.local (null when --mdns none).</summary>
    public readonly Net.MdnsServer Mdns;
    readonly WebApplication web;
    readonly RequestGuard guard;
    readonly ChargeManager.Distribution.Api.Auth.HttpAuth auth = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

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
        Manager.App.Log.Written += (now, message) => log.WriteLine($"[{now / 1000.0,8:0.0} s] {ConsoleText.Printable(message)}");
        if (Farm != null)
            Site = new SiteScenario(Manager, Farm, seed: 1);
        Mqtt = new Mqtt.MqttBridge(Manager, MqttSetup(Manager, store, options), options.MqttCa == null ? null : LoadCa(options.MqttCa));

        // network/config and board/config: the machine's name and --contactor are the defaults until the user stores their own.
        var settings = Manager.App.Settings;
        lock (Manager.Gate)
        {
            settings.Clock.Set(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Clock.NowMs);
            settings.UseDefaults(new NetworkConfig { Hostname = DefaultHostname() }, new BoardConfig { ContactorInstalled = Contactor != null });
            if (Contactor != null && !settings.Board.ContactorInstalled)
                Manager.App.SetContactor(null, Clock.NowMs); // the stored board/config says none
            else if (Contactor == null && settings.Board.ContactorInstalled)
                Manager.App.Log.Add(Clock.NowMs, "board/config has a contactor, but this host simulates one only with --contactor (and --simulate)");
        }
        guard = new RequestGuard(OwnNames(options, settings.Network.Hostname));
        Mdns = Net.MdnsServer.Start(Manager, options.Mdns, options.Http.Port, log);
        settings.Applied += name =>
        {
            if (name == "network/config")
                guard.SetOwnNames(OwnNames(options, settings.Network.Hostname)); // HOSTNAME and HOSTNAME.local, live
            if (name == "board/config") // the simulated contactor (--contactor) is in front of the group or not, live
                Manager.App.SetContactor(settings.Board.ContactorInstalled ? Contactor : null, Clock.NowMs);
        };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(options.Http, Http505Rewrite.Use));
        web = builder.Build();
        web.Run(Serve);
    }

    /// <summary>
    /// mqtt/config from the data directory; when none is stored, the --mqtt* options seed it (stored, so the
    /// page shows and edits it). A stored object wins over the options: it is what the user last set.
    /// </summary>
    static MqttSettings MqttSetup(UdpManager manager, DirectoryStore store, HostOptions options)
    {
        lock (manager.Gate)
        {
            var app = manager.App;
            long now = manager.Clock.NowMs;
            var defaults = new MqttConfig { GlobalTopicPrefix = options.MqttPrefix, ClientName = options.MqttPrefix.Replace('/', '-') };
            app.Mqtt = new MqttSettings(store, defaults, app.Log, now);
            if (options.MqttHost != null && app.Mqtt.Defaulted)
            {
                var seed = defaults.Copy();
                seed.EnableMqtt = true;
                seed.BrokerHost = options.MqttHost;
                seed.BrokerPort = options.MqttPort;
                seed.BrokerUsername = options.MqttUser ?? "";
                seed.BrokerPassword = options.MqttPassword ?? "";
                seed.Protocol = options.MqttTls ? MqttConfig.ProtocolTls : MqttConfig.ProtocolTcp;
                app.Mqtt.Seed(seed, now);
            }
            else if (options.MqttHost != null)
                app.Log.Add(now, "--mqtt options not used: the stored mqtt/config is (edit it on the page, POST mqtt/config, or delete "
                    + MqttSettings.ConfigFile + " in the data directory)");
            return app.Mqtt;
        }
    }

    static System.Security.Cryptography.X509Certificates.X509Certificate2Collection LoadCa(string file)
    {
        var ca = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        ca.ImportFromPemFile(file);
        return ca;
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

    /// <summary>network/config's default on the desktop: the machine's name as one DNS label (other characters become '-').</summary>
    public static string DefaultHostname()
    {
        var label = new string(Environment.MachineName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        if (label.Length > 63)
            label = label[..63].TrimEnd('-');
        return label.Length == 0 ? "cm" : label;
    }

    /// <summary>
    /// The names a request's Host header may carry (the core's <see cref="RequestGuard"/> decides):
    /// localhost, this machine's name (also with ".local"), every address of its interfaces, the address
    /// the API is bound to, and the names given with --hostname.
    /// </summary>
    public static string[] OwnNames(HostOptions options, string hostname = null)
    {
        var names = new List<string> { "localhost", Environment.MachineName, Environment.MachineName + ".local", options.Http.Address.ToString() };
        if (hostname != null)
            names.AddRange(new[] { hostname, hostname + ".local" }); // network/config's name, also as mDNS answers it
        try
        {
            names.Add(System.Net.Dns.GetHostName());
            foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
                foreach (var a in nic.GetIPProperties().UnicastAddresses)
                {
                    var address = a.Address;
                    if (address.IsIPv6LinkLocal || address.ScopeId != 0)
                        address = new System.Net.IPAddress(address.GetAddressBytes()); // without "%scope": as a browser writes it in Host
                    names.Add(address.ToString());
                }
        }
        catch (Exception e) when (e is System.Net.NetworkInformation.NetworkInformationException or System.Net.Sockets.SocketException or PlatformNotSupportedException)
        {
            // the bound address, localhost and --hostname still count
        }
        names.AddRange(options.Hostnames);
        return names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    /// <summary>
    /// Every request: first the core's <see cref="RequestGuard"/> (Host, Origin/Referer, Content-Type),
    /// then the core's API handler: (method, path, body) → (status, body). Malformed bodies, transfer
    /// and content encodings and sizes are answered 4xx here, never 5xx. No answer ever carries
    /// Access-Control-Allow-Origin: the CORS policy is "no".
    /// </summary>
    async Task Serve(HttpContext context)
    {
        var request = context.Request;
        int status = guard.Check(request.Method, Header(request, "Host"), Header(request, "Origin"), Header(request, "Referer"), Header(request, "Content-Type"));
        if (status != 0)
        {
            await Answer(context, status, guard.Message);
            return;
        }
        if (!await Authorized(context))
            return;
        if (request.Method == "GET" && request.Path.Value is "/" or "/index.html")
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.SendFileAsync(Path.Combine(AppContext.BaseDirectory, "web", "index.html"));
            return;
        }
        string encoding = Header(request, "Content-Encoding");
        if (encoding != null && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            await Answer(context, 415, "Content-Encoding '" + encoding + "' is not supported: send the JSON as it is");
            return;
        }
        string transfer = Header(request, "Transfer-Encoding");
        if (transfer != null && !transfer.Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase))
        {
            // Kestrel passes codings before "chunked" (gzip, …) through undecoded: the body is not what was meant.
            await Answer(context, 400, "Transfer-Encoding '" + transfer + "' is not supported: only chunked");
            return;
        }
        if (request.ContentLength > ChargeManagerApp.MaxBodyBytes)
        {
            await Answer(context, 413, "request body too large: at most " + ChargeManagerApp.MaxBodyBytes + " bytes");
            return;
        }
        var body = new byte[ChargeManagerApp.MaxBodyBytes + 1];
        int length = 0, read;
        try
        {
            while (length < body.Length && (read = await request.Body.ReadAsync(body.AsMemory(length))) > 0)
                length += read;
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            // Kestrel's own verdict on the framing (bad chunk sizes, a body shorter than announced, …)
            await Answer(context, e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, "malformed request: " + e.Message);
            return;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or OverflowException or FormatException or InvalidOperationException)
        {
            await Answer(context, 400, "malformed request body: " + e.Message);
            return;
        }
        byte[] answer;
        string allow;
        lock (Manager.Gate)
        {
            var app = Manager.App;
            status = app.Handle(request.Method, request.Path.Value ?? "", body, length, Clock.NowMs);
            answer = status == 200
                ? app.Response.Buffer.AsSpan(0, app.Response.Length).ToArray()
                : Encoding.UTF8.GetBytes(app.ErrorText + "\n");
            allow = status == 405 ? app.Allow : null;
        }
        if (status == 200 && request.Method is not ("GET" or "HEAD"))
            Mqtt.Written(); // as the device's ApiCall tells its PublishPlan
        context.Response.StatusCode = status;
        if (allow != null)
            context.Response.Headers.Allow = allow;
        context.Response.ContentType = status == 200 ? "application/json" : "text/plain; charset=utf-8";
        await context.Response.Body.WriteAsync(answer);
    }

    /// <summary>users/config's authentication (the core's <see cref="ChargeManager.Distribution.Api.Auth.HttpAuth"/> decides, on real time, not
    /// the emulation's clock); a refusal is answered here: 401 with the Digest challenge, or 429 with Retry-After.</summary>
    async Task<bool> Authorized(HttpContext context)
    {
        var request = context.Request;
        string target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "";
        int status;
        string challenge, message;
        int retryAfter;
        lock (Manager.Gate)
        {
            status = auth.Check(Manager.App.Users, request.Method, request.Path.Value ?? "", target, Header(request, "Authorization"),
                context.Connection.RemoteIpAddress?.ToString() ?? "", Environment.TickCount64);
            (challenge, message, retryAfter) = (auth.Challenge, auth.Message, auth.RetryAfterSeconds);
        }
        if (status == 0)
            return true;
        if (challenge != null)
            context.Response.Headers.WWWAuthenticate = challenge;
        if (retryAfter > 0)
            context.Response.Headers.RetryAfter = retryAfter.ToString();
        await Answer(context, status, message);
        return false;
    }

    static string Header(HttpRequest request, string name)
    {
        var values = request.Headers[name];
        return values.Count == 0 ? null : values.ToString(); // several: joined with ',', which never matches an own name
    }

    static async Task Answer(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
            return;
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (status >= 400)
            context.Response.Headers.Connection = "close"; // an unread or unframed body must not be taken for the next request
        await context.Response.WriteAsync(message + "\n");
    }

    public async ValueTask DisposeAsync()
    {
        await web.StopAsync();
        await web.DisposeAsync();
        await Mqtt.DisposeAsync();
        Mdns?.Dispose();
        Manager.Dispose();
        Farm?.Dispose();
    }
}
