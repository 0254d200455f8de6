using System.Diagnostics;
using System.Net;
using System.Text;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Tests.Api;
using ChargeManager.Host;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Reliability;

/// <summary>
/// kill -9 of the real host process while a client writes configs over HTTP, again and again on the
/// same data directory (issue 13). After every kill the stored config, read as the core reads it and
/// as the restarted host serves it, is the last one acknowledged or the one in flight: written, never
/// torn, nothing acknowledged lost. 15 trials (200 with CM_LONG=1).
/// </summary>
[Collection("udp")]
public class KillTests(ITestOutputHelper output)
{
    const string Authority = "127.0.53.1:18537";

    static string Config(int defaultCurrent) => ChargeManagerAppTests.SeedConfig
        .Replace("\"default_available_current\": 16000", $"\"default_available_current\": {defaultCurrent}")
        .Replace("\"enable_charge_manager\": true", "\"enable_charge_manager\": false");

    static Process StartHost(string data)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "ChargeManager.Host.dll"))
        {
            FileName = "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ChargeManager.Host.dll"), "--http", Authority, "--udp", "127.0.53.1:0", "--simulate", "0", "--data", data })
            start.ArgumentList.Add(a);
        var p = Process.Start(start)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>default_available_current of the stored config as the core reads it (config, .new, .bak), or -1 when none parses.</summary>
    static long StoredDefault(string data)
    {
        var node = AtomicFile.Read(new DirectoryStore(data), ChargeManagerApp.ConfigFile, new JsonParser());
        return node?.Get("default_available_current")?.Integer ?? -1;
    }

    [Fact]
    public void Kill9DuringConfigWrites_TheStoredConfigIsAlwaysOneThatWasWritten()
    {
        int trials = ReliabilityTable.Long ? 200 : 15;
        string data = Path.Combine(Path.GetTempPath(), "cm-kill13-" + Guid.NewGuid().ToString("N"));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var random = new Random(1309);
        int next = 1, lastAcked = -1, inFlight = -1, failures = 0, writes = 0;
        try
        {
            for (int t = 0; t < trials; t++)
            {
                using var host = StartHost(data);
                var up = Stopwatch.StartNew();
                string served = null;
                while (served == null && up.ElapsedMilliseconds < 20_000)
                {
                    try { served = client.GetStringAsync($"http://{Authority}/charge_manager/config").Result; }
                    catch (AggregateException) { Thread.Sleep(50); }
                }
                Assert.NotNull(served);
                if (t > 0)
                {
                    // What the restarted host serves: the last acknowledged config or the one in flight.
                    long value = System.Text.Json.Nodes.JsonNode.Parse(served)!["default_available_current"]!.GetValue<long>();
                    if (value != lastAcked && value != inFlight)
                    {
                        failures++;
                        output.WriteLine($"trial {t}: served {value}, acknowledged {lastAcked}, in flight {inFlight}");
                    }
                    lastAcked = (int)value;
                }
                // Write as fast as the host answers, kill -9 at a random moment.
                long killAt = random.Next(30, 400);
                var watch = Stopwatch.StartNew();
                var writer = Task.Run(() =>
                {
                    while (true)
                    {
                        int value = next++;
                        Volatile.Write(ref inFlight, value);
                        try
                        {
                            var r = client.PostAsync($"http://{Authority}/charge_manager/config",
                                new StringContent(Config(value), Encoding.UTF8, "application/json")).Result;
                            if (r.StatusCode != HttpStatusCode.OK)
                                throw new InvalidOperationException("a valid config was refused: " + r.StatusCode);
                            Volatile.Write(ref lastAcked, value);
                            Interlocked.Increment(ref writes);
                        }
                        catch (AggregateException)
                        {
                            return; // the host is gone
                        }
                    }
                });
                Thread.Sleep((int)killAt);
                host.Kill(); // SIGKILL on Linux: no shutdown code runs
                host.WaitForExit();
                writer.Wait(10_000);
                long stored = StoredDefault(data);
                if (stored != lastAcked && stored != inFlight)
                {
                    failures++;
                    output.WriteLine($"trial {t}: stored {stored}, acknowledged {lastAcked}, in flight {inFlight}");
                }
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
        output.WriteLine($"{trials} kill -9 trials, {writes} acknowledged config writes");
        output.WriteLine(ReliabilityTable.Add("kill -9 trials (config writes)", trials, failures, $"{writes:N0} acknowledged writes; the host process, HTTP"));
        Assert.Equal(0, failures);
        Assert.True(writes > trials, "writes happened before the kills");
    }
}
