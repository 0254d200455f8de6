using System.Globalization;

namespace ChargeManager.Scenarios;

/// <summary>
/// `--ensemble N`: runs each scenario N times through our core with each charger's visits moved by a
/// seeded offset of up to ±60 s (<see cref="Shifted"/>). The offsets depend only on the seed and the
/// scenario, so two builds (two allocators) run the same N scenarios. A
/// single run's Jain index moves by a few hundredths with which of two alike cars a tie-break
/// favours, or which rotation block the run ends in; the mean over shifted stays says whether a
/// difference between two allocators is more than that.
/// </summary>
public static class Ensemble
{
    public const int MaxShiftS = 60;

    /// <summary>
    /// The scenario with every charger's cars moved by one offset of up to ±<see cref="MaxShiftS"/> s (so
    /// visits to one charger keep their order and gaps), narrowed so that no stay is cut at the start or
    /// the end: a stay to the end still ends there, a shorter one keeps its length.
    /// </summary>
    public static Scenario Shifted(Scenario s, int seed)
    {
        var random = new Random(seed);
        var shift = new int[s.Chargers.Count];
        for (int c = 0; c < shift.Length; c++)
        {
            int earliest = -MaxShiftS, latest = MaxShiftS;
            foreach (var car in s.Cars.Where(car => car.Charger == c))
            {
                earliest = Math.Max(earliest, -car.ArriveS);
                latest = Math.Min(latest, car.LeaveS >= s.DurationS ? s.DurationS - 1 - car.ArriveS : s.DurationS - car.LeaveS);
            }
            shift[c] = earliest <= latest ? random.Next(earliest, latest + 1) : 0;
        }
        var copy = new Scenario { Name = s.Name, DurationS = s.DurationS, Limits = s.Limits, Chargers = s.Chargers };
        foreach (var car in s.Cars)
        {
            int arrive = car.ArriveS + shift[car.Charger];
            int leave = car.LeaveS >= s.DurationS ? car.LeaveS : car.LeaveS + shift[car.Charger];
            copy.Cars.Add(new CarSpec
            {
                Charger = car.Charger, ArriveS = arrive, LeaveS = leave, MaxCurrent = car.MaxCurrent,
                Phases = car.Phases, StartDelayS = car.StartDelayS, FollowS = car.FollowS, EnergyKwh = car.EnergyKwh,
            });
        }
        return copy;
    }

    /// <summary>Prints one line per scenario: mean (± standard deviation) over the runs, and the worst overshoot.</summary>
    public static void Run(Scenario scenario, Func<IPolicy> policy, int runs)
    {
        var energy = new List<double>(); var jainPower = new List<double>(); var jainEnergy = new List<double>(); var churn = new List<double>();
        double overshoot = 0;
        for (int seed = 1; seed <= runs; seed++)
        {
            var (m, _) = ScenarioRunner.Run(Shifted(scenario, seed), policy());
            energy.Add(m.EnergyKwh); jainPower.Add(m.JainCurrent); jainEnergy.Add(m.JainEnergy); churn.Add(m.ChurnPerCarHour);
            overshoot = Math.Max(overshoot, m.PeakOvershootA);
        }
        Console.WriteLine($"{scenario.Name,-56} runs {runs}  overshoot max {F(overshoot, "0.0")} A  energy {MeanSd(energy, "0.00")} kWh  Jain power {MeanSd(jainPower, "0.000")}  energy {MeanSd(jainEnergy, "0.000")}  churn {MeanSd(churn, "0.0")}");
    }

    static string MeanSd(List<double> v, string format)
    {
        double mean = v.Average();
        double sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, v.Count - 1));
        return F(mean, format) + " ± " + F(sd, format);
    }

    static string F(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);
}
