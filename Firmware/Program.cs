using System.Diagnostics;
using System.Threading;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Link;
using ChargeManager.Firmware.Link;
using nanoFramework.Networking;
using GC = nanoFramework.Runtime.Native.GC;

namespace ChargeManager.Firmware
{
    /// <summary>
    /// Boots the portable core on the device: brings the network up, binds the chargers' UDP socket,
    /// and runs the link loop (receive, tick, send) every 50 ms. It reports how much managed heap the
    /// core takes for the board's charger count and how long a tick takes on the interpreter. HTTP,
    /// MQTT, storage of the config and the contactor are wired in here as their issues land; no
    /// decision is made in this project.
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            // What the core takes for the most chargers this board may manage: a capacity check at boot.
            uint freeAtBoot = GC.Run(true);
            var capacityProbe = new Distributor(new AllocatorConfig(), Board.MaxChargers);
            uint freeWithCore = GC.Run(true);
            Debug.WriteLine("ChargeManager: core for " + capacityProbe.Count.ToString() + " chargers takes "
                + (freeAtBoot - freeWithCore).ToString() + " bytes; " + freeWithCore.ToString() + " bytes free");
            capacityProbe = null;

            NetworkHelper.SetupNetworkHelper();
            if (!NetworkHelper.NetworkReady.WaitOne(Board.NetworkTimeoutMs, false))
                Debug.WriteLine("ChargeManager: no network yet; the chargers fall back to 0 A on their own");

            // Until the config API (issue 4) stores the chargers, the board definition lists them.
            string[] hosts = Board.ChargerHosts;
            var chargers = new Distributor(new AllocatorConfig(), hosts.Length);
            var socket = new ChargerSocket();
            var resolver = new DeviceResolver(hosts.Length);
            var link = new GroupLink(chargers, hosts, socket, resolver, System.Environment.TickCount64);
            chargers.SetAvailableCurrent(0); // nothing is available until the API sets it (issue 4)

            long ticks = 0;
            while (true)
            {
                long now = System.Environment.TickCount64;
                socket.ReceiveAll(link, now);
                resolver.Poll(link, now);
                link.Tick(now, -1);
                if (++ticks % 1200 == 0)
                    Debug.WriteLine("ChargeManager: last tick " + (System.Environment.TickCount64 - now).ToString()
                        + " ms, " + link.DatagramsSent.ToString() + " commands sent, " + GC.Run(false).ToString() + " bytes free");
                Thread.Sleep(Board.TickMs);
            }
        }
    }
}
