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
    // WARP's 1500 bytes, plus one: a datagram that fills it was larger (Linux truncates silently) and is dropped.
    readonly byte[] receiveBuffer = new byte[ReceiveLimit + 1];
    const int ReceiveLimit = 1500;
    EndPoint from = new IPEndPoint(IPAddress.Any, 0);
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
        if (OperatingSystem.IsWindows())
            socket.IOControl(unchecked((int)0x9800000C), new byte[4], null); // SIO_UDP_CONNRESET off: no ICMP resets on an unconnected socket
        socket.ReceiveBufferSize = 1 << 20; // room for bursts (the kernel caps it at net.core.rmem_max)
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

    /// <summary>At most this many datagrams are read per tick, so a flood cannot starve the tick (the rest wait in the socket).</summary>
    public const int MaxDatagramsPerTick = 4096;

    /// <summary>Datagrams read, and of them: larger than the receive buffer (dropped whole).</summary>
    public long DatagramsReceived, OversizedDatagrams;
    /// <summary>Receive errors other than "nothing to read" (ICMP errors surfacing as socket exceptions, and the like).</summary>
    public long ReceiveErrors;
    /// <summary>Exceptions the loop caught and survived (logged, at most one line per 10 s).</summary>
    public long LoopFaults;
    long lastFaultLogMs = long.MinValue / 2;

    /// <summary>
    /// Receives, resolves, ticks, every 20 ms, and never dies: any exception is counted, logged and
    /// the loop goes on (a dead loop would leave every charger at its last current until its own 30 s
    /// fallback; a living one keeps commanding them).
    /// </summary>
    void Run()
    {
        while (running)
        {
            try
            {
                lock (Gate)
                {
                    long now = Clock.NowMs;
                    ReceiveAll(now);
                    resolver.Poll(App.Link, now);
                    // The desktop's system clock counts as synced (the OS keeps it); ntp/config's time zone makes it local.
                    App.Settings.Clock.Set(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), now);
                    App.Tick(now, App.Settings.TimeOfDayMs(now));
                    Ticked?.Invoke(now);
                }
            }
            catch (Exception e) when (running)
            {
                LoopFaults++;
                try
                {
                    lock (Gate)
                    {
                        long now = Clock.NowMs;
                        if (now - lastFaultLogMs >= 10_000)
                        {
                            lastFaultLogMs = now;
                            App.Log.Add(now, "manager loop fault (survived, " + LoopFaults + " so far): " + e.GetType().Name + ": " + e.Message);
                        }
                    }
                }
                catch (Exception)
                {
                    // logging must not end the loop either
                }
            }
            Clock.Sleep(20);
        }
    }

    /// <summary>
    /// Reads until the socket has nothing more (WouldBlock) or <see cref="MaxDatagramsPerTick"/>.
    /// Not <c>while (socket.Available &gt; 0)</c>: an empty datagram at the head of the queue makes
    /// Available 0 on Linux, and it would never be read, so nothing after it either (issue 13).
    /// </summary>
    void ReceiveAll(long now)
    {
        for (int k = 0; k < MaxDatagramsPerTick; k++)
        {
            int n;
            try
            {
                n = socket.ReceiveFrom(receiveBuffer, ref from);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                return; // nothing more for now
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
            {
                OversizedDatagrams++; // larger than any charger sends: consumed and dropped
                continue;
            }
            catch (SocketException)
            {
                ReceiveErrors++; // e.g. ICMP port unreachable after a send to a charger that went away
                continue;
            }
            DatagramsReceived++;
            if (n > ReceiveLimit)
            {
                OversizedDatagrams++;
                continue;
            }
            var source = (IPEndPoint)from;
            App.Receive(receiveBuffer, n, ToUInt(source.Address), source.Port, now);
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
