using System.Threading;
using ChargeManager.Distribution.Api;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;

namespace ChargeManager.Firmware.Api
{
    /// <summary>
    /// The MQTT API on the device: a supervisor thread connects (with backoff), subscribes to
    /// PREFIX/charge_manager/+, publishes every object retained when it changes (state at most once a
    /// second), and after ConnectionClosed builds a new client, reconnects and re-subscribes (M2Mqtt
    /// does not reconnect by itself; never reconnect inside its event handlers). Writes go to the core.
    /// </summary>
    public sealed class MqttApi
    {
        readonly ChargeManagerApp app;
        readonly object gate;
        readonly string broker, prefix, user, password;
        readonly int port;
        readonly AutoResetEvent wake = new AutoResetEvent(false);
        readonly byte[][] published = new byte[ChargeManagerApp.Objects.Length][];
        MqttClient client;
        long lastStateMs = -1000000;

        public MqttApi(ChargeManagerApp app, object gate, string broker, int port, string prefix, string user, string password)
        {
            this.app = app;
            this.gate = gate;
            this.broker = broker;
            this.port = port;
            this.prefix = prefix;
            this.user = user;
            this.password = password;
        }

        public void Start()
        {
            new Thread(Supervise).Start();
        }

        void Supervise()
        {
            int backoffMs = 1000;
            while (true)
            {
                try
                {
                    if (client == null || !client.IsConnected)
                    {
                        Connect();
                        backoffMs = 1000;
                    }
                    PublishChanges();
                    wake.WaitOne(250, false);
                }
                catch (System.Exception e)
                {
                    lock (gate)
                        app.Log.Add(System.Environment.TickCount64, "MQTT: " + e.Message);
                    Thread.Sleep(backoffMs);
                    backoffMs = backoffMs < 30000 ? backoffMs * 2 : 30000;
                }
            }
        }

        void Connect()
        {
            if (client != null)
            {
                client.MqttMsgPublishReceived -= OnMessage;
                client.ConnectionClosed -= OnClosed;
                client.Dispose();
            }
            client = new MqttClient(broker, port, false, null, null, MqttSslProtocols.None);
            client.MqttMsgPublishReceived += OnMessage;
            client.ConnectionClosed += OnClosed;
            char[] id = ("charge-manager-" + prefix).ToCharArray();
            for (int i = 0; i < id.Length; i++)
                if (id[i] == '/')
                    id[i] = '-'; // nanoFramework's string has no Replace
            string clientId = new string(id);
            MqttReasonCode code = user == null ? client.Connect(clientId) : client.Connect(clientId, user, password);
            if (code != MqttReasonCode.Success)
                throw new System.Exception("broker refused the connection: " + ((int)code).ToString());
            client.Subscribe(new string[] { prefix + "/charge_manager/+" }, new MqttQoSLevel[] { MqttQoSLevel.AtMostOnce });
            for (int i = 0; i < published.Length; i++)
                published[i] = null; // a new session: publish everything again
        }

        void OnClosed(object sender, System.EventArgs e)
        {
            wake.Set(); // the supervisor reconnects
        }

        void OnMessage(object sender, MqttMsgPublishEventArgs e)
        {
            if (!e.Topic.StartsWith(prefix + "/"))
                return;
            bool applied;
            lock (gate)
                applied = app.HandleMqtt(e.Topic.Substring(prefix.Length + 1), e.Message, e.Message.Length, System.Environment.TickCount64);
            if (applied)
                wake.Set();
        }

        void PublishChanges()
        {
            for (int i = 0; i < ChargeManagerApp.Objects.Length; i++)
            {
                string name = ChargeManagerApp.Objects[i];
                byte[] payload;
                lock (gate)
                {
                    long now = System.Environment.TickCount64;
                    if (name == "state" && now - lastStateMs < 1000)
                        continue;
                    if (name == "state")
                        lastStateMs = now;
                    app.Render(name, now);
                    if (Same(published[i], app.Response.Buffer, app.Response.Length))
                        continue;
                    payload = new byte[app.Response.Length];
                    for (int k = 0; k < payload.Length; k++)
                        payload[k] = app.Response.Buffer[k];
                }
                client.Publish(prefix + "/charge_manager/" + name, payload, null, null, MqttQoSLevel.AtMostOnce, true);
                published[i] = payload;
            }
        }

        static bool Same(byte[] last, byte[] buffer, int length)
        {
            if (last == null || last.Length != length)
                return false;
            for (int i = 0; i < length; i++)
                if (last[i] != buffer[i])
                    return false;
            return true;
        }
    }
}
