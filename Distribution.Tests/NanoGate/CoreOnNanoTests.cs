using ChargeManager.Tools.NanoIlCheck;
using Xunit;

namespace ChargeManager.Distribution.Tests.NanoGate;

/// <summary>
/// Distribution.Core compiles against nanoFramework's mscorlib alone and passes the IL gate.
/// CI also does this on disk (tools/CoreOnNano + tools/NanoIlCheck); here it guards every `dotnet test`.
/// </summary>
public class CoreOnNanoTests
{
    static string CoreDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !Directory.Exists(Path.Combine(dir.FullName, "Distribution.Core")))
            dir = dir.Parent;
        Assert.NotNull(dir);
        return Path.Combine(dir.FullName, "Distribution.Core");
    }

    [Fact]
    public void CoreCompilesAgainstNanoMscorlibAndPassesTheIlGate()
    {
        var root = CoreDirectory();
        var sources = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (f, File.ReadAllText(f)))
            .ToList();
        Assert.True(sources.Count > 10);
        using var assembly = NanoCompiler.Compile(sources, out var errors);
        Assert.Empty(errors);
        Assert.Empty(NanoIlRules.Check(assembly));
    }
}
