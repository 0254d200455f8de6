using ChargeManager.Tools.FirmwareCheck;

// Usage: FirmwareCheck [--nfproj Firmware/ChargeManager.Firmware.nfproj] [--lib ../shared/nanoframework/lib] [--out dir]
// Exit 0: compiled and IL-clean, or skipped because the library folder is absent outside CI.
// Exit 1: errors, or the folder is absent while CI=true or CM_REQUIRE_TOOLS=1.
string? nfproj = null, lib = Environment.GetEnvironmentVariable("CM_NANO_LIB"), output = null;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--nfproj": nfproj = args[i + 1]; break;
        case "--lib": lib = args[i + 1]; break;
        case "--out": output = args[i + 1]; break;
        default: Console.Error.WriteLine("unknown option " + args[i]); return 2;
    }
}
var repo = new DirectoryInfo(Directory.GetCurrentDirectory());
while (repo != null && !File.Exists(Path.Combine(repo.FullName, "Firmware", "ChargeManager.Firmware.nfproj")))
    repo = repo.Parent;
if (nfproj == null && repo == null)
{
    Console.Error.WriteLine("run from the repository or pass --nfproj");
    return 2;
}
nfproj ??= Path.Combine(repo!.FullName, "Firmware", "ChargeManager.Firmware.nfproj");
lib ??= Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(nfproj))!, "..", "..", "shared", "nanoframework", "lib"));

if (!Directory.Exists(lib))
{
    var required = Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable("CM_REQUIRE_TOOLS") == "1";
    Console.WriteLine($"firmware gate: {(required ? "FAILED" : "skipped")}: no nanoFramework libraries at {lib} "
        + "(the packages of ../shared/nanoframework/VERSIONS.md built for type-checking; set CM_NANO_LIB or --lib)");
    return required ? 1 : 0;
}

var mscorlib = Path.Combine(AppContext.BaseDirectory, "nano", "mscorlib.dll");
var build = FirmwareGate.Build(nfproj, lib, mscorlib);
if (output != null && build.Assembly != null)
{
    Directory.CreateDirectory(output);
    File.WriteAllBytes(Path.Combine(output, build.AssemblyName + ".exe"), build.Assembly);
}
if (build.Errors.Count > 0)
{
    Console.WriteLine($"firmware gate: FAILED, {build.Errors.Count} error(s) compiling {Path.GetFileName(nfproj)} against {lib}:");
    foreach (var error in build.Errors)
        Console.WriteLine("  " + error);
    return 1;
}
Console.WriteLine($"firmware gate: OK: {build.AssemblyName} ({build.Sources} files, {build.Assembly!.Length} bytes) compiles against "
    + $"mscorlib and {string.Join(", ", build.References)} from {lib}; nano IL check clean");
return 0;
