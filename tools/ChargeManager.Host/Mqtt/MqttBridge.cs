using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using ChargeManager.Distribution.Api;
using ChargeManager.Host.Link;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Adapter;

namespace ChargeManager.Host.Mqtt;

/// <summary>
/// The MQTT API, as mqtt/config says (the core's <see cref="MqttSettings"/>): PREFIX/charge_manager/&lt;object&gt;
/// and PREFIX/mqtt/&lt;object&gt; are published retained (the charge_manager objects by the device's
/// <see cref="PublishPlan"/>: state and low_level_state at most every "interval" s and at once after a write,
/// the others when they change); writes arrive on PREFIX/…/&lt;object&gt;_update and go through the same handler and rules as
/// HTTP (rejections are logged, nothing applied). A supervisor connects (TCP or TLS), reconnects with
/// backoff, re-subscribes and republishes everything after the broker comes back, and reconnects at once
/// to a changed broker. With auto discovery on, Home Assistant's discovery messages (<see cref="HaDiscovery"/>)
/// go out retained and PREFIX/availability says "online" ("offline" as the last will).
/// </summary>
public sealed class MqttBridge : IAsyncDisposable
{
    readonly UdpManager manager;
    readonly MqttSettings settings;
    readonly X509Certificate2Collection trust;
    readonly IMqttClient client;
    readonly CancellationTokenSource stop = new();
    readonly Dictionary<string, byte[]> published = new();
    /// <summary>Discovery topics published with a payload (kept across sessions): removed with an empty retained message when no longer wanted.</summary>
    readonly HashSet<string> discoveryTopics = new();
    readonly Task supervisor;
    readonly SemaphoreSlim wake = new(0);
    /// <summary>Which charge_manager objects to render and publish when: the device's rules (<see cref="PublishPlan"/>), under the manager's lock.</summary>
    readonly PublishPlan plan = new();
    volatile string prefix = "";
    int connectedVersion = -1;
    bool wasConnected;

    public int Connections { get; private set; }

    /// <summary>The longest wait between reconnection attempts, ms: with it a returning broker has the
    /// retained objects again and writes work within 10 s (issue 13; before, the backoff grew to 30 s).</summary>
    public const int MaxBackoffMs = 8000;
    /// <summary>How long one connection attempt may take, ms (a broker host that drops packets, not refuses).</summary>
    public const int ConnectTimeoutMs = 1500;

    /// <param name="trustedCa">With protocol 1 (TLS): a CA the broker's certificate may chain to, besides the system's roots (--mqtt-ca); or null.</param>
    public MqttBridge(UdpManager manager, MqttSettings settings, X509Certificate2Collection trustedCa = null)
    {
        this.manager = manager;
        this.settings = settings;
        trust = trustedCa;
        client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessage;
        supervisor = Task.Run(Supervise);
    }

    async Task Supervise()
    {
        int backoffMs = 500;
        while (!stop.IsCancellationRequested)
        {
            MqttConfig config;
            int version;
            lock (manager.Gate)
            {
                config = settings.Config.Copy();
                version = settings.Version;
            }
            try
            {
                if (version != connectedVersion && client.IsConnected)
                {
                    // A changed broker, prefix or credentials: leave the old broker cleanly, saying so.
                    await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(HaDiscovery.AvailabilityTopic(prefix))
                        .WithPayload("offline").WithRetainFlag().Build(), stop.Token);
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), stop.Token);
                    Disconnected(0, "reconnecting: mqtt/config changed");
                }
                if (!config.EnableMqtt)
                {
                    connectedVersion = version;
                    await WaitForChange(version, 1000);
                    continue;
                }
                if (!client.IsConnected)
                {
                    if (wasConnected)
                        Disconnected(1, "connection lost");
                    await Connect(config);
                    connectedVersion = version;
                    backoffMs = 500;
                }
                await PublishChanges(config);
                await wake.WaitAsync(250, stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var (code, text) = Describe(e);
                Disconnected(code, text);
                Log("MQTT: " + text + "; retrying in " + backoffMs / 1000.0 + " s");
                try { await WaitForChange(version, backoffMs); } catch (OperationCanceledException) { return; }
                backoffMs = Math.Min(backoffMs * 2, MaxBackoffMs);
            }
        }
    }

    /// <summary>Waits up to ms, but returns as soon as mqtt/config changed (a new broker is tried at once).</summary>
    async Task WaitForChange(int version, int ms)
    {
        for (int waited = 0; waited < ms; waited += 100)
        {
            lock (manager.Gate)
                if (settings.Version != version)
                    return;
            await Task.Delay(100, stop.Token);
        }
    }

    /// <summary>WARP's last_error: −the CONNACK code (MQTT 3.1.1: 4 bad user name or password, 5 not authorised), else 1 (transport), with words.</summary>
    static (int code, string text) Describe(Exception e)
    {
        MqttClientConnectResultCode? result = e is Refused r ? r.Code : null;
        if (e is MqttConnectingFailedException)
            foreach (var name in Enum.GetNames<MqttClientConnectResultCode>()) // MQTTnet 5 says the code only in the message
                if (e.Message.Contains(name) && name != nameof(MqttClientConnectResultCode.Success))
                    result = Enum.Parse<MqttClientConnectResultCode>(name);
        if (result is { } refused)
        {
            int code = refused switch
            {
                MqttClientConnectResultCode.UnsupportedProtocolVersion => 1,
                MqttClientConnectResultCode.ClientIdentifierNotValid => 2,
                MqttClientConnectResultCode.ServerUnavailable => 3,
                MqttClientConnectResultCode.BadUserNameOrPassword => 4,
                MqttClientConnectResultCode.NotAuthorized => 5,
                _ => (int)refused,
            };
            return (-code, "the broker refused the connection: " + refused);
        }
        string text = e.Message;
        for (var inner = e.InnerException; inner != null; inner = inner.InnerException)
            text += ": " + inner.Message; // TLS failures say what is wrong only in the inner exceptions
        return (1, text);
    }

    async Task Connect(MqttConfig config)
    {
        string topicPrefix = config.GlobalTopicPrefix;
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(config.BrokerHost, config.BrokerPort)
            .WithClientId(config.ClientName)
            .WithCleanSession(true)
            .WithTimeout(TimeSpan.FromMilliseconds(ConnectTimeoutMs))
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(5)) // a silently vanished broker is noticed within ~7.5 s
            .WithWillTopic(HaDiscovery.AvailabilityTopic(topicPrefix))
            .WithWillPayload("offline")
            .WithWillRetain();
        if (config.Protocol == MqttConfig.ProtocolTls)
            options.WithTlsOptions(o =>
            {
                o.UseTls();
                o.WithTargetHost(config.BrokerHost);
                if (trust != null)
                    o.WithTrustChain(trust);
            });
        if (config.BrokerUsername.Length > 0)
            options.WithCredentials(config.BrokerUsername, config.BrokerPassword);
        var connected = await client.ConnectAsync(options.Build(), stop.Token);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
            throw new Refused(connected.ResultCode);
        prefix = topicPrefix;
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(topicPrefix + "/charge_manager/+")
            .WithTopicFilter(topicPrefix + "/mqtt/+").Build(), stop.Token);
        foreach (var name in DeviceSettings.Writable) // network/config, ntp/config, board/config
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topicPrefix + "/" + name + "_update").Build(), stop.Token);
        lock (published)
            published.Clear(); // a new session: publish everything again
        lock (manager.Gate)
            plan.NewSession();
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(HaDiscovery.AvailabilityTopic(topicPrefix))
            .WithPayload("online").WithRetainFlag().Build(), stop.Token);
        Connections++;
        wasConnected = true;
        lock (manager.Gate)
            settings.SetConnected(manager.Clock.NowMs);
        Log("MQTT connected to " + (config.Protocol == MqttConfig.ProtocolTls ? "mqtts://" : "mqtt://") + config.BrokerHost + ":" + config.BrokerPort + " as " + topicPrefix);
    }

    sealed class Refused(MqttClientConnectResultCode code) : Exception("the broker refused the connection: " + code)
    {
        public readonly MqttClientConnectResultCode Code = code;
    }

    void Disconnected(int code, string text)
    {
        wasConnected = false;
        lock (manager.Gate)
            settings.SetDisconnected(manager.Clock.NowMs, code, text);
    }

    long lastNtpStateMs;

    /// <summary>A write was applied (HTTP or MQTT): what it may have changed, the states included, goes out on the next round, which starts now.</summary>
    public void Written()
    {
        lock (manager.Gate)
            plan.Written();
        wake.Release();
    }

    async Task PublishChanges(MqttConfig config)
    {
        for (int i = 0; i < ChargeManagerApp.Objects.Length; i++)
        {
            byte[] payload;
            lock (manager.Gate)
            {
                long now = manager.Clock.NowMs;
                plan.StatePeriodMs = PublishPlan.PeriodMs(config.Interval);
                if (!plan.Due(i, now, manager.App.AvailableCurrent))
                    continue;
                manager.App.Render(ChargeManagerApp.Objects[i], now);
                payload = plan.Changed(i, manager.App.Response.Buffer, manager.App.Response.Length);
            }
            if (payload != null)
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(config.GlobalTopicPrefix + "/charge_manager/" + ChargeManagerApp.Objects[i])
                    .WithPayload(payload).WithRetainFlag().Build(), stop.Token);
        }
        foreach (var name in DeviceSettings.Objects)
        {
            byte[] payload;
            lock (manager.Gate)
            {
                long now = manager.Clock.NowMs;
                bool ntpPublished;
                lock (published)
                    ntpPublished = published.ContainsKey(prefix + "/ntp/state");
                if (name == "ntp/state" && now - lastNtpStateMs < 60000 && ntpPublished)
                    continue; // its time changes every second: once a minute is enough
                if (name == "ntp/state")
                    lastNtpStateMs = now;
                manager.App.Render(name, now);
                payload = manager.App.Response.Buffer.AsSpan(0, manager.App.Response.Length).ToArray();
            }
            await PublishIfChanged(config.GlobalTopicPrefix + "/" + name, payload);
        }
        foreach (var name in MqttSettings.Objects)
        {
            byte[] payload;
            lock (manager.Gate)
            {
                settings.Render(name, manager.App.Response);
                payload = manager.App.Response.Buffer.AsSpan(0, manager.App.Response.Length).ToArray();
            }
            await PublishIfChanged(config.GlobalTopicPrefix + "/mqtt/" + name, payload);
        }
        await PublishDiscovery(config);
    }

    async Task PublishIfChanged(string topic, byte[] payload)
    {
        lock (published)
        {
            if (published.TryGetValue(topic, out var last) && last.AsSpan().SequenceEqual(payload))
                return;
            published[topic] = payload;
        }
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag().Build(), stop.Token);
    }

    /// <summary>Home Assistant's discovery messages when auto_discovery_mode is on; those no longer wanted are removed (empty, retained).</summary>
    async Task PublishDiscovery(MqttConfig config)
    {
        var wanted = new List<(string topic, byte[] payload)>();
        lock (manager.Gate)
        {
            if (settings.DiscoveryMode != MqttSettings.DiscoveryDisabled)
            {
                var app = manager.App;
                int count = HaDiscovery.Count(app.Config.Hosts.Length);
                for (int i = 0; i < count; i++)
                {
                    HaDiscovery.Payload(app.Response, i, config.GlobalTopicPrefix, config.ClientName, app.Config.Hosts, app.Config.Names, app.Config.MaximumAvailableCurrent);
                    wanted.Add((HaDiscovery.Topic(settings.DiscoveryPrefix, config.ClientName, i, app.Config.Hosts),
                        app.Response.Buffer.AsSpan(0, app.Response.Length).ToArray()));
                }
            }
        }
        foreach (var stale in discoveryTopics.Where(t => !wanted.Any(w => w.topic == t)).ToList())
        {
            discoveryTopics.Remove(stale);
            lock (published)
                published.Remove(stale);
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(stale).WithPayload(Array.Empty<byte>()).WithRetainFlag().Build(), stop.Token);
        }
        foreach (var (topic, payload) in wanted)
        {
            discoveryTopics.Add(topic);
            await PublishIfChanged(topic, payload);
        }
    }

    Task OnMessage(MqttApplicationMessageReceivedEventArgs e)
    {
        string topic = e.ApplicationMessage.Topic;
        string p = prefix;
        if (!topic.StartsWith(p + "/"))
            return Task.CompletedTask;
        byte[] payload = e.ApplicationMessage.Payload.ToArray();
        bool applied;
        lock (manager.Gate)
            applied = manager.App.HandleMqtt(topic[(p.Length + 1)..], payload, payload.Length, manager.Clock.NowMs);
        if (applied)
            Written(); // publish the new values now
        return Task.CompletedTask;
    }

    void Log(string message)
    {
        lock (manager.Gate)
            manager.App.Log.Add(manager.Clock.NowMs, message);
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        try { await supervisor; } catch (OperationCanceledException) { }
        if (client.IsConnected)
        {
            try
            {
                await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(HaDiscovery.AvailabilityTopic(prefix))
                    .WithPayload("offline").WithRetainFlag().Build());
            }
            catch (Exception) when (!client.IsConnected)
            {
                // gone meanwhile: the will says offline
            }
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
        }
        client.Dispose();
    }
}
