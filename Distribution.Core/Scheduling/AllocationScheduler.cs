using ChargeManager.Distribution.Allocation;

namespace ChargeManager.Distribution.Scheduling
{
    /// <summary>
    /// When the allocator runs: every allocation interval; at once when the situation got tighter
    /// (a lower limit, a car unplugged) because reductions are always safe and urgent; and early,
    /// at most once per rate-limit period, when a car plugs in or a charger asks for it.
    /// </summary>
    public sealed class AllocationScheduler
    {
        const long Never = long.MinValue / 4;

        readonly AllocatorConfig config;
        long nextRunMs = Never;
        long lastRunMs = Never;
        bool runNow = true;

        public AllocationScheduler(AllocatorConfig config)
        {
            this.config = config;
        }

        /// <summary>Runs on the next tick, whatever the interval says.</summary>
        public void RequestNow()
        {
            runNow = true;
        }

        /// <summary>Pulls the next run forward, but not closer than the rate limit to the last one.</summary>
        public void RequestSoon()
        {
            long earliest = lastRunMs == Never ? 0 : lastRunMs + config.ReallocationRateLimitMs;
            if (nextRunMs == Never || earliest < nextRunMs)
                nextRunMs = earliest;
        }

        public bool IsDue(long nowMs)
        {
            return runNow || nextRunMs == Never || nowMs >= nextRunMs;
        }

        public void Ran(long nowMs)
        {
            runNow = false;
            lastRunMs = nowMs;
            nextRunMs = nowMs + config.AllocationIntervalMs;
        }

        public long NextRunMs
        {
            get { return runNow ? lastRunMs : nextRunMs; }
        }
    }
}
