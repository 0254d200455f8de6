using System.Net;
using System.Net.Sockets;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Link;

namespace ChargeManager.Firmware.Link
{
    /// <summary>
    /// The chargers' UDP socket on the device: bound to 34127 on every interface so that chargers answer
    /// to it, sending commands from it, and handing every received datagram to the core's GroupLink.
    /// Glue only: all decisions are in Distribution.Core. The same file is compiled into the .NET tests
    /// (Distribution.Tests/Firmware/ChargerSocketTests.cs), which run it on real sockets.
    /// </summary>
    public sealed class ChargerSocket : IDatagramSender
    {
        /// <summary>Datagrams taken per tick at most: a flood is worked off over several ticks, never in one.</summary>
        public const int MaxDatagramsPerTick = 64;

        /// <summary>Failed receives in a row after which the socket is closed and bound again.</summary>
        public const int ReopenAfterErrors = 32;

        readonly IPAddress bindAddress;
        readonly int port;
        readonly byte[] receiveBuffer = new byte[1500]; // larger than any packet: "future" versions are read by prefix
        readonly byte[] address = new byte[4];
        Socket socket;
        int errorsInRow;
        bool closed; // the last reopen failed: try again next tick, once

        /// <summary>Datagrams received, empty ones included; receive errors; times the socket was bound again.</summary>
        public int Received, Errors, Reopened;

        public ChargerSocket() : this(IPAddress.Any, GroupLink.ManagerPort)
        {
        }

        public ChargerSocket(IPAddress bindAddress, int port)
        {
            this.bindAddress = bindAddress;
            this.port = port;
            socket = Open();
        }

        Socket Open()
        {
            Socket s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(bindAddress, port));
            return s;
        }

        public void Send(byte[] buffer, int length, uint ipv4, int port)
        {
            HostName.ToBytes(ipv4, address);
            try
            {
                socket.SendTo(buffer, 0, length, SocketFlags.None, new IPEndPoint(new IPAddress(address), port));
            }
            catch (System.Exception)
            {
                // no route right now, or the socket is being reopened; the link's timeouts handle a charger we cannot reach
            }
        }

        /// <summary>
        /// Hands what has arrived to the charge manager: up to <see cref="MaxDatagramsPerTick"/> datagrams.
        /// Whatever a datagram or the network does, this returns and the next tick receives again: the
        /// socket is polled, not asked for Available (a 0-byte datagram at the head of the queue shows as
        /// Available == 0 and hid everything behind it for good); a receive error (an ICMP port unreachable
        /// from a charger that is down surfaces as a SocketException, an oversized datagram as another)
        /// skips that datagram only; a socket that keeps failing is closed and bound again.
        /// </summary>
        public void ReceiveAll(ChargeManagerApp app, long nowMs)
        {
            if (closed)
            {
                Reopen();
                if (closed)
                    return;
            }
            for (int n = 0; n < MaxDatagramsPerTick; n++)
            {
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int length;
                try
                {
                    if (!socket.Poll(0, SelectMode.SelectRead))
                        return;
                    length = socket.ReceiveFrom(receiveBuffer, 0, receiveBuffer.Length, SocketFlags.None, ref from);
                    errorsInRow = 0;
                }
                catch (System.Exception)
                {
                    Errors++;
                    if (++errorsInRow >= ReopenAfterErrors)
                    {
                        Reopen();
                        return;
                    }
                    continue;
                }
                Received++;
                if (length <= 0)
                    continue; // an empty datagram: nothing for the core
                IPEndPoint source = (IPEndPoint)from;
                app.Receive(receiveBuffer, length, HostName.FromBytes(source.Address.GetAddressBytes()), source.Port, nowMs);
            }
        }

        void Reopen()
        {
            errorsInRow = 0;
            try
            {
                socket.Close();
            }
            catch (System.Exception)
            {
                // already broken: it is replaced below
            }
            try
            {
                socket = Open();
                closed = false;
                Reopened++;
            }
            catch (System.Exception)
            {
                closed = true; // no network right now: the next tick tries again
            }
        }
    }
}
