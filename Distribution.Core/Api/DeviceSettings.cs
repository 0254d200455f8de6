using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Time;

namespace ChargeManager.Distribution.Api
{
    /// <summary>Told after a device setting was applied (name: "network/config", "ntp/config" or "board/config").</summary>
    public delegate void SettingApplied(string name);

    /// <summary>
    /// The device's own objects, outside charge_manager/: network/config, ntp/config, ntp/state and
    /// board/config. Read, validated, stored and applied like charge_manager/config (the app's storage:
    /// atomic files, .new/.bak, rejected files kept aside); the shells apply what concerns them (the
    /// mDNS name, the SNTP server, the contactor's pins) when <see cref="Applied"/> fires. The wall
    /// clock and the time zone give the allocator its local time of day.
    /// </summary>
    public sealed class DeviceSettings
    {
        public const string NetworkFile = "network_config.json";
        public const string NtpFile = "ntp_config.json";
        public const string BoardFile = "board_config.json";

        /// <summary>Published over MQTT as PREFIX/NAME (retained), written as PREFIX/NAME_update.</summary>
        public static readonly string[] Objects = { "network/config", "ntp/config", "ntp/state", "board/config" };
        public static readonly string[] Writable = { "network/config", "ntp/config", "board/config" };

        public NetworkConfig Network;
        public NtpConfig Ntp;
        public BoardConfig Board;
        public readonly WallClock Clock = new WallClock();

        /// <summary>Whether each object was read from storage (else the shell's defaults apply).</summary>
        bool networkStored, boardStored;

        public event SettingApplied Applied;

        /// <summary>Loads the stored objects through the app's storage (called by its constructor).</summary>
        internal DeviceSettings(ChargeManagerApp app, long nowMs)
        {
            string error;
            JsonNode node = app.LoadValid(NtpFile, nowMs);
            Ntp = node == null ? null : NtpConfig.Read(node, out error);
            if (Ntp == null)
                Ntp = NtpConfig.Defaults();
            node = app.LoadValid(NetworkFile, nowMs);
            Network = node == null ? null : NetworkConfig.Read(node, out error);
            networkStored = Network != null;
            if (Network == null)
                Network = new NetworkConfig();
            node = app.LoadValid(BoardFile, nowMs);
            Board = node == null ? null : BoardConfig.Read(node, out error);
            boardStored = Board != null;
            if (Board == null)
                Board = new BoardConfig();
        }

        /// <summary>
        /// The shell's defaults (host name from the MAC address or the machine name; the board's pins) for
        /// the objects not stored yet. Call once, right after the app is built.
        /// </summary>
        public void UseDefaults(NetworkConfig network, BoardConfig board)
        {
            if (!networkStored && network != null)
                Network = network;
            if (!boardStored && board != null)
                Board = board;
        }

        public static bool Owns(string name)
        {
            for (int i = 0; i < Objects.Length; i++)
                if (Objects[i] == name)
                    return true;
            return false;
        }

        public static bool IsWritable(string name)
        {
            return name != "ntp/state" && Owns(name);
        }

        internal static string Validate(string file, JsonNode node)
        {
            string error = null;
            if (file == NtpFile)
                NtpConfig.Read(node, out error);
            else if (file == NetworkFile)
                NetworkConfig.Read(node, out error);
            else
                BoardConfig.Read(node, out error);
            return error;
        }

        internal static bool IsFile(string file)
        {
            return file == NtpFile || file == NetworkFile || file == BoardFile;
        }

        /// <summary>The local time of day in ms since midnight when the clock is synced, else -1 (what the allocator takes).</summary>
        public long TimeOfDayMs(long nowMs)
        {
            return Clock.Synced ? Ntp.Zone.TimeOfDayMs(Clock.UtcMs(nowMs)) : -1;
        }

        /// <summary>"YYYY-MM-DD hh:mm:ss" local of monotonic <paramref name="monoMs"/>, or null when the clock is not synced.</summary>
        public string LocalText(long monoMs)
        {
            return Clock.Synced ? Civil.Format(Ntp.Zone.LocalMs(Clock.UtcMs(monoMs))) : null;
        }

        internal void WriteObject(string name, JsonWriter w, long nowMs)
        {
            if (name == "network/config")
                Network.Write(w);
            else if (name == "ntp/config")
                Ntp.Write(w);
            else if (name == "board/config")
                Board.Write(w);
            else
            {
                // WARP's ntp/state has synced and time; time here is UTC seconds since 1970 (0 until synced), local is ours.
                w.BeginObject().Property("synced", Clock.Synced).Property("time", Clock.Synced ? Clock.UtcMs(nowMs) / 1000 : 0);
                string local = LocalText(nowMs);
                if (local == null)
                    w.Name("local").Null();
                else
                    w.Property("local", local);
                w.EndObject();
            }
        }

        /// <summary>Validates, stores (into <paramref name="w"/>, then the file) and applies; the error naming the field, or null.</summary>
        internal string Write(ChargeManagerApp app, string name, JsonNode node, JsonWriter w, long nowMs)
        {
            string error;
            if (name == "ntp/config")
            {
                NtpConfig c = NtpConfig.Read(node, out error);
                if (c == null)
                    return error;
                w.Reset();
                c.Write(w);
                app.StoreWritten(NtpFile);
                Ntp = c;
                app.Log.Add(nowMs, "time: " + (c.Enable ? "SNTP from " + c.Server : "SNTP off") + ", time zone " + c.Timezone);
            }
            else if (name == "network/config")
            {
                NetworkConfig c = NetworkConfig.Read(node, out error);
                if (c == null)
                    return error;
                w.Reset();
                c.Write(w);
                app.StoreWritten(NetworkFile);
                Network = c;
                networkStored = true;
                app.Log.Add(nowMs, "network: host name " + c.Hostname + (c.EnableMdns ? ", answers mDNS as " + c.Hostname + ".local" : ", mDNS off"));
            }
            else
            {
                BoardConfig c = BoardConfig.Read(node, out error);
                if (c == null)
                    return error;
                w.Reset();
                c.Write(w);
                app.StoreWritten(BoardFile);
                Board = c;
                boardStored = true;
                app.Log.Add(nowMs, "board: " + c.Board + (c.ContactorInstalled
                    ? ", contactor relay on GPIO" + c.ContactorRelayPin.ToString() + ", feedback on GPIO" + c.ContactorFeedbackPin.ToString()
                    : ", no contactor"));
            }
            if (Applied != null)
                Applied(name);
            return null;
        }
    }
}
