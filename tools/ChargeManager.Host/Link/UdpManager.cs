using System.Net;
using System.Net.Sockets;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Phases;
using ChargeManager.Simulation;

namespace ChargeManager.Host.Link;

/// <summary>
/// The desktop shell of the chargers' link: one UDP socket (0.0.0.0:34127 in production) for sending
/// and receiving, a loop thread that hands datagrams to <see cref="GroupLink"/> and ticks it, and a
/// resolver for DNS names. All access to the core goes through <see cref="Gate"/>.
/// </summary>
public sealed class UdpManager : IDatagramSender, IDisposable
{
    public readonly Distributor Group;
    public readonly GroupLink Link;
    public readonly object Gate = new();
    public readonly ScaledClock Clock;
    public readonly IPEndPoint LocalEndPoint;

    /// <summary>Share of outgoing commands dropped on purpose (tests of a lossy network).</summary>
    public double SendLossRate;

    readonly Socket socket;
    readonly Thread loop;
    readonly DesktopResolver resolver;

    public DesktopResolver Resolver => resolver;
    readonly byte[] receiveBuffer = new byte[1500];
    readonly Random random = new(5);
    volatile bool running = true;

    /// <summary>Called after every tick, inside the gate: tests sample the group here.</summary>
    public event Action<long> Ticked;

    /// <param name="rotations">How each charger is wired (the config's "rot"); null: unknown for all.</param>
    /// <param name="browseTargets">Where mDNS browse queries go; null: the mDNS group 224.0.0.251:5353.</param>
    public UdpManager(AllocatorConfig config, string[] hosts, ScaledClock clock, IPEndPoint bind = null,
        PhaseRotation[] rotations = null, IPEndPoint[] browseTargets = null)
    {
        Clock = clock;
        socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        socket.Bind(bind ?? new IPEndPoint(IPAddress.Any, GroupLink.ManagerPort));
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint;
        Group = new Distributor(config, hosts.Length);
        for (int i = 0; rotations != null && i < hosts.Length; i++)
            Group.Observations[i].Rotation = rotations[i];
        resolver = new DesktopResolver(browseTargets);
        Link = new GroupLink(Group, hosts, this, resolver, clock.NowMs);
        loop = new Thread(Run) { IsBackground = true, Name = "charger link" };
        loop.Start();
    }

    void Run()
    {
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (running)
        {
            lock (Gate)
            {
                long now = Clock.NowMs;
                while (socket.Available > 0)
                {
                    int n;
                    try { n = socket.ReceiveFrom(receiveBuffer, ref from); }
                    catch (SocketException) { break; } // e.g. ICMP port unreachable from a charger that went away
                    var source = (IPEndPoint)from;
                    Link.Receive(receiveBuffer, n, ToUInt(source.Address), source.Port, now);
                }
                resolver.Poll(Link, now);
                Link.Tick(now, (long)DateTime.Now.TimeOfDay.TotalMilliseconds);
                Ticked?.Invoke(now);
            }
            Clock.Sleep(20);
        }
    }

    public void Send(byte[] buffer, int length, uint ipv4, int port)
    {
        if (SendLossRate > 0 && random.NextDouble() < SendLossRate)
            return;
        try
        {
            socket.SendTo(buffer, length, SocketFlags.None, new IPEndPoint(FromUInt(ipv4), port));
        }
        catch (SocketException)
        {
            // unreachable right now; the link's timeouts deal with it
        }
    }

    public static uint ToUInt(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return HostName.FromBytes(address.GetAddressBytes());
    }

    public static IPAddress FromUInt(uint a)
    {
        var bytes = new byte[4];
        HostName.ToBytes(a, bytes);
        return new IPAddress(bytes);
    }

    public void Dispose()
    {
        running = false;
        loop.Join();
        socket.Dispose();
        resolver.Dispose();
    }
}
