#!/usr/bin/env bash
# Prints `--ensemble N` figures (default 30) for our allocator as it was before issue 14 (commit
# 8e5db44: one global hysteresis, fairness by absolute charge), over this tree's scenarios, so they
# can be set beside `dotnet run -c Release --project tools/ChargeManager.Scenarios -- --ensemble N`.
# It builds that commit in a temporary git worktree with today's Ensemble.cs (the same seeded shifts).
set -euo pipefail
runs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$tmp/tree" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git -C "$repo" worktree add --detach -q "$tmp/tree" 8e5db44
cp "$here/Ensemble.cs" "$tmp/tree/tools/ChargeManager.Scenarios/"
cat > "$tmp/tree/tools/ChargeManager.Scenarios/Program.cs" <<'CS'
using ChargeManager.Scenarios;
int runs = int.Parse(args[0]);
foreach (var file in Directory.GetFiles(args[1], "*.json").OrderBy(f => f))
{
    var scenario = ScenarioReader.Read(file);
    int n = scenario.Chargers.Count;
    Ensemble.Run(scenario, () => new CorePolicy(n), runs);
}
CS
dotnet run -c Release --project "$tmp/tree/tools/ChargeManager.Scenarios" -- "$runs" "$here/scenarios" 2>&1 | grep -v "warning CS"
