using ChargeManager.Distribution.Allocation;
using ChargeManager.Distribution.Phases;
using ChargeManager.Simulation;

namespace ChargeManager.Scenarios;

public sealed class Metrics
{
    public string Policy;
    public double PeakOvershootA;      // caused by the manager: outside the compliance window after an external drop
    public double OvershootAs;         // its integral, A·s
    public double MaxComplyS, MeanComplyS;
    public double EnergyKwh, DemandMet; // delivered, and the share of what the cars wanted
    public double Utilisation;         // ∫ drawn / ∫ limit, over the phases, while cars wanted current
    public double JainCurrent, JainEnergy;
    public double LongestWaitS;
    public double ChurnPerCarHour;
    public double PeakImbalanceA;
    public double[] CarKwh = [];       // per car, in the scenario's order
}

/// <summary>One plot sample: the limit and each charger's draw per grid phase.</summary>
public sealed record Sample(double TimeS, int[] Limit, int[][] Draw);

/// <summary>
/// Runs a scenario through a policy at 100 ms steps, deterministically: commands reach a charger's slot
/// one step later, states go back once a second (and soon after a command changes), cars start a few
/// seconds after they are offered enough and follow a reduction only after follow_s.
/// </summary>
public static class ScenarioRunner
{
    const int StepMs = 100;

    /// <summary>A scenario's charger: the charger model shared with GroupSimulation, and when the runner sent it what.</summary>
    sealed class Charger
    {
        public ChargerSpec Spec;
        public SimulatedCharger Sim;
        public int Command, CommandPhases;  // the last command sent
        public long NextStateMs;
        public int Slot => Sim.Applied;
        public int Phases => Sim.WiredPhases;
    }

    /// <summary>A scenario's car: when it is there, and the car itself (the model shared with GroupSimulation).</summary>
    sealed class Car
    {
        public CarSpec Spec;
        public SimulatedCar Model;
        public bool Present;
        public double PresentS;
        public long ArrivedMs;
        public double WaitS = -1;
        public bool Full => Model.Full;
        public int Draw => Model.Draw;
        public double Wh => Model.Wh;
    }

    public static (Metrics metrics, List<Sample> samples) Run(Scenario s, IPolicy policy)
    {
        var chargers = s.Chargers.Select(c => new Charger
        {
            Spec = c,
            // Its physical wiring: an unknown rotation (0) is wired as L123; the manager is told the spec's.
            Sim = new SimulatedCharger { Rotation = (PhaseRotation)(c.Rotation == 0 ? 1 : c.Rotation), Switchable = c.Switchable, WiredPhases = c.Phases },
        }).ToArray();
        var cars = s.Cars.Select(c => new Car
        {
            Spec = c,
            Model = new SimulatedCar
            {
                MaxCurrent = c.MaxCurrent, Phases = c.Phases, WantsWh = c.EnergyKwh * 1000,
                StartDelayMs = c.StartDelayS * 1000, FollowMs = c.FollowS * 1000, RiseMs = 1000,
            },
        }).ToArray();
        var m = new Metrics { Policy = policy.Name };
        var samples = new List<Sample>();
        int n = chargers.Length;
        var command = new int[n];
        var commandPhases = new int[n];
        var limit = new int[4];
        var comply = new List<double>();
        long dropAtMs = -1;
        double drawnAs = 0, limitAs = 0;
        var random = new Random(1); // deterministic: the same scenario gives the same run
        for (int i = 0; i < n; i++)
        {
            policy.Observations[i].Rotation = (PhaseRotation)chargers[i].Spec.Rotation;
            chargers[i].NextStateMs = i * 1000 / Math.Max(n, 1);
            chargers[i].Sim.NetworkDelayMs = random.Next(5, 200);
        }

        for (long now = 0; now <= s.DurationS * 1000L; now += StepMs)
        {
            // The limit.
            var l = LimitAt(s, now);
            bool drop = l[1] < limit[1] || l[2] < limit[2] || l[3] < limit[3];
            if (l[1] != limit[1] || l[2] != limit[2] || l[3] != limit[3])
            {
                Array.Copy(l, limit, 4);
                policy.SetLimits(l[1], l[2], l[3]);
                if (drop && dropAtMs < 0 && Exceeds(chargers, limit)) dropAtMs = now;
            }

            // Cars arrive, fill up, leave.
            foreach (var car in cars)
            {
                var c = chargers[car.Spec.Charger];
                bool present = now >= car.Spec.ArriveS * 1000L && now < car.Spec.LeaveS * 1000L;
                if (present && !car.Present) { car.Present = true; car.ArrivedMs = now; c.Sim.Car = car.Model; c.Sim.Plug(now, false); }
                if (!present && car.Present) { car.Present = false; c.Sim.Unplug(now); }
            }

            // Slots take the commands that have arrived; the car follows its slot.
            foreach (var c in chargers)
            {
                int slot = c.Slot, phases = c.Phases;
                c.Sim.Receive(now);
                if (c.Slot != slot || c.Phases != phases)
                    c.NextStateMs = Math.Min(c.NextStateMs, now + 300); // a changed slot is reported soon
            }
            foreach (var car in cars.Where(x => x.Present))
                StepCar(car, chargers[car.Spec.Charger], now);

            // States back to the manager.
            for (int i = 0; i < n; i++)
            {
                var c = chargers[i];
                if (now < c.NextStateMs) continue;
                c.NextStateMs = now + 1000;
                var o = policy.Observations[i];
                c.Sim.WriteObservation(o, now);
                o.Rotation = (PhaseRotation)c.Spec.Rotation; // what the manager is told
                policy.StateReceived(i, now);
            }

            policy.Tick(now, command, commandPhases);
            for (int i = 0; i < n; i++)
            {
                var c = chargers[i];
                // Ours sends a changed command at once; a plain manager sends one charger per 1000/N ms, round-robin.
                // Round-robin: charger i's turn comes every second at i × 1000/N ms.
                long offset = i * 1000L / n;
                bool due = ((now - offset) % 1000 + 1000) % 1000 < StepMs;
                // Both also repeat each charger's command once a second (a charger falls back to 0 A after 30 s without one).
                bool changed = command[i] != c.Command || commandPhases[i] != c.CommandPhases;
                if ((policy.SendsChangesAtOnce && changed) || due)
                {
                    c.Sim.Send(now, command[i], commandPhases[i], false);
                    c.Command = command[i];
                    c.CommandPhases = commandPhases[i];
                }
            }

            // Measure.
            var drawn = new int[4];
            foreach (var car in cars.Where(x => x.Present && x.Draw > 0))
                for (int p = 1; p <= 3; p++) drawn[p] += DrawOn(car, chargers[car.Spec.Charger], p);
            bool wanted = cars.Any(x => x.Present && !x.Full);
            for (int p = 1; p <= 3; p++)
            {
                int slots = chargers.Sum(c => SlotOn(c, p));
                double excessA = Math.Max(0, slots - limit[p]) / 1000.0;
                if (dropAtMs < 0 && excessA > 0)
                {
                    m.PeakOvershootA = Math.Max(m.PeakOvershootA, excessA);
                    m.OvershootAs += excessA * StepMs / 1000.0;
                }
                if (wanted) { drawnAs += drawn[p] * StepMs / 1e6; limitAs += limit[p] * StepMs / 1e6; }
            }
            if (dropAtMs >= 0 && !Exceeds(chargers, limit)) { comply.Add((now - dropAtMs) / 1000.0); dropAtMs = -1; }
            m.PeakImbalanceA = Math.Max(m.PeakImbalanceA, (Math.Max(drawn[1], Math.Max(drawn[2], drawn[3])) - Math.Min(drawn[1], Math.Min(drawn[2], drawn[3]))) / 1000.0);
            if (now % 30_000 == 0)
                samples.Add(new Sample(now / 1000.0, (int[])limit.Clone(), chargers.Select(c =>
                    new[] { 0, 1, 2, 3 }.Select(p => cars.Where(x => x.Present && x.Spec.Charger == Array.IndexOf(chargers, c)).Sum(x => DrawOn(x, c, p))).ToArray()).ToArray()));
        }

        double wantedWh = cars.Sum(c => Math.Min(c.Spec.EnergyKwh * 1000, EnergyPossible(c)));
        m.EnergyKwh = cars.Sum(c => c.Wh) / 1000;
        m.CarKwh = cars.Select(c => c.Wh / 1000).ToArray();
        m.DemandMet = wantedWh > 0 ? cars.Sum(c => c.Wh) / wantedWh : 1;
        m.Utilisation = limitAs > 0 ? drawnAs / limitAs : 0;
        m.JainCurrent = Jain(cars.Select(c => c.PresentS > 0 ? c.Wh / c.PresentS : 0));
        m.JainEnergy = Jain(cars.Select(c => c.Wh / (c.Spec.EnergyKwh * 1000)));
        m.LongestWaitS = cars.Max(c => c.WaitS < 0 ? c.PresentS : c.WaitS);
        double carHours = cars.Sum(c => c.PresentS) / 3600;
        m.ChurnPerCarHour = carHours > 0 ? cars.Sum(c => c.Model.Switches) / carHours : 0;
        m.MaxComplyS = comply.Count > 0 ? comply.Max() : 0;
        m.MeanComplyS = comply.Count > 0 ? comply.Average() : 0;
        return (m, samples);
    }

    /// <summary>What a car could have had at most: its time plugged in at its own maximum.</summary>
    static double EnergyPossible(Car c) =>
        (c.Spec.LeaveS - c.Spec.ArriveS - c.Spec.StartDelayS) * c.Spec.MaxCurrent / 1000.0 * 230 * c.Spec.Phases / 3600;

    static void StepCar(Car car, Charger c, long now)
    {
        car.PresentS += StepMs / 1000.0;
        c.Sim.StepCar(now, 6000, StepMs);
        if (car.Model.Drawing && car.WaitS < 0) car.WaitS = (now - car.ArrivedMs) / 1000.0;
    }

    static int Rotation(Charger c) => c.Spec.Rotation == 0 ? 1 : c.Spec.Rotation; // the physical wiring, known or not to the manager

    static int DrawOn(Car car, Charger c, int p)
    {
        int phases = Math.Min(car.Spec.Phases, c.Phases);
        return Cost.On(p, car.Draw, phases, (PhaseRotation)Rotation(c));
    }

    static int SlotOn(Charger c, int p) => Cost.On(p, c.Slot, c.Phases, (PhaseRotation)Rotation(c));

    static bool Exceeds(Charger[] chargers, int[] limit)
    {
        for (int p = 1; p <= 3; p++)
            if (chargers.Sum(c => SlotOn(c, p)) > limit[p]) return true;
        return false;
    }

    public static int[] LimitAt(Scenario s, long nowMs)
    {
        double t = nowMs / 1000.0;
        int k = s.Limits.FindLastIndex(x => x.AtS <= t);
        var step = s.Limits[k];
        var before = k > 0 ? s.Limits[k - 1] : step;
        double f = step.RampS > 0 ? Math.Min(1, (t - step.AtS) / step.RampS) : 1;
        int Mix(int a, int b) => (int)(a + (b - a) * f) / 100 * 100;
        return new[] { 0, Mix(before.L1, step.L1), Mix(before.L2, step.L2), Mix(before.L3, step.L3) };
    }

    /// <summary>Jain's fairness index: 1 when everyone got the same, 1/n when one got everything.</summary>
    public static double Jain(IEnumerable<double> values)
    {
        var x = values.ToArray();
        double sum = x.Sum(), squares = x.Sum(v => v * v);
        return squares == 0 ? 1 : sum * sum / (x.Length * squares);
    }
}
