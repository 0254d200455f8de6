using System.Diagnostics;
using ChargeManager.NanoDiff;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ChargeManager.Distribution.Tests.NanoGate;

/// <summary>
/// The core on nanoFramework's own interpreter computes what it computes on .NET: tools/NanoDiff's
/// scripts are compiled with the core's sources against nano's mscorlib 1.17.11, converted with
/// nanomdp and run on nanoCLR (../shared/nanoclr), and the same scripts run here on the core's .NET
/// build; every line must be equal. nanoCLR exits 0 even when the program dies, so the closing line
/// is required. Where nanoCLR is not there the test is skipped, unless CI=true or CM_REQUIRE_TOOLS=1.
/// </summary>
public class NanoClrDiffTests
{
    static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !Directory.Exists(Path.Combine(dir.FullName, "Distribution.Core")))
            dir = dir.Parent;
        Assert.NotNull(dir);
        return dir.FullName;
    }

    /// <summary>CM_NANOCLR_DIR if set, else ../shared/nanoclr next to the repository (or above it); null if nanoclr is not there.</summary>
    public static string NanoClrDirectory()
    {
        var env = Environment.GetEnvironmentVariable("CM_NANOCLR_DIR");
        if (!string.IsNullOrEmpty(env))
            return File.Exists(Path.Combine(env, "nanoclr")) ? env : null;
        var start = new DirectoryInfo(AppContext.BaseDirectory);
        while (start != null && !Directory.Exists(Path.Combine(start.FullName, "Distribution.Core")))
            start = start.Parent;
        for (var dir = start; dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "nanoclr");
            if (File.Exists(Path.Combine(candidate, "nanoclr")))
                return candidate;
        }
        return null;
    }

    static bool Required =>
        Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable("CM_REQUIRE_TOOLS") == "1";

    /// <summary>Builds the scripts (or another Main) for nanoCLR and runs them; returns the program's lines after "Ready.".</summary>
    public static List<string> RunOnNanoClr(string nanoDir, string mainSource, out string raw, params string[] extraPeAndDll)
    {
        var root = RepoRoot();
        var work = Directory.CreateTempSubdirectory("cm-nanodiff-").FullName;
        try
        {
            // The core is its own assembly, as on the device: core and scripts in one overflow nanoFramework's
            // byte code table (the metadata processor refuses an assembly whose compacted code passes 64 KB).
            var coreFiles = Directory.EnumerateFiles(Path.Combine(root, "Distribution.Core"), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                         && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
            var mscorlibDll = NanoCompiler.MscorlibPath;
            var mscorlibPe = Path.ChangeExtension(mscorlibDll, ".pe");
            var coreDll = Path.Combine(work, "Distribution.Core.dll");
            var core = CSharpCompilation.Create("Distribution.Core", coreFiles.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), path: f)),
                new[] { MetadataReference.CreateFromFile(mscorlibDll) },
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));
            var coreResult = core.Emit(coreDll);
            Assert.True(coreResult.Success, string.Join("\n", coreResult.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
            Run(Path.Combine(nanoDir, "nanomdp"), new List<string> { "-loadHints", "mscorlib", mscorlibDll, "-parse", coreDll,
                "-compile", Path.Combine(work, "Distribution.Core.pe"), "false" }, TimeSpan.FromSeconds(60), out var coreMdp);
            // It writes a stub .pe even when it gives up ("Byte code table overflow …"): its output says so.
            Assert.True(File.Exists(Path.Combine(work, "Distribution.Core.pe")) && !coreMdp.Contains("Unhandled exception"),
                "nanomdp could not compile the core alone, as the device needs it:\n" + coreMdp);

            var trees = new List<SyntaxTree> { CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(root, "tools", "NanoDiff", "DiffScripts.cs"))),
                CSharpSyntaxTree.ParseText(mainSource, path: "Main.cs") };
            var references = new List<MetadataReference> { MetadataReference.CreateFromFile(mscorlibDll), MetadataReference.CreateFromFile(coreDll) };
            foreach (var dll in extraPeAndDll.Where(f => f.EndsWith(".dll")))
                references.Add(MetadataReference.CreateFromFile(dll));
            var compilation = CSharpCompilation.Create("NanoDiff", trees, references,
                new CSharpCompilationOptions(OutputKind.ConsoleApplication, optimizationLevel: OptimizationLevel.Release));
            var exe = Path.Combine(work, "NanoDiff.exe");
            var result = compilation.Emit(exe);
            Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

            var mdpArgs = new List<string> { "-loadHints", "mscorlib", mscorlibDll, "-loadHints", "Distribution.Core", coreDll };
            foreach (var dll in extraPeAndDll.Where(f => f.EndsWith(".dll")))
                mdpArgs.AddRange(new[] { "-loadHints", Path.GetFileNameWithoutExtension(dll), dll });
            mdpArgs.AddRange(new[] { "-parse", exe, "-compile", Path.Combine(work, "NanoDiff.pe"), "false" });
            Run(Path.Combine(nanoDir, "nanomdp"), mdpArgs, TimeSpan.FromSeconds(60), out var mdp);
            Assert.True(File.Exists(Path.Combine(work, "NanoDiff.pe")) && !mdp.Contains("Unhandled exception"), "nanomdp could not compile the scripts:\n" + mdp);

            var clrArgs = new List<string> { mscorlibPe, Path.Combine(work, "Distribution.Core.pe") };
            clrArgs.AddRange(extraPeAndDll.Where(f => f.EndsWith(".pe")));
            clrArgs.Add(Path.Combine(work, "NanoDiff.pe"));
            Run(Path.Combine(nanoDir, "nanoclr"), clrArgs, TimeSpan.FromSeconds(120), out raw);
            var lines = raw.Replace("\r", "").Split('\n').ToList();
            int ready = lines.IndexOf("Ready.");
            Assert.True(ready >= 0, "nanoCLR did not get to Ready.:\n" + raw);
            return lines.Skip(ready + 1).ToList();
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    static void Run(string program, List<string> args, TimeSpan timeout, out string output)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(true);
            Assert.Fail($"{Path.GetFileName(program)} did not finish within {timeout.TotalSeconds} s");
        }
        output = stdout.Result + stderr.Result;
    }

    /// <summary>Skipped, saying why, where nanoCLR is missing, unless CI=true or CM_REQUIRE_TOOLS=1 require it.</summary>
    public sealed class NeedsNanoClrFactAttribute : FactAttribute
    {
        public NeedsNanoClrFactAttribute()
        {
            if (NanoClrDirectory() == null && !Required)
                Skip = "needs nanoCLR: ../shared/nanoclr/nanoclr next to the repository, or CM_NANOCLR_DIR (CI=true or CM_REQUIRE_TOOLS=1 make this a failure)";
        }
    }

    [NeedsNanoClrFact]
    public void TheScriptsPrintTheSameOnNanoClrAsOnDotNet()
    {
        var nanoDir = NanoClrDirectory();
        Assert.True(nanoDir != null, "nanoCLR is required (CI=true or CM_REQUIRE_TOOLS=1) but ../shared/nanoclr/nanoclr is missing; set CM_NANOCLR_DIR");

        var dotnet = new List<string>();
        DiffScripts.Run(dotnet.Add, null);
        Assert.StartsWith(DiffScripts.Closing, dotnet[^1]);
        Assert.DoesNotContain(dotnet, l => l.StartsWith("THREW"));

        var nano = RunOnNanoClr(nanoDir, "namespace ChargeManager.NanoDiff { public static class Program { public static void Main() { DiffScripts.Run(null, null); } } }",
            out var raw);
        int closing = nano.FindIndex(l => l.StartsWith(DiffScripts.Closing));
        Assert.True(closing >= 0, "the program died on nanoCLR (no closing line); its last lines:\n"
            + string.Join("\n", nano.TakeLast(15)));
        nano = nano.Take(closing + 1).ToList();

        var differences = new List<string>();
        for (int i = 0; i < Math.Max(nano.Count, dotnet.Count) && differences.Count < 20; i++)
        {
            string n = i < nano.Count ? nano[i] : "(missing)", d = i < dotnet.Count ? dotnet[i] : "(missing)";
            if (n != d)
                differences.Add($"line {i + 1}:\n  nanoCLR: {n}\n  .NET:    {d}");
        }
        Assert.True(differences.Count == 0, $"{differences.Count}+ lines differ:\n" + string.Join("\n", differences));
        Assert.Equal(dotnet.Count, nano.Count);
        Assert.True(dotnet.Count > 2000, "too few lines: " + dotnet.Count);

        // What the lines must say, on both runtimes (the three kinds of input that once differed).
        foreach (var l in dotnet.Where(l => l.StartsWith("name ")))
            Assert.True(l.Contains("-> 200") == (l.StartsWith("name \\xF0\\x9F\\x98\\x80!") || l.StartsWith("name \\x5Cud83d\\x5Cude00 ok")), l);
        Assert.Contains(dotnet, l => l.StartsWith("parse \"ab\\x5Cu0000cd\" -> error"));
        Assert.Contains(dotnet, l => l.StartsWith("parse \"\\x5Cud83d\\x5Cude00\" -> \"\\xF0\\x9F\\x98\\x80\""));
    }
}
