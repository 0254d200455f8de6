using System.Text;
using ChargeManager.Scenarios;
using Xunit;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Scenarios;

public class ScenarioTests(ITestOutputHelper output)
{
    static string Folder => Path.Combine(AppContext.BaseDirectory, "scenarios");

    static Scenario Parse(string json) => ScenarioReader.Parse(Encoding.UTF8.GetBytes(json), "test.json");

    const string OneCar = """
        {
          "name": "one car, 16 A",
          "duration_s": 3600,
          "limits": [ { "at_s": 0, "l1": 16000, "l2": 16000, "l3": 16000 } ],
          "chargers": [ { "phases": 3, "rotation": 1 } ],
          "cars": [ { "charger": 0, "arrive_s": 0, "leave_s": 3600, "energy_kwh": 100, "max_current": 16000, "phases": 3, "start_delay_s": 0 } ]
        }
        """;

    [Fact]
    public void Metrics_OnAHandComputedTrace()
    {
        // One 3-phase car at 16 A for (almost) an hour: 16 A × 230 V × 3 ≈ 11 kW → about 11 kWh.
        var (m, _) = ScenarioRunner.Run(Parse(OneCar), new CorePolicy(1));
        Assert.InRange(m.EnergyKwh, 10.5, 11.1);
        Assert.Equal(0, m.PeakOvershootA);
        Assert.InRange(m.Utilisation, 0.95, 1.0);
        Assert.Equal(1.0, m.JainEnergy, 3); // one car: perfectly fair by definition
        Assert.InRange(m.LongestWaitS, 0, 15);
    }

    [Fact]
    public void JainsIndex()
    {
        Assert.Equal(1.0, ScenarioRunner.Jain(new[] { 5.0, 5.0, 5.0, 5.0 }), 6);
        Assert.Equal(0.25, ScenarioRunner.Jain(new[] { 8.0, 0, 0, 0 }), 6);
        Assert.Equal(0.5, ScenarioRunner.Jain(new[] { 1.0, 1.0, 0, 0 }), 6);
    }

    [Fact]
    public void TheLimitFollowsStepsAndRamps()
    {
        var s = Parse(OneCar.Replace("""[ { "at_s": 0, "l1": 16000, "l2": 16000, "l3": 16000 } ]""",
            """[ { "at_s": 0, "l1": 16000, "l2": 16000, "l3": 16000 }, { "at_s": 100, "l1": 6000, "l2": 6000, "l3": 6000, "ramp_s": 100 } ]"""));
        Assert.Equal(16000, ScenarioRunner.LimitAt(s, 99_000)[1]);
        Assert.Equal(11000, ScenarioRunner.LimitAt(s, 150_000)[1]);
        Assert.Equal(6000, ScenarioRunner.LimitAt(s, 250_000)[1]);
    }

    [Fact]
    public void ARunIsDeterministic()
    {
        var s = ScenarioReader.Read(Path.Combine(Folder, "05-stepped-drop.json"));
        var (a, _) = ScenarioRunner.Run(s, new CorePolicy(s.Chargers.Count));
        var (b, _) = ScenarioRunner.Run(s, new CorePolicy(s.Chargers.Count));
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(a, new System.Text.Json.JsonSerializerOptions { IncludeFields = true }),
            System.Text.Json.JsonSerializer.Serialize(b, new System.Text.Json.JsonSerializerOptions { IncludeFields = true }));
    }

    [Fact]
    public void EveryShippedScenario_OursCausesNoOvershoot_AndDeliversAtLeastTheBaselines()
    {
        var files = Directory.GetFiles(Folder, "*.json");
        Assert.True(files.Length >= 12);
        foreach (var file in files)
        {
            var s = ScenarioReader.Read(file);
            var (ours, samples) = ScenarioRunner.Run(s, new CorePolicy(s.Chargers.Count));
            var (equal, _) = ScenarioRunner.Run(s, new EqualSharePolicy(s.Chargers.Count));
            var (first, _) = ScenarioRunner.Run(s, new FirstComePolicy(s.Chargers.Count));
            output.WriteLine($"{s.Name}: ours {ours.EnergyKwh:0.0} kWh, equal {equal.EnergyKwh:0.0}, first {first.EnergyKwh:0.0}; overshoot ours {ours.PeakOvershootA} A, equal {equal.PeakOvershootA} A, first {first.PeakOvershootA} A");
            Assert.True(ours.PeakOvershootA == 0, $"{s.Name}: {ours.PeakOvershootA} A above the limit by the manager's doing");
            Assert.True(ours.EnergyKwh >= 0.97 * Math.Max(equal.EnergyKwh, first.EnergyKwh), $"{s.Name}: delivers less than a baseline");
            Assert.Contains("<svg", SvgPlot.Render(s.Name, samples));
        }
    }

    [Theory]
    [InlineData("\"duration_s\": 3600", "\"duration_s\": \"long\"", "line 3: duration_s must be a whole number")]
    [InlineData("\"max_current\": 16000", "\"max_current\": 99000", "line 6: max_current must be from 6000 to 32000")]
    [InlineData("\"charger\": 0,", "\"charger\": 3,", "line 6: charger must be from 0 to 0")]
    [InlineData("\"phases\": 3, \"rotation\": 1", "\"rotation\": 1", "line 5: missing field 'phases'")]
    [InlineData("\"leave_s\": 3600", "\"leave_s\": 0", "line 6: leave_s must be after arrive_s")]
    [InlineData("\"name\": \"one car, 16 A\",", "\"name\": \"one car, 16 A\"", "line 3: invalid JSON")]
    public void AMalformedScenario_NamesTheFieldAndTheLine(string find, string replace, string expected)
    {
        var e = Assert.Throws<ScenarioException>(() => Parse(OneCar.Replace(find, replace)));
        Assert.Contains(expected, e.Message);
    }
}
