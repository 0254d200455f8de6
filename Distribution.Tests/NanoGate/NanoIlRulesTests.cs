using ChargeManager.Tools.NanoIlCheck;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ChargeManager.Distribution.Tests.NanoGate;

/// <summary>The IL gate catches each construct nanoFramework 1.x cannot run, on small samples built against its mscorlib.</summary>
public class NanoIlRulesTests
{
    static IReadOnlyList<string> CheckSample(string body, params MetadataReference[] extra)
    {
        var source = "namespace Sample { " + body + " }";
        using var assembly = NanoCompiler.Compile(source, out var errors, extra);
        Assert.Empty(errors); // the compiler accepts all of these: that is why the gate exists
        return NanoIlRules.Check(assembly);
    }

    [Fact]
    public void ACleanSamplePasses()
    {
        var problems = CheckSample("""
            public delegate void Changed(int charger);
            public interface IClock { long Now(); }
            public sealed class Ok {
                readonly int[][] jagged = new int[3][];
                public event Changed OnChanged;
                public string Describe(int a) { return "a=" + a + string.Format(" {0}", a); }
                public void Raise() { int x = 3; Changed c = i => x += i; c(1); if (OnChanged != null) OnChanged(x); }
            }
            """);
        Assert.Empty(problems);
    }

    [Fact]
    public void AGenericClassIsCaught() =>
        Assert.Contains(CheckSample("public class Box<T> { public T Value; }"), p => p.StartsWith("generic type definition"));

    [Fact]
    public void AGenericMethodIsCaught() =>
        Assert.Contains(CheckSample("public static class U { public static T Id<T>(T x) { return x; } public static int Use() { return Id(3); } }"),
            p => p.StartsWith("generic method definition"));

    [Fact]
    public void ActionOfTIsCaught() =>
        Assert.Contains(CheckSample("public class A { public System.Action<int> OnCurrent; }"),
            p => p.Contains("Action`1"));

    [Fact]
    public void FuncOfTIsCaughtEvenAsALocal() =>
        Assert.Contains(CheckSample("public class F { public int Run() { System.Func<int, int> twice = x => 2 * x; return twice(2); } }"),
            p => p.Contains("Func`2"));

    [Fact]
    public void AMultidimensionalArrayIsCaught() =>
        Assert.Contains(CheckSample("public class M { public int Sum() { var grid = new int[2, 3]; return grid[1, 2]; } }"),
            p => p.StartsWith("multidimensional array"));

    [Fact]
    public void AReferenceToAnotherAssemblyIsCaught()
    {
        using var helper = NanoCompiler.Compile("namespace Other { public class Helper { public static int Two() { return 2; } } }", out var errors);
        Assert.Empty(errors);
        var reference = MetadataReference.CreateFromImage(helper.ToArray());
        var problems = CheckSample("public class UsesOther { public int X() { return Other.Helper.Two(); } }", reference);
        Assert.Contains(problems, p => p.StartsWith("assembly reference: NanoSample"));
    }
}
