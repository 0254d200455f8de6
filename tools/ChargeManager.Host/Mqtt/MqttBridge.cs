using System.Buffers;
using ChargeManager.Distribution.Api;
using ChargeManager.Host.Link;
using MQTTnet;

namespace ChargeManager.Host.Mqtt;

/// <summary>
/// The MQTT API: PREFIX/charge_manager/&lt;object&gt; is published retained (state at most once a
/// second, the others when they change); writes arrive on PREFIX/charge_manager/&lt;object&gt;_update and
/// go through the same handler and rules as HTTP (rejections are logged, nothing applied). A supervisor
/// reconnects with backoff, re-subscribes and republishes everything after the broker comes back.
/// </summary>
public sealed class MqttBridge : IAsyncDisposable
{
    readonly UdpManager manager;
    readonly string host;
    readonly int port;
    readonly string prefix;
    readonly string user, password;
    readonly IMqttClient client;
    readonly CancellationTokenSource stop = new();
    readonly Dictionary<string, byte[]> published = new();
    readonly Task supervisor;
    readonly SemaphoreSlim wake = new(0);
    long lastStateMs = long.MinValue / 2;

    public int Connections { get; private set; }

    /// <summary>The longest wait between reconnection attempts, ms: with it a returning broker has the
    /// retained objects again and writes work within 10 s (issue 13; before, the backoff grew to 30 s).</summary>
    public const int MaxBackoffMs = 8000;
    /// <summary>How long one connection attempt may take, ms (a broker host that drops packets, not refuses).</summary>
    public const int ConnectTimeoutMs = 1500;

    public MqttBridge(UdpManager manager, string host, int port, string prefix, string user, string password)
    {
        this.manager = manager;
        this.host = host;
        this.port = port;
        this.prefix = prefix.TrimEnd('/');
        this.user = user;
        this.password = password;
        client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessage;
        supervisor = Task.Run(Supervise);
    }

    async Task Supervise()
    {
        int backoffMs = 500;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!client.IsConnected)
                {
                    var options = new MqttClientOptionsBuilder()
                        .WithTcpServer(host, port)
                        .WithClientId("charge-manager-" + prefix.Replace('/', '-'))
                        .WithCleanSession(true)
                        .WithTimeout(TimeSpan.FromMilliseconds(ConnectTimeoutMs))
                        .WithKeepAlivePeriod(TimeSpan.FromSeconds(5)); // a silently vanished broker is noticed within ~7.5 s
                    if (!string.IsNullOrEmpty(user))
                        options.WithCredentials(user, password);
                    await client.ConnectAsync(options.Build(), stop.Token);
                    await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                        .WithTopicFilter(prefix + "/charge_manager/+").Build(), stop.Token);
                    foreach (var name in DeviceSettings.Writable) // network/config, ntp/config, board/config
                        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(prefix + "/" + name + "_update").Build(), stop.Token);
                    lock (published)
                        published.Clear(); // a new session: publish everything again
                    Connections++;
                    Log("MQTT connected to " + host + ":" + port + " as " + prefix);
                    backoffMs = 500;
                }
                await PublishChanges();
                await wake.WaitAsync(250, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                Log("MQTT: " + e.Message + "; retrying in " + backoffMs / 1000.0 + " s");
                try { await Task.Delay(backoffMs, stop.Token); } catch (OperationCanceledException) { return; }
                backoffMs = Math.Min(backoffMs * 2, MaxBackoffMs);
            }
        }
    }

    long lastNtpStateMs;

    async Task PublishChanges()
    {
        foreach (var name in ChargeManagerApp.Objects.Select(n => "charge_manager/" + n).Concat(DeviceSettings.Objects))
        {
            byte[] payload;
            lock (manager.Gate)
            {
                long now = manager.Clock.NowMs;
                if (name == "charge_manager/state" && now - lastStateMs < 1000)
                    continue;
                bool ntpPublished;
                lock (published)
                    ntpPublished = published.ContainsKey(prefix + "/ntp/state");
                if (name == "ntp/state" && now - lastNtpStateMs < 60000 && ntpPublished)
                    continue; // its time changes every second: once a minute is enough
                if (name == "ntp/state")
                    lastNtpStateMs = now;
                manager.App.Render(name.StartsWith("charge_manager/") ? name["charge_manager/".Length..] : name, now);
                payload = manager.App.Response.Buffer.AsSpan(0, manager.App.Response.Length).ToArray();
                if (name == "charge_manager/state")
                    lastStateMs = now;
            }
            string topic = prefix + "/" + name;
            lock (published)
            {
                if (published.TryGetValue(topic, out var last) && last.AsSpan().SequenceEqual(payload))
                    continue;
                published[topic] = payload;
            }
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag().Build(), stop.Token);
        }
    }

    Task OnMessage(MqttApplicationMessageReceivedEventArgs e)
    {
        string topic = e.ApplicationMessage.Topic;
        if (!topic.StartsWith(prefix + "/"))
            return Task.CompletedTask;
        byte[] payload = e.ApplicationMessage.Payload.ToArray();
        bool applied;
        lock (manager.Gate)
            applied = manager.App.HandleMqtt(topic[(prefix.Length + 1)..], payload, payload.Length, manager.Clock.NowMs);
        if (applied)
            wake.Release(); // publish the new values now
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
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
        client.Dispose();
    }
}
