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
        Assert.Equal(History.Capacity, h.Count);
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
}
