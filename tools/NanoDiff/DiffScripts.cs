using System;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Api;
using ChargeManager.Distribution.Contactor;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Protocol;

namespace ChargeManager.NanoDiff
{
    /// <summary>Where the scripts' lines go: Console on nanoCLR, a list in the .NET test.</summary>
    public delegate void LineSink(string line);

    /// <summary>
    /// Deterministic scripts that drive the core and print one line per observable result. The same
    /// source runs on nanoCLR (built against nano's mscorlib with the core's sources) and on .NET
    /// (compiled into the test assembly against the core's .NET build); the test requires identical
    /// lines. Only integers and ASCII are printed (floats, enum names and non-ASCII text format
    /// differently on the two runtimes by design; text is printed as code points / bytes).
    /// Plain C# for nanoFramework 1.x: no generics, no LINQ, no Hashtable.
    /// </summary>
    public static class DiffScripts
    {
        static LineSink sink;
        static int lines;
        public const string Closing = "END lines=";

        /// <summary>Runs every script (or those whose name contains <paramref name="only"/>); the last line is the closing line.</summary>
        public static void Run(LineSink output, string only)
        {
            sink = output;
            lines = 0;
            Script("allocator8", only);
            Script("allocator64", only);
            Script("distributor8", only);
            Script("distributor64", only);
            Script("scarcity", only);
            Script("unbalanced", only);
            Script("contactor", only);
            Script("app", only);
            Script("restart", only);
            Script("protocol", only);
            Script("json", only);
            Script("utf8", only);
            Script("floats", only);
            Script("eventlog", only);
            Line(Closing + lines.ToString());
        }

        static void Script(string name, string only)
        {
            if (only != null && only.Length > 0 && name.IndexOf(only) < 0)
                return;
            Line("== " + name);
            try
            {
                if (name == "allocator8") Allocators(8, 11);
                else if (name == "allocator64") Allocators(64, 12);
                else if (name == "distributor8") Distributors(8, 21, 1200);
                else if (name == "distributor64") Distributors(64, 22, 400);
                else if (name == "scarcity") Scarcity();
                else if (name == "unbalanced") Unbalanced();
                else if (name == "contactor") ContactorSequence();
                else if (name == "app") App();
                else if (name == "restart") Restart();
                else if (name == "protocol") Protocol();
                else if (name == "json") Json();
                else if (name == "utf8") Utf8Inputs();
                else if (name == "floats") Floats();
                else if (name == "eventlog") Events();
            }
            catch (Exception e)
            {
                Line("THREW in " + name + ": " + e.Message);
            }
        }

        static void Line(string s)
        {
            lines++;
            if (sink != null)
                sink(s);
            else
                Console.WriteLine(s);
        }

        // ---- tools: a PRNG, checksums, printing ----

        static uint rng;
        static void Seed(uint seed) { rng = seed * 2654435761u + 1; }

        /// <summary>xorshift32: the same sequence on both runtimes.</summary>
        static int Next(int bound)
        {
            uint x = rng;
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            rng = x;
            return (int)(x % (uint)bound);
        }

        static uint hash;
        static void HashStart() { hash = 2166136261u; }
        static void Hash(long v)
        {
            for (int i = 0; i < 8; i++)
            {
                hash ^= (uint)(v & 0xFF);
                hash *= 16777619u;
                v >>= 8;
            }
        }

        static string Hex(int b)
        {
            const string digits = "0123456789ABCDEF";
            return digits.Substring((b >> 4) & 15, 1) + digits.Substring(b & 15, 1);
        }

        /// <summary>Bytes as ASCII, anything else as \xNN.</summary>
        static string Bytes(byte[] b, int length)
        {
            string s = "";
            int from = 0;
            for (int i = 0; i < length; i++)
            {
                if (b[i] >= 0x20 && b[i] < 0x7F && b[i] != '\\')
                    continue;
                s += Ascii(b, from, i) + "\\x" + Hex(b[i]);
                from = i + 1;
            }
            return s + Ascii(b, from, length);
        }

        static string Ascii(byte[] b, int from, int to)
        {
            char[] c = new char[to - from];
            for (int i = from; i < to; i++)
                c[i - from] = (char)b[i];
            return new string(c);
        }

        /// <summary>A string by its UTF-16 units (ToCharArray: nanoCLR's indexer differs on surrogates).</summary>
        static string Units(string s)
        {
            if (s == null)
                return "null";
            char[] c = s.ToCharArray();
            string r = "len=" + c.Length.ToString() + " ";
            int from = 0;
            for (int i = 0; i < c.Length; i++)
            {
                if (c[i] >= 0x20 && c[i] < 0x7F)
                    continue;
                r += new string(c, from, i - from) + "<" + ((int)c[i]).ToString() + ">";
                from = i + 1;
            }
            return r + new string(c, from, c.Length - from);
        }

        static byte[] Utf8Ascii(string s)
        {
            char[] c = s.ToCharArray();
            byte[] b = new byte[c.Length];
            for (int i = 0; i < c.Length; i++)
                b[i] = (byte)c[i];
            return b;
        }

        // ---- allocator ----

        static void RandomObservation(ChargerObservation o, int i, long now)
        {
            o.LastHeardMs = Next(10) == 0 ? now - 8000 : now - Next(3000);
            o.Rotation = (PhaseRotation)Next(7);
            o.State = (VehicleState)Next(5);
            o.SupportedCurrent = 6000 + Next(27) * 1000;
            o.ReportedPhases = Next(3) == 0 ? 1 : 3;
            o.CanSwitchPhases = Next(4) == 0;
            o.CarStoppedCharging = Next(8) == 0;
            o.LineCurrent1 = Next(3) == 0 ? float.NaN : Next(33000) / 1000f;
            o.LineCurrent2 = Next(33000) / 1000f;
            o.LineCurrent3 = Next(33000) / 1000f;
            o.TimeSinceStateChangeMs = Next(400000);
            o.ErrorCode = Next(40) == 0 ? 193 : 0;
        }

        static void Allocators(int n, uint seed)
        {
            Seed(seed);
            var config = new AllocatorConfig();
            config.RotationIntervalMs = 60000;
            var obs = new ChargerObservation[n];
            var alloc = new ChargerAllocation[n];
            for (int i = 0; i < n; i++)
            {
                obs[i] = new ChargerObservation();
                alloc[i] = new ChargerAllocation();
            }
            var allocator = new Allocator(config, obs, alloc);
            long now = 1000000;
            for (int run = 0; run < 60; run++)
            {
                now += 1000 + Next(20000);
                for (int i = 0; i < n; i++)
                    if (run == 0 || Next(4) == 0)
                        RandomObservation(obs[i], i, now);
                int l1 = Next(n * 16000), l2 = Next(n * 16000), l3 = Next(n * 16000);
                allocator.Run(l1, l2, l3, now, (now / 1000) % 86400000);
                HashStart();
                int sum = 0;
                for (int i = 0; i < n; i++)
                {
                    ChargerAllocation a = alloc[i];
                    Hash(a.Current); Hash(a.Phases); Hash((int)a.Reason); Hash(a.ReasonPhase); Hash(a.ReasonUntilMs);
                    sum += a.Current;
                }
                Line("run " + run.ToString() + " sum=" + sum.ToString() + " alloc=" + allocator.Allocated[1].ToString() + ","
                    + allocator.Allocated[2].ToString() + "," + allocator.Allocated[3].ToString() + " h=" + hash.ToString());
            }
        }

        // ---- Distributor with random events ----

        static void Distributors(int n, uint seed, int ticks)
        {
            Seed(seed);
            var config = new AllocatorConfig();
            config.RotationIntervalMs = 120000;
            config.GlobalHysteresisMs = 30000;
            var d = new Distributor(config, n);
            d.SetLimits(n * 10000, n * 9000, n * 8000);
            long now = 0;
            for (int i = 0; i < n; i++)
            {
                var o = d.Observations[i];
                o.Rotation = (PhaseRotation)(i % 7);
                o.ReportedPhases = i % 3 == 0 ? 1 : 3;
                o.CanSwitchPhases = i % 4 == 0;
            }
            for (int t = 0; t < ticks; t++)
            {
                now += 100;
                for (int k = Next(4); k > 0; k--)
                {
                    int i = Next(n);
                    var o = d.Observations[i];
                    int e = Next(10);
                    if (e < 3) o.State = (VehicleState)Next(4);
                    else if (e == 3) o.SupportedCurrent = 6000 + Next(27) * 1000;
                    else if (e == 4) o.CarStoppedCharging = !o.CarStoppedCharging;
                    else if (e == 5) o.LineCurrent1 = o.LineCurrent2 = o.LineCurrent3 = Next(32000) / 1000f;
                    d.StateReceived(i, now, Next(20) == 0);
                }
                if (Next(50) == 0)
                    d.SetLimits(Next(n * 16000), Next(n * 16000), Next(n * 16000));
                // Chargers echo their command with a random delay; some stay silent for a while.
                for (int i = 0; i < n; i++)
                {
                    if ((i + t) % 10 != 0 || (i % 7 == 3 && (t / 300) % 2 == 1))
                        continue;
                    var o = d.Observations[i];
                    o.AppliedCurrent = d.CommandedCurrent(i);
                    if (d.CommandedPhases(i) != 0)
                        o.ReportedPhases = o.CanSwitchPhases ? d.CommandedPhases(i) : o.ReportedPhases;
                    d.StateReceived(i, now, false);
                }
                bool changed = d.Tick(now, -1);
                HashStart();
                for (int i = 0; i < n; i++)
                {
                    Hash(d.CommandedCurrent(i));
                    Hash(d.CommandedPhases(i));
                    Hash((int)d.Allocations[i].Reason);
                }
                Line("t" + t.ToString() + " " + (changed ? "c" : "-") + " h=" + hash.ToString());
            }
        }

        // ---- scarcity: 8 cars, room for 3, two hours ----

        static void Scarcity()
        {
            var config = new AllocatorConfig();
            var d = new Distributor(config, 8);
            d.SetLimits(20000, 20000, 20000);
            long now = 0;
            long[] charged = new long[8];
            for (int s = 0; s < 7200; s++)
            {
                now += 1000;
                for (int i = 0; i < 8; i++)
                {
                    var o = d.Observations[i];
                    o.State = d.CommandedCurrent(i) > 0 ? VehicleState.Charging : VehicleState.Ready;
                    o.AppliedCurrent = d.CommandedCurrent(i);
                    d.StateReceived(i, now, false);
                    charged[i] += d.CommandedCurrent(i);
                }
                d.Tick(now, (now + 3600000) % 86400000);
                if (s % 300 == 299)
                {
                    string row = "min " + ((s + 1) / 60).ToString() + ":";
                    for (int i = 0; i < 8; i++)
                        row += " " + d.CommandedCurrent(i).ToString() + "/" + ((int)d.Allocations[i].Reason).ToString();
                    Line(row);
                }
            }
            string total = "charged A*s:";
            for (int i = 0; i < 8; i++)
                total += " " + (charged[i] / 1000).ToString();
            Line(total);
        }

        // ---- the unbalanced-load cap ----

        static void Unbalanced()
        {
            var config = new AllocatorConfig();
            config.MaxUnbalancedLoadMa = 6000;
            var d = new Distributor(config, 6);
            d.SetLimits(32000, 32000, 32000);
            long now = 0;
            for (int i = 0; i < 6; i++)
            {
                var o = d.Observations[i];
                o.Rotation = i < 4 ? PhaseRotation.L123 : PhaseRotation.L231;
                o.ReportedPhases = i == 5 ? 3 : 1;
                o.State = VehicleState.Charging;
            }
            for (int s = 0; s < 300; s++)
            {
                now += 200;
                for (int i = 0; i < 6; i++)
                {
                    d.Observations[i].AppliedCurrent = d.CommandedCurrent(i);
                    d.StateReceived(i, now, false);
                }
                if (s == 150)
                    config.MaxUnbalancedLoadMa = 0;
                d.Tick(now, -1);
                if (s % 25 == 24)
                {
                    string row = "s" + s.ToString() + ":";
                    for (int i = 0; i < 6; i++)
                        row += " " + d.CommandedCurrent(i).ToString() + "@" + d.CommandedPhases(i).ToString() + "/" + ((int)d.Allocations[i].Reason).ToString();
                    Line(row);
                }
            }
        }

        // ---- the contactor sequence ----

        sealed class FakeContactor : IContactor
        {
            public bool Relay = true, Feedback = true;
            public int Sets;
            public bool Stuck;
            public void SetRelay(bool threePhases) { Relay = threePhases; Sets++; if (!Stuck) Feedback = threePhases; }
            public bool FeedbackThreePhases { get { return Feedback; } }
        }

        static void ContactorSequence()
        {
            var config = new AllocatorConfig();
            config.SetMinimums(true, 1, 9200, 6000);
            var d = new Distributor(config, 4);
            var c = new FakeContactor();
            d.Switcher = new PhaseSwitcher(c, 0);
            d.Switcher.DwellMs = d.Switcher.HysteresisMs = 30000;
            d.SetLimits(32000, 32000, 32000);
            long now = 0;
            int lastStep = -1, lastPhases = -1;
            for (int s = 0; s < 3000; s++)
            {
                now += 100;
                if (s == 300) d.SetLimits(8000, 8000, 8000);      // 3p minimum no longer fits: switch to 1p
                if (s == 1500) d.SetLimits(32000, 32000, 32000);  // back to 3p after the hysteresis
                if (s == 2600) c.Stuck = true;
                if (s == 2601) d.SetLimits(8000, 8000, 8000);
                for (int i = 0; i < 4; i++)
                {
                    var o = d.Observations[i];
                    o.State = VehicleState.Charging;
                    o.SupportsPilotDisconnect = i % 2 == 0;
                    o.PilotDisconnected = d.PilotDisconnect && o.SupportsPilotDisconnect;
                    if (s % 3 == i % 3)
                    {
                        o.AppliedCurrent = d.CommandedCurrent(i);
                        d.StateReceived(i, now, false);
                    }
                }
                d.Tick(now, -1);
                int step = (int)d.Switcher.Step;
                if (step != lastStep || d.Switcher.GroupPhases != lastPhases)
                {
                    lastStep = step;
                    lastPhases = d.Switcher.GroupPhases;
                    string row = "t=" + now.ToString() + " step=" + step.ToString() + " phases=" + lastPhases.ToString()
                        + " toggles=" + d.Switcher.Toggles.ToString() + " relay=" + (c.Relay ? "3" : "1") + " cmd=";
                    for (int i = 0; i < 4; i++)
                        row += d.CommandedCurrent(i).ToString() + "@" + d.CommandedPhases(i).ToString() + " ";
                    Line(row + (d.Switcher.ErrorText == null ? "" : d.Switcher.ErrorText));
                }
            }
            d.Switcher.Reset(now);
            Line("after reset step=" + ((int)d.Switcher.Step).ToString() + " phases=" + d.Switcher.GroupPhases.ToString());
        }

        // ---- ChargeManagerApp with the document's requests ----

        /// <summary>Files in memory, without Hashtable: parallel arrays.</summary>
        sealed class MemoryStore : IFileStore
        {
            string[] names = new string[16];
            byte[][] data = new byte[16][];
            public int Writes;

            // nanoCLR crashes on (null == "text"): slots are marked used, and only used names are compared.
            readonly bool[] used = new bool[16];

            int Find(string name)
            {
                for (int i = 0; i < names.Length; i++)
                    if (used[i] && names[i] == name)
                        return i;
                return -1;
            }

            int Free()
            {
                for (int i = 0; i < used.Length; i++)
                    if (!used[i])
                        return i;
                return -1;
            }

            public byte[] Read(string name) { int i = Find(name); return i < 0 ? null : data[i]; }
            public bool Exists(string name) { return Find(name) >= 0; }
            public void Delete(string name) { int i = Find(name); if (i >= 0) { used[i] = false; data[i] = null; } }

            public void Write(string name, byte[] bytes, int length)
            {
                int i = Find(name);
                if (i < 0)
                    i = Free();
                byte[] copy = new byte[length];
                Array.Copy(bytes, copy, length);
                names[i] = name;
                data[i] = copy;
                used[i] = true;
                Writes++;
            }

            public void Move(string from, string to)
            {
                if (Find(to) >= 0)
                    throw new Exception("destination exists");
                int i = Find(from);
                names[i] = to;
            }
        }

        sealed class FakeNet : IDatagramSender, IHostResolver
        {
            public int Sent;
            public uint Hash = 2166136261u;
            public int Resolves;
            public void Send(byte[] buffer, int length, uint ipv4, int port)
            {
                Sent++;
                for (int i = 0; i < length; i++)
                {
                    if (i == 4 || i == 5)
                        continue; // the sequence number
                    Hash ^= buffer[i];
                    Hash *= 16777619u;
                }
                Hash ^= ipv4;
                Hash *= 16777619u;
            }
            public void Resolve(int charger, string host, HostKind kind) { Resolves++; }
        }

        const string SeedConfig = "{\n\"enable_charge_manager\": true,\n\"enable_watchdog\": false,\n\"default_available_current\": 16000,\n"
            + "\"maximum_available_current\": 32000,\n\"minimum_current_auto\": true,\n\"minimum_current\": 9200,\n\"minimum_current_1p\": 6000,\n"
            + "\"minimum_current_vehicle_type\": 1,\n\"verbose\": true,\n\"requested_current_threshold\": 60,\n\"requested_current_margin\": 3000,\n"
            + "\"chargers\": [\n{ \"host\": \"127.0.0.1\", \"name\": \"warp-AbCd\" },\n{ \"host\": \"warp2-22oH.local\", \"name\": \"warp2-22oH\" }\n]\n}";

        /// <summary>string.Replace, which nano's mscorlib lacks (first occurrence only).</summary>
        static string Replace(string s, string what, string with)
        {
            int at = s.IndexOf(what);
            return at < 0 ? s : s.Substring(0, at) + with + s.Substring(at + what.Length);
        }

        static ManagerConfig Defaults()
        {
            var c = new ManagerConfig();
            c.EnableChargeManager = true;
            c.DefaultAvailableCurrent = 16000;
            c.MaximumAvailableCurrent = 32000;
            c.Hosts = new string[] { "10.0.0.2" };
            c.Names = new string[] { "one" };
            return c;
        }

        static void Call(ChargeManagerApp app, string method, string path, string body, long now)
        {
            byte[] b = Utf8Ascii(body);
            CallBytes(app, method, path, b, now);
        }

        static void CallBytes(ChargeManagerApp app, string method, string path, byte[] b, long now)
        {
            int status = app.Handle(method, path, b, b.Length, now);
            Line(method + " " + path + " -> " + status.ToString() + " "
                + (status == 200 ? Bytes(app.Response.Buffer, app.Response.Length) : Units(app.ErrorText)));
        }

        static readonly StatePacket packet = new StatePacket();
        static readonly byte[] packetBuffer = new byte[StatePacket.NewestLength];

        static void SendState(ChargeManagerApp app, uint ip, int charger, long now, int state, int supported, float amps)
        {
            packet.Version = 5;
            packet.Seq = (ushort)(now / 100);
            packet.EvseUptime = (uint)(now / 10 + charger);
            packet.Esp32Uid = (uint)(1000 + charger);
            packet.ChargerState = state;
            packet.Iec61851State = state == 3 ? 2 : state == 0 ? 0 : 1;
            packet.SupportedCurrent = supported;
            int commanded = app.Group.CommandedCurrent(charger);
            packet.AllowedChargingCurrent = commanded > 32000 ? 32000 : commanded;
            packet.StateFlags = StatePacket.StateFlagManaged;
            packet.FeatureFlags = StatePacket.FeatureMeter;
            packet.LineCurrent1 = packet.LineCurrent2 = packet.LineCurrent3 = amps;
            packet.LineVoltage1 = packet.LineVoltage2 = packet.LineVoltage3 = 230f;
            packet.Phases = 3;
            packet.TimeSinceStateChangeMs = now;
            int length = packet.Encode(packetBuffer, 5);
            app.Receive(packetBuffer, length, ip, GroupLink.ChargerPort, now);
        }

        static void App()
        {
            var store = new MemoryStore();
            var wire = new FakeNet();
            long now = 1000;
            var app = new ChargeManagerApp(store, wire, wire, Defaults(), now);
            Call(app, "GET", "/charge_manager/available_current", "", now);
            Call(app, "POST", "/charge_manager/available_current", "{ \"current\": 16000 }", now);
            Call(app, "POST", "/charge_manager/available_current", "16000", now);
            Call(app, "PUT", "/charge_manager/available_current_update", "{ \"current\": 12000 }", now);
            Call(app, "POST", "/charge_manager/config", SeedConfig, now);
            Call(app, "GET", "/charge_manager/config", "", now);
            // Rejected ones: each names its field, and changes nothing.
            Call(app, "POST", "/charge_manager/available_current", "{\"current\": 40000}", now);
            Call(app, "POST", "/charge_manager/available_current", "{\"current\": 1.5}", now);
            Call(app, "POST", "/charge_manager/available_current", "{\"amps\": 5}", now);
            Call(app, "POST", "/charge_manager/available_current", "{\"current\": 1, \"current\": 2}", now);
            Call(app, "POST", "/charge_manager/config", "{\"enable_charge_manager\": true}", now);
            Call(app, "POST", "/charge_manager/config", Replace(SeedConfig, "9200", "\"9200\""), now);
            Call(app, "POST", "/charge_manager/config", Replace(SeedConfig, "warp2-22oH.local", "127.0.0.1"), now);
            Call(app, "POST", "/charge_manager/config", Replace(SeedConfig, "warp-AbCd", "a-name-that-is-far-too-long-for-warp-x"), now);
            Call(app, "POST", "/charge_manager/config", Replace(SeedConfig, "16000", "33000"), now);
            Call(app, "POST", "/charge_manager/low_level_config", "{\"global_hysteresis\": -1}", now);
            Call(app, "DELETE", "/charge_manager/config", "", now);
            Call(app, "GET", "/charge_manager/nothing", "", now);
            Call(app, "GET", "/charge_manager/config_update", "", now);
            Call(app, "POST", "/charge_manager/state", "{}", now);
            Call(app, "POST", "/charge_manager/phase_rotations", "{\"rotations\": [1, 9]}", now);
            Call(app, "POST", "/charge_manager/phase_rotations", "{\"rotations\": [1, 3]}", now);
            Call(app, "POST", "/charge_manager/phase_switching", "{\"mode\": 2}", now);
            Call(app, "POST", "/charge_manager/contactor_reset", "null", now);
            Call(app, "GET", "/charge_manager/low_level_config", "", now);
            Line("mqtt " + (app.HandleMqtt("charge_manager/available_current_update", Utf8Ascii("10000"), 5, now) ? "ok" : "rejected")
                + " " + app.AvailableCurrent.ToString());
            Line("mqtt " + (app.HandleMqtt("charge_manager/available_current_update", Utf8Ascii("x"), 1, now) ? "ok" : "rejected")
                + " " + app.AvailableCurrent.ToString());
            app.Link.Resolved(1, 0x0A000003);
            // Two chargers answer for a minute; one car plugs in, then the other; the limit drops.
            for (int t = 0; t < 1200; t++)
            {
                now += 50;
                if (t % 10 == 0)
                {
                    SendState(app, 0x7F000001, 0, now, t < 200 ? 1 : 3, 32000, t < 200 ? 0f : 15.5f);
                    SendState(app, 0x0A000003, 1, now, t < 600 ? 0 : 2, 16000, 0f);
                }
                if (t == 900)
                    Call(app, "POST", "/charge_manager/available_current", "8000", now);
                app.Tick(now, -1);
                if (t % 100 == 99)
                    Line("t" + t.ToString() + " sent=" + wire.Sent.ToString() + " h=" + wire.Hash.ToString()
                        + " cmd=" + app.Group.CommandedCurrent(0).ToString() + "," + app.Group.CommandedCurrent(1).ToString());
            }
            Call(app, "GET", "/charge_manager/state", "", now);
            Call(app, "GET", "/charge_manager/low_level_state", "", now);
            Call(app, "GET", "/charge_manager/event_log", "", now);
            Call(app, "GET", "/charge_manager/history", "", now);
        }

        static void Restart()
        {
            var store = new MemoryStore();
            var wire = new FakeNet();
            var app = new ChargeManagerApp(store, wire, wire, Defaults(), 0);
            Call(app, "POST", "/charge_manager/config", Replace(SeedConfig, "warp-AbCd", "kitchen"), 0);
            Call(app, "POST", "/charge_manager/low_level_config",
                "{\"global_hysteresis\": 120, \"wakeup_time\": 180, \"plug_in_time\": 180, \"enable_current_factor_pct\": 150,"
                + " \"allocation_interval\": 10, \"rotation_interval\": 15, \"maximum_unbalanced_load\": 16000}", 0);
            Call(app, "POST", "/charge_manager/phase_rotations", "{\"rotations\": [2, 5]}", 0);
            Line("files written " + store.Writes.ToString());
            var again = new ChargeManagerApp(store, wire, wire, Defaults(), 5000);
            Call(again, "GET", "/charge_manager/config", "", 5000);
            Call(again, "GET", "/charge_manager/low_level_config", "", 5000);
            Call(again, "GET", "/charge_manager/phase_rotations", "", 5000);
            Line("chargers " + again.Group.Count.ToString() + " rotation0 " + ((int)again.Group.Observations[0].Rotation).ToString());
            // A damaged file: the defaults, and the log says why.
            store.Write(ChargeManagerApp.ConfigFile, Utf8Ascii("{\"enable"), 8);
            store.Delete(ChargeManagerApp.ConfigFile + ".bak");
            var third = new ChargeManagerApp(store, wire, wire, Defaults(), 9000);
            Call(third, "GET", "/charge_manager/config", "", 9000);
        }

        // ---- the protocol codec both ways ----

        static void Protocol()
        {
            Seed(31);
            var command = new CommandPacket();
            var decoded = new CommandPacket();
            byte[] b = new byte[1500];
            for (int k = 0; k < 200; k++)
            {
                command.AllocatedCurrent = Next(65536);
                command.Flags = Next(256) & 0xC0;
                command.AllocatedPhases = Next(4);
                command.ChargeMode = (byte)Next(5);
                int version = 1 + Next(4);
                int length = command.Encode(b, (ushort)Next(65536), version);
                int v;
                ushort seq;
                PacketCheck check = decoded.Decode(b, length, out v, out seq);
                HashStart();
                for (int i = 0; i < length; i++)
                    Hash(b[i]);
                Line("cmd v" + version.ToString() + " len=" + length.ToString() + " check=" + ((int)check).ToString() + " seq=" + seq.ToString()
                    + " cur=" + decoded.AllocatedCurrent.ToString() + " fl=" + decoded.Flags.ToString() + " ph=" + decoded.AllocatedPhases.ToString()
                    + " h=" + hash.ToString());
            }
            var state = new StatePacket();
            var back = new StatePacket();
            for (int k = 0; k < 200; k++)
            {
                state.Seq = (ushort)Next(65536);
                state.FeatureFlags = (uint)Next(0x7FFFFFFF);
                state.EvseUptime = (uint)Next(0x7FFFFFFF);
                state.AllowedChargingCurrent = Next(65536);
                state.SupportedCurrent = Next(65536);
                state.ChargerState = Next(6);
                state.ErrorState = Next(3);
                state.StateFlags = Next(256);
                state.LineCurrent1 = Next(100000) / 1000f;
                state.LineCurrent2 = Next(100000) / 1000f;
                state.LineCurrent3 = Next(100000) / 1000f;
                state.TimeSinceStateChangeMs = Next(0x7FFFFFFF);
                state.Phases = Next(2) == 0 ? 1 : 3;
                state.CanSwitchPhasesNow = Next(2) == 0;
                int version = 1 + Next(5);
                int length = state.Encode(b, version);
                if (Next(5) == 0)
                    b[Next(length)] ^= (byte)(1 << Next(8)); // a corrupted one
                PacketCheck check = back.Decode(b, Next(6) == 0 ? Next(length + 1) : length);
                Line("state v" + version.ToString() + " check=" + ((int)check).ToString() + " cur=" + back.AllowedChargingCurrent.ToString()
                    + " sup=" + back.SupportedCurrent.ToString() + " cs=" + back.ChargerState.ToString() + " ph=" + back.Phases.ToString()
                    + " lc=" + ((int)(back.LineCurrent1 * 1000f)).ToString() + " t=" + back.TimeSinceStateChangeMs.ToString());
            }
            // Random bytes and truncations.
            int[] counts = new int[16];
            for (int k = 0; k < 2000; k++)
            {
                int length = Next(150);
                for (int i = 0; i < length; i++)
                    b[i] = (byte)Next(256);
                if (Next(2) == 0 && length >= 8)
                {
                    b[0] = 0x4F; b[1] = 0x85; // the magic
                    b[6] = (byte)Next(7);
                }
                counts[(int)back.Decode(b, length) & 15]++;
                int v;
                ushort seq;
                counts[8 + ((int)decoded.Decode(b, length, out v, out seq) & 7)]++;
            }
            string row = "random checks:";
            for (int i = 0; i < 16; i++)
                row += " " + counts[i].ToString();
            Line(row);
        }

        // ---- JSON: parser and writer on edge inputs ----

        static void Parse(JsonParser p, byte[] input)
        {
            JsonNode n = p.Parse(input, input.Length);
            if (n == null)
            {
                Line("parse " + Bytes(input, input.Length) + " -> error: " + Units(p.Error));
                return;
            }
            var w = new JsonWriter(64);
            Echo(w, n);
            Line("parse " + Bytes(input, input.Length) + " -> " + Bytes(w.Buffer, w.Length));
        }

        static void Echo(JsonWriter w, JsonNode n)
        {
            switch (n.Kind)
            {
                case JsonKind.Object:
                    w.BeginObject();
                    for (int i = 0; i < n.Count; i++)
                    {
                        w.Name(n.Keys[i]);
                        Echo(w, n.Items[i]);
                    }
                    w.EndObject();
                    break;
                case JsonKind.Array:
                    w.BeginArray();
                    for (int i = 0; i < n.Count; i++)
                        Echo(w, n.Items[i]);
                    w.EndArray();
                    break;
                case JsonKind.String: w.Value(n.Text); break;
                case JsonKind.Number:
                    if (n.IsInteger) w.Value(n.Integer);
                    else w.Value("number " + n.Text);
                    break;
                case JsonKind.Bool: w.Value(n.Bool); break;
                default: w.Null(); break;
            }
        }

        static void Json()
        {
            var p = new JsonParser();
            string[] inputs =
            {
                "{}", "[]", "0", "-0", "1e3", "12.50", "-9223372036854775808", "9223372036854775807", "9223372036854775808",
                "123456789012345678901234567890", "1.7976931348623157e309", "true", "false", "null", " \t\r\n 5 \n",
                "{\"a\":1,\"b\":[true,false,null,\"x\"]}", "{\"a\":1,\"a\":2}", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[01]", "-",
                "\"\\u00e9\\u20AC\"", "\"\\ud83d\\ude00\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\x\"", "\"\\u12\"", "\"abc", "\"a\tb\"",
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
                "", " ", "nul", "tru", "[1 2]", "{\"a\":{\"b\":{\"c\":[1,{\"d\":\"e\"}]}}}", "\"\\u0041\\u0062\"", "1 2", "{\"\":0}",
                "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800a\"", "\"\\ud800\\u0041\"", "\"ab\\u0000cd\"", "{\"name\": \"x\\udc00\"}",
                "{\"chargers\": [{\"name\": \"\\ud800z\"}]}"
            };
            for (int i = 0; i < inputs.Length; i++)
                Parse(p, Utf8Ascii(inputs[i]));
            // The writer on text outside ASCII, control characters and quotes (written as code units).
            var w = new JsonWriter(8);
            string[] texts =
            {
                // (Lone surrogates and U+0000 cannot be held in a nanoCLR string at all: JsonTests covers them on .NET.)
                "plain", "\"quoted\" \\ back", "tab\tnew\nline\u0001\u001f", "caf\u00e9 \u20ac", "\ud83d\ude00", "a\ud83d\ude00b\ud83c\udf89c",
                "a long text outside the BMP: \ud83d\ude00\ud83d\ude00 and more, \u00e9\u00e8, \ud83c\udf89 and the end"
            };
            for (int i = 0; i < texts.Length; i++)
            {
                w.Reset();
                w.BeginObject().Property("t", texts[i]).EndObject();
                Line("write " + Units(texts[i]) + " -> " + Bytes(w.Buffer, w.Length) + " | " + Units(w.ToString()));
            }
            w.Reset();
            w.BeginArray().Value(long.MinValue).Value(long.MaxValue).Value(0).Value(-1).Null().Value(true).BeginObject().EndObject().EndArray();
            Line("write numbers -> " + Bytes(w.Buffer, w.Length));
        }

        /// <summary>Byte-level UTF-8 that must be rejected (and what must pass), as request bodies.</summary>
        static void Utf8Inputs()
        {
            var p = new JsonParser();
            byte[][] inputs =
            {
                new byte[] { 0x22, 0xF7, 0xBF, 0xBF, 0xBF, 0x22 },        // above U+10FFFF
                new byte[] { 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22 },        // U+110000
                new byte[] { 0x22, 0xF4, 0x8F, 0xBF, 0xBF, 0x22 },        // U+10FFFF: valid
                new byte[] { 0x22, 0xED, 0xA0, 0x80, 0x22 },              // a surrogate in UTF-8
                new byte[] { 0x22, 0xED, 0xBF, 0xBF, 0x22 },
                new byte[] { 0x22, 0xC0, 0xAF, 0x22 },                    // overlong '/'
                new byte[] { 0x22, 0xE0, 0x80, 0xAF, 0x22 },              // overlong
                new byte[] { 0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22 },        // overlong
                new byte[] { 0x22, 0xC2, 0xA9, 0x22 },                    // (c): valid
                new byte[] { 0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22 },        // U+1F600: valid
                new byte[] { 0x22, 0x80, 0x22 },                          // a lone continuation byte
                new byte[] { 0x22, 0xE2, 0x82, 0x22 },                    // truncated
                new byte[] { 0x22, 0xFF, 0x22 },
                new byte[] { 0x22, 0x61, 0x00, 0x62, 0x22 },              // a raw NUL
            };
            for (int i = 0; i < inputs.Length; i++)
                Parse(p, inputs[i]);
            // Through the API: a charger name with F7 BF BF BF is a 400 naming the field; nothing is stored.
            var store = new MemoryStore();
            var wire = new FakeNet();
            var app = new ChargeManagerApp(store, wire, wire, Defaults(), 0);
            string prefix = "{\"enable_charge_manager\": true, \"enable_watchdog\": false, \"default_available_current\": 16000, "
                + "\"maximum_available_current\": 32000, \"minimum_current_auto\": true, \"minimum_current\": 9200, \"minimum_current_1p\": 6000, "
                + "\"minimum_current_vehicle_type\": 1, \"verbose\": true, \"requested_current_threshold\": 60, \"requested_current_margin\": 3000, "
                + "\"chargers\": [{\"host\": \"10.0.0.9\", \"name\": \"";
            string suffix = "\"}]}";
            byte[][] names =
            {
                new byte[] { 0x6B, 0xF7, 0xBF, 0xBF, 0xBF },
                Utf8Ascii("\\udc00"),
                Utf8Ascii("\\ud800x"),
                Utf8Ascii("a\\u0000b"),
                new byte[] { 0xED, 0xA0, 0x80 },
                new byte[] { 0xF0, 0x9F, 0x98, 0x80, 0x21 },
                Utf8Ascii("\\ud83d\\ude00 ok"),
            };
            for (int i = 0; i < names.Length; i++)
            {
                byte[] pre = Utf8Ascii(prefix), suf = Utf8Ascii(suffix);
                byte[] body = new byte[pre.Length + names[i].Length + suf.Length];
                Array.Copy(pre, body, pre.Length);
                Array.Copy(names[i], 0, body, pre.Length, names[i].Length);
                Array.Copy(suf, 0, body, pre.Length + names[i].Length, suf.Length);
                int status = app.Handle("POST", "/charge_manager/config", body, body.Length, 0);
                Line("name " + Bytes(names[i], names[i].Length) + " -> " + status.ToString() + " "
                    + (status == 200 ? Bytes(app.Response.Buffer, app.Response.Length) : Units(app.ErrorText)));
                Call(app, "GET", "/charge_manager/state", "", 0);
            }
        }

        // ---- the event log: bounded by count and by text ----

        static void Events()
        {
            Seed(41);
            var log = new EventLog(200);
            for (int k = 0; k < 600; k++)
            {
                string m = "event " + k.ToString() + " ";
                for (int r = Next(12); r > 0; r--)
                    m += "caf\u00e9 \ud83d\ude00 ";
                log.Add(k, m);
                if (k % 50 == 49)
                {
                    HashStart();
                    int units = 0;
                    for (int i = 0; i < log.Count; i++)
                    {
                        char[] c = log.Line(i).ToCharArray();
                        units += c.Length;
                        for (int j = 0; j < c.Length; j++)
                            Hash(c[j]);
                        Hash(log.Time(i));
                    }
                    var w = new JsonWriter(64);
                    w.BeginArray();
                    for (int i = 0; i < log.Count; i++)
                        log.WriteLine(w, i);
                    w.EndArray();
                    Line("log after " + (k + 1).ToString() + ": count=" + log.Count.ToString() + " units=" + units.ToString() + " h=" + hash.ToString()
                        + " json=" + w.Length.ToString() + " fnv64=" + PublishPlan.Fnv1a64(w.Buffer, w.Length).ToString());
                }
            }
        }

        // ---- floats from the wire ----

        static void Floats()
        {
            float[] amps = { 3e6f, -3e6f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 15.5f, -0.001f, 1e-30f, 3.4e38f, 2147483.6f };
            for (int k = 0; k < amps.Length; k++)
            {
                var store = new MemoryStore();
                var wire = new FakeNet();
                var defaults = Defaults();
                defaults.Hosts = new string[] { "10.0.0.2" };
                var app = new ChargeManagerApp(store, wire, wire, defaults, 0);
                Call(app, "POST", "/charge_manager/config", Replace(Replace(SeedConfig, "\"requested_current_threshold\": 60", "\"requested_current_threshold\": 1"),
                    "warp2-22oH.local", "10.0.0.3"), 0);
                Call(app, "POST", "/charge_manager/available_current", "32000", 0);
                long now = 0;
                for (int t = 0; t < 700; t++)
                {
                    now += 50;
                    if (t % 10 == 0)
                    {
                        SendState(app, 0x7F000001, 0, now, 3, 32000, amps[k]);
                        SendState(app, 0x0A000003, 1, now, 3, 32000, 10f);
                    }
                    app.Tick(now, -1);
                }
                var a = app.Group.Allocations[0];
                Line("amps#" + k.ToString() + " requested=" + a.RequestedCurrent.ToString() + " cmd=" + app.Group.CommandedCurrent(0).ToString()
                    + "," + app.Group.CommandedCurrent(1).ToString());
                Call(app, "GET", "/charge_manager/state", "", now);
            }
        }
    }
}
