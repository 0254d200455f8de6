using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// charge_manager/config: exactly the fields of the user's API document, with WARP's rules
    /// (spec §2.2). Unlike WARP it applies live. A configuration that fails validation is never half
    /// applied: <see cref="Read"/> fills a fresh instance that replaces the active one only when valid.
    /// </summary>
    public sealed class ManagerConfig
    {
        public const int MaxChargers = 64;
        public const int MaxHostLength = 64;
        public const int MaxNameLength = 32;

        static readonly string[] Keys =
        {
            "enable_charge_manager", "enable_watchdog", "default_available_current", "maximum_available_current",
            "minimum_current_auto", "minimum_current", "minimum_current_1p", "minimum_current_vehicle_type",
            "verbose", "requested_current_threshold", "requested_current_margin", "chargers",
        };
        static readonly string[] ChargerKeys = { "host", "name" };

        public bool EnableChargeManager;
        public bool EnableWatchdog;
        public int DefaultAvailableCurrent;
        public int MaximumAvailableCurrent;
        public bool MinimumCurrentAuto = true;
        public int MinimumCurrent = 6000;
        public int MinimumCurrent1p = 6000;
        /// <summary>WARP's u32: 0 other vehicles, anything above 0 a ZOE-type vehicle (9.2 A on three phases). Kept exactly as written.</summary>
        public long MinimumCurrentVehicleType;
        public bool Verbose;
        public int RequestedCurrentThreshold = 60;
        public int RequestedCurrentMargin = 3000;
        /// <summary>The chargers' hosts and names by position, as configured (one char array each: see <see cref="TextList"/>).</summary>
        public TextList Hosts = new TextList(0);
        public TextList Names = new TextList(0);

        /// <summary>Reads and validates a document; returns the new config, or null with the reason in error.</summary>
        public static ManagerConfig Read(JsonNode node, out string error)
        {
            FieldReader f = new FieldReader();
            ManagerConfig c = new ManagerConfig();
            f.Begin(node, "", Keys);
            c.EnableChargeManager = f.Bool("enable_charge_manager");
            c.EnableWatchdog = f.Bool("enable_watchdog");
            c.DefaultAvailableCurrent = (int)f.Integer("default_available_current", 0, 32000L * MaxChargers);
            c.MaximumAvailableCurrent = (int)f.Integer("maximum_available_current", 0, 32000L * MaxChargers);
            c.MinimumCurrentAuto = f.Bool("minimum_current_auto");
            c.MinimumCurrent = (int)f.Integer("minimum_current", 6000, 32000);
            c.MinimumCurrent1p = (int)f.Integer("minimum_current_1p", 6000, 32000);
            c.MinimumCurrentVehicleType = f.Integer("minimum_current_vehicle_type", 0, uint.MaxValue);
            c.Verbose = f.Bool("verbose");
            c.RequestedCurrentThreshold = (int)f.Integer("requested_current_threshold", 0, 65535);
            c.RequestedCurrentMargin = (int)f.Integer("requested_current_margin", 0, 65535);
            JsonNode chargers = f.Array("chargers", MaxChargers);
            if (f.Error == null)
            {
                string[] hosts = new string[chargers.Count], names = new string[chargers.Count];
                FieldReader entry = new FieldReader();
                for (int i = 0; i < chargers.Count && f.Error == null; i++)
                {
                    entry.Begin(chargers.Items[i], "chargers[" + i.ToString() + "]", ChargerKeys);
                    hosts[i] = entry.Text("host", MaxHostLength);
                    names[i] = entry.Text("name", MaxNameLength);
                    f.Error = entry.Error;
                    if (f.Error == null)
                    {
                        string problem = HostName.Check(hosts[i]);
                        if (problem != null)
                            f.Error = "chargers[" + i.ToString() + "].host: " + problem;
                    }
                    // One charger, one identity: every spelling of an address or name is the same charger.
                    for (int k = 0; k < i && f.Error == null; k++)
                        if (HostName.Same(hosts[k], hosts[i]))
                            f.Error = "chargers: there must not be two chargers with the same hostname or IP address (" + hosts[k]
                                + (hosts[k] == hosts[i] ? "" : " and " + hosts[i]) + ")";
                }
                c.Hosts = hosts;
                c.Names = names;
            }
            if (f.Error == null && c.DefaultAvailableCurrent > c.MaximumAvailableCurrent)
                f.Error = "default_available_current can not be greater than maximum_available_current";
            if (f.Error == null && c.EnableChargeManager && c.Hosts.Length == 0)
                f.Error = "chargers: at least one charger is required when enable_charge_manager is true";
            error = f.Error;
            if (error != null)
                return null;
            return c;
        }

        public void Write(JsonWriter w)
        {
            w.BeginObject()
                .Property("enable_charge_manager", EnableChargeManager)
                .Property("enable_watchdog", EnableWatchdog)
                .Property("default_available_current", DefaultAvailableCurrent)
                .Property("maximum_available_current", MaximumAvailableCurrent)
                .Property("minimum_current_auto", MinimumCurrentAuto)
                .Property("minimum_current", MinimumCurrent)
                .Property("minimum_current_1p", MinimumCurrent1p)
                .Property("minimum_current_vehicle_type", MinimumCurrentVehicleType)
                .Property("verbose", Verbose)
                .Property("requested_current_threshold", RequestedCurrentThreshold)
                .Property("requested_current_margin", RequestedCurrentMargin)
                .Name("chargers").BeginArray();
            for (int i = 0; i < Hosts.Length; i++)
            {
                w.BeginObject().Name("host");
                Hosts.WriteValue(w, i);
                w.Name("name");
                Names.WriteValue(w, i);
                w.EndObject();
            }
            w.EndArray().EndObject();
        }

        /// <summary>Carries what the allocator needs into its configuration.</summary>
        public void ApplyTo(AllocatorConfig a)
        {
            // With minimum_current_auto the vehicle type decides the minimums in effect (WARP's rule); the stored
            // minimum_current fields stay as written, for when it is switched off.
            a.SetMinimums(MinimumCurrentAuto, MinimumCurrentVehicleType > 0 ? 1 : 0, MinimumCurrent, MinimumCurrent1p);
            a.RequestedCurrentThresholdMs = RequestedCurrentThreshold * 1000;
            a.RequestedCurrentMarginMa = RequestedCurrentMargin;
        }
    }
}
