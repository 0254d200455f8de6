using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ChargeManager.Distribution.Tests.NanoGate;

/// <summary>Compiles C# against nanoFramework's mscorlib 1.17.11 alone, in memory, as tools/CoreOnNano does on disk.</summary>
public static class NanoCompiler
{
    public static string MscorlibPath => Path.Combine(AppContext.BaseDirectory, "nano", "mscorlib.dll");

    public static MemoryStream Compile(IEnumerable<(string path, string text)> sources, out IReadOnlyList<string> errors,
        params MetadataReference[] extraReferences)
    {
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.text, path: s.path)).ToList();
        var references = new List<MetadataReference> { MetadataReference.CreateFromFile(MscorlibPath) };
        references.AddRange(extraReferences);
        var compilation = CSharpCompilation.Create("NanoSample", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));
        var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        stream.Position = 0;
        return stream;
    }

    public static MemoryStream Compile(string source, out IReadOnlyList<string> errors, params MetadataReference[] extra) =>
        Compile(new[] { ("sample.cs", source) }, out errors, extra);
}
