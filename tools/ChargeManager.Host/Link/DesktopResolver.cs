using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using ChargeManager.Distribution.Discovery;
using ChargeManager.Distribution.Link;

namespace ChargeManager.Host.Link;

/// <summary>
/// Resolves charger names for the desktop link. DNS names go to the operating system's resolver in
/// the background. *.local names are found by browsing _tf-warp-cm._udp: one query at a time to the
/// mDNS group (or, for tests on loopback, which has no multicast, to each emulated charger directly),
/// answers read with the core's DnsMessage and matched by ChargerDiscovery. Everything that touches
/// the link runs on the link's thread, from <see cref="Poll"/>.
/// </summary>
public sealed class DesktopResolver : IHostResolver, IDisposable
{
    public static readonly IPEndPoint MdnsGroup = new(IPAddress.Parse("224.0.0.251"), 5353);
    const int BrowseTimeoutMs = 1000;

    readonly ConcurrentQueue<(int charger, uint address)> answers = new();
    readonly ConcurrentDictionary<int, bool> pending = new();
    readonly IPEndPoint[] browseTargets;
    readonly DnsMessage message = new();
    readonly byte[] buffer = new byte[1500];
    Socket mdns;
    bool browseWanted;
    long browseStartedMs = long.MinValue / 2;

    public int BrowsesSent { get; private set; }

    public DesktopResolver(IPEndPoint[] browseTargets = null)
    {
        this.browseTargets = browseTargets ?? new[] { MdnsGroup };
    }

    public void Resolve(int charger, string host, HostKind kind)
    {
        if (kind == HostKind.Mdns)
        {
            browseWanted = true;
            return;
        }
        if (kind != HostKind.Dns || !pending.TryAdd(charger, true))
            return;
        _ = Task.Run(async () =>
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(host, AddressFamily.InterNetwork);
                if (addresses.Length > 0)
                    answers.Enqueue((charger, UdpManager.ToUInt(addresses[0])));
            }
            catch (SocketException)
            {
                // not resolvable now; the link asks again while the charger stays silent
            }
            finally
            {
                pending.TryRemove(charger, out _);
            }
        });
    }

    /// <summary>On the link's thread: applies DNS answers, reads browse answers, starts a browse when one is wanted.</summary>
    public void Poll(GroupLink link, long nowMs)
    {
        while (answers.TryDequeue(out var answer))
            link.Resolved(answer.charger, answer.address);
        while (mdns != null && mdns.Available > 0)
        {
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            int n;
            try { n = mdns.ReceiveFrom(buffer, ref from); }
            catch (SocketException) { break; }
            if (message.Read(buffer, n) && message.IsResponse)
                ChargerDiscovery.Apply(message, link);
        }
        if (browseWanted && nowMs - browseStartedMs >= BrowseTimeoutMs)
        {
            browseWanted = false;
            browseStartedMs = nowMs;
            mdns ??= new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
            if (!mdns.IsBound)
                mdns.Bind(new IPEndPoint(browseTargets[0].Address.Equals(MdnsGroup.Address) ? IPAddress.Any : IPAddress.Loopback, 0));
            int length = ChargerDiscovery.WriteQuery(buffer);
            foreach (var target in browseTargets)
            {
                try { mdns.SendTo(buffer, length, SocketFlags.None, target); }
                catch (SocketException) { }
            }
            BrowsesSent++;
        }
    }

    public void Dispose() => mdns?.Dispose();
}
