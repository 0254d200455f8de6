using System.Threading;
using ChargeManager.Distribution.Api;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;
using MqttSettings = ChargeManager.Distribution.Api.MqttSettings;

namespace ChargeManager.Firmware.Api
{
    /// <summary>
    /// The MQTT API on the device. A supervisor thread connects (with backoff), subscribes to the
    /// "_update" topics only (<see cref="PublishPlan.SubscribeTopics"/>: never to its own retained
    /// publications), and every 250 ms publishes, retained, what <see cref="PublishPlan"/> says may have
    /// changed and did. It reconnects when the connection closed and when M2Mqtt's dispatch thread died
    /// while IsConnected stays true (an exception there ends that thread: a wrong broker message does):
    /// every <see cref="ProbeEveryMs"/> the state goes out with QoS 1, whose acknowledgement M2Mqtt
    /// reports on that thread; none within <see cref="ProbeTimeoutMs"/> means it is dead. The message
    /// handler runs on that thread, so it catches everything. Writes go to the core through ApiCall.
    /// </summary>
    public sealed class MqttApi
    {
        /// <summary>How often the dispatch thread is probed, and how long its answer may take, ms.</summary>
        public const int ProbeEveryMs = 60000, ProbeTimeoutMs = 15000;


        readonly ChargeManagerApp app;
        readonly object gate;
        readonly ApiCall call;
        readonly PublishPlan plan;
        readonly MqttSettings settings;
        readonly AutoResetEvent wake = new AutoResetEvent(false);
        readonly Distribution.Json.JsonWriter discovery = new Distribution.Json.JsonWriter(2048);
        readonly byte[][] mqttPublished = new byte[MqttSettings.Objects.Length][];
        // network/config, ntp/config, ntp/state, board/config (DeviceSettings.Objects): published like the host does.
        readonly byte[][] settingsPublished = new byte[DeviceSettings.Objects.Length][];
        long ntpStatePublishedMs;
        // The connection in use: what mqtt/config said when it was made.
        string prefix = "";
        int connectedVersion = -1;
        string[] topics;
        int stateIndex;
        // Home Assistant discovery: what was published (removed with an empty retained message when no longer wanted).
        string[] discoveryTopics = new string[0];
        object discoveryConfig;
        int discoveryMode = -1;
        string discoveryPrefix;
        MqttClient client;
        long probeSentMs, lastProbeMs;
        bool probePending;
        int events, eventsAtProbe; // raised on the dispatch thread; any one after the probe proves it alive

        /// <summary>The broker, prefix and credentials come from mqtt/config (<see cref="ChargeManagerApp.Mqtt"/>), read anew whenever it changed.</summary>
        public MqttApi(ChargeManagerApp app, object gate, ApiCall call, PublishPlan plan)
        {
            this.app = app;
            this.gate = gate;
            this.call = call;
            this.plan = plan;
            settings = app.Mqtt;
        }

        public void Start()
        {
            new Thread(Supervise).Start();
        }

        void Log(string message)
        {
            lock (gate)
                app.Log.Add(System.Environment.TickCount64, message);
        }

        void Supervise()
        {
            int backoffMs = 1000;
            while (true)
            {
                MqttConfig config;
                int version;
                lock (gate)
                {
                    config = settings.Config;
                    version = settings.Version;
                }
                try
                {
                    long now = System.Environment.TickCount64;
                    if (!config.EnableMqtt)
                    {
                        Drop();
                        connectedVersion = version;
                        Thread.Sleep(1000);
                        continue;
                    }
                    if (config.Protocol == MqttConfig.ProtocolTls)
                    {
                        // Off on the device: an mbedTLS session's heap has not been measured on the board yet (no hardware here).
                        Drop();
                        if (connectedVersion != version)
                            lock (gate)
                                settings.SetDisconnected(now, 1, "MQTT over TLS (protocol 1) is not available on the device yet; use protocol 0");
                        connectedVersion = version;
                        Thread.Sleep(1000);
                        continue;
                    }
                    if (client == null || !client.IsConnected || version != connectedVersion)
                    {
                        Connect(config, version);
                        backoffMs = 1000;
                    }
                    else if (probePending && events != eventsAtProbe)
                        probePending = false;
                    else if (probePending && now - probeSentMs > ProbeTimeoutMs)
                    {
                        Log("MQTT: the client's dispatch thread is dead (no acknowledgement in " + (ProbeTimeoutMs / 1000).ToString() + " s): reconnecting");
                        Connect(config, version);
                    }
                    PublishChanges();
                    PublishDiscovery(config);
                    if (!probePending && now - lastProbeMs >= ProbeEveryMs)
                        Probe(now);
                    wake.WaitOne(250, false);
                }
                catch (System.Exception e)
                {
                    try
                    {
                        Log("MQTT: " + e.Message);
                        if (!(e is RefusedException)) // a refusal is in mqtt/state already, with its code
                            lock (gate)
                                settings.SetDisconnected(System.Environment.TickCount64, 1, e.Message);
                    }
                    catch (System.Exception)
                    {
                        // go on without the log
                    }
                    Drop();
                    // A changed mqtt/config is tried at once, not after the backoff.
                    for (int waited = 0; waited < backoffMs && settings.Version == version; waited += 250)
                        Thread.Sleep(250);
                    backoffMs = backoffMs < 30000 ? backoffMs * 2 : 30000;
                }
            }
        }

        void Drop()
        {
            MqttClient old = client;
            client = null;
            if (old == null)
                return;
            try
            {
                old.MqttMsgPublishReceived -= OnMessage;
                old.MqttMsgPublished -= OnPublished;
                old.ConnectionClosed -= OnClosed;
                old.Dispose();
            }
            catch (System.Exception)
            {
                // a broken client is dropped either way
            }
        }

        void Connect(MqttConfig config, int version)
        {
            Drop();
            prefix = config.GlobalTopicPrefix;
            topics = new string[ChargeManagerApp.Objects.Length];
            for (int i = 0; i < topics.Length; i++)
            {
                topics[i] = prefix + "/charge_manager/" + ChargeManagerApp.Objects[i];
                if (ChargeManagerApp.Objects[i] == "state")
                    stateIndex = i;
            }
            connectedVersion = version;
            MqttClient fresh = new MqttClient(config.BrokerHost, config.BrokerPort, false, null, null, MqttSslProtocols.None);
            fresh.MqttMsgPublishReceived += OnMessage;
            fresh.MqttMsgPublished += OnPublished;
            fresh.ConnectionClosed += OnClosed;
            client = fresh;
            string availability = HaDiscovery.AvailabilityTopic(prefix);
            MqttReasonCode code = fresh.Connect(config.ClientName, config.BrokerUsername.Length == 0 ? null : config.BrokerUsername,
                config.BrokerUsername.Length == 0 ? null : config.BrokerPassword, true, MqttQoSLevel.AtMostOnce, true, availability, "offline", true, 60);
            if (code != MqttReasonCode.Success)
            {
                lock (gate)
                    settings.SetDisconnected(System.Environment.TickCount64, -(int)code, "the broker refused the connection: code " + ((int)code).ToString());
                throw new RefusedException("broker refused the connection: " + ((int)code).ToString());
            }
            string[] fixedTopics = PublishPlan.SubscribeTopics(prefix);
            string[] subscriptions = new string[fixedTopics.Length + 2 + DeviceSettings.Writable.Length];
            for (int i = 0; i < fixedTopics.Length; i++)
                subscriptions[i] = fixedTopics[i];
            subscriptions[fixedTopics.Length] = prefix + "/mqtt/config_update";
            subscriptions[fixedTopics.Length + 1] = prefix + "/mqtt/auto_discovery_config_update";
            for (int i = 0; i < DeviceSettings.Writable.Length; i++)
                subscriptions[fixedTopics.Length + 2 + i] = prefix + "/" + DeviceSettings.Writable[i] + "_update";
            MqttQoSLevel[] levels = new MqttQoSLevel[subscriptions.Length];
            for (int i = 0; i < levels.Length; i++)
                levels[i] = MqttQoSLevel.AtMostOnce;
            fresh.Subscribe(subscriptions, levels);
            fresh.Publish(availability, Bytes("online"), null, null, MqttQoSLevel.AtMostOnce, true);
            lock (gate)
            {
                plan.NewSession(); // a new session: publish everything again
                settings.SetConnected(System.Environment.TickCount64);
            }
            for (int i = 0; i < mqttPublished.Length; i++)
                mqttPublished[i] = null;
            for (int i = 0; i < settingsPublished.Length; i++)
                settingsPublished[i] = null;
            discoveryMode = -1; // discovery again too
            probePending = false;
            lastProbeMs = System.Environment.TickCount64;
        }

        sealed class RefusedException : System.Exception
        {
            public RefusedException(string message) : base(message) { }
        }

        static byte[] Bytes(string ascii)
        {
            byte[] b = new byte[ascii.Length];
            for (int i = 0; i < b.Length; i++)
                b[i] = (byte)ascii[i];
            return b;
        }

        static byte[] Copy(Distribution.Json.JsonWriter w)
        {
            byte[] b = new byte[w.Length];
            for (int k = 0; k < b.Length; k++)
                b[k] = w.Buffer[k];
            return b;
        }

        static bool Same(byte[] a, Distribution.Json.JsonWriter w)
        {
            if (a == null || a.Length != w.Length)
                return false;
            for (int k = 0; k < a.Length; k++)
                if (a[k] != w.Buffer[k])
                    return false;
            return true;
        }

        /// <summary>
        /// Home Assistant's discovery messages (the core's <see cref="HaDiscovery"/>) when auto discovery is on:
        /// all again when the mode, the prefix or the config (chargers, maximum) changed; those no longer
        /// wanted are removed with an empty retained message.
        /// </summary>
        void PublishDiscovery(MqttConfig config)
        {
            ManagerConfig group;
            int mode;
            string discoveryAt;
            lock (gate)
            {
                group = app.Config;
                mode = settings.DiscoveryMode;
                discoveryAt = settings.DiscoveryPrefix;
            }
            if (mode == discoveryMode && discoveryAt == discoveryPrefix && (object)group == discoveryConfig)
                return;
            int count = mode == MqttSettings.DiscoveryDisabled ? 0 : HaDiscovery.Count(group.Hosts.Length);
            string[] wanted = new string[count];
            for (int i = 0; i < count; i++)
            {
                wanted[i] = HaDiscovery.Topic(discoveryAt, config.ClientName, i, group.Hosts);
                HaDiscovery.Payload(discovery, i, prefix, config.ClientName, group.Hosts, group.Names, group.MaximumAvailableCurrent);
                client.Publish(wanted[i], Copy(discovery), null, null, MqttQoSLevel.AtMostOnce, true);
            }
            for (int k = 0; k < discoveryTopics.Length; k++)
            {
                bool kept = false;
                for (int i = 0; i < wanted.Length && !kept; i++)
                    kept = wanted[i] == discoveryTopics[k];
                if (!kept)
                    client.Publish(discoveryTopics[k], new byte[0], null, null, MqttQoSLevel.AtMostOnce, true);
            }
            discoveryTopics = wanted;
            discoveryMode = mode;
            discoveryPrefix = discoveryAt;
            discoveryConfig = group;
        }

        void OnClosed(object sender, System.EventArgs e)
        {
            wake.Set(); // the supervisor reconnects
        }

        void OnPublished(object sender, MqttMsgPublishedEventArgs e)
        {
            events++; // the dispatch thread is alive
        }

        /// <summary>On M2Mqtt's dispatch thread: an exception here would end it, so nothing escapes.</summary>
        void OnMessage(object sender, MqttMsgPublishEventArgs e)
        {
            events++;
            try
            {
                string topic = e.Topic;
                string at = prefix;
                if (topic == null || e.Message == null || !topic.StartsWith(at + "/"))
                    return;
                if (call.Mqtt(topic.Substring(at.Length + 1), e.Message, e.Message.Length, System.Environment.TickCount64))
                    wake.Set(); // publish the change now
            }
            catch (System.Exception x)
            {
                try
                {
                    Log("MQTT: message handler: " + x.Message);
                }
                catch (System.Exception)
                {
                    // nothing escapes this handler
                }
            }
        }

        void PublishChanges()
        {
            for (int i = 0; i < topics.Length; i++)
            {
                byte[] payload;
                lock (gate)
                {
                    long now = System.Environment.TickCount64;
                    plan.StatePeriodMs = PublishPlan.PeriodMs(settings.Config.Interval);
                    if (!plan.Due(i, now, app.AvailableCurrent))
                        continue;
                    app.Render(ChargeManagerApp.Objects[i], now);
                    payload = plan.Changed(i, app.Response.Buffer, app.Response.Length);
                }
                if (payload != null)
                    client.Publish(topics[i], payload, null, null, MqttQoSLevel.AtMostOnce, true); // outside the lock: a slow broker cannot stall the loop
            }
            for (int i = 0; i < MqttSettings.Objects.Length; i++)
            {
                byte[] payload = null;
                lock (gate)
                {
                    settings.Render(MqttSettings.Objects[i], app.Response);
                    if (!Same(mqttPublished[i], app.Response))
                        payload = mqttPublished[i] = Copy(app.Response);
                }
                if (payload != null)
                    client.Publish(prefix + "/mqtt/" + MqttSettings.Objects[i], payload, null, null, MqttQoSLevel.AtMostOnce, true);
            }
            for (int i = 0; i < DeviceSettings.Objects.Length; i++)
            {
                string name = DeviceSettings.Objects[i];
                byte[] payload = null;
                lock (gate)
                {
                    long now = System.Environment.TickCount64;
                    bool ntpState = name == "ntp/state";
                    if (ntpState && settingsPublished[i] != null && now - ntpStatePublishedMs < 60000)
                        continue; // its time changes every second: once a minute is enough (as the host)
                    app.Render(name, now);
                    if (!Same(settingsPublished[i], app.Response))
                    {
                        payload = settingsPublished[i] = Copy(app.Response);
                        if (ntpState)
                            ntpStatePublishedMs = now;
                    }
                }
                if (payload != null)
                    client.Publish(prefix + "/" + name, payload, null, null, MqttQoSLevel.AtMostOnce, true);
            }
        }

        /// <summary>The state, once more, with QoS 1: its acknowledgement comes back through the dispatch thread.</summary>
        void Probe(long nowMs)
        {
            byte[] payload;
            lock (gate)
            {
                app.Render(ChargeManagerApp.Objects[stateIndex], nowMs);
                payload = new byte[app.Response.Length];
                for (int k = 0; k < payload.Length; k++)
                    payload[k] = app.Response.Buffer[k];
            }
            lastProbeMs = nowMs;
            probeSentMs = nowMs;
            eventsAtProbe = events;
            probePending = true;
            client.Publish(topics[stateIndex], payload, null, null, MqttQoSLevel.AtLeastOnce, true);
        }
    }
}
