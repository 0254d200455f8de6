using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Json;

namespace ChargeManager.Distribution.Api
{
    /// <summary>charge_manager/low_level_config: WARP's tuning fields (spec §2.3) plus ours, same strictness as config.</summary>
    public sealed class LowLevelConfig
    {
        static readonly string[] Keys =
        {
            "global_hysteresis", "wakeup_time", "plug_in_time", "enable_current_factor_pct",
            "allocation_interval", "rotation_interval", "maximum_unbalanced_load",
        };

        public int GlobalHysteresis = 210;
        public int WakeupTime = 210;
        public int PlugInTime = 210;
        public int EnableCurrentFactorPct = 100;
        public int AllocationInterval = 10;
        public int RotationInterval = 900;
        /// <summary>Ours: mA by which the most loaded phase may exceed the least loaded one; 0 = no cap.</summary>
        public int MaximumUnbalancedLoad;

        public static LowLevelConfig Read(JsonNode node, out string error)
        {
            FieldReader f = new FieldReader();
            LowLevelConfig c = new LowLevelConfig();
            f.Begin(node, "", Keys);
            c.GlobalHysteresis = (int)f.Integer("global_hysteresis", 0, 3600);
            c.WakeupTime = (int)f.Integer("wakeup_time", 0, 3600);
            c.PlugInTime = (int)f.Integer("plug_in_time", 0, 3600);
            c.EnableCurrentFactorPct = (int)f.Integer("enable_current_factor_pct", 100, 300);
            c.AllocationInterval = (int)f.Integer("allocation_interval", 1, 3600);
            c.RotationInterval = (int)f.Integer("rotation_interval", 0, 86400);
            c.MaximumUnbalancedLoad = (int)f.Integer("maximum_unbalanced_load", 0, 32000L * ManagerConfig.MaxChargers);
            error = f.Error;
            return error == null ? c : null;
        }

        public void Write(JsonWriter w)
        {
            w.BeginObject()
                .Property("global_hysteresis", GlobalHysteresis)
                .Property("wakeup_time", WakeupTime)
                .Property("plug_in_time", PlugInTime)
                .Property("enable_current_factor_pct", EnableCurrentFactorPct)
                .Property("allocation_interval", AllocationInterval)
                .Property("rotation_interval", RotationInterval)
                .Property("maximum_unbalanced_load", MaximumUnbalancedLoad)
                .EndObject();
        }

        public void ApplyTo(AllocatorConfig a)
        {
            a.GlobalHysteresisMs = GlobalHysteresis * 1000;
            a.WakeupTimeMs = WakeupTime * 1000;
            a.PlugInTimeMs = PlugInTime * 1000;
            a.EnableCurrentFactorPct = EnableCurrentFactorPct;
            a.AllocationIntervalMs = AllocationInterval * 1000;
            a.RotationIntervalMs = RotationInterval * 1000;
            a.MaxUnbalancedLoadMa = MaximumUnbalancedLoad;
        }
    }
}
