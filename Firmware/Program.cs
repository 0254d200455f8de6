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
        /// <summary>The last two bytes of the network interface's MAC address in hex (like WARP's "AbCd" suffix), or "device".</summary>
        static string DeviceId()
        {
            try
            {
                var nics = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces();
                byte[] mac = nics.Length > 0 ? nics[0].PhysicalAddress : null;
                if (mac == null || mac.Length < 2)
                    return "device";
                const string hex = "0123456789abcdef";
                char[] id = new char[4];
                for (int k = 0; k < 2; k++)
                {
                    byte b = mac[mac.Length - 2 + k];
                    id[2 * k] = hex[b >> 4];
                    id[2 * k + 1] = hex[b & 15];
                }
                return new string(id);
            }
            catch (System.Exception)
            {
                return "device";
            }
        }

        public static void Main()
        {
            // What the core takes for the most chargers this board may manage: a capacity check at boot.
            uint freeAtBoot = GC.Run(true);
            var capacityProbe = new Distributor(new AllocatorConfig(), Board.MaxChargers);
            uint freeWithCore = GC.Run(true);
            Debug.WriteLine("ChargeManager: core for " + capacityProbe.Count.ToString() + " chargers takes "
                + (freeAtBoot - freeWithCore).ToString() + " bytes; " + freeWithCore.ToString() + " bytes free");
            capacityProbe = null;

            try
            {
                NetworkHelper.SetupNetworkHelper();
                if (!NetworkHelper.NetworkReady.WaitOne(Board.NetworkTimeoutMs, false))
                    Debug.WriteLine("ChargeManager: no network yet; the chargers fall back to 0 A on their own");
            }
            catch (System.Exception e)
            {
                Debug.WriteLine("ChargeManager: network setup failed (" + e.Message + "); going on, the sockets retry");
            }

            object gate = new object();
            var resolver = new DeviceResolver(ManagerConfig.MaxChargers);
            var defaults = new ManagerConfig { DefaultAvailableCurrent = 0, MaximumAvailableCurrent = 0 };
            var flash = new FlashStore();
            // The core writes config through this queue under the lock; ApiCall writes it to flash after the lock (README, "Device").
            var store = new WriteBehindStore(flash, 32);
            ChargerSocket socket = null;
            while (socket == null)
            {
                try
                {
                    socket = new ChargerSocket();
                }
                catch (System.Exception e)
                {
                    Debug.WriteLine("ChargeManager: UDP socket not to be had yet (" + e.Message + ")");
                    Thread.Sleep(1000);
                }
            }
            uint freeBeforeApp = GC.Run(false);
            var app = new ChargeManagerApp(store, socket, resolver, defaults, System.Environment.TickCount64);
            // network/config and board/config: "cm-" + the MAC's last bytes and Board.cs until the user stores their own.
            byte[] mac = null;
            try
            {
                mac = Net.MdnsSocket.MacAddress();
            }
            catch (System.Exception)
            {
                // no interface: the default name stays "cm"
            }
            app.Settings.UseDefaults(mac == null ? null : new NetworkConfig { Hostname = NetworkConfig.DefaultHostname(mac) },
                new BoardConfig { Board = Board.Name, ContactorInstalled = Board.HasContactor, ContactorRelayPin = Board.ContactorRelayPin, ContactorFeedbackPin = Board.ContactorFeedbackPin });
            var gpio = new GpioController();
            GpioContactor contactor = null;
            if (app.Settings.Board.ContactorInstalled)
            {
                contactor = new GpioContactor(gpio, app.Settings.Board.ContactorRelayPin, app.Settings.Board.ContactorFeedbackPin);
                app.SetContactor(contactor, System.Environment.TickCount64);
            }
            // board/config applied live (under the loop's lock, where every API call runs): the pins move at once.
            app.Settings.Applied += name =>
            {
                if (name != "board/config")
                    return;
                if (contactor != null)
                    contactor.Close();
                BoardConfig b = app.Settings.Board;
                try
                {
                    contactor = b.ContactorInstalled ? new GpioContactor(gpio, b.ContactorRelayPin, b.ContactorFeedbackPin) : null;
                }
                catch (System.Exception e)
                {
                    contactor = null;
                    app.Log.Add(System.Environment.TickCount64, "contactor pins could not be opened: " + e.Message);
                }
                app.SetContactor(contactor, System.Environment.TickCount64);
            };
            uint freeWithApp = GC.Run(false); // the configured group as it runs (tools/NanoBench measures the same on nanoCLR)
            Debug.WriteLine("ChargeManager: the core with " + app.Group.Count.ToString() + " configured chargers takes "
                + (freeBeforeApp - freeWithApp).ToString() + " bytes; " + freeWithApp.ToString() + " bytes free");
            app.Log.Written += (now, message) => Debug.WriteLine("[" + (now / 1000).ToString() + " s] " + message);
            string bootFlush; // what the core did to its files at start (a users_reset, files kept aside) reaches flash now
            if (!store.Flush(out bootFlush))
                Debug.WriteLine("ChargeManager: flash: " + bootFlush);
            var plan = new PublishPlan();
            new ChargeManager.Firmware.Time.SntpClient(app, gate).Start(); // ntp/config: the wall clock for the allocator and the log
            new Net.MdnsSocket(app, gate).Start(); // network/config: HOSTNAME.local and _http._tcp

            // Each API runs on its own threads, catches, logs and recovers by itself; nothing it meets stops this loop.
            new HttpApi(app, gate, new ApiCall(app, gate, store, plan), flash).Start();
            // mqtt/config from flash (off until set on the page); the MQTT API follows it live.
            string id = DeviceId();
            app.Mqtt = new MqttSettings(store, new MqttConfig { GlobalTopicPrefix = "cm/" + id, ClientName = "cm-" + id }, app.Log, System.Environment.TickCount64);
            new MqttApi(app, gate, new ApiCall(app, gate, store, plan), plan).Start();

            long ticks = 0, longestWaitMs = 0, failures = 0;
            while (true)
            {
                try
                {
                    long before = System.Environment.TickCount64;
                    long now;
                    lock (gate)
                    {
                        now = System.Environment.TickCount64;
                        if (now - before > longestWaitMs)
                            longestWaitMs = now - before; // what an API thread cost the loop
                        socket.ReceiveAll(app, now);
                        resolver.Poll(app.Link, now);
                        app.Tick(now, app.Settings.TimeOfDayMs(now)); // -1 until SNTP answered
                    }
                    if (++ticks % 1200 == 0)
                    {
                        Debug.WriteLine("ChargeManager: last tick " + (System.Environment.TickCount64 - now).ToString()
                            + " ms, longest wait for the lock " + longestWaitMs.ToString() + " ms, " + app.Link.DatagramsSent.ToString()
                            + " commands sent, " + socket.Received.ToString() + " datagrams received (" + socket.Errors.ToString()
                            + " errors), " + failures.ToString() + " failed ticks, " + GC.Run(false).ToString() + " bytes free");
                        longestWaitMs = 0;
                    }
                }
                catch (System.Exception e)
                {
                    // One failed tick must not end Main: that would leave every charger to fall back to 0 A.
                    // The chargers keep their last command until the next tick; the log says what happened (the first ten, then every 1000th).
                    if (++failures <= 10 || failures % 1000 == 0)
                    {
                        Debug.WriteLine("ChargeManager: tick failed (" + failures.ToString() + "): " + e.Message);
                        try
                        {
                            lock (gate)
                                app.Log.Add(System.Environment.TickCount64, "tick failed: " + e.Message);
                        }
                        catch (System.Exception)
                        {
                            // nothing more to do than go on
                        }
                    }
                }
                Thread.Sleep(Board.TickMs);
            }
        }
    }
}
