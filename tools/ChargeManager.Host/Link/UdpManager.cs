using System.Net;
using System.Net.Sockets;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Link;
using ChargeManager.Simulation;

namespace ChargeManager.Host.Link;

/// <summary>
/// The desktop shell of the charge manager: one UDP socket for the chargers (0.0.0.0:34127 in
/// production), a loop thread that hands datagrams to the core's <see cref="ChargeManagerApp"/> and
/// ticks it every 20 ms, and the resolver. The HTTP and MQTT shells call into the app under
/// <see cref="Gate"/>, the one lock that serialises everything that touches the core.
/// </summary>
public sealed class UdpManager : IDatagramSender, IDisposable
{
    public readonly ChargeManagerApp App;
    public readonly object Gate = new();
    public readonly ScaledClock Clock;
    public readonly IPEndPoint LocalEndPoint;

    /// <summary>Share of outgoing commands dropped on purpose (tests of a lossy network).</summary>
    public double SendLossRate;

    readonly Socket socket;
    readonly Thread loop;
    readonly DesktopResolver resolver;
    readonly byte[] receiveBuffer = new byte[1500];
    readonly Random random = new(5);
    volatile bool running = true;

    /// <summary>Called after every tick, inside the gate: tests sample the group here.</summary>
    public event Action<long> Ticked;

    /// <param name="browseTargets">Where mDNS browse queries go; null: the mDNS group 224.0.0.251:5353.</param>
    /// <param name="contactor">A contactor in front of the group (simulated on the desktop), or null.</param>
    public UdpManager(ManagerConfig defaults, IFileStore store, ScaledClock clock, IPEndPoint bind = null, IPEndPoint[] browseTargets = null,
        ChargeManager.Distribution.Contactor.IContactor contactor = null)
    {
        Clock = clock;
        socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        socket.Bind(bind ?? new IPEndPoint(IPAddress.Any, GroupLink.ManagerPort));
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint;
        resolver = new DesktopResolver(browseTargets);
        App = new ChargeManagerApp(store, this, resolver, defaults, clock.NowMs, contactor);
        loop = new Thread(Run) { IsBackground = true, Name = "charge manager" };
        loop.Start();
    }

    public Distributor Group => App.Group;
    public GroupLink Link => App.Link;
    public DesktopResolver Resolver => resolver;

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
                    App.Receive(receiveBuffer, n, ToUInt(source.Address), source.Port, now);
                }
                resolver.Poll(App.Link, now);
                App.Tick(now, (long)DateTime.Now.TimeOfDay.TotalMilliseconds);
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
