using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Time;

namespace ChargeManager.Firmware.Time
{
    /// <summary>
    /// Keeps the core's wall clock (DeviceSettings.Clock) set from ntp/config's server: one SNTP request
    /// at start and every hour (every 30 s until the first answer), on its own thread; a changed
    /// ntp/config asks at once. The packet codec is the core's SntpPacket. Glue only.
    /// </summary>
    public sealed class SntpClient
    {
        const int SyncedPeriodMs = 3600000;
        const int RetryPeriodMs = 30000;
        const int AnswerTimeoutMs = 3000;

        readonly ChargeManagerApp app;
        readonly object gate;
        readonly AutoResetEvent wake = new AutoResetEvent(false);
        readonly byte[] buffer = new byte[SntpPacket.Length];

        public SntpClient(ChargeManagerApp app, object gate)
        {
            this.app = app;
            this.gate = gate;
            app.Settings.Applied += name =>
            {
                if (name == "ntp/config")
                    wake.Set();
            };
        }

        public void Start()
        {
            new Thread(Run).Start();
        }

        void Run()
        {
            while (true)
            {
                bool enable;
                string server;
                lock (gate)
                {
                    enable = app.Settings.Ntp.Enable;
                    server = app.Settings.Ntp.Server;
                }
                bool ok = false;
                if (enable)
                {
                    try
                    {
                        ok = Ask(server);
                    }
                    catch (System.Exception e)
                    {
                        Debug.WriteLine("ChargeManager: SNTP " + server + " failed: " + e.Message);
                    }
                }
                wake.WaitOne(ok ? SyncedPeriodMs : RetryPeriodMs, false);
            }
        }

        bool Ask(string server)
        {
            uint literal;
            IPAddress address;
            if (ChargeManager.Distribution.Link.HostName.TryParseIpv4(server, out literal))
            {
                byte[] bytes = new byte[4];
                ChargeManager.Distribution.Link.HostName.ToBytes(literal, bytes);
                address = new IPAddress(bytes);
            }
            else
                address = Dns.GetHostEntry(server).AddressList[0];
            using (Socket s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                s.ReceiveTimeout = AnswerTimeoutMs;
                EndPoint from = new IPEndPoint(IPAddress.Any, 0);
                SntpPacket.WriteRequest(buffer);
                long sent = System.Environment.TickCount64;
                s.SendTo(buffer, 0, SntpPacket.Length, SocketFlags.None, new IPEndPoint(address, SntpPacket.Port));
                int length = s.ReceiveFrom(buffer, 0, buffer.Length, SocketFlags.None, ref from);
                long received = System.Environment.TickCount64;
                long utcMs;
                if (!SntpPacket.ReadReply(buffer, length, out utcMs))
                    return false;
                lock (gate)
                {
                    bool first = !app.Settings.Clock.Synced;
                    // The server's transmit time is about half the round trip old when it arrives.
                    app.Settings.Clock.Set(utcMs + (received - sent) / 2, received);
                    if (first)
                        app.Log.Add(received, "time synced from " + server + ": " + app.Settings.LocalText(received));
                }
                return true;
            }
        }
    }
}
