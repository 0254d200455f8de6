using System.Net;
using System.Net.Sockets;
using System.Threading;
using ChargeManager.Distribution.Discovery;
using ChargeManager.Distribution.Link;

namespace ChargeManager.Firmware.Link
{
    /// <summary>
    /// Resolves charger names on the device. DNS names: nanoFramework's Dns on a worker thread, one at a
    /// time; answers are queued and applied by the main loop (GroupLink is not thread-safe). *.local
    /// names: a browse for _tf-warp-cm._udp sent to the mDNS group from a plain UDP socket; the query asks
    /// for unicast answers, so they come back to that socket without joining the group. Parsing and
    /// matching are the core's (DnsMessage, ChargerDiscovery).
    /// </summary>
    public sealed class DeviceResolver : IHostResolver
    {
        const int BrowseTimeoutMs = 1000;

        readonly object gate = new object();
        readonly int[] answeredCharger;
        readonly uint[] answeredAddress;
        readonly DnsMessage message = new DnsMessage();
        readonly byte[] buffer = new byte[1500];
        readonly IPEndPoint mdnsGroup = new IPEndPoint(new IPAddress(new byte[] { 224, 0, 0, 251 }), 5353);
        Socket mdns;
        int answers;
        bool dnsBusy;
        bool browseWanted;
        long browseStartedMs = long.MinValue / 2;

        public DeviceResolver(int chargers)
        {
            answeredCharger = new int[chargers];
            answeredAddress = new uint[chargers];
        }

        public void Resolve(int charger, string host, HostKind kind)
        {
            if (kind == HostKind.Mdns)
            {
                browseWanted = true;
                return;
            }
            lock (gate)
            {
                if (kind != HostKind.Dns || dnsBusy)
                    return; // one at a time, as WARP does; the link asks again later
                dnsBusy = true;
            }
            ThreadStart lookup = () =>
            {
                uint found = 0;
                try
                {
                    IPHostEntry entry = Dns.GetHostEntry(host);
                    if (entry.AddressList.Length > 0)
                        found = HostName.FromBytes(entry.AddressList[0].GetAddressBytes());
                }
                catch (System.Exception)
                {
                    // not resolvable now
                }
                lock (gate)
                {
                    if (found != 0 && answers < answeredCharger.Length)
                    {
                        answeredCharger[answers] = charger;
                        answeredAddress[answers] = found;
                        answers++;
                    }
                    dnsBusy = false;
                }
            };
            try
            {
                new Thread(lookup).Start();
            }
            catch (System.Exception)
            {
                lock (gate)
                    dnsBusy = false; // no thread to be had now (memory): the link asks again later
            }
        }

        /// <summary>On the main loop: applies DNS answers, reads browse answers, starts a browse when one is wanted.</summary>
        public void Poll(GroupLink link, long nowMs)
        {
            lock (gate)
            {
                for (int i = 0; i < answers; i++)
                    link.Resolved(answeredCharger[i], answeredAddress[i]);
                answers = 0;
            }
            // Polled, bounded, and every error caught, as in ChargerSocket: a 0-byte or bad datagram, an ICMP
            // error or a broken socket costs that datagram (or the socket, made again at the next browse), never the loop.
            for (int n = 0; mdns != null && n < ChargerSocket.MaxDatagramsPerTick; n++)
            {
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int length;
                try
                {
                    if (!mdns.Poll(0, SelectMode.SelectRead))
                        break;
                    length = mdns.ReceiveFrom(buffer, 0, buffer.Length, SocketFlags.None, ref from);
                }
                catch (System.Exception)
                {
                    Drop();
                    break;
                }
                if (length > 0 && message.Read(buffer, length) && message.IsResponse)
                    ChargerDiscovery.Apply(message, link);
            }
            if (browseWanted && nowMs - browseStartedMs >= BrowseTimeoutMs)
            {
                browseWanted = false;
                browseStartedMs = nowMs;
                int query = ChargerDiscovery.WriteQuery(buffer);
                try
                {
                    if (mdns == null)
                    {
                        mdns = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                        mdns.Bind(new IPEndPoint(IPAddress.Any, 0));
                    }
                    mdns.SendTo(buffer, 0, query, SocketFlags.None, mdnsGroup);
                }
                catch (System.Exception)
                {
                    // no network yet, or no socket to be had: asked again while the charger is silent
                    Drop();
                }
            }
        }

        void Drop()
        {
            if (mdns == null)
                return;
            try
            {
                mdns.Close();
            }
            catch (System.Exception)
            {
                // it is replaced at the next browse either way
            }
            mdns = null;
        }
    }
}
