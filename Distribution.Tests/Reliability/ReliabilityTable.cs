using System.Text;

namespace ChargeManager.Distribution.Tests.Reliability;

/// <summary>
/// The reliability suite's one table: each test of the suite adds its row (what it tried, how many,
/// how many failed) and the whole table is rewritten to artifacts/reliability.txt and returned for
/// printing. Rows keep the order of <see cref="Rows"/>; a row not run yet shows "not run".
/// </summary>
public static class ReliabilityTable
{
    public static readonly string[] Rows =
    {
        "requests fuzzed (HTTP)", "datagrams fuzzed (UDP)", "MQTT payloads fuzzed", "kill -9 trials (config writes)", "broker outages (MQTT)",
    };

    static readonly object gate = new();
    static readonly Dictionary<string, (long count, long failures, string note)> results = new();

    public static string PathOfFile => Path.Combine(AppContext.BaseDirectory, "artifacts", "reliability.txt");

    /// <summary>Adds to a row (counts accumulate over the tests that feed it) and returns the table.</summary>
    public static string Add(string row, long count, long failures, string note = "")
    {
        if (Array.IndexOf(Rows, row) < 0)
            throw new ArgumentException("unknown row " + row);
        lock (gate)
        {
            if (results.TryGetValue(row, out var r))
                results[row] = (r.count + count, r.failures + failures, string.IsNullOrEmpty(note) ? r.note : (string.IsNullOrEmpty(r.note) ? note : r.note + "; " + note));
            else
                results[row] = (count, failures, note);
            string table = Render();
            Directory.CreateDirectory(Path.GetDirectoryName(PathOfFile)!);
            File.WriteAllText(PathOfFile, table);
            return table;
        }
    }

    static string Render()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| reliability (CM_LONG=" + (Long ? "1" : "0") + ") | trials | failures | notes |");
        sb.AppendLine("|---|---:|---:|---|");
        foreach (var row in Rows)
            sb.AppendLine(results.TryGetValue(row, out var r)
                ? $"| {row} | {r.count:N0} | {r.failures:N0} | {r.note} |"
                : $"| {row} | not run | | |");
        return sb.ToString();
    }

    /// <summary>CM_LONG=1: the long variants (more trials, the 90 s broker outage).</summary>
    public static bool Long => Environment.GetEnvironmentVariable("CM_LONG") == "1";
}
