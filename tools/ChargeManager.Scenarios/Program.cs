using System.Diagnostics;
using System.Globalization;
using System.Text;
using ChargeManager.Distribution;
using ChargeManager.Distribution.Allocation;
using ChargeManager.Scenarios;

// dotnet run -c Release --project tools/ChargeManager.Scenarios [-- --out DIR] [--scenarios DIR] [--latency] [--per-car] [--ours-only] [--trace NAME]
// Runs every scenario through our core and the two baselines; writes DIR/report.md (the table, the
// allocator figures, with --latency also the end-to-end limit latency, about 5 minutes of real time)
// and DIR/<scenario>.svg (our run, per phase). Default DIR: scenario-report.
string output = "scenario-report", folder = Path.Combine(AppContext.BaseDirectory, "scenarios");
bool latency = false, perCar = false, oursOnly = false;
int ensemble = 0;
string trace = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--latency") latency = true;
    else if (args[i] == "--per-car") perCar = true;
    else if (args[i] == "--trace" && i + 1 < args.Length) trace = args[++i]; // our run of the scenarios named so: each charger's draw (A, over its phases) every 30 s
    else if (args[i] == "--ensemble") // N runs per scenario with shifted stays: mean and spread, our core only, printed
    {
        if (ensemble > 0)
        {
            Console.Error.WriteLine("--ensemble given twice");
            return 2;
        }
        if (i + 1 >= args.Length || !int.TryParse(args[i + 1], out ensemble) || ensemble < 1 || ensemble > 10000)
        {
            Console.Error.WriteLine("--ensemble takes the number of runs per scenario, 1 to 10000, not " + (i + 1 < args.Length ? "'" + args[i + 1] + "'" : "nothing"));
            return 2;
        }
        i++;
        oursOnly = true;
    }
    else if (args[i] == "--ours-only") oursOnly = true; // quick look while tuning: no baselines, no allocator figures
    else if (args[i] == "--out" && i + 1 < args.Length) output = args[++i];
    else if (args[i] == "--scenarios" && i + 1 < args.Length) folder = args[++i];
    else { Console.Error.WriteLine("unknown or incomplete option '" + args[i] + "'; usage: [--out DIR] [--scenarios DIR] [--latency] [--per-car] [--ours-only] [--trace NAME] [--ensemble N]"); return 2; }
}
if (ensemble > 0 && (latency || perCar || trace != null || args.Contains("--out")))
{
    Console.Error.WriteLine("--ensemble prints means only; it does not take --latency, --per-car, --trace or --out");
    return 2;
}
if (!Directory.Exists(folder) || Directory.GetFiles(folder, "*.json").Length == 0)
{
    Console.Error.WriteLine("no scenario (*.json) in " + folder);
    return 2;
}
if (ensemble == 0)
    Directory.CreateDirectory(output);
var report = new StringBuilder();
report.AppendLine("| scenario | policy | manager-caused overshoot (peak A / A·s) | comply max s | energy kWh | demand met | utilisation | Jain avg power while plugged | Jain energy ÷ demand | longest wait min | churn /car·h | peak imbalance A |");
report.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
string F(double v, string f = "0.00") => v.ToString(f, CultureInfo.InvariantCulture);
foreach (var file in Directory.GetFiles(folder, "*.json").OrderBy(f => f))
{
    Scenario scenario;
    try
    {
        scenario = ScenarioReader.Read(file);
    }
    catch (ScenarioException e)
    {
        Console.Error.WriteLine(e.Message);
        return 1;
    }
    int n = scenario.Chargers.Count;
    if (ensemble > 0)
    {
        Ensemble.Run(scenario, () => new CorePolicy(n), ensemble);
        continue;
    }
    var policies = oursOnly ? new IPolicy[] { new CorePolicy(n) } : new IPolicy[] { new CorePolicy(n), new EqualSharePolicy(n), new FirstComePolicy(n) };
    foreach (IPolicy policy in policies)
    {
        var (m, samples) = ScenarioRunner.Run(scenario, policy);
        report.AppendLine($"| {scenario.Name} | {m.Policy} | {F(m.PeakOvershootA, "0.0")} / {F(m.OvershootAs, "0")} | {F(m.MaxComplyS, "0.0")} | {F(m.EnergyKwh, "0.0")} | {F(m.DemandMet)} | {F(m.Utilisation)} | {F(m.JainCurrent)} | {F(m.JainEnergy)} | {F(m.LongestWaitS / 60, "0")} | {F(m.ChurnPerCarHour, "0.0")} | {F(m.PeakImbalanceA, "0")} |");
        if (policy is CorePolicy)
            File.WriteAllText(Path.Combine(output, Path.GetFileNameWithoutExtension(file) + ".svg"), SvgPlot.Render(scenario.Name, samples));
        Console.WriteLine($"{scenario.Name,-28} {m.Policy,-14} overshoot {F(m.PeakOvershootA, "0.0"),5} A  energy {F(m.EnergyKwh, "0.00"),7} kWh  Jain power {F(m.JainCurrent, "0.000")} energy {F(m.JainEnergy, "0.000")}  churn {F(m.ChurnPerCarHour, "0.0")}");
        if (trace != null && scenario.Name.Contains(trace) && policy is CorePolicy)
            foreach (var sample in samples)
                Console.WriteLine($"  t {sample.TimeS,6} s  limit {sample.Limit[1] / 1000,3} A |" + string.Join("", sample.Draw.Select(d => ((d[1] + d[2] + d[3]) / 1000).ToString().PadLeft(4))));
        if (perCar)
            Console.WriteLine("  kWh per car: " + string.Join(" ", m.CarKwh.Select(k => F(k))));
    }
}

if (oursOnly)
    return 0;
// The allocator's own figures (the full statistics come from tools/Benchmarks).
report.AppendLine().AppendLine("| chargers | allocator run (µs, this machine) | bytes allocated per run |").AppendLine("|---|---|---|");
foreach (int chargers in new[] { 1, 8, 64, 256, 1024 })
{
    var group = new Distributor(new AllocatorConfig(), chargers);
    for (int i = 0; i < chargers; i++)
    {
        var o = group.Observations[i];
        o.State = (VehicleState)(i % 4);
        o.ReportedPhases = i % 3 == 0 ? 1 : 3;
        o.Rotation = (ChargeManager.Distribution.Phases.PhaseRotation)(i % 7);
        o.LastHeardMs = 0;
    }
    long now = 0;
    void Run() { now += 1000; for (int i = 0; i < chargers; i++) group.Observations[i].LastHeardMs = now; group.Allocator.Run(chargers * 9000, chargers * 9000, chargers * 9000, now, -1); }
    for (int k = 0; k < 200; k++) Run();
    int runs = chargers >= 256 ? 2000 : 20000;
    long bytes = GC.GetAllocatedBytesForCurrentThread();
    var watch = Stopwatch.StartNew();
    for (int k = 0; k < runs; k++) Run();
    double us = watch.Elapsed.TotalMilliseconds * 1000 / runs;
    report.AppendLine($"| {chargers} | {F(us, "0.0")} | {(GC.GetAllocatedBytesForCurrentThread() - bytes) / runs} |");
}
report.AppendLine().AppendLine(latency
    ? "End to end: " + await LimitLatency.Run(30)
    : "End to end (limit written over HTTP → 64 emulated chargers within it): add `--latency` (real time, about 5 minutes).");
File.WriteAllText(Path.Combine(output, "report.md"), report.ToString());
Console.WriteLine($"wrote {Path.Combine(output, "report.md")} and one plot per scenario");
return 0;
