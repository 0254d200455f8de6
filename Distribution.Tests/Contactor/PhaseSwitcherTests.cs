using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Contactor;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Contactor;

/// <summary>A contactor on the bench: the contact follows the coil after a delay, unless it sticks, bounces or lies.</summary>
public sealed class BenchContactor : IContactor
{
    public bool Relay;
    public bool Contact;
    public long MovesAtMs = long.MaxValue;
    public int DelayMs = 80;
    public bool Stuck, Lies;
    public long Now;
    public readonly List<long> RelayChanges = new();

    public void SetRelay(bool threePhases)
    {
        if (threePhases != Relay)
            RelayChanges.Add(Now);
        Relay = threePhases;
        MovesAtMs = Now + DelayMs;
    }

    public bool FeedbackThreePhases
    {
        get
        {
            if (!Stuck && Now >= MovesAtMs)
                Contact = Relay;
            return Lies ? !Contact : Contact;
        }
    }
}

public class PhaseSwitcherTests(ITestOutputHelper output)
{
    readonly BenchContactor contactor = new() { Contact = true, Relay = true };
    long now;
    long stopAt = long.MaxValue;

    PhaseSwitcher New() => new(contactor, now);

    /// <summary>Runs in 100 ms steps with a fixed automatic choice; chargers stop 1.5 s after being told.</summary>
    void Run(PhaseSwitcher s, long ms, int choice, bool chargersStop = true)
    {
        for (long t = 0; t < ms; t += 100)
        {
            now += 100;
            contactor.Now = now;
            if (s.HoldsAtZero && stopAt == long.MaxValue)
                stopAt = now + 1500;
            if (!s.HoldsAtZero)
                stopAt = long.MaxValue;
            s.Tick(now, choice, chargersStop && now >= stopAt, true);
        }
    }

    [Fact]
    public void AtStart_ThePhaseCountIsReadFromTheFeedback_NeverAssumed()
    {
        contactor.Contact = false; // a power cut left the contactor open (one phase)
        contactor.Relay = true;
        var s = New();
        Assert.Equal(1, s.GroupPhases);
        Assert.False(contactor.Relay); // the coil is driven to match
        Assert.Equal(SwitchStep.Idle, s.Step);
    }

    [Fact]
    public void ThreeToOneToThree_TheWholeSequence()
    {
        var s = New();
        Run(s, 200_000, choice: 1);
        Assert.Equal(3, s.GroupPhases); // not before the dwell time
        Assert.Equal(SwitchStep.Idle, s.Step);

        var seen = new List<SwitchStep>();
        long started = 0;
        for (int k = 0; k < 400 && !(s.GroupPhases == 1 && s.Step == SwitchStep.Idle); k++)
        {
            Run(s, 100, choice: 1);
            if (seen.Count == 0 || seen[^1] != s.Step) seen.Add(s.Step);
            if (s.Step == SwitchStep.Stopping && started == 0) started = now;
        }
        Assert.Equal(new[] { SwitchStep.Stopping, SwitchStep.DisconnectingPilot, SwitchStep.Settling, SwitchStep.Toggling,
            SwitchStep.WaitingForFeedback, SwitchStep.Reconnecting, SwitchStep.Idle }, seen.SkipWhile(x => x == SwitchStep.Idle).ToArray());
        Assert.Equal(1, s.GroupPhases);
        Assert.False(contactor.Relay);
        output.WriteLine($"3 -> 1 phases took {now - started} ms (chargers stop in 1.5 s, settle 5 s, reconnect 5 s)");

        Run(s, 120_000, choice: 3);
        Assert.Equal(1, s.GroupPhases); // the hysteresis holds
        Run(s, 320_000, choice: 3);
        Assert.Equal(3, s.GroupPhases);
        Assert.Equal(2, s.Toggles);
    }

    [Fact]
    public void ChargersHoldAtZeroDuringTheWholeSwitch()
    {
        var s = New();
        Run(s, 210_000, choice: 1);
        int held = 0;
        for (int k = 0; k < 200; k++)
        {
            Run(s, 100, choice: 1);
            if (s.Step is SwitchStep.Settling or SwitchStep.Toggling or SwitchStep.WaitingForFeedback)
            {
                Assert.True(s.HoldsAtZero);
                Assert.True(s.PilotDisconnected);
                held++;
            }
        }
        Assert.True(held > 50);
    }

    [Fact]
    public void AStuckContactor_LatchesAnError_UntilReset()
    {
        var s = New();
        contactor.Stuck = true;
        Run(s, 260_000, choice: 1);
        Assert.Equal(SwitchStep.Error, s.Step);
        Assert.True(s.HoldsAtZero);
        Assert.Contains("did not confirm 1 phases after 3 attempts", s.ErrorText);
        Assert.Equal(3, s.Toggles); // three attempts, each driving the coil
        Run(s, 600_000, choice: 1);
        Assert.Equal(SwitchStep.Error, s.Step); // latched: no new attempt by itself
        s.Reset(now);
        Assert.Equal(SwitchStep.Idle, s.Step);
        Assert.Equal(3, s.GroupPhases); // what the contact says
        Assert.True(contactor.Relay);
    }

    [Fact]
    public void TogglesRespectTheDeadTime()
    {
        var s = New();
        contactor.Stuck = true;
        var attempts = new List<long>();
        int toggles = 0;
        for (int k = 0; k < 3000 && s.Step != SwitchStep.Error; k++)
        {
            Run(s, 100, choice: 1);
            if (s.Toggles != toggles) { toggles = s.Toggles; attempts.Add(now); }
        }
        Assert.Equal(3, attempts.Count);
        for (int i = 1; i < attempts.Count; i++)
            Assert.True(attempts[i] - attempts[i - 1] >= PhaseSwitcher.DeadTimeMs);
    }

    [Fact]
    public void AChargerThatKeepsDrawing_StopsTheSwitchWithAnError()
    {
        var s = New();
        Run(s, 210_000, choice: 1, chargersStop: false);
        Run(s, 31_000, choice: 1, chargersStop: false);
        Assert.Equal(SwitchStep.Error, s.Step);
        Assert.Contains("kept its current", s.ErrorText);
        Assert.True(contactor.Relay); // the contactor never moved under load
        Assert.Empty(contactor.RelayChanges);
    }

    [Fact]
    public void ABriefBounceIsTolerated_AContactThatChangesByItselfIsAnError()
    {
        var s = New();
        contactor.Now = now;
        contactor.Lies = true;
        Run(s, 500, choice: 3);
        contactor.Lies = false;
        Run(s, 2000, choice: 3);
        Assert.Equal(SwitchStep.Idle, s.Step);
        contactor.Lies = true;
        Run(s, 1500, choice: 3);
        Assert.Equal(SwitchStep.Error, s.Step);
        Assert.Contains("by itself", s.ErrorText);
    }

    [Fact]
    public void ALimitWaveringAroundTheThreshold_NeverMakesTheContactorChatter()
    {
        var s = New();
        for (int minute = 0; minute < 24 * 60; minute++)
            for (int k = 0; k < 6; k++)
                Run(s, 10_000, choice: k % 2 == 0 ? 1 : 3); // flips every 10 s for a day
        Assert.Equal(0, s.Toggles);

        int[] choices = { 1, 3 };
        for (int period = 0; period < 24 * 12; period++) // flips every 5 minutes for a day
            Run(s, 300_000, choices[period % 2]);
        output.WriteLine($"limit flipping every 5 min for a day: {s.Toggles} toggles");
        Assert.True(s.Toggles <= 86_400 / 210, $"{s.Toggles} toggles");
    }

    [Fact]
    public void APinnedPhaseCountSwitchesWithoutWaitingForTheDwell()
    {
        var s = New();
        s.Mode = 1;
        Run(s, 20_000, choice: 3);
        Assert.Equal(1, s.GroupPhases);
    }

    [Fact]
    public void TheAutomaticChoice()
    {
        var config = new AllocatorConfig { MinimumCurrent3p = 6000, MinimumCurrent1p = 6000 };
        Assert.Equal(3, PhaseSwitcher.Choose(16000, 16000, 16000, config));
        Assert.Equal(1, PhaseSwitcher.Choose(16000, 4000, 16000, config));
        Assert.Equal(0, PhaseSwitcher.Choose(3000, 3000, 3000, config));
    }
}
