using ChargeManager.Tools.NanoIlCheck;

// Usage: NanoIlCheck <assembly.dll> ... ; exit code 1 when any assembly breaks a nanoFramework rule.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: NanoIlCheck <assembly.dll> [more.dll ...]");
    return 2;
}

var failed = false;
foreach (var path in args)
{
    var problems = NanoIlRules.Check(path);
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
