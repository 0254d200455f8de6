using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Util;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Phases;


namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// The charge manager as users drive it: the config and low-level config (validated, stored
    /// atomically, applied live), the available current and its watchdog, the charger group and its
    /// link, the state objects and the event log. Transport-free: the HTTP and MQTT shells hand over
    /// (method, path, body) or (topic, payload) and send back what <see cref="Response"/> holds.
    /// Not thread-safe: the shells serialise calls (one lock).
    /// </summary>
    public sealed partial class ChargeManagerApp
    {
        public const string ConfigFile = "charge_manager_config.json";
        public const string LowLevelConfigFile = "charge_manager_low_level_config.json";
        public const string PhaseRotationsFile = "charge_manager_phase_rotations.json";
        public const string PhaseSwitchingFile = "charge_manager_phase_switching.json";
        public const int WatchdogMs = 30000;
        public const int MaxBodyBytes = 16384;
        const string Prefix = "charge_manager/";

        readonly IFileStore store;
        readonly IDatagramSender sender;
        readonly IHostResolver resolver;
        Contactor.IContactor contactor;
        readonly JsonParser parser = new JsonParser();
        readonly AllocatorConfig allocator = new AllocatorConfig();

        public readonly JsonWriter Response = new JsonWriter(4096);
        public readonly EventLog Log = new EventLog(100);

        /// <summary>The last hour, sampled every 10 s, for the web page's chart (charge_manager/history).</summary>
        public readonly History History = new History();

        public ManagerConfig Config;

        /// <summary>mqtt/config, mqtt/state, mqtt/auto_discovery_config; set by the shell after construction (null: not served).</summary>
        public MqttSettings Mqtt;

        /// <summary>network/config, ntp/config, ntp/state, board/config and the wall clock (DeviceSettings.cs).</summary>
        public readonly DeviceSettings Settings;
        public LowLevelConfig LowLevel;

        /// <summary>How each charger's P1/P2/P3 are wired to L1/L2/L3 (WARP's "rot", 0 = unknown), by position in the config.</summary>
        public int[] Rotations = new int[0];

        /// <summary>With a contactor in front of the group: 0 automatic, 1 or 3 pinned by the user.</summary>
        public int PhaseSwitchingMode;
        public Distributor Group;
        public GroupLink Link;

        int availableCurrent;
        long lastCurrentUpdateMs;
        bool watchdogFired;

        // What the log last said per charger, so that it says only what changed.
        int[] loggedCurrent = new int[0];
        sbyte[] loggedPhases = new sbyte[0]; // 0..3 (narrow types: compact arrays on nanoCLR)
        short[] loggedError = new short[0];  // ChargerError, below 192 + 256
        uint[] loggedUid = new uint[0];
        bool[] loggedUncontrolled = new bool[0];
        Contactor.SwitchStep loggedStep;
        GroupLink loggedLink;
        int rotationsApplied;
        int loggedLinkChanges;

        /// <summary>What was wrong with the stored files at start (each kept aside, never overwritten), or null; shown in state.</summary>
        public string StoredProblem;

        /// <summary>Why the last request failed (the body of a 4xx/5xx answer), or null.</summary>
        public string ErrorText;

        /// <param name="contactor">The contactor in front of the group (Energy Manager boards), or null.</param>
        public ChargeManagerApp(IFileStore store, IDatagramSender sender, IHostResolver resolver, ManagerConfig defaults, long nowMs,
            Contactor.IContactor contactor = null)
        {
            this.store = store;
            this.sender = sender;
            this.resolver = resolver;
            this.contactor = contactor;
            string error;
            JsonNode stored = LoadValid(ConfigFile, nowMs);
            Config = stored == null ? null : ManagerConfig.Read(stored, out error);
            if (Config == null)
            {
                Config = defaults;
                Log.Add(nowMs, StoredProblem == null ? "no stored configuration: using the defaults" : "no usable stored configuration: using the defaults");
            }
            Users = Auth.UsersConfig.Load(store, parser, Log, nowMs);
            stored = LoadValid(LowLevelConfigFile, nowMs);
            LowLevel = stored == null ? null : LowLevelConfig.Read(stored, out error);
            if (LowLevel == null)
                LowLevel = new LowLevelConfig();
            stored = LoadValid(PhaseRotationsFile, nowMs);
            int[] rotations = stored == null ? null : ReadRotationsFile(stored, Config.Hosts, out error);
            if (rotations != null)
                Rotations = rotations;
            stored = LoadValid(PhaseSwitchingFile, nowMs);
            int mode;
            if (stored != null && ReadMode(stored, out mode, out error))
                PhaseSwitchingMode = mode;
            Settings = new DeviceSettings(this, nowMs);
            Config.ApplyTo(allocator);
            LowLevel.ApplyTo(allocator);
            availableCurrent = Config.DefaultAvailableCurrent;
            lastCurrentUpdateMs = nowMs;
            BuildGroup(nowMs);
        }

        public int AvailableCurrent { get { return availableCurrent; } }
        public bool WatchdogFired { get { return watchdogFired; } }

        /// <summary>
        /// A new group and link for the configured chargers. With a previous group, the chargers that stay
        /// (previousIndex[i] ≥ 0, matched by host) keep everything: what they draw and may draw, their
        /// commands, their link state; so no charger is interrupted and every safety rule keeps holding.
        /// </summary>
        void BuildGroup(long nowMs, Distributor previousGroup = null, GroupLink previousLink = null, int[] previousIndex = null,
            string[] previousHosts = null, string[] hosts = null)
        {
            int n = Config.Hosts.Length;
            Group = new Distributor(allocator, n);
            for (int i = 0; i < n; i++)
                Group.ObservationTable.Rotation[i] = RotationOf(i);
            int[] oldCurrent = loggedCurrent;
            sbyte[] oldPhases = loggedPhases;
            short[] oldError = loggedError;
            uint[] oldUid = loggedUid;
            bool[] oldUncontrolled = loggedUncontrolled;
            loggedCurrent = new int[n];
            loggedPhases = new sbyte[n];
            loggedError = new short[n];
            loggedUid = new uint[n];
            loggedUncontrolled = new bool[n];
            if (previousGroup != null)
            {
                Group.CarryFrom(previousGroup, previousIndex, nowMs, previousHosts, hosts);
                Link = new GroupLink(Group, Config.Hosts, sender, resolver, nowMs, previousLink, previousIndex);
                for (int i = 0; i < n; i++)
                {
                    int k = previousIndex[i];
                    if (k < 0)
                        continue;
                    loggedCurrent[i] = oldCurrent[k];
                    loggedPhases[i] = oldPhases[k];
                    loggedError[i] = oldError[k];
                    loggedUid[i] = oldUid[k];
                    loggedUncontrolled[i] = oldUncontrolled[k];
                }
            }
            else
            {
                Link = new GroupLink(Group, Config.Hosts, sender, resolver, nowMs);
                if (contactor != null)
                {
                    Group.Switcher = new Contactor.PhaseSwitcher(contactor, nowMs);
                    Group.Switcher.Mode = PhaseSwitchingMode;
                    Group.Switcher.DwellMs = Group.Switcher.HysteresisMs = allocator.GlobalHysteresisMs;
                }
            }
            Group.SetAvailableCurrent(availableCurrent);
        }

        /// <summary>
        /// board/config applied live: the group gets a new contactor (its phase count read from the
        /// contact and the coil driven to match, as at start) or none. A switch in progress is abandoned;
        /// the new switcher starts from what the contact reports.
        /// </summary>
        public void SetContactor(Contactor.IContactor fresh, long nowMs)
        {
            contactor = fresh;
            if (fresh == null)
                Group.Switcher = null;
            else
            {
                Group.Switcher = new Contactor.PhaseSwitcher(fresh, nowMs);
                Group.Switcher.Mode = PhaseSwitchingMode;
                Group.Switcher.DwellMs = Group.Switcher.HysteresisMs = allocator.GlobalHysteresisMs;
            }
            loggedStep = Contactor.SwitchStep.Idle;
            Log.Add(nowMs, fresh == null ? "contactor: none" : "contactor: on the group's " + Group.Switcher.GroupPhases.ToString() + " phases");
        }

        public void Receive(byte[] datagram, int length, uint sourceIp, int sourcePort, long nowMs)
        {
            Link.Receive(datagram, length, sourceIp, sourcePort, nowMs);
        }

        /// <summary>Every 50–100 ms: the watchdog, then the group (when enabled).</summary>
        public void Tick(long nowMs, long timeOfDayMs)
        {
            if (Config.EnableWatchdog && !watchdogFired && nowMs - lastCurrentUpdateMs >= WatchdogMs)
            {
                watchdogFired = true; // latched until the next update from outside
                SetAvailableCurrent(Config.DefaultAvailableCurrent);
                Log.Add(nowMs, "watchdog triggered: no available_current update for 30 s, using the default of "
                    + Config.DefaultAvailableCurrent.ToString() + " mA");
            }
            if (Config.EnableChargeManager)
            {
                Link.Tick(nowMs, timeOfDayMs);
                LogChanges(nowMs);
            }
            else
                Link.TickFarewells(nowMs); // a removed charger is told to stop even so
            History.Record(Group, nowMs, Link.StatesAccepted + rotationsApplied);
        }

        /// <summary>Errors always; with verbose, every changed allocation (WARP's allocation log).</summary>
        void LogChanges(long nowMs)
        {
            Contactor.PhaseSwitcher s = Group.Switcher;
            if (s != null && s.Step != loggedStep)
            {
                if (s.Step == Contactor.SwitchStep.Stopping)
                    Log.Add(nowMs, "switching the group to " + s.WantedPhases.ToString() + " phases: stopping every charger");
                else if (s.Step == Contactor.SwitchStep.Idle && loggedStep == Contactor.SwitchStep.Reconnecting)
                    Log.Add(nowMs, "the group is on " + s.GroupPhases.ToString() + " phases");
                else if (s.Step == Contactor.SwitchStep.Error)
                    Log.Add(nowMs, "contactor error, every charger gets 0 A until reset: " + s.ErrorText);
                loggedStep = s.Step;
            }
            GroupLink link = Link;
            if (link != loggedLink || link.Changes != loggedLinkChanges)
            {
                // Errors, identities and "may not follow commands" change only when the link counts a change.
                loggedLink = link;
                loggedLinkChanges = link.Changes;
                LogLinkChanges(nowMs);
            }
            int[] commandedCurrent = Group.Guard.CommandedCurrent, commandedPhases = Group.Guard.CommandedPhases;
            for (int i = 0; i < commandedCurrent.Length; i++)
            {
                int current = commandedCurrent[i], phases = commandedPhases[i];
                if (current == loggedCurrent[i] && phases == loggedPhases[i])
                    continue;
                loggedCurrent[i] = current;
                loggedPhases[i] = (sbyte)phases;
                if (Config.Verbose)
                    Log.Add(nowMs, "allocated " + current.ToString() + " mA @ " + phases.ToString() + "p to " + Config.Names[i]
                        + ": " + ReasonText.Describe(Group.AllocationTable, i, nowMs));
            }
        }

        void LogLinkChanges(long nowMs)
        {
            GroupLink link = Link;
            for (int i = 0; i < Group.Count; i++)
            {
                int error = link.Error(i);
                // Before the start-up ends every charger is "not heard from yet": no news.
                bool quiet = error == ChargerError.NeverHeard && !link.StartupOver;
                if (error != loggedError[i] && !quiet)
                {
                    Log.Add(nowMs, Config.Names[i] + ": " + (error == ChargerError.Ok
                        ? (loggedError[i] == ChargerError.NeverHeard ? "heard from" : "OK again") : ChargerError.Describe(error)));
                    loggedError[i] = (short)error;
                }
                uint uid = link.Esp32Uid(i);
                if (link.UidKnown(i) && uid != loggedUid[i])
                {
                    if (loggedUid[i] != 0 || link.Counter(i, GroupLink.CountUidChanges) > 0)
                        Log.Add(nowMs, Config.Names[i] + ": new identity (ESP32 UID " + loggedUid[i].ToString() + " -> " + uid.ToString()
                            + ") after a restart: the charger was replaced");
                    loggedUid[i] = uid;
                }
                bool uncontrolled = Group.Uncontrolled(i);
                if (uncontrolled != loggedUncontrolled[i])
                {
                    loggedUncontrolled[i] = uncontrolled;
                    Log.Add(nowMs, Config.Names[i] + (uncontrolled
                        ? ": may not follow commands; counted as drawing " + link.WorstCurrent(i).ToString() + " mA on " + link.WorstPhases(i).ToString()
                            + " phases, the others share the rest"
                        : ": follows commands again"));
                }
            }
        }

        void SetAvailableCurrent(int current)
        {
            availableCurrent = current;
            Group.SetAvailableCurrent(current);
        }

        // ---- API ----

        /// <summary>
        /// One HTTP request. Returns the status; a 200 answer to GET has its JSON in <see cref="Response"/>,
        /// an error has its text in <see cref="ErrorText"/>. Writes: POST or PUT on the object or on
        /// its "_update" path.
        /// </summary>
        public int Handle(string method, string path, byte[] body, int length, long nowMs)
        {
            ErrorText = null;
            Allow = null;
            Response.Reset();
            if (path.StartsWith("/"))
                path = path.Substring(1);
            if (Mqtt != null && path.StartsWith(MqttSettings.PathPrefix))
                return HandleMqttSettings(method, path, body, length, nowMs);

            if (path == Auth.UsersConfig.Path || path == Auth.UsersConfig.Path + "_update")
                return HandleUsers(method, path, body, length, nowMs);

            int settingsStatus = HandleSettings(method, path, body, length, nowMs);
            if (settingsStatus != 0)
                return settingsStatus;
            if (!path.StartsWith(Prefix))
                return NotFound(path);
            string name = path.Substring(Prefix.Length);
            bool update = name.EndsWith("_update");
            if (update)
                name = name.Substring(0, name.Length - "_update".Length);
            if (!IsObject(name))
                return NotFound(path);
            JsonNode node;
            int status = Accept(method, path, update, IsWritable(name), body, length, out node);
            if (status == ReadRequest)
            {
                WriteObject(name, nowMs);
                return 200;
            }
            return status != 0 ? status : Write(name, node, nowMs);
        }

        /// <summary>mqtt/config, mqtt/state, mqtt/auto_discovery_config (and their "_update" paths).</summary>
        int HandleMqttSettings(string method, string path, byte[] body, int length, long nowMs)
        {
            string name = path.Substring(MqttSettings.PathPrefix.Length);
            bool update = name.EndsWith("_update");
            if (update)
                name = name.Substring(0, name.Length - "_update".Length);
            if (!MqttSettings.IsObject(name))
                return NotFound(path);
            JsonNode node;
            int status = Accept(method, path, update, MqttSettings.IsWritable(name), body, length, out node);
            if (status == ReadRequest)
            {
                Mqtt.Render(name, Response);
                return 200;
            }
            if (status != 0)
                return status;
            status = Mqtt.Apply(name, node, Response, nowMs);
            ErrorText = Mqtt.Error;
            return status;
        }

        const int ReadRequest = -1;

        /// <summary>After an answer of 405: the methods the path allows, for the Allow header (e.g. "GET, HEAD"; "" for none); else null.</summary>
        public string Allow;

        /// <summary>
        /// What every object's request has in common: GET/HEAD read (not on an "_update" path: 405), POST/PUT
        /// write a writable object (else 405) with a body of at most <see cref="MaxBodyBytes"/> (else 413) that
        /// parses (else 400). Returns <see cref="ReadRequest"/> for a read, 0 with the parsed body for a write,
        /// else the failed status (with <see cref="ErrorText"/> set).
        /// </summary>
        int Accept(string method, string path, bool update, bool writable, byte[] body, int length, out JsonNode node)
        {
            node = null;
            // What a 405 must name (RFC 9110 §15.5.6: the Allow header); empty: nothing is allowed there.
            Allow = update ? (writable ? "POST, PUT" : "") : (writable ? "GET, HEAD, POST, PUT" : "GET, HEAD");
            if (method == "GET" || method == "HEAD")
                return !update ? ReadRequest : Fail(405, writable ? path + " is written with POST or PUT" : path + " cannot be written");
            if (method != "POST" && method != "PUT")
                return Fail(405, "method " + method + " is not allowed on " + path);
            if (!writable)
                return Fail(405, path + " cannot be written");
            if (length > MaxBodyBytes)
                return Fail(413, "request body too large: at most " + MaxBodyBytes.ToString() + " bytes");
            node = parser.Parse(body, length);
            return node == null ? Fail(400, parser.Error) : 0;
        }

        /// <summary>One MQTT message on PREFIX/charge_manager/..._update (topic without the prefix); false if rejected (logged).</summary>
        public bool HandleMqtt(string topic, byte[] payload, int length, long nowMs)
        {
            if (!topic.EndsWith("_update"))
                return false; // our own publications, or another topic under the prefix
            int status = Handle("PUT", topic, payload, length, nowMs);
            if (status == 200)
                return true;
            Log.Add(nowMs, "MQTT " + topic + " rejected: " + ErrorText);
            return false;
        }

        /// <summary>The objects published over MQTT (retained) and served over HTTP, in order.</summary>
        public static readonly string[] Objects = { "available_current", "config", "low_level_config", "phase_rotations", "phase_switching", "state", "low_level_state" };

        static bool IsObject(string name)
        {
            if (name == "history")
                return true; // the last hour for the web page: served, not published
            if (name == "event_log" || name == "contactor_reset")
                return true; // not retained MQTT values: a log, and a command
            for (int i = 0; i < Objects.Length; i++)
                if (Objects[i] == name)
                    return true;
            return false;
        }

        static bool IsWritable(string name)
        {
            return name == "available_current" || name == "config" || name == "low_level_config" || name == "phase_rotations"
                || name == "phase_switching" || name == "contactor_reset";
        }

        /// <summary>network/, ntp/ and board/ objects (<see cref="DeviceSettings"/>); 0 when the path is not one of them.</summary>
        int HandleSettings(string method, string path, byte[] body, int length, long nowMs)
        {
            bool update = path.EndsWith("_update");
            string name = update ? path.Substring(0, path.Length - "_update".Length) : path;
            if (!DeviceSettings.Owns(name))
                return 0;
            JsonNode node;
            int status = Accept(method, path, update, DeviceSettings.IsWritable(name), body, length, out node);
            if (status == ReadRequest)
            {
                Settings.WriteObject(name, Response, nowMs);
                return 200;
            }
            if (status != 0)
                return status;
            string error = Settings.Write(this, name, node, Response, nowMs);
            return error == null ? 200 : Fail(400, error);
        }

        /// <summary>Stores what was just written into <see cref="Response"/> as the file (for <see cref="DeviceSettings"/>).</summary>
        internal void StoreWritten(string file)
        {
            StoreResponse(file);
        }

        int NotFound(string path)
        {
            return Fail(404, "no such object: " + path);
        }

        int Fail(int status, string text)
        {
            ErrorText = text;
            return status;
        }

        int Write(string name, JsonNode node, long nowMs)
        {
            string error;
            if (name == "available_current")
                return WriteAvailableCurrent(node, nowMs);
            if (name == "contactor_reset")
            {
                if (Group.Switcher == null)
                    return Fail(400, "there is no contactor in front of this group");
                if (Group.Switcher.Step != Contactor.SwitchStep.Error)
                    return Fail(400, "the contactor is not in error");
                Group.Switcher.Reset(nowMs);
                Log.Add(nowMs, "contactor error reset: the group is on " + Group.Switcher.GroupPhases.ToString() + " phases");
                return 200;
            }
            if (name == "phase_switching")
            {
                int mode;
                if (!ReadMode(node, out mode, out error))
                    return Fail(400, error);
                Response.Reset();
                Response.BeginObject().Property("mode", mode).EndObject();
                StoreResponse(PhaseSwitchingFile);
                PhaseSwitchingMode = mode;
                if (Group.Switcher != null)
                    Group.Switcher.Mode = mode;
                Log.Add(nowMs, mode == 0 ? "phase switching: automatic" : "phase switching: pinned to " + mode.ToString() + " phases");
                return 200;
            }
            if (name == "phase_rotations")
            {
                int[] rotations = ReadRotations(node, Config.Hosts.Length, out error); // one per configured charger
                if (rotations == null)
                    return Fail(400, error);
                Rotations = rotations;
                StoreRotations();
                ApplyRotations(rotations, nowMs);
                return 200;
            }
            if (name == "config")
            {
                ManagerConfig fresh = ManagerConfig.Read(node, out error);
                if (fresh == null)
                    return Fail(400, error);
                Response.Reset();
                fresh.Write(Response);
                StoreResponse(ConfigFile);
                ApplyConfig(fresh, nowMs);
                return 200;
            }
            LowLevelConfig low = LowLevelConfig.Read(node, out error);
            if (low == null)
                return Fail(400, error);
            Response.Reset();
            low.Write(Response);
            StoreResponse(LowLevelConfigFile);
            LowLevel = low;
            low.ApplyTo(allocator);
            if (Group.Switcher != null)
                Group.Switcher.DwellMs = Group.Switcher.HysteresisMs = allocator.GlobalHysteresisMs;
            Log.Add(nowMs, "low-level configuration applied");
            return 200;
        }

        int WriteAvailableCurrent(JsonNode node, long nowMs)
        {
            long current;
            if (node.Kind == JsonKind.Number)
            {
                // The abbreviated form: an object with one member may be written as its bare value.
                if (!node.IsInteger || node.Integer < 0 || node.Integer > uint.MaxValue)
                    return Fail(400, "current must be a whole number of mA from 0, not " + node.Text);
                current = node.Integer;
            }
            else
            {
                FieldReader f = new FieldReader();
                f.Begin(node, "", new string[] { "current" });
                current = f.Integer("current", 0, uint.MaxValue);
                if (f.Error != null)
                    return Fail(400, f.Error);
            }
            if (current > Config.MaximumAvailableCurrent)
                return Fail(400, "Current too large: maximum available current is configured to " + Config.MaximumAvailableCurrent.ToString());
            SetAvailableCurrent((int)current);
            lastCurrentUpdateMs = nowMs;
            watchdogFired = false;
            return 200;
        }

        /// <summary>Stores what was just written into <see cref="Response"/> as the file, atomically, and clears it.</summary>
        void StoreResponse(string file)
        {
            AtomicFile.Write(store, file, Response.Buffer, Response.Length);
            Response.Reset();
        }

        void ApplyConfig(ManagerConfig fresh, long nowMs)
        {
            // Chargers are matched by host (every spelling of one host is one charger), not by position.
            string[] freshHosts = fresh.Hosts.ToArray(), oldHosts = Config.Hosts.ToArray(); // each host made once
            int[] previousIndex = new int[freshHosts.Length];
            bool sameChargers = freshHosts.Length == oldHosts.Length;
            for (int i = 0; i < freshHosts.Length; i++)
            {
                previousIndex[i] = HostName.IndexOf(oldHosts, freshHosts[i]);
                sameChargers &= previousIndex[i] == i && freshHosts[i] == oldHosts[i];
            }
            Config = fresh;
            fresh.ApplyTo(allocator);
            if (availableCurrent > fresh.MaximumAvailableCurrent)
                SetAvailableCurrent(fresh.MaximumAvailableCurrent);
            if (!sameChargers)
            {
                // Per-charger settings follow the charger: its rotation moves with its host; a new one is unknown.
                int known = 0;
                for (int i = 0; i < fresh.Hosts.Length; i++)
                    if (previousIndex[i] >= 0 && previousIndex[i] < Rotations.Length && Rotations[previousIndex[i]] != 0)
                        known = i + 1;
                int[] rotations = new int[known]; // trailing unknowns are left out, as the API allows
                for (int i = 0; i < known; i++)
                    rotations[i] = previousIndex[i] >= 0 && previousIndex[i] < Rotations.Length ? Rotations[previousIndex[i]] : 0;
                Rotations = rotations;
                StoreRotations();
                // The chargers that stay keep their link, commands and what they may draw: nothing is interrupted,
                // no new start-up; the new ones start unknown.
                BuildGroup(nowMs, Group, Link, previousIndex, oldHosts, freshHosts);
                int kept = 0;
                for (int i = 0; i < fresh.Hosts.Length; i++)
                    if (previousIndex[i] >= 0)
                        kept++;
                int removed = oldHosts.Length - kept;
                Log.Add(nowMs, "configuration applied: " + fresh.Hosts.Length.ToString() + " chargers, " + kept.ToString()
                    + " kept with their link and commands, " + (fresh.Hosts.Length - kept).ToString() + " new, " + removed.ToString() + " removed"
                    + (Group.DepartedDrawing > 0 ? " (" + Group.DepartedDrawing.ToString() + " may still draw: told 0 A, and what they may draw stays reserved for "
                        + (Transition.TransitionGuard.ChargerFallbackProofMs / 1000).ToString() + " s)" : ""));
            }
            else
                Log.Add(nowMs, "configuration applied");
        }

        /// <summary>The rotations file also names each entry's host, so that it still fits after a config change cut short by a power loss.</summary>
        void StoreRotations()
        {
            Response.Reset();
            Response.BeginObject().Name("rotations").BeginArray();
            for (int i = 0; i < Rotations.Length; i++)
                Response.Value(Rotations[i]);
            Response.EndArray().Name("hosts").BeginArray();
            for (int i = 0; i < Rotations.Length; i++)
                Response.Value(i < Config.Hosts.Length ? Config.Hosts[i] : ""); // entries beyond the chargers are kept as written
            Response.EndArray().EndObject();
            StoreResponse(PhaseRotationsFile);
        }

        // ---- storage ----

        /// <summary>
        /// The newest stored version of a file that parses and validates. A file that does not (written by
        /// other rules, or damaged) is kept aside under a new name, never overwritten, and reported in the
        /// event log and state. A half-written name.new (a power cut during a write) is skipped silently.
        /// </summary>
        internal JsonNode LoadValid(string file, long nowMs)
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                string name = attempt == 0 ? file : attempt == 1 ? file + ".new" : file + ".bak";
                byte[] data = store.Read(name);
                if (data == null)
                    continue;
                JsonNode node = parser.Parse(data, data.Length);
                string error = node == null ? parser.Error : Validate(file, node);
                if (error == null)
                {
                    if (attempt > 0)
                        Log.Add(nowMs, "using " + name);
                    return node;
                }
                if (node == null && attempt == 1)
                    continue;
                string aside = KeepAside(name);
                string problem = name + " is not valid (" + error + "): kept as " + aside;
                StoredProblem = StoredProblem == null ? problem : StoredProblem + "; " + problem;
                Log.Add(nowMs, "stored " + problem + ", not used");
            }
            return null;
        }

        string Validate(string file, JsonNode node)
        {
            string error;
            int mode;
            if (DeviceSettings.IsFile(file))
                return DeviceSettings.Validate(file, node);
            if (file == ConfigFile)
                ManagerConfig.Read(node, out error);
            else if (file == LowLevelConfigFile)
                LowLevelConfig.Read(node, out error);
            else if (file == PhaseRotationsFile)
                ReadRotationsFile(node, null, out error);
            else
                ReadMode(node, out mode, out error);
            return error;
        }

        /// <summary>Renames a rejected file to name.rejected, or name.rejected-2, -3 …: the first that does not exist.</summary>
        string KeepAside(string name)
        {
            string aside = name + ".rejected";
            for (int n = 2; store.Exists(aside); n++)
                aside = name + ".rejected-" + n.ToString();
            store.Move(name, aside);
            return aside;
        }

        // ---- state ----

        void WriteObject(string name, long nowMs)
        {
            if (DeviceSettings.Owns(name))
                Settings.WriteObject(name, Response, nowMs);
            else if (name == "available_current")
                Response.BeginObject().Property("current", availableCurrent).EndObject();
            else if (name == "config")
                Config.Write(Response);
            else if (name == "low_level_config")
                LowLevel.Write(Response);
            else if (name == "phase_rotations")
                WriteRotations(Response, Rotations);
            else if (name == "phase_switching")
                Response.BeginObject().Property("mode", PhaseSwitchingMode).EndObject();
            else if (name == "contactor_reset")
                Response.Null();
            else if (name == "state")
                StateWriter.WriteState(this, Response, nowMs);
            else if (name == "event_log")
                WriteLog(Response);
            else if (name == "history")
                History.Write(Response, nowMs);
            else
                StateWriter.WriteLowLevelState(this, Response, nowMs);
        }

        PhaseRotation RotationOf(int charger)
        {
            return charger < Rotations.Length ? (PhaseRotation)Rotations[charger] : PhaseRotation.Unknown;
        }

        /// <summary>
        /// {"rotations": [r0, r1, …]}: 0 unknown, 1 L123, 2 L132, 3 L231, 4 L213, 5 L321, 6 L312; missing entries
        /// are unknown; at most one per configured charger (<paramref name="maximumCount"/>), else 400 naming "rotations".
        /// </summary>
        static int[] ReadRotations(JsonNode node, int maximumCount, out string error)
        {
            FieldReader f = new FieldReader();
            f.Begin(node, "", new string[] { "rotations" });
            JsonNode list = f.Array("rotations", maximumCount);
            error = f.Error;
            return error == null ? ReadRotationsList(list, out error) : null;
        }

        static int[] ReadRotationsList(JsonNode list, out string error)
        {
            error = null;
            int[] rotations = new int[list.Count];
            for (int i = 0; i < list.Count && error == null; i++)
            {
                JsonNode r = list.Items[i];
                if (r.Kind != JsonKind.Number || !r.IsInteger || r.Integer < 0 || r.Integer > 6)
                    error = "rotations[" + i.ToString() + "] must be a whole number from 0 (unknown) to 6";
                else
                    rotations[i] = (int)r.Integer;
            }
            return error == null ? rotations : null;
        }

        /// <summary>
        /// The stored rotations: {"rotations": […], "hosts": […]} ("" beyond the configured chargers). When the
        /// hosts are the configured ones in order (always, unless a power cut fell between storing a changed
        /// config and its rotations), exactly as stored; else matched by host (a charger without an entry is
        /// unknown). A file without "hosts" (older) by position. hosts null: only validate.
        /// </summary>
        static int[] ReadRotationsFile(JsonNode node, TextList hosts, out string error)
        {
            if (node == null || node.Kind != JsonKind.Object || node.Get("hosts") == null)
                return ReadRotations(node, ManagerConfig.MaxChargers, out error);
            FieldReader f = new FieldReader();
            f.Begin(node, "", new string[] { "rotations", "hosts" });
            JsonNode storedHosts = f.Array("hosts", ManagerConfig.MaxChargers);
            error = f.Error;
            if (error != null)
                return null;
            JsonNode list = node.Get("rotations");
            if (list.Kind != JsonKind.Array || list.Count != storedHosts.Count)
            {
                error = "rotations and hosts must be arrays of the same length";
                return null;
            }
            for (int k = 0; k < storedHosts.Count; k++)
                if (storedHosts.Items[k].Kind != JsonKind.String)
                {
                    error = "hosts[" + k.ToString() + "] must be a string";
                    return null;
                }
            if (list.Count > ManagerConfig.MaxChargers)
            {
                error = "rotations has more than " + ManagerConfig.MaxChargers.ToString() + " entries";
                return null;
            }
            int[] positional = ReadRotationsList(list, out error);
            if (error != null || hosts == null)
                return positional;
            bool inOrder = true;
            for (int k = 0; k < storedHosts.Count; k++)
            {
                string h = storedHosts.Items[k].Text;
                inOrder &= h.Length == 0 ? k >= hosts.Length : k < hosts.Length && HostName.Same(h, hosts[k]);
            }
            if (inOrder)
                return positional; // exactly as accepted
            int[] rotations = new int[hosts.Length];
            for (int i = 0; i < hosts.Length; i++)
            {
                string host = hosts[i];
                for (int k = 0; k < storedHosts.Count; k++)
                    if (HostName.Same(storedHosts.Items[k].Text, host))
                        rotations[i] = positional[k];
            }
            return rotations;
        }

        /// <summary>{"mode": 0} automatic, {"mode": 1} or {"mode": 3} pinned; the bare number works too.</summary>
        static bool ReadMode(JsonNode node, out int mode, out string error)
        {
            long value;
            error = null;
            if (node.Kind == JsonKind.Number && node.IsInteger)
                value = node.Integer;
            else
            {
                FieldReader f = new FieldReader();
                f.Begin(node, "", new string[] { "mode" });
                value = f.Integer("mode", 0, 3);
                error = f.Error;
            }
            if (error == null && value != 0 && value != 1 && value != 3)
                error = "mode must be 0 (automatic), 1 or 3 (phases), not " + value.ToString();
            mode = (int)value;
            return error == null;
        }

        static void WriteRotations(JsonWriter w, int[] rotations)
        {
            w.BeginObject().Name("rotations").BeginArray();
            for (int i = 0; i < rotations.Length; i++)
                w.Value(rotations[i]);
            w.EndArray().EndObject();
        }

        void ApplyRotations(int[] rotations, long nowMs)
        {
            Rotations = rotations;
            for (int i = 0; i < Group.Count; i++)
            {
                PhaseRotation rotation = RotationOf(i);
                if (Group.ObservationTable.Rotation[i] == rotation)
                    continue;
                Group.ObservationTable.Rotation[i] = rotation;
                rotationsApplied++; // the history reads the meters' wiring again
                // What it may draw was counted for the old wiring: unknown until it echoes a command again.
                Group.Guard.Forget(i);
            }
            Log.Add(nowMs, "phase rotations applied");
        }

        void WriteLog(JsonWriter w)
        {
            w.BeginArray();
            for (int i = 0; i < Log.Count; i++)
            {
                w.BeginObject().Property("t", Log.Time(i));
                string wall = Settings.LocalText(Log.Time(i)); // local wall-clock time once the clock is synced
                if (wall != null)
                    w.Property("time", wall);
                w.Name("m");
                Log.WriteLine(w, i);
                w.EndObject();
            }
            w.EndArray();
        }

        /// <summary>Renders an object into <see cref="Response"/> (for MQTT publication).</summary>
        public void Render(string name, long nowMs)
        {
            Response.Reset();
            WriteObject(name, nowMs);
        }
    }
}
