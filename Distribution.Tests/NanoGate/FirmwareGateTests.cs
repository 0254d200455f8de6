using System.Xml.Linq;
using ChargeManager.Tools.FirmwareCheck;
using Xunit;

namespace ChargeManager.Distribution.Tests.NanoGate;

/// <summary>
/// The firmware gate (tools/FirmwareCheck, run by .ci/run): Firmware/ and the core compile against exactly
/// the references ChargeManager.Firmware.nfproj lists, and the gate goes red when one is missing.
/// Needs ../shared/nanoframework/lib; skipped without it unless CI=true or CM_REQUIRE_TOOLS=1.
/// </summary>
public class FirmwareGateTests
{
    static readonly XNamespace Ms = "http://schemas.microsoft.com/developer/msbuild/2003";

    static string Repo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Firmware", "ChargeManager.Firmware.nfproj")))
            dir = dir.Parent;
        Assert.NotNull(dir);
        return dir.FullName;
    }

    internal static string Lib() => Environment.GetEnvironmentVariable("CM_NANO_LIB")
        ?? Path.GetFullPath(Path.Combine(Repo(), "..", "shared", "nanoframework", "lib"));

    static string Nfproj => Path.Combine(Repo(), "Firmware", "ChargeManager.Firmware.nfproj");

    static ProjectBuild Gate(XDocument project = null) =>
        FirmwareGate.Build(Nfproj, Lib(), NanoCompiler.MscorlibPath, project);

    [NeedsNanoLibFact]
    public void FirmwareCompilesAgainstExactlyTheNfprojReferencesAndPassesTheIlCheck()
    {
        var build = Gate();
        Assert.Empty(build.Errors);
        Assert.NotNull(build.Assembly);
        Assert.Contains("System.IO.Streams", build.References);
        Assert.Contains("Distribution.Core", build.References);
        Assert.Equal(Directory.EnumerateFiles(Path.Combine(Repo(), "Firmware"), "*.cs", SearchOption.AllDirectories)
            .Count(f => !f.Contains("/bin/") && !f.Contains("/obj/")), build.Sources);
    }

    [NeedsNanoLibFact]
    public void TheGateFailsWhenTheNfprojLacksSystemIoStreams()
    {
        var project = XDocument.Load(Nfproj);
        project.Descendants(Ms + "Reference").Single(r => r.Attribute("Include").Value == "System.IO.Streams").Remove();
        var build = Gate(project);
        Assert.Null(build.Assembly);
        Assert.Contains(build.Errors, e => e.Contains("CS0012") && e.Contains("System.IO.Streams") && e.Contains("HttpApi.cs"));
        // The libraries that need it say so too: the deployment would not load.
        Assert.Contains(build.Errors, e => e.Contains("System.Net references System.IO.Streams"));
    }

    [NeedsNanoLibFact]
    public void TheGateFailsOnASourceFileTheNfprojLeavesOut()
    {
        var project = XDocument.Load(Nfproj);
        project.Descendants(Ms + "Compile").Single(c => c.Attribute("Include").Value == @"Board.cs").Remove();
        var build = Gate(project);
        Assert.Contains(build.Errors, e => e.Contains("Board.cs is not among the .nfproj's Compile items"));
    }

    [NeedsNanoLibFact]
    public void TheGateFailsOnAHintPathToAnOlderPackageThanTheLibrary()
    {
        var project = XDocument.Load(Nfproj);
        var hint = project.Descendants(Ms + "HintPath").Single(h => h.Value.Contains("M2Mqtt.5.1.209"));
        hint.Value = hint.Value.Replace("5.1.209", "5.1.185");
        var build = Gate(project);
        Assert.Contains(build.Errors, e => e.Contains("nanoFramework.M2Mqtt") && e.Contains("not in packages.config"));
    }
}

/// <summary>A test that needs ../shared/nanoframework/lib: skipped without it, unless CI or CM_REQUIRE_TOOLS=1 (then it fails).</summary>
public sealed class NeedsNanoLibFactAttribute : FactAttribute
{
    public NeedsNanoLibFactAttribute()
    {
        var required = Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable("CM_REQUIRE_TOOLS") == "1";
        if (!required && !Directory.Exists(FirmwareGateTests.Lib()))
            Skip = "needs ../shared/nanoframework/lib (the nanoFramework libraries of VERSIONS.md, for type-checking)";
    }
}
