using ChargeManager.Distribution.Allocation.Stages;
using ChargeManager.Distribution.Phases;
using ChargeManager.Distribution.Util;

namespace ChargeManager.Distribution.Allocation
{
    /// <summary>
    /// Turns per-phase limits and the chargers' latest observations into a plan: a current,
    /// a phase count and a reason per charger, such that on every grid phase the plan's cost
    /// never exceeds the limit. A pure function of its inputs and its own carried state; it does
    /// no I/O and allocates nothing per run. How the plan reaches the chargers without overshoot
    /// on the way is <see cref="Transition.TransitionGuard"/>'s job.
    /// </summary>
    public sealed class Allocator
    {
        readonly AllocationRun run;
        long lastRunMs = ChargerAllocation.Never;
        readonly int[] recentLow = new int[Phase.VectorLength];
        readonly long[] recentLowAtMs = new long[Phase.VectorLength];
        readonly int[] previousLimit = new int[Phase.VectorLength];
        readonly long[] lastRiseMs = new long[Phase.VectorLength];
        readonly long[] flappingUntilMs = new long[Phase.VectorLength];

        /// <summary>Cost of the last plan per [PV, L1, L2, L3].</summary>
        public readonly int[] Allocated = new int[Phase.VectorLength];

        public Allocator(AllocatorConfig config, ChargerObservation[] observations, ChargerAllocation[] allocations)
            : this(new AllocationRun(config, observations, allocations))
        {
        }

        /// <summary>For a group's tables (row i: charger i).</summary>
        public Allocator(AllocatorConfig config, ObservationTable observations, AllocationTable allocations)
            : this(new AllocationRun(config, observations, allocations))
        {
        }

        Allocator(AllocationRun run)
        {
            this.run = run;
            for (int p = 0; p < Phase.VectorLength; p++)
            {
                run.Limit[p] = Phase.Unlimited;
                recentLowAtMs[p] = ChargerAllocation.Never;
                lastRiseMs[p] = ChargerAllocation.Never;
                flappingUntilMs[p] = ChargerAllocation.Never;
                previousLimit[p] = Phase.Unlimited;
                run.AdmissionLowUntilMs[p] = ChargerAllocation.Never;
            }
        }

        public AllocatorConfig Config { get { return run.Config; } }
        /// <summary>When the plan last switched any charger (ms); each charger's hysteresis counts from its own last switch.</summary>
        public long LastHysteresisResetMs { get { return run.LastHysteresisResetMs; } }
        public long NextRotationMs { get { return run.NextRotationMs; } }
        /// <summary>The local time of day (ms since midnight) the last run was given, -1 when the clock was not synced.</summary>
        public long LastTimeOfDayMs { get { return run.TimeOfDayMs; } }
        public long LastRunMs { get { return lastRunMs; } }

        /// <summary>When the admission limit of the last run returns to the limit on some phase, if no lower value comes (ms), or Never: a run then starts whoever waited for it.</summary>
        public long AdmissionSteadyAtMs
        {
            get
            {
                long steady = ChargerAllocation.Never;
                for (int p = Phase.L1; p <= Phase.L3; p++)
                {
                    long until = run.AdmissionLowUntilMs[p];
                    if (until != ChargerAllocation.Never && (steady == ChargerAllocation.Never || until < steady))
                        steady = until;
                }
                return steady;
            }
        }

        /// <summary>Blocks every charger (a group-blocking error of the link layer).</summary>
        public bool GroupBlocked
        {
            get { return run.GroupBlocked; }
            set { run.GroupBlocked = value; }
        }

        public int Limit(int phase)
        {
            return run.Limit[phase];
        }

        /// <summary>Keeps the group-wide memory (hysteresis, rotation, fairness clock) of the allocator a changed charger list replaces.</summary>
        public void CarryFrom(Allocator previous)
        {
            run.LastHysteresisResetMs = previous.run.LastHysteresisResetMs;
            run.NextRotationMs = previous.run.NextRotationMs;
            lastRunMs = previous.lastRunMs;
        }

        /// <summary>Runs every stage once. timeOfDayMs: local time since midnight, or -1 when the clock is not synced.</summary>
        public void Run(int limitL1, int limitL2, int limitL3, long nowMs, long timeOfDayMs)
        {
            run.NowMs = nowMs;
            run.TimeOfDayMs = timeOfDayMs;
            run.Limit[Phase.PV] = Phase.Unlimited;
            run.Limit[Phase.L1] = Ints.Max(limitL1, 0);
            run.Limit[Phase.L2] = Ints.Max(limitL2, 0);
            run.Limit[Phase.L3] = Ints.Max(limitL3, 0);
            TrackRecentLow(nowMs);

            DemandStage.Run(run);
            StartBudget();
            RotationStage.Run(run);
            WelcomeChargeStage.Run(run);
            OverloadStage.Run(run);
            ActivationStage.Run(run);
            PhaseUpgradeStage.Run(run);
            ShareStage.GrantMinimums(run);
            ShareStage.ShareFairly(run);
            ShareStage.GrantLeftOvers(run, false);
            WakeupStage.Run(run);
            ShareStage.GrantLeftOvers(run, true);
            BalanceStage.Run(run);
            ExplainStage.Run(run);
            Apply();
        }

        /// <summary>
        /// The admission limit per phase. While the limit flaps (it dropped again within the
        /// hysteresis after it had risen), it is the lowest limit seen within the hysteresis: that
        /// follows a lower limit at once and a higher one only after the hysteresis without a lower
        /// value, so a flapping limit admits only what fits its lower level, and the chargers started
        /// are not shed at the next drop. Otherwise (steps, ramps, a limit that changes less often
        /// than the hysteresis) it is the limit itself. Runs happen on every drop and at least every
        /// interval, so no low is missed.
        /// </summary>
        void TrackRecentLow(long nowMs)
        {
            int window = run.Config.GlobalHysteresisMs;
            for (int p = 0; p < Phase.VectorLength; p++)
            {
                int limit = run.Limit[p];
                if (limit > previousLimit[p])
                    lastRiseMs[p] = nowMs;
                else if (limit < previousLimit[p] && lastRiseMs[p] != ChargerAllocation.Never && nowMs - lastRiseMs[p] < window)
                    flappingUntilMs[p] = nowMs + window;
                previousLimit[p] = limit;
                if (recentLowAtMs[p] == ChargerAllocation.Never || limit <= recentLow[p] || nowMs - recentLowAtMs[p] >= window)
                {
                    recentLow[p] = limit;
                    recentLowAtMs[p] = nowMs;
                }
                run.AdmissionLimit[p] = nowMs < flappingUntilMs[p] ? Ints.Min(limit, recentLow[p]) : limit;
                run.AdmissionLowUntilMs[p] = run.AdmissionLimit[p] < limit
                    ? Ints.Min(flappingUntilMs[p], recentLowAtMs[p] + window)
                    : ChargerAllocation.Never;
            }
        }

        /// <summary>The budget starts at the limit less what held (silent) chargers may still draw.</summary>
        void StartBudget()
        {
            for (int p = 0; p < Phase.VectorLength; p++)
                run.Remaining[p] = run.Limit[p];
            AllocationTable a = run.Plan;
            for (int i = 0; i < run.Count; i++)
            {
                if (a.Held[i])
                    Cost.Add(run.Remaining, 0, a.Current[i], a.Phases[i], run.Seen.Rotation[i], -1);
            }
        }

        /// <summary>Bookkeeping that carries into the next run (spec §3.8), and the per-phase totals.</summary>
        void Apply()
        {
            AllocatorConfig config = run.Config;
            long now = run.NowMs;
            long elapsed = lastRunMs == ChargerAllocation.Never ? 0 : Ints.Max(now - lastRunMs, 0);
            lastRunMs = now;
            for (int p = 0; p < Phase.VectorLength; p++)
                Allocated[p] = 0;

            AllocationTable a = run.Plan;
            ObservationTable o = run.Seen;
            for (int i = 0; i < run.Count; i++)
            {
                if (a.Phases[i] == 0)
                    a.Current[i] = 0;
                Cost.Add(Allocated, 0, a.Current[i], a.Phases[i], o.Rotation[i], 1);

                // What the previous plan gave since the last run counts toward fairness.
                a.AllocatedChargeMaMs[i] += (long)a.PreviousCurrent[i] * a.PreviousPhases[i] * elapsed;

                // A shed forced by a hard limit (or by a welcome charge) is not the charger's own
                // switch: it may come back as soon as it fits, if its last switch-on was a hysteresis ago.
                bool forcedOff = a.Phases[i] == 0 && a.Reason[i] == AllocationReason.PhaseOverload;
                if (a.Phases[i] != a.PreviousPhases[i] && !forcedOff)
                {
                    a.LastSwitchMs[i] = now;
                    run.LastHysteresisResetMs = now; // the group's last switch, shown in the API
                }
                if (a.PreviousPhases[i] == 0 && a.Phases[i] != 0)
                    a.LastSwitchOnMs[i] = now;
                if (a.Phases[i] != 0 && o.ReportedPhases[i] != a.Phases[i])
                    a.LastPhaseSwitchMs[i] = now;
                if (a.Reason[i] == AllocationReason.WakingUp && a.PreviousPhases[i] == 0 && !(now < a.LastWakeupMs[i] + config.WakeupTimeMs))
                    a.LastWakeupMs[i] = now;
                if (a.Phases[i] != 0 && a.Current[i] < a.RequestedCurrent[i] && a.IsCharging[i] && a.UseSupportedUntilMs[i] < now)
                    a.UseSupportedUntilMs[i] = now + config.RequestedCurrentThresholdMs;

                if (a.WelcomeUntilMs[i] == DemandStage.WelcomePending && a.Phases[i] != 0)
                    a.WelcomeUntilMs[i] = now + config.PlugInTimeMs;
                else if (a.WelcomeUntilMs[i] != ChargerAllocation.Never && a.WelcomeUntilMs[i] != DemandStage.WelcomePending
                    && (now >= a.WelcomeUntilMs[i] || (a.PreviousPhases[i] != 0 && a.Phases[i] == 0)))
                    a.WelcomeUntilMs[i] = ChargerAllocation.Never;
            }
        }
    }
}
