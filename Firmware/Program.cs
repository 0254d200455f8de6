using System.Diagnostics;
using System.Threading;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Api;
using System.Device.Gpio;
using ChargeManager.Firmware.Api;
using ChargeManager.Firmware.Contactor;
using ChargeManager.Firmware.Link;
using ChargeManager.Firmware.Storage;
using nanoFramework.Networking;
using GC = nanoFramework.Runtime.Native.GC;

namespace ChargeManager.Firmware
{
    /// <summary>
    /// Boots the charge manager on the device: network, the config from flash (I:\), the chargers' UDP
    /// socket, the HTTP API on port 80 and, when a broker is set, the MQTT API; then the main loop every
    /// 50 ms (receive, resolve, tick, send). One lock serialises everything that touches the core. No
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

            object gate = new object();
            var socket = new ChargerSocket();
            var resolver = new DeviceResolver(ManagerConfig.MaxChargers);
            var defaults = new ManagerConfig { DefaultAvailableCurrent = 0, MaximumAvailableCurrent = 0 };
            var store = new FlashStore();
            GpioContactor contactor = Board.HasContactor
                ? new GpioContactor(new GpioController(), Board.ContactorRelayPin, Board.ContactorFeedbackPin)
                : null;
            uint freeBeforeApp = GC.Run(false);
            var app = new ChargeManagerApp(store, socket, resolver, defaults, System.Environment.TickCount64, contactor);
            uint freeWithApp = GC.Run(false); // the configured group as it runs (tools/NanoBench measures the same on nanoCLR)
            Debug.WriteLine("ChargeManager: the core with " + app.Group.Count.ToString() + " configured chargers takes "
                + (freeBeforeApp - freeWithApp).ToString() + " bytes; " + freeWithApp.ToString() + " bytes free");
            app.Log.Written += (now, message) => Debug.WriteLine("[" + (now / 1000).ToString() + " s] " + message);

            new HttpApi(app, gate, store).Start();
            if (Board.MqttBroker != null)
                new MqttApi(app, gate, Board.MqttBroker, Board.MqttPort, Board.MqttPrefix, Board.MqttUser, Board.MqttPassword).Start();

            long ticks = 0;
            while (true)
            {
                long now = System.Environment.TickCount64;
                lock (gate)
                {
                    socket.ReceiveAll(app, now);
                    resolver.Poll(app.Link, now);
                    app.Tick(now, -1);
                }
                if (++ticks % 1200 == 0)
                    Debug.WriteLine("ChargeManager: last tick " + (System.Environment.TickCount64 - now).ToString()
                        + " ms, " + app.Link.DatagramsSent.ToString() + " commands sent, " + GC.Run(false).ToString() + " bytes free");
                Thread.Sleep(Board.TickMs);
            }
        }
    }
}
