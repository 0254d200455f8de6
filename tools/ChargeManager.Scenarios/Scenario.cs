using System.Text;
using ChargeManager.Distribution.Json;

namespace ChargeManager.Scenarios;

/// <summary>A site over time: the limit per phase, the chargers, and the cars that come and go.</summary>
public sealed class Scenario
{
    public string Name;
    public int DurationS;
    public List<LimitStep> Limits = new();
    public List<ChargerSpec> Chargers = new();
    public List<CarSpec> Cars = new();
}

/// <summary>From AtS on, the limit per phase (mA); with RampS > 0 it moves there linearly over that time.</summary>
public sealed class LimitStep
{
    public int AtS, L1, L2, L3, RampS;
}

public sealed class ChargerSpec
{
    public int Phases = 3;        // wired
    public int Rotation;          // 0 unknown, 1 L123 … 6 L312
    public bool Switchable;
}

public sealed class CarSpec
{
    public int Charger, ArriveS, LeaveS, MaxCurrent = 32000, Phases = 3, StartDelayS = 3, FollowS = 2;
    public double EnergyKwh = 20;
}

/// <summary>Reads a scenario file; a malformed one is an error that names the field and the line.</summary>
public static class ScenarioReader
{
    public static Scenario Read(string path) => Parse(File.ReadAllBytes(path), Path.GetFileName(path));

    public static Scenario Parse(byte[] bytes, string file)
    {
        var parser = new JsonParser();
        var root = parser.Parse(bytes, bytes.Length);
        if (root == null)
            throw new ScenarioException($"{file} line {LineOf(bytes, OffsetIn(parser.Error))}: {parser.Error}");
        var r = new Reader(bytes, file);
        var s = new Scenario
        {
            Name = r.Text(root, "name"),
            DurationS = r.Int(root, "duration_s", 1, 7 * 86400),
        };
        foreach (var step in r.List(root, "limits"))
            s.Limits.Add(new LimitStep
            {
                AtS = r.Int(step, "at_s", 0, s.DurationS), L1 = r.Int(step, "l1", 0, 2_048_000), L2 = r.Int(step, "l2", 0, 2_048_000),
                L3 = r.Int(step, "l3", 0, 2_048_000), RampS = r.Int(step, "ramp_s", 0, s.DurationS, optional: true),
            });
        foreach (var c in r.List(root, "chargers"))
            s.Chargers.Add(new ChargerSpec
            {
                Phases = r.Choice(c, "phases", 1, 3), Rotation = r.Int(c, "rotation", 0, 6, optional: true),
                Switchable = r.Bool(c, "switchable", optional: true),
            });
        foreach (var car in r.List(root, "cars"))
        {
            var spec = new CarSpec
            {
                Charger = r.Int(car, "charger", 0, s.Chargers.Count - 1), ArriveS = r.Int(car, "arrive_s", 0, s.DurationS),
                LeaveS = r.Int(car, "leave_s", 0, s.DurationS), EnergyKwh = r.Number(car, "energy_kwh", 0.1, 200),
                MaxCurrent = r.Int(car, "max_current", 6000, 32000), Phases = r.Choice(car, "phases", 1, 3),
                StartDelayS = r.Int(car, "start_delay_s", 0, 600, optional: true, fallback: 3),
                FollowS = r.Int(car, "follow_s", 0, 60, optional: true, fallback: 2),
            };
            if (spec.LeaveS <= spec.ArriveS)
                r.Fail(car.Get("leave_s"), "leave_s must be after arrive_s");
            s.Cars.Add(spec);
        }
        if (s.Limits.Count == 0 || s.Limits[0].AtS != 0)
            r.Fail(root.Get("limits"), "limits must start at at_s 0");
        return s;
    }

    static int OffsetIn(string error)
    {
        int at = error.IndexOf("byte ", StringComparison.Ordinal);
        return at < 0 ? 0 : int.Parse(new string(error.Skip(at + 5).TakeWhile(char.IsDigit).ToArray()));
    }

    public static int LineOf(byte[] bytes, int offset)
    {
        int line = 1;
        for (int i = 0; i < offset && i < bytes.Length; i++)
            if (bytes[i] == '\n')
                line++;
        return line;
    }

    sealed class Reader(byte[] bytes, string file)
    {
        public void Fail(JsonNode at, string message) =>
            throw new ScenarioException($"{file} line {LineOf(bytes, at?.Offset ?? 0)}: {message}");

        JsonNode Field(JsonNode obj, string key, bool optional)
        {
            if (obj.Kind != JsonKind.Object)
                Fail(obj, "an object was expected");
            var value = obj.Get(key);
            if (value == null && !optional)
                Fail(obj, $"missing field '{key}'");
            return value;
        }

        public string Text(JsonNode obj, string key)
        {
            var v = Field(obj, key, false);
            if (v.Kind != JsonKind.String) Fail(v, $"{key} must be a string");
            return v.Text;
        }

        public int Int(JsonNode obj, string key, int min, int max, bool optional = false, int fallback = 0)
        {
            var v = Field(obj, key, optional);
            if (v == null) return fallback;
            if (v.Kind != JsonKind.Number || !v.IsInteger) Fail(v, $"{key} must be a whole number");
            if (v.Integer < min || v.Integer > max) Fail(v, $"{key} must be from {min} to {max}, not {v.Integer}");
            return (int)v.Integer;
        }

        public int Choice(JsonNode obj, string key, int a, int b)
        {
            int value = Int(obj, key, 0, 10);
            if (value != a && value != b) Fail(obj.Get(key), $"{key} must be {a} or {b}");
            return value;
        }

        public double Number(JsonNode obj, string key, double min, double max)
        {
            var v = Field(obj, key, false);
            if (v.Kind != JsonKind.Number) Fail(v, $"{key} must be a number");
            double value = double.Parse(v.Text, System.Globalization.CultureInfo.InvariantCulture);
            if (value < min || value > max) Fail(v, $"{key} must be from {min} to {max}");
            return value;
        }

        public bool Bool(JsonNode obj, string key, bool optional)
        {
            var v = Field(obj, key, optional);
            if (v == null) return false;
            if (v.Kind != JsonKind.Bool) Fail(v, $"{key} must be true or false");
            return v.Bool;
        }

        public JsonNode[] List(JsonNode obj, string key)
        {
            var v = Field(obj, key, false);
            if (v.Kind != JsonKind.Array) Fail(v, $"{key} must be an array");
            return v.Items;
        }
    }
}

public sealed class ScenarioException(string message) : Exception(message);
