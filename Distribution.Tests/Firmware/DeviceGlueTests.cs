using System.Diagnostics;
using System.Text;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Tests.Api;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Firmware;

/// <summary>
/// The seams the firmware's glue stands on (issue 10): the write-behind store (no flash write under the
/// loop's lock, atomic and ordered), ApiCall (the lock discipline of HttpApi/MqttApi), the MQTT publish plan
/// and the plain-text error bodies. The lock-wait figures of the README are printed here.
/// </summary>
public class DeviceGlueTests(ITestOutputHelper output) : IDatagramSender, IHostResolver
{
    void IDatagramSender.Send(byte[] buffer, int length, uint ipv4, int port) { }
    void IHostResolver.Resolve(int charger, string host, HostKind kind) { }

    static ManagerConfig Defaults() => new()
    {
        EnableChargeManager = true, DefaultAvailableCurrent = 16000, MaximumAvailableCurrent = 32000,
        Hosts = new[] { "10.0.0.2" }, Names = new[] { "one" },
    };

    static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    static string ConfigJson(int maximum) => ChargeManagerAppTests.SeedConfig.Replace("\"maximum_available_current\": 32000", $"\"maximum_available_current\": {maximum}");

    /// <summary>A store that records the order of operations and can be made slow (flash) or failing.</summary>
    sealed class Recording(IFileStore inner) : IFileStore
    {
        public readonly List<string> Ops = new();
        public int DelayMs;
        public int FailNext;
        void Op(string what)
        {
            if (DelayMs > 0) Thread.Sleep(DelayMs);
            if (FailNext > 0) { FailNext--; throw new IOException("flash error"); }
            lock (Ops) Ops.Add(what);
        }
        public byte[] Read(string name) => inner.Read(name);
        public bool Exists(string name) => inner.Exists(name);
        public void Write(string name, byte[] data, int length) { Op("write " + name); inner.Write(name, data, length); }
        public void Delete(string name) { Op("delete " + name); inner.Delete(name); }
        public void Move(string from, string to) { Op($"move {from} {to}"); inner.Move(from, to); }
    }

    [Fact]
    public void WriteBehind_QueuesUnderTheCallAndReplaysAtomicFilesSequenceInOrderOnFlush()
    {
        var flash = new MemoryStore();
        var recording = new Recording(flash);
        var store = new WriteBehindStore(recording, 16);
        AtomicFile.Write(store, "c.json", Bytes("{\"a\":1}"), 7);
        AtomicFile.Write(store, "c.json", Bytes("{\"a\":2}"), 7);
        Assert.Empty(recording.Ops); // nothing touched flash yet
        Assert.Empty(flash.Files);
        // Read-your-writes: the core sees the newest document before the flush.
        Assert.Equal("{\"a\":2}", Encoding.UTF8.GetString(store.Read("c.json")));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(store.Read("c.json.bak")));
        Assert.False(store.Exists("c.json.new"));

        Assert.True(store.Flush(out var error), error);
        Assert.Equal(new[]
        {
            "write c.json.new", "move c.json.new c.json",
            "write c.json.new", "move c.json c.json.bak", "move c.json.new c.json",
        }, recording.Ops);
        Assert.Equal("{\"a\":2}", Encoding.UTF8.GetString(flash.Files["c.json"]));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(flash.Files["c.json.bak"]));
        Assert.Equal(0, store.Pending);
    }

    [Fact]
    public void WriteBehind_PowerCutAtEveryStepOfTheFlushLeavesTheOldOrTheNewDocument()
    {
        var old = Bytes(ConfigJson(32000));
        var fresh = Bytes(ConfigJson(20000));
        for (int budget = 0; budget < fresh.Length + 10; budget += 7)
        {
            var flash = new MemoryStore();
            AtomicFile.Write(flash, "c.json", old, old.Length);
            var store = new WriteBehindStore(flash, 16);
            AtomicFile.Write(store, "c.json", fresh, fresh.Length);
            flash.Budget = budget;
            store.Flush(out _); // the power goes somewhere in here
            flash.Budget = int.MaxValue;
            var node = AtomicFile.Read(flash, "c.json", new JsonParser());
            Assert.NotNull(node);
            var config = ManagerConfig.Read(node, out var error);
            Assert.True(config != null, error);
            Assert.Contains(config.MaximumAvailableCurrent, new[] { 32000, 20000 });
        }
    }

    [Fact]
    public void WriteBehind_AFailedOperationStaysQueuedAndIsRetriedThenDropped()
    {
        var recording = new Recording(new MemoryStore()) { FailNext = 1 };
        var store = new WriteBehindStore(recording, 16);
        store.Write("a", Bytes("x"), 1);
        Assert.False(store.Flush(out var error));
        Assert.Contains("writing a: flash error", error);
        Assert.Equal(1, store.Pending);
        Assert.True(store.Flush(out _)); // retried
        Assert.Equal(new[] { "write a" }, recording.Ops);

        recording.FailNext = WriteBehindStore.MaxAttempts;
        store.Write("b", Bytes("y"), 1);
        store.Write("c", Bytes("z"), 1);
        for (int i = 1; i < WriteBehindStore.MaxAttempts; i++)
            Assert.False(store.Flush(out _));
        Assert.False(store.Flush(out error));
        Assert.Contains("given up", error);
        Assert.True(store.Flush(out _)); // the next one still gets through
        Assert.Equal(new[] { "write a", "write c" }, recording.Ops);
    }

    [Fact]
    public void WriteBehind_FullQueueThrowsBeforeTheCoreAppliesAnything()
    {
        var app = new ChargeManagerApp(new WriteBehindStore(new MemoryStore(), 1), this, this, Defaults(), 0);
        var body = Bytes(ConfigJson(20000));
        Assert.Throws<InvalidOperationException>(() => app.Handle("PUT", "/charge_manager/config", body, body.Length, 0));
        Assert.Equal(32000, app.Config.MaximumAvailableCurrent); // not half-applied
    }

    [Fact]
    public void ApiCall_AnswersJsonAfterTheFlashWriteAndPlainTextErrors()
    {
        var flash = new MemoryStore();
        var store = new WriteBehindStore(flash, 16);
        var app = new ChargeManagerApp(store, this, this, Defaults(), 0);
        var plan = new PublishPlan();
        var call = new ApiCall(app, new object(), store, plan);

        var body = Bytes(ConfigJson(20000));
        Assert.Equal(200, call.Http("PUT", "/charge_manager/config", body, body.Length, 0));
        Assert.True(flash.Files.ContainsKey(ChargeManagerApp.ConfigFile)); // on flash when the answer goes out
        Assert.Equal(0, store.Pending);

        Assert.Equal(200, call.Http("GET", "/charge_manager/available_current", Array.Empty<byte>(), 0, 0));
        Assert.Equal("{\"current\":16000}", Encoding.UTF8.GetString(call.Reply, 0, call.ReplyLength));

        // An error body is plain UTF-8 text: a newline is a newline, not \u000a, and ä is C3 A4.
        body = Bytes("{\"current\": \"ä\n\"}");
        Assert.Equal(400, call.Http("PUT", "/charge_manager/available_current", body, body.Length, 0));
        var text = Encoding.UTF8.GetString(call.Reply, 0, call.ReplyLength);
        Assert.EndsWith("\n", text);
        Assert.DoesNotContain("\\u", text);
        Assert.Equal(app.ErrorText + "\n", text);
        Assert.Null(call.Allow);

        // A 405 carries what the path allows, for the firmware's Allow header; the next answer does not.
        Assert.Equal(405, call.Http("POST", "/charge_manager/state", body, body.Length, 0));
        Assert.Equal("GET, HEAD", call.Allow);
        Assert.Equal(200, call.Http("GET", "/charge_manager/state", Array.Empty<byte>(), 0, 0));
        Assert.Null(call.Allow);
    }

    [Fact]
    public void ApiCall_AFlashErrorIsA500SayingSoAndAThrowingCoreNeverEndsTheThread()
    {
        var recording = new Recording(new MemoryStore()) { FailNext = 1 };
        var store = new WriteBehindStore(recording, 16);
        var app = new ChargeManagerApp(store, this, this, Defaults(), 0);
        var call = new ApiCall(app, new object(), store, null);
        var body = Bytes(ConfigJson(20000));
        Assert.Equal(500, call.Http("PUT", "/charge_manager/config", body, body.Length, 0));
        Assert.StartsWith("applied, but not stored on flash: writing charge_manager_config.json.new: flash error",
            Encoding.UTF8.GetString(call.Reply, 0, call.ReplyLength));

        // A core that throws (here: the queue is full) gives a 500, the thread goes on.
        var full = new WriteBehindStore(new MemoryStore(), 1);
        var app2 = new ChargeManagerApp(full, this, this, Defaults(), 0);
        var call2 = new ApiCall(app2, new object(), full, null);
        Assert.Equal(500, call2.Http("PUT", "/charge_manager/config", body, body.Length, 0));
        Assert.False(call2.Mqtt("charge_manager/config_update", body, body.Length, 0));
        var lines = Enumerable.Range(0, app2.Log.Count).Select(app2.Log.Line).ToList();
        Assert.Contains(lines, l => l.StartsWith("HTTP PUT /charge_manager/config failed: flash busy"));
        Assert.Contains(lines, l => l.StartsWith("MQTT charge_manager/config_update failed: flash busy"));
    }

    [Theory]
    [InlineData("line one\nline two", "line one\nline two")]
    [InlineData("Strom ä €", "Strom ä €")]
    [InlineData("car 🚗", "car 🚗")]
    public void Utf8Text_EncodesPlainTextUnescaped(string text, string expected)
    {
        var buffer = new byte[text.Length * 3];
        int n = Utf8Text.Encode(text, buffer);
        Assert.Equal(Encoding.UTF8.GetBytes(expected), buffer.Take(n).ToArray());
    }

    [Fact]
    public void PublishPlan_SubscribesOnlyToTheUpdateTopicsTheCoreAccepts()
    {
        var topics = PublishPlan.SubscribeTopics("warp2/AbCd");
        Assert.All(topics, t => Assert.Matches("^warp2/AbCd/charge_manager/[a-z_]+_update$", t));
        Assert.DoesNotContain(topics, t => t.Contains('+') || t.Contains('#'));
        var app = new ChargeManagerApp(new MemoryStore(), this, this, Defaults(), 0);
        foreach (var topic in topics)
        {
            // A bad payload on each is rejected for its content: the topic itself is one the core writes.
            app.HandleMqtt(topic.Substring("warp2/AbCd/".Length), Bytes("[]"), 2, 0);
            Assert.DoesNotContain("no such object", app.ErrorText ?? "");
            Assert.DoesNotContain("cannot be written", app.ErrorText ?? "");
        }
        // Every object the core does not let one write is left out.
        foreach (var name in ChargeManagerApp.Objects.Where(o => !PublishPlan.Writable.Contains(o)))
        {
            app.HandleMqtt($"charge_manager/{name}_update", Bytes("{}"), 2, 0);
            Assert.Contains("cannot be written", app.ErrorText);
            Assert.DoesNotContain(topics, t => t.EndsWith($"/{name}_update"));
        }
    }

    [Fact]
    public void PublishPlan_RendersOnlyWhatMayHaveChangedAndPublishesOnlyWhatDid()
    {
        var store = new WriteBehindStore(new MemoryStore(), 16);
        var app = new ChargeManagerApp(store, this, this, Defaults(), 0);
        var plan = new PublishPlan();
        var call = new ApiCall(app, new object(), store, plan);
        string[] Cycle(long now)
        {
            var sent = new List<string>();
            for (int i = 0; i < ChargeManagerApp.Objects.Length; i++)
            {
                if (!plan.Due(i, now, app.AvailableCurrent))
                    continue;
                app.Render(ChargeManagerApp.Objects[i], now);
                if (plan.Changed(i, app.Response.Buffer, app.Response.Length) != null)
                    sent.Add(ChargeManagerApp.Objects[i]);
            }
            return sent.ToArray();
        }

        Assert.Equal(ChargeManagerApp.Objects, Cycle(0)); // a new session: everything once
        Assert.Empty(Cycle(250)); // nothing rendered, nothing sent
        var body = Bytes("{\"current\": 8000}");
        Assert.True(call.Mqtt("charge_manager/available_current_update", body, body.Length, 300));
        // Only what changed, and the states at once (they show the new limit; a subscriber must not see them lag).
        Assert.Equal(new[] { "available_current", "state", "low_level_state" }, Cycle(500));
        Assert.Empty(Cycle(750));
        body = Bytes(ConfigJson(20000));
        Assert.Equal(200, call.Http("PUT", "/charge_manager/config", body, body.Length, 800));
        Assert.Equal(new[] { "config" }, Cycle(1000).Where(o => o != "state" && o != "low_level_state").ToArray());

        // 40 cycles of 250 ms without a change: the states at most once a second, nothing else.
        int rendered = 0;
        for (long t = 1250; t < 11250; t += 250)
            for (int i = 0; i < ChargeManagerApp.Objects.Length; i++)
                if (plan.Due(i, t, app.AvailableCurrent))
                    rendered++;
        output.WriteLine($"renders in 10 s without a change: {rendered} (every object every 250 ms would be {40 * ChargeManagerApp.Objects.Length})");
        Assert.InRange(rendered, 20, 26); // 2 states x 10 s + one recheck of the 5 stored objects

        plan.NewSession();
        Assert.Equal(ChargeManagerApp.Objects, Cycle(20000));

        // mqtt/config's interval (s) spaces the states: 5 s gives 2 renders of each in 10 s, not 10.
        plan.StatePeriodMs = PublishPlan.PeriodMs(5);
        int states = 0;
        for (long t = 20250; t < 30250; t += 250)
            for (int i = 0; i < ChargeManagerApp.Objects.Length; i++)
                if (PublishPlan.IsState(ChargeManagerApp.Objects[i]) && plan.Due(i, t, app.AvailableCurrent))
                    states++;
        Assert.Equal(4, states);
    }

    /// <summary>
    /// The 50 ms loop's longest wait for the lock while an API thread writes a config to a slow flash
    /// (300 ms per operation, 4 operations) and then stalls 2 s on a client that does not read, with
    /// the firmware's discipline (ApiCall + WriteBehindStore) and with the old one (all of it under the lock).
    /// </summary>
    [Fact]
    public void LockWait_TheLoopDoesNotWaitForFlashOrAStalledClient()
    {
        long Measure(bool firmwareDiscipline)
        {
            var recording = new Recording(new MemoryStore());
            IFileStore appStore = firmwareDiscipline ? new WriteBehindStore(recording, 16) : recording;
            var app = new ChargeManagerApp(appStore, this, this, Defaults(), 0);
            var gate = new object();
            var call = firmwareDiscipline ? new ApiCall(app, gate, (WriteBehindStore)appStore, null) : null;
            recording.DelayMs = 300;
            long longest = 0;
            var stop = false;
            var loop = new Thread(() =>
            {
                var clock = Stopwatch.StartNew();
                while (!Volatile.Read(ref stop))
                {
                    long before = clock.ElapsedTicks;
                    lock (gate)
                    {
                        long waited = (clock.ElapsedTicks - before) * 1000 / Stopwatch.Frequency;
                        if (waited > longest) longest = waited;
                        app.Tick(clock.ElapsedMilliseconds, -1);
                    }
                    Thread.Sleep(50);
                }
            });
            loop.Start();
            Thread.Sleep(200);
            var body = Bytes(ConfigJson(20000));
            for (int request = 0; request < 2; request++)
            {
                if (firmwareDiscipline)
                {
                    Assert.Equal(200, call.Http("PUT", "/charge_manager/config", body, body.Length, 0));
                    Thread.Sleep(2000); // the socket write to a client that does not read: outside the lock
                }
                else
                    lock (gate)
                    {
                        Assert.Equal(200, app.Handle("PUT", "/charge_manager/config", body, body.Length, 0));
                        Thread.Sleep(2000); // the old HttpApi wrote the response inside the lock
                    }
            }
            Thread.Sleep(200);
            Volatile.Write(ref stop, true);
            loop.Join();
            return longest;
        }

        long now = Measure(true), before = Measure(false);
        output.WriteLine($"longest wait of the 50 ms loop for the lock, config write on a 300 ms/operation flash + 2 s stalled client: "
            + $"{now} ms with ApiCall + WriteBehindStore, {before} ms with everything under the lock");
        Console.WriteLine($"lock wait: {now} ms (firmware discipline), {before} ms (old discipline)");
        Assert.True(now < 250, $"the loop waited {now} ms");
        Assert.True(before > 2000, $"the old discipline should block: {before} ms");
    }
}
