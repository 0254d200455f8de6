using System.Text;
using System.Text.Json.Nodes;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Tests.Api;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Web;

/// <summary>The manager's last hour (charge_manager/history), the chart's source before the page was opened.</summary>
public class HistoryTests(ITestOutputHelper output) : IDatagramSender, IHostResolver
{
    void IDatagramSender.Send(byte[] buffer, int length, uint ipv4, int port) { }
    void IHostResolver.Resolve(int charger, string host, HostKind kind) { }

    static void Run(History h, Distributor g, ref long now, long untilMs)
    {
        for (; now < untilMs; now += 100)
        {
            g.Tick(now, 0);
            h.Record(g, now);
        }
    }

    [Fact]
    public void OneSampleEveryTenSeconds_KeepsTheDipOfTheLimit_AndTheHourOnly()
    {
        var g = new Distributor(new AllocatorConfig(), 2);
        var h = new History();
        long now = 0;
        g.SetAvailableCurrent(16000);
        Run(h, g, ref now, 60_000);
        Assert.Equal(5, h.Count); // intervals end at 10 s … 50 s; the one ending at 60 s is still open
        Assert.Equal(160, h.Value(h.Limit, 0, 0));
        Assert.Equal(160, h.Value(h.Limit, 2, 4));

        // A limit that drops for one tick inside an interval shows in its sample.
        g.SetAvailableCurrent(6000);
        Run(h, g, ref now, now + 100);
        g.SetAvailableCurrent(16000);
        Run(h, g, ref now, 80_050);
        Assert.Equal(8, h.Count);
        Assert.Equal(160, h.Value(h.Limit, 1, 0)); // 70 s to 80 s
        Assert.Equal(60, h.Value(h.Limit, 1, 1));  // 60 s to 70 s: the dip
        Assert.Equal(160, h.Value(h.Limit, 1, 2));

        Run(h, g, ref now, 2 * 3600_000);
        Assert.Equal(h.Capacity, h.Count);
    }

    [Fact]
    public void MeasuredCurrents_AreSummedOnTheGridPhaseEachChargerIsWiredTo()
    {
        var g = new Distributor(new AllocatorConfig(), 2);
        var h = new History();
        long now = 0;
        g.SetAvailableCurrent(32000);
        Run(h, g, ref now, 10_050);
        Assert.Equal(-1, h.Value(h.Measured, 0, 0)); // no meter anywhere
        var a = g.Observations[0];
        a.LineCurrent1 = 10f; a.LineCurrent2 = 0f; a.LineCurrent3 = 0f; a.Rotation = PhaseRotation.L231; // P1 on L2
        var b = g.Observations[1];
        b.LineCurrent1 = 6f; b.LineCurrent2 = 7f; b.LineCurrent3 = 8f; b.Rotation = PhaseRotation.Unknown; // counted as L123
        Run(h, g, ref now, 20_050);
        Assert.Equal(60, h.Value(h.Measured, 0, 0));
        Assert.Equal(170, h.Value(h.Measured, 1, 0));
        Assert.Equal(80, h.Value(h.Measured, 2, 0));
    }

    [Fact]
    public void ALateTick_FillsTheIntervalsItMissed_SoSamplesStayEvenlySpaced()
    {
        var g = new Distributor(new AllocatorConfig(), 1);
        var h = new History();
        long now = 0;
        g.SetAvailableCurrent(16000);
        Run(h, g, ref now, 10_500);
        Assert.Equal(1, h.Count);
        now = 45_000; // 34.5 s without a tick
        h.Record(g, now);
        Assert.Equal(4, h.Count);
    }

    [Fact]
    public void Record_AllocatesNothingPerTick()
    {
        var g = new Distributor(new AllocatorConfig(), 64);
        var h = new History();
        long now = 0;
        Run(h, g, ref now, 3700_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++, now += 100)
            h.Record(g, now);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Memory_OnDotNet()
    {
        foreach (int n in new[] { 5, 64 })
        {
            var g = new Distributor(new AllocatorConfig(), n);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var h = new History();
            h.Record(g, 0);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"history on .NET, {n} chargers: {bytes} B allocated ({h.PayloadBytes} B of array payload)");
            Assert.InRange(bytes, h.PayloadBytes, h.PayloadBytes + 1024);
        }
    }

    [Fact]
    public void ServedAsOneObject_RunLengthCoded_ThroughTheApp()
    {
        var defaults = new ManagerConfig
        {
            EnableChargeManager = true, DefaultAvailableCurrent = 16000, MaximumAvailableCurrent = 32000,
            Hosts = new[] { "10.0.0.2", "10.0.0.3" }, Names = new[] { "one", "two" },
        };
        var app = new ChargeManagerApp(new MemoryStore(), this, this, defaults, 0);
        long now = 0;
        for (; now < 600_000; now += 100)
        {
            if (now == 300_000)
            {
                byte[] body = Encoding.UTF8.GetBytes("9000");
                Assert.Equal(200, app.Handle("POST", "/charge_manager/available_current", body, body.Length, now));
            }
            app.Tick(now, 0);
        }
        Assert.Equal(200, app.Handle("GET", "/charge_manager/history", Array.Empty<byte>(), 0, now));
        string json = app.Response.ToString();
        output.WriteLine($"history of 10 minutes, 2 chargers: {json.Length} B: {json}");
        var o = JsonNode.Parse(json)!;
        Assert.Equal(10, (int)o["interval"]!);
        Assert.Equal(100, (int)o["unit"]!);
        Assert.Equal(59, (int)o["count"]!);
        // L1's limit: 16 A in the 30 samples up to 5 min, then 9 A.
        Assert.Equal("[160,30,90,29]", o["limit"]![0]!.ToJsonString());
        Assert.Equal(2, o["chargers"]!.AsArray().Count);
        Assert.Equal(404, app.Handle("GET", "/charge_manager/nohistory", Array.Empty<byte>(), 0, now));
        Assert.NotEqual(200, app.Handle("POST", "/charge_manager/history", Encoding.UTF8.GetBytes("{}"), 2, now));
    }
    [Fact]
    public void TheHourFitsTheBudget_SamplesFurtherApartAsTheGroupGrows()
    {
        Assert.Equal(10_000, History.IntervalFor(1));
        Assert.Equal(10_000, History.IntervalFor(10));
        Assert.Equal(15_000, History.IntervalFor(11));
        Assert.Equal(30_000, History.IntervalFor(64));
        foreach (int n in new[] { 1, 5, 10, 11, 40, 64, 100, 256 })
        {
            int interval = History.IntervalFor(n);
            Assert.Equal(0, History.HourMs % interval);
            Assert.True(History.HourMs / interval * (18 + n) <= History.BudgetBytes || interval == History.HourMs, $"{n} chargers");
            if (interval > History.MinIntervalMs) // the next shorter divisor would not fit
                Assert.True(History.HourMs / (interval - 5000) * (18 + n) > History.BudgetBytes || History.HourMs % (interval - 5000) != 0);
        }

        var g = new Distributor(new AllocatorConfig(), 64);
        var h = new History();
        long now = 0;
        g.SetAvailableCurrent(16000);
        Run(h, g, ref now, 2 * 3600_000);
        Assert.Equal(30_000, h.IntervalMs);
        Assert.Equal(120, h.Count);
        Assert.True(h.PayloadBytes <= History.BudgetBytes + 4 * (9 + 64), $"{h.PayloadBytes} B");
        var w = new ChargeManager.Distribution.Json.JsonWriter(64);
        h.Write(w, now);
        var o = JsonNode.Parse(w.ToString())!;
        Assert.Equal(30, (int)o["interval"]!);
        Assert.Equal(64, o["chargers"]!.AsArray().Count);
    }

    [Fact]
    public void ChargersAreHeldIn200mA_AndServedIn100mAUnits()
    {
        var g = new Distributor(new AllocatorConfig(), 1);
        var h = new History();
        long now = 0;
        g.SetAvailableCurrent(16000);
        g.Guard.CommandedCurrent[0] = 6150; // rounds to 6.2 A
        for (; now < 10_050; now += 100)
            h.Record(g, now);
        Assert.Equal(62, h.ChargerValue(0, 0));
        g.Guard.CommandedCurrent[0] = 32000;
        for (; now < 20_050; now += 100)
            h.Record(g, now);
        Assert.Equal(320, h.ChargerValue(0, 0));
        var w = new ChargeManager.Distribution.Json.JsonWriter(64);
        h.Write(w, now);
        Assert.Equal("[62,1,320,1]", JsonNode.Parse(w.ToString())!["chargers"]![0]!.ToJsonString());
    }

    [Fact]
    public void MetersReadOnlyWhenTheVersionChanges_GiveTheSameHistory()
    {
        var g = new Distributor(new AllocatorConfig(), 3);
        var always = new History();
        var versioned = new History();
        int version = 0;
        g.SetAvailableCurrent(32000);
        var rng = new Random(11);
        for (long now = 0; now < 1800_000; now += 100)
        {
            if (rng.Next(20) == 0)
            {
                var o = g.Observations[rng.Next(3)];
                o.LineCurrent1 = rng.Next(4) == 0 ? float.NaN : rng.Next(320) / 10f;
                o.LineCurrent2 = rng.Next(320) / 10f;
                o.LineCurrent3 = rng.Next(320) / 10f;
                o.Rotation = (PhaseRotation)rng.Next(7);
                version++;
            }
            g.Tick(now, 0);
            always.Record(g, now);
            versioned.Record(g, now, version);
        }
        var a = new ChargeManager.Distribution.Json.JsonWriter(64);
        var b = new ChargeManager.Distribution.Json.JsonWriter(64);
        always.Write(a, 1800_000);
        versioned.Write(b, 1800_000);
        Assert.Contains("\"measured\":[[", a.ToString());
        Assert.DoesNotContain("\"measured\":[[-1,180]", a.ToString());
        Assert.Equal(a.ToString(), b.ToString());
    }
}
