using System.Diagnostics;
using Xunit.Abstractions;

namespace ChargeManager.Distribution.Tests.Support;

/// <summary>Runs a command line exactly as a user types it (bash), with the document's variables set.</summary>
public static class UserShell
{
    public static (int exit, string stdout) Run(string command, IDictionary<string, string> variables, ITestOutputHelper output)
    {
        var start = new ProcessStartInfo("bash", new[] { "-c", command }) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in variables)
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit(10_000);
        output.WriteLine($"$ {command.Split('\n')[0]}…\n{stdout}");
        return (process.ExitCode, stdout);
    }
}
