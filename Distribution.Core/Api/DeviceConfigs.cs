using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Time;

namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// ntp/config (WARP's ntp module: enable, server, timezone; WARP takes an Olson name and looks it up,
    /// we take the POSIX TZ string itself: there is no zone database on nanoFramework). Same strictness
    /// as charge_manager/config: every key, no other, types and lengths checked.
    /// </summary>
    public sealed class NtpConfig
    {
        static readonly string[] Keys = { "enable", "server", "timezone" };
        public const int MaxText = 64;

        public bool Enable = true;
        /// <summary>The SNTP server (host name or IPv4); may be "" only when disabled. WARP's default.</summary>
        public string Server = "time.cloudflare.com";
        /// <summary>POSIX TZ string; the default is Germany's (WARP's default zone, Europe/Berlin).</summary>
        public string Timezone = "CET-1CEST,M3.5.0,M10.5.0/3";
        public PosixTz Zone;

        public static NtpConfig Defaults()
        {
            NtpConfig c = new NtpConfig();
            string error;
            c.Zone = PosixTz.Parse(c.Timezone, out error);
            return c;
        }

        public static NtpConfig Read(JsonNode node, out string error)
        {
            FieldReader f = new FieldReader();
            NtpConfig c = new NtpConfig();
            f.Begin(node, "", Keys);
            c.Enable = f.Bool("enable");
            c.Server = f.Text("server", MaxText);
            c.Timezone = f.Text("timezone", MaxText);
            error = f.Error;
            if (error != null)
                return null;
            if (c.Server.Length > 0 || c.Enable)
            {
                string problem = HostName.Check(c.Server);
                if (problem != null)
                {
                    error = "server " + problem;
                    return null;
                }
            }
            string tzError;
            c.Zone = PosixTz.Parse(c.Timezone, out tzError);
            if (c.Zone == null)
            {
                error = "timezone '" + c.Timezone + "' is not a POSIX TZ string like \"CET-1CEST,M3.5.0,M10.5.0/3\": it " + tzError;
                return null;
            }
            return c;
        }

        public void Write(JsonWriter w)
        {
            w.BeginObject().Property("enable", Enable).Property("server", Server).Property("timezone", Timezone).EndObject();
        }
    }

    /// <summary>
    /// network/config (WARP's network module: hostname, enable_mdns). The host name is one DNS label
    /// (RFC 1123: letters, digits, '-', not at either end, 1–63 characters), because HOSTNAME.local is
    /// what mDNS answers for.
    /// </summary>
    public sealed class NetworkConfig
    {
        static readonly string[] Keys = { "hostname", "enable_mdns" };

        public string Hostname = "cm";
        public bool EnableMdns = true;

        public static NetworkConfig Read(JsonNode node, out string error)
        {
            FieldReader f = new FieldReader();
            NetworkConfig c = new NetworkConfig();
            f.Begin(node, "", Keys);
            c.Hostname = f.Text("hostname", 63);
            c.EnableMdns = f.Bool("enable_mdns");
            error = f.Error;
            if (error == null)
                error = CheckLabel(c.Hostname);
            return error == null ? c : null;
        }

        /// <summary>null if <paramref name="name"/> is one DNS label, else the message naming the field.</summary>
        public static string CheckLabel(string name)
        {
            if (name.Length == 0)
                return "hostname must not be empty";
            if (name[0] == '-' || name[name.Length - 1] == '-')
                return "hostname '" + name + "' must not begin or end with '-'";
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') && c != '-')
                    return "hostname '" + name + "' may hold only letters, digits and '-' (one DNS label), not '" + c.ToString() + "'";
            }
            return null;
        }

        /// <summary>"cm-" and the last three bytes of the MAC address in hex, like WARP's "warp2-AbCd" (6 bytes expected).</summary>
        public static string DefaultHostname(byte[] mac)
        {
            const string hex = "0123456789abcdef";
            string s = "cm-";
            for (int i = mac.Length >= 3 ? mac.Length - 3 : 0; i < mac.Length; i++)
                s += hex[mac[i] >> 4].ToString() + hex[mac[i] & 15].ToString();
            return s;
        }

        public void Write(JsonWriter w)
        {
            w.BeginObject().Property("hostname", Hostname).Property("enable_mdns", EnableMdns).EndObject();
        }
    }

    /// <summary>
    /// board/config (ours): whether a 1p/3p contactor is wired and on which GPIOs. Pins are checked
    /// against the ESP32 (0–39, no 20/24/28–31; 34–39 are input-only, so they cannot drive the relay;
    /// the strapping pins 0, 2, 5, 12, 15 decide the boot mode and flash voltage; 6–11 are the SPI
    /// flash) and against the pins the board's Ethernet uses (<see cref="Board"/>).
    /// </summary>
    public sealed class BoardConfig
    {
        static readonly string[] Keys = { "board", "contactor_installed", "contactor_relay_pin", "contactor_feedback_pin" };

        /// <summary>"wt32-eth01" or "olimex-esp32-poe": which Ethernet pins are taken.</summary>
        public string Board = "wt32-eth01";
        public bool ContactorInstalled;
        public int ContactorRelayPin = 32;
        public int ContactorFeedbackPin = 33;

        /// <summary>
        /// RMII and PHY pins (ESP32 EMAC: TXD0 19, TX_EN 21, TXD1 22, RXD0 25, RXD1 26, CRS_DV 27; MDC 23,
        /// MDIO 18) plus each board's own: WT32-ETH01 clock in on 0, PHY power/reset 16; Olimex
        /// ESP32-POE clock out on 17, PHY power 12 (nf-interpreter's ESP32 targets and the boards' schematics).
        /// </summary>
        static readonly int[] Wt32Eth01Pins = { 0, 16, 18, 19, 21, 22, 23, 25, 26, 27 };
        static readonly int[] OlimexPoePins = { 12, 17, 18, 19, 21, 22, 23, 25, 26, 27 };
        static readonly int[] StrappingPins = { 0, 2, 5, 12, 15 };

        public static BoardConfig Read(JsonNode node, out string error)
        {
            FieldReader f = new FieldReader();
            BoardConfig c = new BoardConfig();
            f.Begin(node, "", Keys);
            c.Board = f.Text("board", 32);
            c.ContactorInstalled = f.Bool("contactor_installed");
            c.ContactorRelayPin = (int)f.Integer("contactor_relay_pin", 0, 39);
            c.ContactorFeedbackPin = (int)f.Integer("contactor_feedback_pin", 0, 39);
            error = f.Error;
            if (error == null && c.Board != "wt32-eth01" && c.Board != "olimex-esp32-poe")
                error = "board must be \"wt32-eth01\" or \"olimex-esp32-poe\", not \"" + c.Board + "\"";
            if (error == null)
                error = CheckPin(c.Board, "contactor_relay_pin", c.ContactorRelayPin, true);
            if (error == null)
                error = CheckPin(c.Board, "contactor_feedback_pin", c.ContactorFeedbackPin, false);
            if (error == null && c.ContactorRelayPin == c.ContactorFeedbackPin)
                error = "contactor_feedback_pin must differ from contactor_relay_pin (" + c.ContactorRelayPin.ToString() + ")";
            return error == null ? c : null;
        }

        /// <summary>null if the pin may be used as the field says, else why not (naming the field).</summary>
        public static string CheckPin(string board, string field, int pin, bool output)
        {
            if (pin == 20 || pin == 24 || (pin >= 28 && pin <= 31))
                return field + ": GPIO" + pin.ToString() + " does not exist on the ESP32";
            if (pin >= 6 && pin <= 11)
                return field + ": GPIO" + pin.ToString() + " is wired to the SPI flash";
            if (output && pin >= 34)
                return field + ": GPIO" + pin.ToString() + " is input-only (34–39) and cannot drive a relay";
            int[] taken = board == "olimex-esp32-poe" ? OlimexPoePins : Wt32Eth01Pins;
            for (int i = 0; i < taken.Length; i++)
                if (taken[i] == pin)
                    return field + ": GPIO" + pin.ToString() + " is used by the Ethernet of the " + board;
            for (int i = 0; i < StrappingPins.Length; i++)
                if (StrappingPins[i] == pin)
                    return field + ": GPIO" + pin.ToString() + " is a strapping pin (0, 2, 5, 12, 15: it decides how the ESP32 boots)";
            if (pin == 1 || pin == 3)
                return field + ": GPIO" + pin.ToString() + " is the serial console (TX0/RX0) nanoFramework's debugger uses";
            return null;
        }

        public void Write(JsonWriter w)
        {
            w.BeginObject().Property("board", Board).Property("contactor_installed", ContactorInstalled)
                .Property("contactor_relay_pin", ContactorRelayPin).Property("contactor_feedback_pin", ContactorFeedbackPin).EndObject();
        }
    }

    /// <summary>
    /// UTC as the shell learns it (SNTP on the device, the system clock on the desktop), kept as an offset
    /// to the monotonic ms clock, so that it also dates events logged before it was known.
    /// </summary>
    public sealed class WallClock
    {
        long utcMinusMono;
        public bool Synced;
        /// <summary>Monotonic ms of the last sync.</summary>
        public long SyncedAtMs;

        public void Set(long utcMs, long nowMs)
        {
            utcMinusMono = utcMs - nowMs;
            Synced = true;
            SyncedAtMs = nowMs;
        }

        /// <summary>UTC ms since 1970 at monotonic <paramref name="monoMs"/>; meaningful only when synced.</summary>
        public long UtcMs(long monoMs)
        {
            return monoMs + utcMinusMono;
        }
    }
}
