using ChargeManager.Tools.NanoIlCheck;

// Usage: NanoIlCheck [--allow A,B] <assembly.dll> ... ; exit code 1 when any assembly breaks a nanoFramework rule.
// --allow names the assemblies besides mscorlib that may be referenced (the firmware's nanoFramework libraries).
var allowed = new List<string>();
var paths = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--allow" && i + 1 < args.Length)
        allowed.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    else
        paths.Add(args[i]);
}
if (paths.Count == 0)
{
    Console.Error.WriteLine("usage: NanoIlCheck [--allow Assembly1,Assembly2] <assembly.dll> [more.dll ...]");
    return 2;
}

var failed = false;
foreach (var path in paths)
{
    var problems = NanoIlRules.Check(path, allowed);
    if (problems.Count == 0)
    {
        Console.WriteLine($"nano IL check: {path}: OK");
        continue;
    }
    failed = true;
    Console.WriteLine($"nano IL check: {path}: {problems.Count} problem(s)");
    foreach (var problem in problems)
        Console.WriteLine("  " + problem);
}
return failed ? 1 : 0;
