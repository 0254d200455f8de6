using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Link;

namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// mqtt/config with WARP's field names (esp32-firmware modules/mqtt): the broker, its credentials, the
    /// topic prefix, the client name, the publication interval (s) and the transport ("protocol": WARP's
    /// 0 MQTT over TCP, 1 MQTT over TLS; WARP's 2 and 3, WebSocket, are not supported).
    /// </summary>
    public sealed class MqttConfig
    {
        static readonly string[] Keys =
        {
            "enable_mqtt", "broker_host", "broker_port", "broker_username", "broker_password",
            "global_topic_prefix", "client_name", "interval", "protocol",
        };

        /// <summary>WARP's string limits (characters).</summary>
        public const int MaxHost = 128, MaxShort = 64;
        public const int ProtocolTcp = 0, ProtocolTls = 1;

        public bool EnableMqtt;
        public string BrokerHost = "";
        public int BrokerPort = 1883;
        public string BrokerUsername = "";
        /// <summary>Stored (the shells need it to connect), never read back: <see cref="Write"/> renders "".</summary>
        public string BrokerPassword = "";
        public string GlobalTopicPrefix = "cm/device";
        public string ClientName = "cm-device";
        /// <summary>s: the state is published at most this often (0: whenever it changed, at most every 250 ms).</summary>
        public int Interval = 1;
        public int Protocol;

        public MqttConfig Copy()
        {
            MqttConfig c = new MqttConfig();
            c.EnableMqtt = EnableMqtt;
            c.BrokerHost = BrokerHost;
            c.BrokerPort = BrokerPort;
            c.BrokerUsername = BrokerUsername;
            c.BrokerPassword = BrokerPassword;
            c.GlobalTopicPrefix = GlobalTopicPrefix;
            c.ClientName = ClientName;
            c.Interval = Interval;
            c.Protocol = Protocol;
            return c;
        }

        /// <summary>True when connecting to a broker would differ (anything but the interval).</summary>
        public bool SameConnection(MqttConfig o)
        {
            return o != null && EnableMqtt == o.EnableMqtt && BrokerHost == o.BrokerHost && BrokerPort == o.BrokerPort
                && BrokerUsername == o.BrokerUsername && BrokerPassword == o.BrokerPassword && GlobalTopicPrefix == o.GlobalTopicPrefix
                && ClientName == o.ClientName && Protocol == o.Protocol;
        }

        /// <summary>
        /// Every key but broker_password is required; no other key is allowed. broker_password absent or ""
        /// keeps <paramref name="current"/>'s password (the read-back is "", so a read-modify-write keeps it);
        /// null clears it. Null and an error naming the field when anything is wrong.
        /// </summary>
        public static MqttConfig Read(JsonNode node, MqttConfig current, out string error)
        {
            bool withPassword = node == null || node.Kind != JsonKind.Object || node.Get("broker_password") != null;
            return ReadFields(node, current, withPassword, out error);
        }

        static MqttConfig ReadFields(JsonNode node, MqttConfig current, bool withPassword, out string error)
        {
            FieldReader f = new FieldReader();
            MqttConfig c = new MqttConfig();
            if (withPassword)
                f.Begin(node, "", Keys);
            else
            {
                // Absent: every other key is required, as always.
                string[] others = new string[Keys.Length - 1];
                for (int k = 0, j = 0; k < Keys.Length; k++)
                    if (Keys[k] != "broker_password")
                        others[j++] = Keys[k];
                f.Begin(node, "", others);
            }
            c.EnableMqtt = f.Bool("enable_mqtt");
            c.BrokerHost = f.Text("broker_host", MaxHost);
            c.BrokerPort = (int)f.Integer("broker_port", 1, 65535);
            c.BrokerUsername = f.Text("broker_username", MaxShort);
            c.BrokerPassword = current == null ? "" : current.BrokerPassword;
            if (withPassword && f.Error == null)
            {
                JsonNode p = node.Get("broker_password");
                if (p.Kind == JsonKind.Null)
                    c.BrokerPassword = "";
                else
                {
                    string password = f.Text("broker_password", MaxShort);
                    if (password.Length > 0)
                        c.BrokerPassword = password;
                }
            }
            c.GlobalTopicPrefix = f.Text("global_topic_prefix", MaxShort);
            c.ClientName = f.Text("client_name", MaxShort);
            c.Interval = (int)f.Integer("interval", 0, 86400);
            c.Protocol = (int)f.Integer("protocol", 0, 3);
            error = f.Error;
            if (error == null && (c.Protocol == 2 || c.Protocol == 3))
                error = "protocol: " + c.Protocol.ToString() + " (MQTT over WebSocket) is not supported; 0 (MQTT over TCP) or 1 (MQTT over TLS)";
            if (error == null && (c.EnableMqtt || c.BrokerHost.Length > 0))
            {
                string hostError = HostName.Check(c.BrokerHost);
                if (hostError != null)
                    error = "broker_host " + (c.BrokerHost.Length == 0 ? "must not be empty when enable_mqtt is true" : hostError);
            }
            if (error == null)
                error = MqttSettings.CheckTopic("global_topic_prefix", c.GlobalTopicPrefix);
            if (error == null && c.ClientName.Length == 0)
                error = "client_name must not be empty";
            if (error == null)
                error = NoControl("broker_username", c.BrokerUsername);
            if (error == null)
                error = NoControl("client_name", c.ClientName);
            return error == null ? c : null;
        }

        static string NoControl(string field, string value)
        {
            for (int i = 0; i < value.Length; i++)
                if (value[i] < ' ')
                    return field + " must not contain control characters";
            return null;
        }

        /// <summary>The object as the API shows it: broker_password always "" (WARP censors it).</summary>
        public void Write(JsonWriter w)
        {
            WriteWith(w, "");
        }

        /// <summary>The object as stored: with the password (the flash file or the data directory).</summary>
        public void WriteStored(JsonWriter w)
        {
            WriteWith(w, BrokerPassword);
        }

        void WriteWith(JsonWriter w, string password)
        {
            w.BeginObject()
                .Property("enable_mqtt", EnableMqtt)
                .Property("broker_host", BrokerHost)
                .Property("broker_port", BrokerPort)
                .Property("broker_username", BrokerUsername)
                .Property("broker_password", password)
                .Property("global_topic_prefix", GlobalTopicPrefix)
                .Property("client_name", ClientName)
                .Property("interval", Interval)
                .Property("protocol", Protocol)
                .EndObject();
        }
    }

    /// <summary>
    /// mqtt/config, mqtt/auto_discovery_config and mqtt/state: validated (every key, types, ranges; a 400
    /// naming the field; nothing applied on an error), stored atomically, applied live: the shells watch
    /// <see cref="Version"/> and reconnect when the connection changed. Not thread-safe: the shells
    /// call it under the app's lock (through <see cref="ChargeManagerApp.Handle"/>).
    /// </summary>
    public sealed class MqttSettings
    {
        public const string ConfigFile = "mqtt_config.json";
        public const string DiscoveryFile = "mqtt_auto_discovery_config.json";
        public const string PathPrefix = "mqtt/";

        /// <summary>WARP's MqttConnectionState.</summary>
        public const int NotConfigured = 0, NotConnected = 1, Connected = 2, Failed = 3;
        /// <summary>WARP's auto_discovery_mode: 0 disabled, 1 generic, 2 Home Assistant (here 1 and 2 publish the same messages).</summary>
        public const int DiscoveryDisabled = 0, DiscoveryGeneric = 1, DiscoveryHomeAssistant = 2;

        readonly IFileStore store;
        readonly EventLog log;
        readonly JsonParser parser = new JsonParser();
        readonly JsonWriter file = new JsonWriter(1024);

        public MqttConfig Config;
        public int DiscoveryMode;
        public string DiscoveryPrefix = "homeassistant";

        /// <summary>Counts accepted writes of mqtt/config whose connection differs: a shell reconnects when it changed.</summary>
        public int Version;
        /// <summary>True when no mqtt/config was stored at start: the shell may seed one from its options.</summary>
        public readonly bool Defaulted;

        public int ConnectionState;
        /// <summary>ms (the shell's clock) when the current/last connection began and ended; 0 never.</summary>
        public long ConnectionStart, ConnectionEnd;
        /// <summary>WARP's last_error: negative a CONNACK refusal code, positive a transport error; 0 none.</summary>
        public int LastError;
        /// <summary>Ours: the last error in words ("" none).</summary>
        public string LastErrorText = "";

        public string Error;

        /// <param name="defaults">Used when nothing valid is stored: the prefix and client name from the device name.</param>
        public MqttSettings(IFileStore store, MqttConfig defaults, EventLog log, long nowMs)
        {
            this.store = store;
            this.log = log;
            string error = null;
            JsonNode node = AtomicFile.Read(store, ConfigFile, parser);
            Config = node == null ? null : MqttConfig.Read(node, null, out error);
            if (Config == null)
            {
                Defaulted = node == null;
                if (node != null)
                    log.Add(nowMs, "stored " + ConfigFile + " is not valid (" + error + "): using the defaults");
                Config = defaults;
            }
            node = AtomicFile.Read(store, DiscoveryFile, parser);
            if (node != null && !ReadDiscovery(node, out DiscoveryMode, out DiscoveryPrefix, out error))
            {
                log.Add(nowMs, "stored " + DiscoveryFile + " is not valid (" + error + "): using the defaults");
                DiscoveryMode = 0;
                DiscoveryPrefix = "homeassistant";
            }
            ConnectionState = Config.EnableMqtt ? NotConnected : NotConfigured;
        }

        /// <summary>Stores and applies a config given by the shell (the host's --mqtt options when nothing is stored).</summary>
        public void Seed(MqttConfig config, long nowMs)
        {
            Config = config;
            Store();
            Version++;
            ConnectionState = config.EnableMqtt ? NotConnected : NotConfigured;
            log.Add(nowMs, "mqtt/config seeded from the options: " + config.BrokerHost + ":" + config.BrokerPort.ToString());
        }

        /// <summary>The objects under mqtt/ (names without "mqtt/"), served over HTTP and published by both shells.</summary>
        public static readonly string[] Objects = { "config", "auto_discovery_config", "state" };

        public static bool IsObject(string name)
        {
            for (int i = 0; i < Objects.Length; i++)
                if (Objects[i] == name)
                    return true;
            return false;
        }

        /// <summary>mqtt/state is read-only.</summary>
        public static bool IsWritable(string name)
        {
            return name == "config" || name == "auto_discovery_config";
        }

        /// <summary>
        /// Applies a write to the writable object <paramref name="name"/> (without "mqtt/"), whose body the app
        /// accepted and parsed (<c>ChargeManagerApp.Accept</c>). Returns 200 with the object rendered into
        /// <paramref name="response"/>, or 400 with <see cref="Error"/> naming the field.
        /// </summary>
        public int Apply(string name, JsonNode node, JsonWriter response, long nowMs)
        {
            Error = null;
            string error;
            if (name == "config")
            {
                MqttConfig fresh = MqttConfig.Read(node, Config, out error);
                if (fresh == null)
                    return Fail(400, error);
                if (DiscoveryMode != DiscoveryDisabled && fresh.GlobalTopicPrefix == DiscoveryPrefix)
                    return Fail(400, "global_topic_prefix must differ from auto_discovery_prefix");
                bool reconnect = !fresh.SameConnection(Config);
                Config = fresh;
                Store();
                if (reconnect)
                {
                    Version++;
                    ConnectionState = fresh.EnableMqtt ? NotConnected : NotConfigured;
                    LastError = 0;
                    LastErrorText = "";
                }
                log.Add(nowMs, "mqtt/config applied" + (reconnect ? (fresh.EnableMqtt ? ": connecting to " + fresh.BrokerHost + ":" + fresh.BrokerPort.ToString() : ": MQTT off") : ""));
            }
            else
            {
                int mode;
                string prefix;
                if (!ReadDiscovery(node, out mode, out prefix, out error))
                    return Fail(400, error);
                if (mode != DiscoveryDisabled && prefix == Config.GlobalTopicPrefix)
                    return Fail(400, "auto_discovery_prefix must differ from global_topic_prefix");
                DiscoveryMode = mode;
                DiscoveryPrefix = prefix;
                file.Reset();
                WriteDiscovery(file);
                AtomicFile.Write(store, DiscoveryFile, file.Buffer, file.Length);
                log.Add(nowMs, "mqtt/auto_discovery_config applied");
            }
            Render(name, response);
            return 200;
        }

        int Fail(int status, string text)
        {
            Error = text;
            return status;
        }

        void Store()
        {
            file.Reset();
            Config.WriteStored(file);
            AtomicFile.Write(store, ConfigFile, file.Buffer, file.Length);
        }

        /// <summary>Renders mqtt/config (password ""), mqtt/state or mqtt/auto_discovery_config.</summary>
        public void Render(string name, JsonWriter w)
        {
            w.Reset();
            if (name == "config")
                Config.Write(w);
            else if (name == "auto_discovery_config")
                WriteDiscovery(w);
            else
                w.BeginObject()
                    .Property("connection_state", ConnectionState)
                    .Property("connection_start", ConnectionStart)
                    .Property("connection_end", ConnectionEnd)
                    .Property("last_error", LastError)
                    .Property("last_error_text", LastErrorText)
                    .EndObject();
        }

        void WriteDiscovery(JsonWriter w)
        {
            w.BeginObject().Property("auto_discovery_mode", DiscoveryMode).Property("auto_discovery_prefix", DiscoveryPrefix).EndObject();
        }

        /// <summary>The shell connected (after a CONNACK accepted).</summary>
        public void SetConnected(long nowMs)
        {
            ConnectionState = Connected;
            ConnectionStart = nowMs;
            LastError = 0;
            LastErrorText = "";
        }

        /// <summary>The shell lost or could not make the connection. code: WARP's last_error (−CONNACK code, or a transport error).</summary>
        public void SetDisconnected(long nowMs, int code, string text)
        {
            if (ConnectionStart > ConnectionEnd)
                ConnectionEnd = nowMs; // the end of the connection that began at ConnectionStart
            ConnectionState = Config.EnableMqtt ? NotConnected : NotConfigured;
            LastError = code;
            LastErrorText = text == null ? "" : text;
        }

        static bool ReadDiscovery(JsonNode node, out int mode, out string prefix, out string error)
        {
            FieldReader f = new FieldReader();
            f.Begin(node, "", new string[] { "auto_discovery_mode", "auto_discovery_prefix" });
            mode = (int)f.Integer("auto_discovery_mode", 0, 2);
            prefix = f.Text("auto_discovery_prefix", MqttConfig.MaxShort);
            error = f.Error;
            if (error == null)
                error = CheckTopic("auto_discovery_prefix", prefix);
            return error == null;
        }

        /// <summary>Null if the text can start a topic: 1–64 characters, no wildcard (+ #), no '/' at either end, no empty level, no control characters.</summary>
        public static string CheckTopic(string field, string topic)
        {
            if (topic.Length == 0)
                return field + " must not be empty";
            if (topic[0] == '/' || topic[topic.Length - 1] == '/')
                return field + " must not begin or end with '/'";
            for (int i = 0; i < topic.Length; i++)
            {
                char c = topic[i];
                if (c == '+' || c == '#')
                    return field + " must not contain the MQTT wildcards '+' and '#'";
                if (c < ' ')
                    return field + " must not contain control characters";
                if (c == '/' && i > 0 && topic[i - 1] == '/')
                    return field + " must not contain an empty level ('//')";
            }
            return null;
        }
    }
}
