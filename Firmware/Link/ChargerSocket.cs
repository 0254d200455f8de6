using System.Net;
using System.Net.Sockets;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Link;

namespace ChargeManager.Firmware.Link
{
    /// <summary>
    /// The chargers' UDP socket on the device: bound to 34127 on every interface so that chargers answer
    /// to it, sending commands from it, and handing every received datagram to the core's GroupLink.
    /// Glue only: all decisions are in Distribution.Core.
    /// </summary>
    public sealed class ChargerSocket : IDatagramSender
    {
        readonly Socket socket;
        readonly byte[] receiveBuffer = new byte[1500]; // larger than any packet: "future" versions are read by prefix
        readonly byte[] address = new byte[4];

        public ChargerSocket()
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Any, GroupLink.ManagerPort));
        }

        public void Send(byte[] buffer, int length, uint ipv4, int port)
        {
            HostName.ToBytes(ipv4, address);
            try
            {
                socket.SendTo(buffer, 0, length, SocketFlags.None, new IPEndPoint(new IPAddress(address), port));
            }
            catch (SocketException)
            {
                // no route right now; the link's timeouts handle a charger we cannot reach
            }
        }

        /// <summary>Hands everything that has arrived to the charge manager.</summary>
        public void ReceiveAll(ChargeManagerApp app, long nowMs)
        {
            while (socket.Available > 0)
            {
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                int length;
                try
                {
                    length = socket.ReceiveFrom(receiveBuffer, 0, receiveBuffer.Length, SocketFlags.None, ref from);
                }
                catch (SocketException)
                {
                    return;
                }
                IPEndPoint source = (IPEndPoint)from;
                app.Receive(receiveBuffer, length, HostName.FromBytes(source.Address.GetAddressBytes()), source.Port, nowMs);
            }
        }
    }
}
