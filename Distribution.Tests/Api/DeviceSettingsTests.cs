using System.Text;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Link;
using Xunit;

namespace ChargeManager.Distribution.Tests.Api;

/// <summary>
/// network/config, ntp/config, ntp/state and board/config: every field's validation (400 naming the
/// field, nothing changed or stored), store / read back / restart identity, and the local time of day
/// reaching the allocator and the event log.
/// </summary>
public class DeviceSettingsTests : IDatagramSender, IHostResolver
{
    void IDatagramSender.Send(byte[] buffer, int length, uint ipv4, int port) { }
    void IHostResolver.Resolve(int charger, string host, HostKind kind) { }

    readonly MemoryStore store = new();

    ChargeManagerApp NewApp() => new(store, this, this, new ManagerConfig
    {
        EnableChargeManager = true, DefaultAvailableCurrent = 16000, MaximumAvailableCurrent = 32000,
        Hosts = new[] { "10.0.0.2" }, Names = new[] { "one" },
    }, 1000);

    static (int status, string body) Call(ChargeManagerApp app, string method, string path, string body = "", long now = 1000)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        int status = app.Handle(method, path, bytes, bytes.Length, now);
        return (status, status == 200 ? app.Response.ToString() : app.ErrorText);
    }

    const string Ntp = "{\"enable\":true,\"server\":\"pool.ntp.org\",\"timezone\":\"EST5EDT,M3.2.0,M11.1.0\"}";
    const string Network = "{\"hostname\":\"garage-cm\",\"enable_mdns\":false}";
    const string Board = "{\"board\":\"olimex-esp32-poe\",\"contactor_installed\":true,\"contactor_relay_pin\":4,\"contactor_feedback_pin\":36}";

    [Theory]
    [InlineData("ntp/config", Ntp)]
    [InlineData("network/config", Network)]
    [InlineData("board/config", Board)]
    public void What_is_accepted_is_stored_read_back_and_kept_over_a_restart(string name, string body)
    {
        var app = NewApp();
        Assert.Equal((200, ""), (Call(app, "POST", "/" + name, body).status, ""));
        Assert.Equal(body, Call(app, "GET", "/" + name).body);
        Assert.Equal(body, Call(NewApp(), "GET", "/" + name).body);
        // MQTT: the same handler, on NAME_update
        var mqtt = NewApp();
        Assert.False(mqtt.HandleMqtt(name + "_update", Encoding.UTF8.GetBytes("{}"), 2, 1000));
        Assert.Contains("MQTT " + name + "_update rejected", mqtt.Log.Line(mqtt.Log.Count - 1));
        Assert.True(mqtt.HandleMqtt(name + "_update", Encoding.UTF8.GetBytes(body), Encoding.UTF8.GetByteCount(body), 1000));
    }

    [Theory]
    // ntp/config
    [InlineData("ntp/config", "{\"enable\":true,\"server\":\"pool.ntp.org\"}", "missing key 'timezone'")]
    [InlineData("ntp/config", "{\"enable\":true,\"server\":\"pool.ntp.org\",\"timezone\":\"UTC0\",\"use_dhcp\":true}", "unknown key 'use_dhcp'")]
    [InlineData("ntp/config", "{\"enable\":1,\"server\":\"pool.ntp.org\",\"timezone\":\"UTC0\"}", "enable must be")]
    [InlineData("ntp/config", "{\"enable\":true,\"server\":5,\"timezone\":\"UTC0\"}", "server must be")]
    [InlineData("ntp/config", "{\"enable\":true,\"server\":\"\",\"timezone\":\"UTC0\"}", "server must not be empty")]
    [InlineData("ntp/config", "{\"enable\":true,\"server\":\"a b\",\"timezone\":\"UTC0\"}", "server '")]
    [InlineData("ntp/config", "{\"enable\":true,\"server\":\"pool.ntp.org\",\"timezone\":\"Europe/Berlin\"}", "timezone 'Europe/Berlin' is not a POSIX TZ")]
    [InlineData("ntp/config", "{\"enable\":true,\"server\":\"pool.ntp.org\",\"timezone\":null}", "timezone must be")]
    [InlineData("ntp/config", "{\"enable\":true,\"server\":\"pool.ntp.org\",\"timezone\":\"CET-1CEST\"}", "timezone 'CET-1CEST'")]
    [InlineData("ntp/config", "{\"enable\":false,\"server\":\"pool.ntp.org\",\"timezone\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}", "timezone is longer than 64")]
    // network/config
    [InlineData("network/config", "{\"hostname\":\"cm\"}", "missing key 'enable_mdns'")]
    [InlineData("network/config", "{\"hostname\":\"\",\"enable_mdns\":true}", "hostname must not be empty")]
    [InlineData("network/config", "{\"hostname\":\"cm.local\",\"enable_mdns\":true}", "hostname 'cm.local' may hold only")]
    [InlineData("network/config", "{\"hostname\":\"-cm\",\"enable_mdns\":true}", "hostname '-cm' must not begin")]
    [InlineData("network/config", "{\"hostname\":\"cmxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"enable_mdns\":true}", "hostname is longer than 63")]
    [InlineData("network/config", "{\"hostname\":\"cm\",\"enable_mdns\":\"yes\"}", "enable_mdns must be")]
    [InlineData("network/config", "{\"hostname\":\"Garage é\",\"enable_mdns\":true}", "may hold only letters")]
    // board/config
    [InlineData("board/config", "{\"board\":\"esp32\",\"contactor_installed\":true,\"contactor_relay_pin\":32,\"contactor_feedback_pin\":33}", "board must be")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":32}", "missing key 'contactor_feedback_pin'")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":\"true\",\"contactor_relay_pin\":32,\"contactor_feedback_pin\":33}", "contactor_installed must be")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":40,\"contactor_feedback_pin\":33}", "contactor_relay_pin: 40 is more than")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":-1,\"contactor_feedback_pin\":33}", "contactor_relay_pin: -1 is less than")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":35,\"contactor_feedback_pin\":33}", "contactor_relay_pin: GPIO35 is input-only")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":12,\"contactor_feedback_pin\":33}", "contactor_relay_pin: GPIO12 is a strapping pin")]
    [InlineData("board/config", "{\"board\":\"olimex-esp32-poe\",\"contactor_installed\":true,\"contactor_relay_pin\":12,\"contactor_feedback_pin\":33}", "contactor_relay_pin: GPIO12 is used by the Ethernet")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":32,\"contactor_feedback_pin\":0}", "contactor_feedback_pin: GPIO0 is used by the Ethernet of the wt32-eth01")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":16,\"contactor_feedback_pin\":33}", "contactor_relay_pin: GPIO16 is used by the Ethernet")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":4,\"contactor_feedback_pin\":23}", "contactor_feedback_pin: GPIO23 is used by the Ethernet")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":7,\"contactor_feedback_pin\":33}", "contactor_relay_pin: GPIO7 is wired to the SPI flash")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":4,\"contactor_feedback_pin\":5}", "contactor_feedback_pin: GPIO5 is a strapping pin")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":4,\"contactor_feedback_pin\":4}", "contactor_feedback_pin must differ")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":4,\"contactor_feedback_pin\":30}", "contactor_feedback_pin: GPIO30 does not exist")]
    [InlineData("board/config", "{\"board\":\"wt32-eth01\",\"contactor_installed\":true,\"contactor_relay_pin\":1,\"contactor_feedback_pin\":33}", "contactor_relay_pin: GPIO1 is the serial console")]
    public void A_bad_field_is_rejected_by_name_and_changes_nothing(string name, string body, string message)
    {
        var app = NewApp();
        string before = Call(app, "GET", "/" + name).body;
        int files = store.Files.Count;
        var (status, error) = Call(app, "PUT", "/" + name + "_update", body);
        Assert.Equal(400, status);
        Assert.Contains(message, error);
        Assert.Equal(before, Call(app, "GET", "/" + name).body);
        Assert.Equal(files, store.Files.Count);
    }

    [Fact]
    public void Ntp_state_is_read_only_and_a_broken_file_is_kept_aside()
    {
        var app = NewApp();
        Assert.Equal(405, Call(app, "POST", "/ntp/state", "{}").status);
        Assert.Equal("{\"synced\":false,\"time\":0,\"local\":null}", Call(app, "GET", "/ntp/state").body);
        store.Files[DeviceSettings.NtpFile] = Encoding.UTF8.GetBytes("{\"enable\":true,\"server\":\"x\",\"timezone\":\"Nowhere\"}");
        var again = NewApp();
        Assert.Contains(DeviceSettings.NtpFile + " is not valid (timezone 'Nowhere'", again.StoredProblem);
        Assert.True(store.Exists(DeviceSettings.NtpFile + ".rejected"));
        Assert.Equal("{\"enable\":true,\"server\":\"time.cloudflare.com\",\"timezone\":\"CET-1CEST,M3.5.0,M10.5.0/3\"}", Call(again, "GET", "/ntp/config").body);
    }

    [Fact]
    public void When_synced_the_allocator_gets_the_local_time_of_day_and_the_log_wall_clock_time()
    {
        var app = NewApp();
        Assert.Equal(-1, app.Settings.TimeOfDayMs(2000));
        for (long t = 1000; t <= 32000; t += 100)
            app.Tick(t, app.Settings.TimeOfDayMs(t));
        Assert.Equal(-1, app.Group.Allocator.LastTimeOfDayMs);
        Assert.DoesNotContain("\"time\"", Call(app, "GET", "/charge_manager/event_log").body);

        // 2026-07-01 10:15:00 UTC is 12:15 in Berlin (CEST), 06:15 in New York (EDT).
        long utc = new DateTimeOffset(2026, 7, 1, 10, 15, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        app.Settings.Clock.Set(utc, 32000);
        Assert.Equal((12 * 60 + 15) * 60_000L, app.Settings.TimeOfDayMs(32000));
        app.Group.Scheduler.RequestNow();
        app.Tick(32100, app.Settings.TimeOfDayMs(32100));
        Assert.Equal((12 * 60 + 15) * 60_000L + 100, app.Group.Allocator.LastTimeOfDayMs);
        Assert.Contains("\"time\":\"2026-07-01 12:14:29\"", Call(app, "GET", "/charge_manager/event_log").body); // logged at 1000 ms, 31 s before the sync, dated by the offset
        Assert.Equal("{\"synced\":true,\"time\":1782900900,\"local\":\"2026-07-01 12:15:00\"}", Call(app, "GET", "/ntp/state", now: 32000).body);

        Assert.Equal(200, Call(app, "PUT", "/ntp/config", Ntp, 32200).status); // applied live: the next run has New York's time
        app.Group.Scheduler.RequestNow();
        app.Tick(32300, app.Settings.TimeOfDayMs(32300));
        Assert.Equal((6 * 60 + 15) * 60_000L + 300, app.Group.Allocator.LastTimeOfDayMs);
    }

    [Fact]
    public void Defaults_come_from_the_shell_until_something_is_stored()
    {
        Assert.Equal("cm-a1b2c3", NetworkConfig.DefaultHostname(new byte[] { 0x24, 0x0a, 0xc4, 0xa1, 0xb2, 0xc3 }));
        var app = NewApp();
        app.Settings.UseDefaults(new NetworkConfig { Hostname = "cm-a1b2c3" }, new BoardConfig { ContactorInstalled = true });
        Assert.Equal("{\"hostname\":\"cm-a1b2c3\",\"enable_mdns\":true}", Call(app, "GET", "/network/config").body);
        Assert.Contains("\"contactor_installed\":true", Call(app, "GET", "/board/config").body);
        Assert.Equal(200, Call(app, "PUT", "/network/config", Network).status);
        var again = NewApp();
        again.Settings.UseDefaults(new NetworkConfig { Hostname = "cm-a1b2c3" }, null);
        Assert.Equal(Network, Call(again, "GET", "/network/config").body);
    }
}
