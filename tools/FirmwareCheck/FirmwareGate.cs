using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using ChargeManager.Tools.NanoIlCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ChargeManager.Tools.FirmwareCheck;

/// <summary>One compiled project: its assembly (null when it failed) and what went wrong.</summary>
public sealed class ProjectBuild
{
    public required string AssemblyName { get; init; }
    public byte[]? Assembly { get; set; }
    public List<string> References { get; } = new();
    public List<string> Errors { get; } = new();
    public int Sources { get; set; }
}

/// <summary>
/// Compiles a nanoFramework project the way its .nfproj says: the Compile items, the References
/// (resolved by their HintPath's file name in the library folder; mscorlib from NuGet's
/// nanoFramework.CoreLibrary 1.17.11), the ProjectReferences (built first, the same way), LangVersion
/// and OutputType. Nothing is taken from anywhere else, so the gate and the device build cannot diverge.
/// Then checks the IL against nanoFramework's rules (tools/NanoIlCheck), allowing references to exactly
/// the listed assemblies. Also checks that every .cs under the project folder is compiled (a file
/// missing from the .nfproj would silently drop out of the device build), that each HintPath's
/// package is in packages.config at the same version, and that the library found has that version.
/// </summary>
public static class FirmwareGate
{
    static readonly XNamespace Ms = "http://schemas.microsoft.com/developer/msbuild/2003";

    /// <param name="project">The .nfproj as read (tests pass an altered copy); null: read it from <paramref name="nfprojPath"/>.</param>
    public static ProjectBuild Build(string nfprojPath, string libDirectory, string mscorlibPath, XDocument? project = null)
    {
        nfprojPath = Path.GetFullPath(nfprojPath);
        project ??= XDocument.Load(nfprojPath);
        var dir = Path.GetDirectoryName(nfprojPath)!;
        var root = project.Root!;
        string Property(string name) => root.Descendants(Ms + name).Select(e => e.Value.Trim()).FirstOrDefault() ?? "";

        var build = new ProjectBuild { AssemblyName = Property("AssemblyName") };
        var references = new List<MetadataReference>();

        // Project references first: built the same way, from their own .nfproj.
        foreach (var item in root.Descendants(Ms + "ProjectReference"))
        {
            var path = Path.GetFullPath(Path.Combine(dir, Unwin(item.Attribute("Include")!.Value)));
            var referenced = Build(path, libDirectory, mscorlibPath);
            foreach (var error in referenced.Errors)
                build.Errors.Add($"{Path.GetFileName(path)}: {error}");
            if (referenced.Assembly != null)
            {
                references.Add(MetadataReference.CreateFromImage(referenced.Assembly));
                build.References.Add(referenced.AssemblyName);
            }
        }

        var packages = ReadPackagesConfig(Path.Combine(dir, "packages.config"));
        foreach (var item in root.Descendants(Ms + "Reference"))
        {
            var name = item.Attribute("Include")!.Value.Split(',')[0].Trim();
            var hint = Unwin(item.Element(Ms + "HintPath")?.Value.Trim() ?? "");
            if (hint.Length == 0)
            {
                build.Errors.Add($"reference {name}: no HintPath");
                continue;
            }
            CheckPackage(name, hint, packages, build.Errors, out var packageVersion);
            var file = Path.GetFileName(hint);
            var path = name == "mscorlib" ? mscorlibPath : Path.Combine(libDirectory, file);
            if (!File.Exists(path))
            {
                build.Errors.Add($"reference {name}: {file} is not in {libDirectory}");
                continue;
            }
            var version = AssemblyVersion(path);
            if (packageVersion != null && !version.StartsWith(packageVersion + ".", StringComparison.Ordinal) && version != packageVersion)
                build.Errors.Add($"reference {name}: the HintPath names package version {packageVersion}, the library is {version}");
            references.Add(MetadataReference.CreateFromFile(path));
            if (name != "mscorlib")
                build.References.Add(name);
        }

        CheckClosure(references.OfType<PortableExecutableReference>().Select(r => r.FilePath!).Where(p => p != null).ToList(), build.Errors);

        var sources = CompileItems(root, dir);
        build.Sources = sources.Count;
        foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories).Where(f => !InBinOrObj(dir, f)))
            if (!sources.Contains(Path.GetFullPath(file)))
                build.Errors.Add($"{Path.GetRelativePath(dir, file)} is not among the .nfproj's Compile items: the device build would leave it out");

        var language = LanguageVersion.Default;
        var langVersion = Property("LangVersion");
        if (langVersion.Length > 0 && !LanguageVersionFacts.TryParse(langVersion, out language))
            build.Errors.Add($"LangVersion {langVersion} is not a C# version");
        var parse = new CSharpParseOptions(language);
        var trees = sources.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, path: f)).ToList();
        var kind = Property("OutputType") == "Exe" ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary;
        var compilation = CSharpCompilation.Create(build.AssemblyName, trees, references,
            new CSharpCompilationOptions(kind, optimizationLevel: OptimizationLevel.Release, nullableContextOptions: NullableContextOptions.Disable));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        foreach (var d in result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
            build.Errors.Add(Relative(dir, d.ToString()));
        if (!result.Success)
            return build;
        build.Assembly = stream.ToArray();
        foreach (var problem in NanoIlRules.Check(new MemoryStream(build.Assembly), build.References))
            build.Errors.Add("nano IL check: " + problem);
        return build;
    }

    static string Unwin(string path) => path.Replace('\\', Path.DirectorySeparatorChar);

    static bool InBinOrObj(string dir, string file)
    {
        var first = Path.GetRelativePath(dir, file).Split(Path.DirectorySeparatorChar)[0];
        return first is "bin" or "obj";
    }

    static string Relative(string dir, string diagnostic) =>
        diagnostic.Replace(dir + Path.DirectorySeparatorChar, "");

    /// <summary>The Compile items; "**\*.cs" with Exclude "bin\**;obj\**" is the one wildcard the .nfproj files use.</summary>
    static HashSet<string> CompileItems(XElement root, string dir)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in root.Descendants(Ms + "Compile"))
        {
            var include = Unwin(item.Attribute("Include")!.Value);
            if (include.Contains('*'))
            {
                if (include != Unwin(@"**\*.cs"))
                    throw new NotSupportedException("Compile pattern " + include);
                foreach (var f in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories).Where(f => !InBinOrObj(dir, f)))
                    files.Add(Path.GetFullPath(f));
            }
            else
                files.Add(Path.GetFullPath(Path.Combine(dir, include)));
        }
        return files;
    }

    static Dictionary<string, string> ReadPackagesConfig(string path)
    {
        var packages = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(path))
            foreach (var p in XDocument.Load(path).Root!.Elements("package"))
                packages[p.Attribute("id")!.Value] = p.Attribute("version")!.Value;
        return packages;
    }

    /// <summary>..\packages\ID.VERSION\lib\X.dll must name a package of packages.config at that version.</summary>
    static void CheckPackage(string name, string hint, Dictionary<string, string> packages, List<string> errors, out string? version)
    {
        version = null;
        var parts = hint.Split(Path.DirectorySeparatorChar);
        var at = Array.IndexOf(parts, "packages");
        if (at < 0 || at + 1 >= parts.Length)
        {
            errors.Add($"reference {name}: HintPath {hint} is not under packages/");
            return;
        }
        var folder = parts[at + 1];
        foreach (var (id, v) in packages)
            if (string.Equals(folder, id + "." + v, StringComparison.OrdinalIgnoreCase))
            {
                version = v;
                return;
            }
        errors.Add($"reference {name}: package folder {folder} is not in packages.config at that version");
    }

    /// <summary>
    /// Every assembly a referenced library references is referenced too, at the same major.minor
    /// (nanoCLR binds on major.minor: src/CLR/Core/TypeSystem.cpp:3510-3512), so the deployment holds
    /// everything that must load.
    /// </summary>
    static void CheckClosure(List<string> paths, List<string> errors)
    {
        var have = new Dictionary<string, Version>(StringComparer.Ordinal);
        var wants = new List<(string from, string name, Version version)>();
        foreach (var path in paths)
        {
            using var pe = new PEReader(File.OpenRead(path));
            var md = pe.GetMetadataReader();
            var self = md.GetString(md.GetAssemblyDefinition().Name);
            have[self] = md.GetAssemblyDefinition().Version;
            foreach (var h in md.AssemblyReferences)
            {
                var r = md.GetAssemblyReference(h);
                wants.Add((self, md.GetString(r.Name), r.Version));
            }
        }
        foreach (var (from, name, version) in wants)
        {
            if (!have.TryGetValue(name, out var found))
                errors.Add($"{from} references {name} {version}, which the .nfproj does not reference");
            else if (found.Major != version.Major || found.Minor != version.Minor)
                errors.Add($"{from} references {name} {version}, the .nfproj has {found}: nanoCLR binds on major.minor and would not load it");
        }
    }

    static string AssemblyVersion(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        return pe.GetMetadataReader().GetAssemblyDefinition().Version.ToString();
    }
}
