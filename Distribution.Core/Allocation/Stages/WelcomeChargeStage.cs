namespace ChargeManager.Distribution.Allocation.Stages
{
    /// <summary>
    /// Stage 2: a car plugged in since the last run gets phases at once, ignoring hysteresis and
    /// limits, because some cars give up if they see no current soon after plug-in. The overload
    /// stage that follows keeps hard limits: it pauses as few chargers as it takes, welcome
    /// chargers last among equals (a welcome charge whose pause alone is enough goes before two others).
    /// </summary>
    public static class WelcomeChargeStage
    {
        public static void Run(AllocationRun run)
        {
            for (int i = 0; i < run.Count; i++)
            {
                AllocationTable a = run.Plan;
                if (!run.IsFree(i) || !a.WantsToCharge[i] || a.WelcomeUntilMs[i] <= run.NowMs)
                    continue;
                if (a.Phases[i] == 0)
                    a.Phases[i] = a.PinnedPhases[i] == 0 ? 1 : a.PinnedPhases[i];
                long until = a.WelcomeUntilMs[i] == DemandStage.WelcomePending
                    ? run.NowMs + run.Config.PlugInTimeMs
                    : a.WelcomeUntilMs[i];
                a.SetReason(i, AllocationReason.WelcomeCharge, 0, until);
            }
        }
    }
}
