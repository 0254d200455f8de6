using System.Threading;
using ChargeManager.Distribution.Api;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;

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
        readonly string broker, prefix, user, password;
        readonly int port;
        readonly string[] topics;
        readonly int stateIndex;
        readonly AutoResetEvent wake = new AutoResetEvent(false);
        MqttClient client;
        long probeSentMs, lastProbeMs;
        bool probePending;
        int events, eventsAtProbe; // raised on the dispatch thread; any one after the probe proves it alive

        public MqttApi(ChargeManagerApp app, object gate, ApiCall call, PublishPlan plan, string broker, int port, string prefix, string user, string password)
        {
            this.app = app;
            this.gate = gate;
            this.call = call;
            this.plan = plan;
            this.broker = broker;
            this.port = port;
            this.prefix = prefix;
            this.user = user;
            this.password = password;
            topics = new string[ChargeManagerApp.Objects.Length];
            for (int i = 0; i < topics.Length; i++)
            {
                topics[i] = prefix + "/charge_manager/" + ChargeManagerApp.Objects[i];
                if (ChargeManagerApp.Objects[i] == "state")
                    stateIndex = i;
            }
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
                try
                {
                    long now = System.Environment.TickCount64;
                    if (client == null || !client.IsConnected)
                    {
                        Connect();
                        backoffMs = 1000;
                    }
                    else if (probePending && events != eventsAtProbe)
                        probePending = false;
                    else if (probePending && now - probeSentMs > ProbeTimeoutMs)
                    {
                        Log("MQTT: the client's dispatch thread is dead (no acknowledgement in " + (ProbeTimeoutMs / 1000).ToString() + " s): reconnecting");
                        Connect();
                    }
                    PublishChanges();
                    if (!probePending && now - lastProbeMs >= ProbeEveryMs)
                        Probe(now);
                    wake.WaitOne(250, false);
                }
                catch (System.Exception e)
                {
                    try
                    {
                        Log("MQTT: " + e.Message);
                    }
                    catch (System.Exception)
                    {
                        // go on without the log
                    }
                    Drop();
                    Thread.Sleep(backoffMs);
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

        void Connect()
        {
            Drop();
            MqttClient fresh = new MqttClient(broker, port, false, null, null, MqttSslProtocols.None);
            fresh.MqttMsgPublishReceived += OnMessage;
            fresh.MqttMsgPublished += OnPublished;
            fresh.ConnectionClosed += OnClosed;
            char[] id = ("charge-manager-" + prefix).ToCharArray();
            for (int i = 0; i < id.Length; i++)
                if (id[i] == '/')
                    id[i] = '-'; // nanoFramework's string has no Replace
            string clientId = new string(id);
            client = fresh;
            MqttReasonCode code = user == null ? fresh.Connect(clientId) : fresh.Connect(clientId, user, password);
            if (code != MqttReasonCode.Success)
                throw new System.Exception("broker refused the connection: " + ((int)code).ToString());
            string[] subscriptions = PublishPlan.SubscribeTopics(prefix);
            MqttQoSLevel[] levels = new MqttQoSLevel[subscriptions.Length];
            for (int i = 0; i < levels.Length; i++)
                levels[i] = MqttQoSLevel.AtMostOnce;
            fresh.Subscribe(subscriptions, levels);
            lock (gate)
                plan.NewSession(); // a new session: publish everything again
            probePending = false;
            lastProbeMs = System.Environment.TickCount64;
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
                if (topic == null || e.Message == null || !topic.StartsWith(prefix + "/"))
                    return;
                if (call.Mqtt(topic.Substring(prefix.Length + 1), e.Message, e.Message.Length, System.Environment.TickCount64))
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
                    if (!plan.Due(i, now, app.AvailableCurrent))
                        continue;
                    app.Render(ChargeManagerApp.Objects[i], now);
                    payload = plan.Changed(i, app.Response.Buffer, app.Response.Length);
                }
                if (payload != null)
                    client.Publish(topics[i], payload, null, null, MqttQoSLevel.AtMostOnce, true); // outside the lock: a slow broker cannot stall the loop
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
