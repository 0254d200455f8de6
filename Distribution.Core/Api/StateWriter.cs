using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Json;
using ChargeManager.Distribution.Link;
using ChargeManager.Distribution.Phases;

namespace ChargeManager.Distribution.Api
{
    /// <summary>
    /// charge_manager/state and low_level_state (spec §2.6, §2.7: "not an API contract"). WARP's compact
    /// keys, plus each charger's allocation reason as a number, phase, deadline and plain text.
    /// </summary>
    public static class StateWriter
    {
        public const int StateDisabled = 0, StateActive = 1, StateError = 2;

        public static int GroupState(ChargeManagerApp app)
        {
            if (!app.Config.EnableChargeManager)
                return StateDisabled;
            // WARP's 2 ("shut down due to an error") no longer happens: one charger's error stops only that
            // charger, and one that may not follow commands is counted at its worst case.
            return StateActive;
        }

        /// <summary>WARP's CASState (spec §1.10) from what the charger reports and the link knows.</summary>
        public static int ChargerState(ChargerObservation o, ChargerLink link)
        {
            return ChargerState(o.table, o.index, link.Error);
        }

        /// <summary>As above, for row i of a group's observations and the link's error for the charger (<see cref="ChargerError"/>).</summary>
        public static int ChargerState(ObservationTable o, int i, int error)
        {
            if (error != ChargerError.Ok && error < ChargerError.ClientErrorBase)
                return 5;
            switch (o.State[i])
            {
                case VehicleState.NotConnected: return 0;
                case VehicleState.WaitingForRelease:
                    return o.SupportedCurrent[i] == 0 ? 1 : o.CarStoppedCharging[i] ? 6 : 2;
                case VehicleState.Ready: return 3;
                case VehicleState.Charging: return 4;
                default: return 5;
            }
        }

        public static void WriteState(ChargeManagerApp app, JsonWriter w, long nowMs)
        {
            Distributor g = app.Group;
            GroupLink link = app.Link;
            w.BeginObject()
                .Property("state", GroupState(app))
                .Property("available_current", app.AvailableCurrent)
                .Property("watchdog_triggered", app.WatchdogFired)
                .Property("stored_config_error", app.StoredProblem == null ? "" : app.StoredProblem);
            Vector(w, "l_raw", g.Limit(Phase.PV) >= Phase.Unlimited ? 0 : g.Limit(Phase.PV), g.Limit(Phase.L1), g.Limit(Phase.L2), g.Limit(Phase.L3));
            int[] a = g.Allocator.Allocated;
            Vector(w, "alloc", a[Phase.PV], a[Phase.L1], a[Phase.L2], a[Phase.L3]);
            // Ours: what chargers that may not follow commands, or that a config change removed, may still draw;
            // the allocator plans within l_raw less this.
            int[] r = g.Reserved;
            Vector(w, "reserved", r[Phase.PV], r[Phase.L1], r[Phase.L2], r[Phase.L3]);
            Contactor.PhaseSwitcher s = g.Switcher;
            w.Name("contactor");
            if (s == null)
                w.Null();
            else
                w.BeginObject()
                    .Property("phases", s.GroupPhases)
                    .Property("wanted", s.WantedPhases)
                    .Property("mode", s.Mode)
                    .Property("step", (int)s.Step)
                    .Property("error", s.ErrorText)
                    .Property("toggles", s.Toggles)
                    .EndObject();
            w.Name("chargers").BeginArray();
            for (int i = 0; i < g.Count; i++)
            {
                ObservationTable o = g.ObservationTable;
                AllocationTable al = g.AllocationTable;
                int error = link.Error(i); // the link's arrays are read by index: a view would be an object on nanoCLR
                w.BeginObject().Name("n");
                app.Config.Names.WriteValue(w, i); // from the config's chars: no string per charger
                w.Name("h");
                link.WriteHost(w, i);
                w.Property("s", ChargerState(o, i, error))
                    .Property("e", error)
                    .Property("et", ChargerError.Describe(error))
                    .Property("ac", g.CommandedCurrent(i))
                    .Property("ap", g.CommandedPhases(i))
                    .Property("sc", o.SupportedCurrent[i])
                    .Property("sp", o.ReportedPhases[i] | (o.CanSwitchPhases[i] ? 4 : 0))
                    .Property("lu", link.Heard(i) ? link.LastAcceptedMs(i) : -1)
                    .Property("uid", link.Esp32Uid(i))
                    .Property("r", (int)al.Reason[i])
                    .Property("rp", al.ReasonPhase[i])
                    .Property("ru", al.ReasonUntilMs[i] == ChargerAllocation.Never ? -1 : al.ReasonUntilMs[i])
                    .Property("rt", Reason(g, i, link, nowMs))
                    .Property("w", g.Guard.WaitingForOthers[i]);
                w.Name("lc").BeginArray().Value(Milliamps(o.LineCurrent1[i])).Value(Milliamps(o.LineCurrent2[i])).Value(Milliamps(o.LineCurrent3[i])).EndArray();
                w.EndObject();
            }
            w.EndArray().EndObject();
        }

        /// <summary>The reason in plain words; the link's view where it knows more (never heard, may not follow commands).</summary>
        static string Reason(Distributor g, int i, GroupLink l, long nowMs)
        {
            Contactor.PhaseSwitcher s = g.Switcher;
            if (s != null && s.HoldsAtZero)
                return s.Step == Contactor.SwitchStep.Error ? "contactor error: " + s.ErrorText : "switching to " + s.WantedPhases.ToString() + " phases";
            if (l.Error(i) == ChargerError.NeverHeard)
                return "not heard from since the start: no current";
            if (g.Uncontrolled(i))
                return ChargerError.Describe(l.Error(i)) + ": may not follow commands, counted as drawing " + l.WorstCurrent(i).ToString()
                    + " mA on " + l.WorstPhases(i).ToString() + " phases";
            return ReasonText.Describe(g.AllocationTable, i, nowMs);
        }

        public static void WriteLowLevelState(ChargeManagerApp app, JsonWriter w, long nowMs)
        {
            Distributor g = app.Group;
            w.BeginObject()
                .Property("uptime", nowMs)
                .Property("last_hyst_reset", Time(g.Allocator.LastHysteresisResetMs))
                .Property("next_rotation", Time(g.Allocator.NextRotationMs))
                .Property("startup_over", app.Link.StartupOver)
                .Property("unknown_sources", app.Link.UnknownSource)
                .Name("chargers").BeginArray();
            for (int i = 0; i < g.Count; i++)
            {
                AllocationTable a = g.AllocationTable;
                GroupLink l = app.Link;
                w.BeginObject()
                    .Property("rc", a.RequestedCurrent[i])
                    .Property("ae", a.AllocatedChargeMaMs[i] / 3600000 * 230 / 1000) // Wh at 230 V
                    .Property("ls", Time(a.LastSwitchOnMs[i]))
                    .Property("lp", Time(a.LastPlugInMs[i]))
                    .Property("lw", Time(a.LastWakeupMs[i]))
                    .Property("ip", Time(a.UseSupportedUntilMs[i]))
                    .Property("addr", l.Address(i) == 0 ? "" : HostName.FormatIpv4(l.Address(i)))
                    .Property("sv", l.StateVersion(i));
                Vector(w, "md", g.Guard.MayDraw(i, Phase.PV), g.Guard.MayDraw(i, Phase.L1), g.Guard.MayDraw(i, Phase.L2), g.Guard.MayDraw(i, Phase.L3));
                int foreign = l.Counter(i, GroupLink.CountForeignUid);
                w.Property("rx", l.Counter(i, GroupLink.CountAccepted)).Property("tx", l.Counter(i, GroupLink.CountSent))
                    .Property("bad", l.Counter(i, GroupLink.CountInvalid) + l.Counter(i, GroupLink.CountStale) + l.Counter(i, GroupLink.CountUnmanaged)
                        + l.Counter(i, GroupLink.CountFrozenUptime) + foreign)
                    .Property("foreign_uid", foreign).Property("uid_changes", l.Counter(i, GroupLink.CountUidChanges))
                    .Property("implausible", l.Counter(i, GroupLink.CountImplausible))
                    .EndObject();
            }
            w.EndArray().EndObject();
        }

        /// <summary>A measured line current in mA; -1 without a meter (NaN), 0 for the meter's "-0.001 A".</summary>
        static long Milliamps(float amps)
        {
            if (float.IsNaN(amps))
                return -1;
            // Clamped before the cast: nanoCLR wraps an out-of-range cast where .NET saturates.
            return amps <= 0 ? 0 : (long)(ChargeManager.Distribution.Protocol.StatePacket.Range(amps, ChargeManager.Distribution.Protocol.StatePacket.MaxAmps) * 1000f);
        }

        static long Time(long ms)
        {
            return ms <= ChargerAllocation.Never ? -1 : ms;
        }

        static void Vector(JsonWriter w, string name, long pv, long l1, long l2, long l3)
        {
            w.Name(name).BeginArray().Value(pv).Value(l1).Value(l2).Value(l3).EndArray();
        }
    }
}
