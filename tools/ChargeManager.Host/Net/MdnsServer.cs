using System.Net;
using System.Net.Sockets;
using ChargeManager.Distribution.Discovery;
using ChargeManager.Host.Link;

namespace ChargeManager.Host.Net;

/// <summary>
/// The desktop's mDNS responder: UDP 5353 (--mdns ADDRESS:PORT; shared with other responders through
/// SO_REUSEADDR, joined to 224.0.0.251 where there is multicast), answering with the core's
/// <see cref="MdnsResponder"/> for network/config's hostname while enable_mdns is on. The A record carries
/// the address the query arrived on. Answers go to the group, or to the asker (QU bit, or a legacy
/// unicast query from another port). Glue only.
/// </summary>
public sealed class MdnsServer : IDisposable
{
    readonly UdpManager manager;
    readonly Socket socket;
    readonly Thread thread;
    readonly MdnsResponder responder = new();
    readonly int httpPort;
    volatile bool running = true;
    public long Answered, Queries;

    MdnsServer(UdpManager manager, Socket socket, int httpPort)
    {
        this.manager = manager;
        this.socket = socket;
        this.httpPort = httpPort;
        thread = new Thread(Run) { IsBackground = true, Name = "mdns" };
        thread.Start();
    }

    /// <summary>Starts the responder on <paramref name="bind"/>; null (no --mdns and nothing to bind) or a bind failure: none, logged.</summary>
    public static MdnsServer Start(UdpManager manager, IPEndPoint bind, int httpPort, TextWriter log)
    {
        if (bind == null)
            return null;
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            s.Bind(bind);
            if (bind.Address.Equals(IPAddress.Any))
            {
                try
                {
                    s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(IPAddress.Parse("224.0.0.251")));
                }
                catch (SocketException)
                {
                    // no multicast route (a container, loopback only): unicast queries are still answered
                }
            }
            s.ReceiveTimeout = 500;
        }
        catch (SocketException e)
        {
            log.WriteLine($"mDNS: cannot bind {bind} ({e.Message}); HOSTNAME.local is not answered");
            s.Dispose();
            return null;
        }
        return new MdnsServer(manager, s, httpPort);
    }

    void Run()
    {
        var buffer = new byte[1500];
        var answer = new byte[1500];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (running)
        {
            int length;
            IPPacketInformation info;
            try
            {
                SocketFlags flags = SocketFlags.None;
                length = socket.ReceiveMessageFrom(buffer, 0, buffer.Length, ref flags, ref from, out info);
            }
            catch (SocketException)
            {
                continue; // timeout (to notice Dispose) or an ICMP error from an earlier answer
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            var source = (IPEndPoint)from;
            int n;
            lock (manager.Gate)
            {
                var network = manager.App.Settings.Network;
                Queries++;
                if (!network.EnableMdns)
                    continue;
                responder.Hostname = network.Hostname;
                responder.HttpPort = httpPort;
                responder.Address = UdpManager.ToUInt(info.Address);
                n = responder.Answer(buffer, length, source.Port, answer);
            }
            if (n == 0)
                continue;
            try
            {
                socket.SendTo(answer, 0, n, SocketFlags.None,
                    responder.Unicast ? source : new IPEndPoint(IPAddress.Parse("224.0.0.251"), MdnsResponder.Port));
                Interlocked.Increment(ref Answered);
            }
            catch (SocketException)
            {
                // the asker is gone, or no multicast route: nothing to do
            }
        }
    }

    public void Dispose()
    {
        running = false;
        socket.Dispose();
        thread.Join(2000);
    }
}
