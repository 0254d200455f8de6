using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ChargeManager.Host;

namespace ChargeManager.Scenarios;

/// <summary>
/// "Limit written → reduced commands on the wire", end to end in real time: the desktop host with 64
/// emulated chargers over UDP on loopback; the available current is lowered with an HTTP POST, and the
/// time is taken until every charger's slot (what it applies from the commands it received) fits the
/// new limit on every phase. Repeated, with the limit raised again in between; prints p50 and p99.
/// </summary>
public static class LimitLatency
{
    public static async Task<string> Run(int rounds)
    {
        string data = Path.Combine(Path.GetTempPath(), "cm-latency-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[] { "--http", "127.0.0.1:18090", "--udp", "127.0.0.1:0", "--data", data,
            "--simulate", "64", "--simulate-from", "127.0.50.2" }, out _);
        await using var host = await HostApp.StartAsync(options, TextWriter.Null);
        using var http = new HttpClient { BaseAddress = new Uri(host.HttpAddress) };
        foreach (var c in host.Farm.Chargers)
            c.Car.Plug(host.Clock.NowMs, false);

        // Allow the group's size: raise the maximum, same chargers (no link restart).
        var config = JsonNode.Parse(await http.GetStringAsync("/charge_manager/config"))!;
        config["maximum_available_current"] = 2_048_000;
        await Post(http, "/charge_manager/config", config.ToJsonString());

        const int high = 600_000, low = 400_000;
        await Post(http, "/charge_manager/available_current", high.ToString());
        await Task.Delay(40_000); // start-up and admissions; cars start charging

        var times = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            await Post(http, "/charge_manager/available_current", high.ToString());
            await Task.Delay(8000); // increases settle (rate-limited, confirmed)
            var watch = Stopwatch.StartNew();
            await Post(http, "/charge_manager/available_current", low.ToString());
            while (!Fits(host, low) && watch.ElapsedMilliseconds < 10_000)
                Thread.SpinWait(1000);
            times.Add(watch.Elapsed.TotalMilliseconds);
            Console.WriteLine($"round {round + 1}: {watch.Elapsed.TotalMilliseconds:0.0} ms");
        }
        times.Sort();
        string result = $"limit written over HTTP -> 64 emulated chargers within it, {rounds} drops: " +
            $"p50 {times[times.Count / 2]:0.0} ms, p99 {times[(int)Math.Ceiling(times.Count * 0.99) - 1]:0.0} ms, max {times[^1]:0.0} ms";
        Console.WriteLine(result);
        Directory.Delete(data, true);
        return result;
    }

    static bool Fits(HostApp host, int limit)
    {
        for (int p = 1; p <= 3; p++)
            if (host.Farm.Chargers.Sum(c => c.Car.DrawOn(p)) > limit)
                return false;
        return true;
    }

    static async Task Post(HttpClient http, string path, string body)
    {
        var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json")); // writes declare JSON (RequestGuard)
        if (response.StatusCode != HttpStatusCode.OK)
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
