using System.Net;
using System.Net.Sockets;
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
            address[0] = (byte)(ipv4 >> 24);
            address[1] = (byte)(ipv4 >> 16);
            address[2] = (byte)(ipv4 >> 8);
            address[3] = (byte)ipv4;
            try
            {
                socket.SendTo(buffer, 0, length, SocketFlags.None, new IPEndPoint(new IPAddress(address), port));
            }
            catch (SocketException)
            {
                // no route right now; the link's timeouts handle a charger we cannot reach
            }
        }

        /// <summary>Hands everything that has arrived to the link.</summary>
        public void ReceiveAll(GroupLink link, long nowMs)
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
                byte[] b = source.Address.GetAddressBytes();
                uint ip = b.Length == 4 ? (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) : 0;
                link.Receive(receiveBuffer, length, ip, source.Port, nowMs);
            }
        }
    }
}
