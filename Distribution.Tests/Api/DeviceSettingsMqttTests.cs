using ChargeManager.Distribution.Tests.Support;
using ChargeManager.Host;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>ntp/config and network/config over a real mosquitto: written on NAME_update, published retained as PREFIX/NAME. Port 18593 (issue 15c).</summary>
[Collection("udp")]
public class DeviceSettingsMqttTests(ITestOutputHelper output)
{
    [NeedsToolsFact("mosquitto", "mosquitto_sub", "mosquitto_pub")]
    public async Task Device_settings_are_written_and_published_over_mqtt()
    {
        using var broker = new Mosquitto(18593);
        string data = Path.Combine(Path.GetTempPath(), "cm-mqtt15c-" + Guid.NewGuid().ToString("N"));
        var options = HostOptions.Parse(new[] { "--http", "127.0.59.1:18594", "--udp", "127.0.59.1:0", "--data", data, "--mdns", "none",
            "--simulate", "0", "--mqtt", "127.0.0.1:18593", "--mqtt-prefix", "cm/c15" }, out string error);
        Assert.Null(error);
        await using (var host = await HostApp.StartAsync(options, TextWriter.Null))
        {
            var vars = new Dictionary<string, string>();
            string Sub(string topic) => UserShell.Run($"timeout 5 mosquitto_sub -v -C 1 -p 18593 -h 127.0.0.1 -t cm/c15/{topic}", vars, output).stdout.Trim();
            Assert.Contains("\"timezone\":\"CET-1CEST,M3.5.0,M10.5.0/3\"", Sub("ntp/config"));
            Assert.Contains("\"synced\":true", Sub("ntp/state"));
            UserShell.Run("mosquitto_pub -p 18593 -h 127.0.0.1 -t cm/c15/ntp/config_update -m '{\"enable\":true,\"server\":\"pool.ntp.org\",\"timezone\":\"UTC0\"}'", vars, output);
            UserShell.Run("mosquitto_pub -p 18593 -h 127.0.0.1 -t cm/c15/network/config_update -m '{\"hostname\":\"bad name\",\"enable_mdns\":true}'", vars, output);
            string ntp = "";
            for (int i = 0; i < 50 && !ntp.Contains("UTC0"); i++)
            {
                await Task.Delay(100);
                lock (host.Manager.Gate)
                    ntp = host.Manager.App.Settings.Ntp.Timezone;
            }
            Assert.Equal("UTC0", ntp);
            Assert.Contains("\"timezone\":\"UTC0\"", Sub("ntp/config"));
            await Task.Delay(300);
            lock (host.Manager.Gate)
            {
                Assert.Equal(HostApp.DefaultHostname(), host.Manager.App.Settings.Network.Hostname); // rejected, logged
                var log = Enumerable.Range(0, host.Manager.App.Log.Count).Select(host.Manager.App.Log.Line);
                Assert.Contains(log, l => l.StartsWith("MQTT network/config_update rejected: hostname 'bad name'"));
            }
        }
        Directory.Delete(data, recursive: true);
    }
}
