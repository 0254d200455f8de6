using ChargeManager.Distribution.Allocation;

namespace ChargeManager.Distribution.Contactor
{
    /// <summary>
    /// Switches a charger group between one and three phases through one external contactor, safely:
    /// stop every charger (0 A, confirmed by each) → disconnect the control pilot where supported →
    /// settle → toggle the relay (never twice within the dead time) → wait for the auxiliary contact
    /// to confirm (with retries) → reconnect → hand back to the allocator. Chargers that do not stop, or
    /// a contactor that does not confirm, latch an error: 0 A for the whole group until reset.
    ///
    /// It decides when, too: the wanted phase count must stay wanted for the dwell time, and not sooner
    /// than the hysteresis after the last switch, so a limit wavering around the threshold never makes
    /// the contactor chatter. At start the phase count is read from the feedback, never assumed.
    /// </summary>
    public sealed class PhaseSwitcher
    {
        public const int StopTimeoutMs = 30000;
        public const int PilotTimeoutMs = 10000;
        public const int SettleMs = 5000;
        public const int DeadTimeMs = 2000;
        public const int FeedbackTimeoutMs = 2000;
        public const int ToggleAttempts = 3;
        public const int ReconnectMs = 5000;
        /// <summary>How long the feedback may disagree while idle (contact bounce) before it is an error.</summary>
        public const int IdleMismatchMs = 1000;

        readonly IContactor contactor;
        const long Never = long.MinValue / 4;

        public SwitchStep Step;
        public int GroupPhases;           // what the contactor provides (and the chargers get)
        public int WantedPhases;
        public int Mode;                  // 0 automatic, 1 or 3: pinned by the user
        public string ErrorText;
        public int Toggles;
        public long LastSwitchMs = Never;
        public long SwitchStartedMs = Never;

        long stepSinceMs, lastToggleMs = Never, wantedSinceMs = Never, mismatchSinceMs = Never;
        int attempts;
        int wantedAuto;

        /// <summary>How long a new phase count must be wanted before switching, and the least time between switches.</summary>
        public int DwellMs = 210000;
        public int HysteresisMs = 210000;

        public PhaseSwitcher(IContactor contactor, long nowMs)
        {
            this.contactor = contactor;
            // After a power cut mid-switch the relay may be anywhere: believe the contact, then drive the coil to match.
            GroupPhases = contactor.FeedbackThreePhases ? 3 : 1;
            contactor.SetRelay(GroupPhases == 3);
            WantedPhases = GroupPhases;
            wantedAuto = GroupPhases;
            Step = SwitchStep.Idle;
            stepSinceMs = nowMs;
        }

        /// <summary>While true every charger of the group must get 0 A (switching, or a latched error).</summary>
        public bool HoldsAtZero { get { return Step != SwitchStep.Idle; } }

        /// <summary>True while a switch is under way: vehicles seem to stop, but the allocator must not react.</summary>
        public bool Switching { get { return Step != SwitchStep.Idle && Step != SwitchStep.Error; } }

        /// <summary>While true the chargers that support it should disconnect their control pilot.</summary>
        public bool PilotDisconnected
        {
            get { return Step == SwitchStep.DisconnectingPilot || Step == SwitchStep.Settling || Step == SwitchStep.Toggling || Step == SwitchStep.WaitingForFeedback; }
        }

        /// <summary>Clears a latched error (the user, through the API). The group stays on what the feedback says.</summary>
        public void Reset(long nowMs)
        {
            if (Step != SwitchStep.Error)
                return;
            GroupPhases = contactor.FeedbackThreePhases ? 3 : 1;
            contactor.SetRelay(GroupPhases == 3);
            WantedPhases = GroupPhases;
            ErrorText = null;
            Enter(SwitchStep.Idle, nowMs);
            LastSwitchMs = nowMs; // a fresh hysteresis before the next attempt
        }

        /// <summary>
        /// Automatic choice: three phases when every phase can carry a three-phase minimum, else one phase
        /// when a phase can carry a one-phase minimum; 0 (stay as it is) when neither can.
        /// </summary>
        public static int Choose(int l1, int l2, int l3, AllocatorConfig config)
        {
            int least = l1 < l2 ? (l1 < l3 ? l1 : l3) : (l2 < l3 ? l2 : l3);
            if (least >= config.MinimumCurrent3p)
                return 3;
            int most = l1 > l2 ? (l1 > l3 ? l1 : l3) : (l2 > l3 ? l2 : l3);
            return most >= config.MinimumCurrent1p ? 1 : 0;
        }

        /// <summary>
        /// One step. allApplyZero: every charger of the group reports 0 A applied; allPilotsOff: every
        /// charger that can disconnect its pilot reports it disconnected.
        /// </summary>
        public void Tick(long nowMs, int automaticChoice, bool allApplyZero, bool allPilotsOff)
        {
            UpdateWanted(nowMs, automaticChoice);
            long inStep = nowMs - stepSinceMs;
            switch (Step)
            {
                case SwitchStep.Idle:
                    if (WatchIdleFeedback(nowMs))
                        return;
                    if (WantedPhases != GroupPhases && DueToSwitch(nowMs))
                    {
                        SwitchStartedMs = nowMs;
                        attempts = 0;
                        Enter(SwitchStep.Stopping, nowMs);
                    }
                    break;
                case SwitchStep.Stopping:
                    if (allApplyZero)
                        Enter(SwitchStep.DisconnectingPilot, nowMs);
                    else if (inStep >= StopTimeoutMs)
                        Fail(nowMs, "a charger kept its current for " + (StopTimeoutMs / 1000).ToString() + " s: the contactor was not switched");
                    break;
                case SwitchStep.DisconnectingPilot:
                    if (allPilotsOff || inStep >= PilotTimeoutMs)
                        Enter(SwitchStep.Settling, nowMs);
                    break;
                case SwitchStep.Settling:
                    if (!allApplyZero)
                        Fail(nowMs, "a charger applied current again while the contactor was to move");
                    else if (inStep >= SettleMs)
                        Enter(SwitchStep.Toggling, nowMs);
                    break;
                case SwitchStep.Toggling:
                    if (nowMs - lastToggleMs >= DeadTimeMs)
                    {
                        contactor.SetRelay(WantedPhases == 3);
                        lastToggleMs = nowMs;
                        Toggles++;
                        attempts++;
                        Enter(SwitchStep.WaitingForFeedback, nowMs);
                    }
                    break;
                case SwitchStep.WaitingForFeedback:
                    if ((contactor.FeedbackThreePhases ? 3 : 1) == WantedPhases)
                    {
                        GroupPhases = WantedPhases;
                        Enter(SwitchStep.Reconnecting, nowMs);
                    }
                    else if (inStep >= FeedbackTimeoutMs)
                    {
                        if (attempts >= ToggleAttempts)
                            Fail(nowMs, "the contactor did not confirm " + WantedPhases.ToString() + " phases after "
                                + attempts.ToString() + " attempts");
                        else
                            Enter(SwitchStep.Toggling, nowMs); // try again after the dead time
                    }
                    break;
                case SwitchStep.Reconnecting:
                    if (inStep >= ReconnectMs)
                    {
                        LastSwitchMs = nowMs;
                        mismatchSinceMs = Never;
                        Enter(SwitchStep.Idle, nowMs);
                    }
                    break;
            }
        }

        void UpdateWanted(long nowMs, int automaticChoice)
        {
            int wanted = Mode == 1 || Mode == 3 ? Mode : automaticChoice == 0 ? GroupPhases : automaticChoice;
            if (wanted != wantedAuto)
            {
                wantedAuto = wanted;
                wantedSinceMs = nowMs;
            }
            if (Step == SwitchStep.Idle)
                WantedPhases = wanted;
        }

        bool DueToSwitch(long nowMs)
        {
            bool pinned = Mode == 1 || Mode == 3;
            bool stable = pinned || wantedSinceMs == Never || nowMs - wantedSinceMs >= DwellMs;
            bool rested = LastSwitchMs == Never || nowMs - LastSwitchMs >= HysteresisMs;
            return stable && (rested || pinned);
        }

        /// <summary>Idle, the contact must agree with what the group is on; a short bounce is tolerated.</summary>
        bool WatchIdleFeedback(long nowMs)
        {
            bool agrees = (contactor.FeedbackThreePhases ? 3 : 1) == GroupPhases;
            if (agrees)
            {
                mismatchSinceMs = Never;
                return false;
            }
            if (mismatchSinceMs == Never)
                mismatchSinceMs = nowMs;
            if (nowMs - mismatchSinceMs < IdleMismatchMs)
                return false;
            Fail(nowMs, "the contactor's feedback changed to " + (GroupPhases == 3 ? "1" : "3") + " phases by itself");
            return true;
        }

        void Fail(long nowMs, string why)
        {
            ErrorText = why;
            Enter(SwitchStep.Error, nowMs);
        }

        void Enter(SwitchStep step, long nowMs)
        {
            Step = step;
            stepSinceMs = nowMs;
        }
    }
}
