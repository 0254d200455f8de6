using System.Globalization;
using System.Net;

namespace ChargeManager.Host;

/// <summary>The host's command line.</summary>
public sealed class HostOptions
{
    public IPEndPoint Http = new(IPAddress.Loopback, 8080);
    public IPEndPoint Udp = new(IPAddress.Any, 34127);
    public string Data = "chargemanager-data";
    public int Simulate = 5;
    public IPAddress SimulateFrom = IPAddress.Parse("127.0.0.2");
    public double Speed = 1;
    public int Seconds = int.MaxValue;
    public string MqttHost;
    public int MqttPort = 1883;
    public string MqttPrefix = DefaultPrefix();
    public string MqttUser, MqttPassword;
    /// <summary>--mqtt-tls: the seeded mqtt/config uses protocol 1 (MQTT over TLS). --mqtt-ca: a PEM CA file the broker's certificate may chain to.</summary>
    public bool MqttTls;
    public string MqttCa;
    public bool Contactor;
    /// <summary>Where the mDNS responder listens (network/config's HOSTNAME.local); null: none.</summary>
    public IPEndPoint Mdns = new(IPAddress.Any, 5353);
    /// <summary>More names the HTTP API answers to (Host header), besides localhost, the machine's name and addresses.</summary>
    public List<string> Hostnames = new();

    /// <summary>Like a device's "warp2/AbCd": a short id from the machine name, stable across restarts.</summary>
    static string DefaultPrefix()
    {
        uint hash = 2166136261;
        foreach (char c in Environment.MachineName)
            hash = (hash ^ c) * 16777619;
        const string letters = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        var id = new char[4];
        for (int i = 0; i < 4; i++, hash /= (uint)letters.Length)
            id[i] = letters[(int)(hash % (uint)letters.Length)];
        return "cm/" + new string(id);
    }

    public const string Usage =
        "options: --http ADDRESS:PORT (default 127.0.0.1:8080)  --udp ADDRESS:PORT (default 0.0.0.0:34127)\n" +
        "         --data DIR (default ./chargemanager-data)  --simulate N (emulated chargers, default 5, 0 = none)\n" +
        "         --simulate-from ADDRESS (first emulated charger, default 127.0.0.2)  --speed X (emulation clock, 1..100)\n" +
        "         --seconds S (stop after S seconds)\n" +
        "         --hostname NAME (another name the API answers to; repeatable; localhost, the machine's name and addresses always)\n" +
        "         --mdns ADDRESS:PORT (mDNS responder, default 0.0.0.0:5353; 'none' for none)\n" +
        "         --contactor (the emulated chargers sit behind a simulated 1p/3p contactor)\n" +
        "         --mqtt HOST[:PORT] (broker; default none)  --mqtt-prefix PREFIX (default cm/<id>)  --mqtt-user U  --mqtt-password P\n" +
        "         --mqtt-tls (MQTT over TLS)  --mqtt-ca FILE (a PEM CA the broker's certificate may chain to)\n" +
        "         the --mqtt* options seed mqtt/config only when none is stored in --data; then mqtt/config rules";

    public static HostOptions Parse(string[] args, out string error)
    {
        var o = new HostOptions();
        error = null;
        for (int i = 0; i < args.Length && error == null; i++)
        {
            if (args[i] == "--contactor" || args[i] == "--mqtt-tls")
            {
                if (args[i] == "--contactor")
                    o.Contactor = true; // a flag, without a value
                else
                    o.MqttTls = true;
                continue;
            }
            string next = i + 1 < args.Length ? args[i + 1] : null;
            bool ok = next != null;
            switch (args[i])
            {
                case "--http": ok &= IPEndPoint.TryParse(next, out o.Http); break;
                case "--udp": ok &= IPEndPoint.TryParse(next, out o.Udp); break;
                case "--data": o.Data = next; break;
                case "--mdns": if (next == "none") o.Mdns = null; else ok &= IPEndPoint.TryParse(next ?? "", out o.Mdns); break;
                case "--hostname": ok &= !string.IsNullOrWhiteSpace(next); o.Hostnames.Add(next?.Trim().TrimEnd('.')); break;
                case "--simulate": ok &= int.TryParse(next, out o.Simulate) && o.Simulate is >= 0 and <= 64; break;
                case "--simulate-from": ok &= IPAddress.TryParse(next, out o.SimulateFrom); break;
                case "--speed": ok &= double.TryParse(next, NumberStyles.Float, CultureInfo.InvariantCulture, out o.Speed) && o.Speed is > 0 and <= 100; break;
                case "--seconds": ok &= int.TryParse(next, out o.Seconds) && o.Seconds > 0; break;
                case "--mqtt":
                    int colon = next?.LastIndexOf(':') ?? -1;
                    o.MqttHost = colon > 0 ? next[..colon] : next;
                    ok &= colon <= 0 || int.TryParse(next[(colon + 1)..], out o.MqttPort) && o.MqttPort is > 0 and < 65536;
                    break;
                case "--mqtt-prefix": o.MqttPrefix = next?.Trim('/'); ok &= !string.IsNullOrEmpty(o.MqttPrefix); break;
                case "--mqtt-user": o.MqttUser = next; break;
                case "--mqtt-password": o.MqttPassword = next; break;
                case "--mqtt-ca": o.MqttCa = next; ok &= File.Exists(next); break;
                default: ok = false; break;
            }
            if (!ok)
                error = $"unknown or invalid option '{args[i]}{(next != null ? " " + next : "")}'\n{Usage}";
            i++;
        }
        return o;
    }
}
