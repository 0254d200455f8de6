using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Threading;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Discovery;
using ChargeManager.Distribution.Link;

namespace ChargeManager.Firmware.Net
{
    /// <summary>
    /// The device's mDNS responder on UDP 5353, joined to 224.0.0.251: network/config's HOSTNAME.local and
    /// _http._tcp on port 80, answered by the core's MdnsResponder while enable_mdns is on. Answers go
    /// to the group, or to the asker (QU bit, legacy unicast). Glue only; not yet run on hardware.
    /// </summary>
    public sealed class MdnsSocket
    {
        static readonly byte[] Group = { 224, 0, 0, 251 };
        readonly ChargeManagerApp app;
        readonly object gate;
        readonly MdnsResponder responder = new MdnsResponder();
        readonly byte[] buffer = new byte[1500];
        readonly byte[] answer = new byte[1500];

        public MdnsSocket(ChargeManagerApp app, object gate)
        {
            this.app = app;
            this.gate = gate;
        }

        /// <summary>The first interface's MAC address (6 bytes), or null: for network/config's default "cm-xxxxxx".</summary>
        public static byte[] MacAddress()
        {
            NetworkInterface[] nics = NetworkInterface.GetAllNetworkInterfaces();
            return nics.Length > 0 ? nics[0].PhysicalAddress : null;
        }

        static uint OwnAddress()
        {
            NetworkInterface[] nics = NetworkInterface.GetAllNetworkInterfaces();
            uint address;
            return nics.Length > 0 && HostName.TryParseIpv4(nics[0].IPv4Address, out address) ? address : 0;
        }

        public void Start()
        {
            new Thread(Run).Start();
        }

        void Run()
        {
            while (true)
            {
                try
                {
                    using (Socket s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
                    {
                        s.Bind(new IPEndPoint(IPAddress.Any, MdnsResponder.Port));
                        // nanoFramework's membership option: the group's 4 bytes, then the interface's (0.0.0.0: the default)
                        s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new byte[] { 224, 0, 0, 251, 0, 0, 0, 0 });
                        Serve(s);
                    }
                }
                catch (System.Exception e)
                {
                    lock (gate)
                        app.Log.Add(System.Environment.TickCount64, "mDNS: " + e.Message + "; retrying in 10 s");
                    Thread.Sleep(10000);
                }
            }
        }

        void Serve(Socket s)
        {
            IPEndPoint group = new IPEndPoint(new IPAddress(Group), MdnsResponder.Port);
            while (true)
            {
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int length = s.ReceiveFrom(buffer, 0, buffer.Length, SocketFlags.None, ref from);
                uint own = OwnAddress(); // DHCP may have changed it
                int n;
                lock (gate)
                {
                    NetworkConfig network = app.Settings.Network;
                    if (!network.EnableMdns)
                        continue;
                    responder.Hostname = network.Hostname;
                    responder.Address = own;
                    n = responder.Answer(buffer, length, ((IPEndPoint)from).Port, answer);
                }
                if (n > 0)
                    s.SendTo(answer, 0, n, SocketFlags.None, responder.Unicast ? from : group);
            }
        }
    }
}
