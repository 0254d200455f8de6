using Xunit;

namespace ChargeManager.Distribution.Tests.Support;

/// <summary>
/// A test that runs real programs (curl, mosquitto). Where one is missing it is skipped with the
/// install command, so the README's test command works on a fresh machine; .ci/run installs them and
/// sets CM_REQUIRE_TOOLS=1, which turns a missing program into a failure instead.
/// </summary>
public sealed class NeedsToolsFactAttribute : FactAttribute
{
    public NeedsToolsFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => !OnPath(t)).ToArray();
        if (missing.Length > 0 && Environment.GetEnvironmentVariable("CM_REQUIRE_TOOLS") != "1")
            Skip = $"needs {string.Join(", ", missing)}: apt-get install curl mosquitto mosquitto-clients (.ci/run does)";
    }

    static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Concat(new[] { "/usr/sbin", "/sbin" })
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
