#!/usr/bin/env bash
# Memory and speed of the core on nanoCLR (../shared/nanoclr) and on .NET, in the same session.
# Usage: tools/NanoBench/run.sh   (NANO=dir of nanoclr/nanomdp, default ../shared/nanoclr next to the repo)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
NANO=${NANO:-$ROOT/../shared/nanoclr}
MSC=${MSC:-$HOME/.nuget/packages/nanoframework.corelibrary/1.17.11/lib}
NATIVE=$NANO/managed
DOTNET_DIR=$(dirname "$(readlink -f "$(command -v dotnet)")")
CSC=$(ls -d "$DOTNET_DIR"/sdk/*/Roslyn/bincore/csc.dll 2>/dev/null | tail -1 || true)
[ -x "$NANO/nanoclr" ] || { echo "nanoCLR not found in $NANO (set NANO=...)"; exit 1; }
[ -f "$MSC/mscorlib.pe" ] || dotnet restore tools/CoreOnNano/Distribution.Core.Nano.csproj >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t sources < <(find Distribution.Core -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*')
# Runtime.Native has natives: it is used as built (LangVersion 10), only referenced here.
dotnet "$CSC" -nologo -noconfig -nostdlib -optimize+ -nowarn:CS0649,CS0169,CS0414 -r:"$MSC/mscorlib.dll" -r:"$NATIVE/nanoFramework.Runtime.Native.dll" \
  -out:"$work/NanoBench.exe" "${sources[@]}" tools/NanoBench/BenchScripts.cs tools/NanoBench/NanoMain.cs | { grep -v warning || true; }
"$NANO/nanomdp" -loadHints mscorlib "$MSC/mscorlib.dll" -loadHints nanoFramework.Runtime.Native "$NATIVE/nanoFramework.Runtime.Native.dll" \
  -parse "$work/NanoBench.exe" -compile "$work/NanoBench.pe" false >/dev/null
"$NANO/nanoclr" "$MSC/mscorlib.pe" "$NATIVE/nanoFramework.Runtime.Native.pe" "$work/NanoBench.pe" | tr -d '\r' | sed -n '/^Ready\./,$p' | grep -E '^(bench|mem|speed)' > "$work/nano.txt" || true
grep -q '^bench done' "$work/nano.txt" || { echo "the benchmark died on nanoCLR:"; cat "$work/nano.txt"; exit 1; }
dotnet run -c Release --project tools/NanoBench/NanoBench.csproj | grep -E '^(bench|mem|speed)' > "$work/net.txt"
cat "$work/nano.txt" "$work/net.txt"
echo
awk '
  /^bench / { rt = $2 }
  /^mem / { n = $2; for (i = 3; i <= NF; i++) { split($i, kv, "="); m[rt, n, kv[1]] = kv[2] } if (!(n in seen)) { seen[n] = 1; ns[++cn] = n } }
  /^speed / { n = $2; for (i = 3; i <= NF; i++) { split($i, kv, "="); sub("ns", "", kv[2]); s[rt, n, kv[1]] = kv[2] } if (!(n in sseen)) { sseen[n] = 1; ss[++cs] = n } }
  END {
    print "| chargers | heap after construction, nanoCLR | after 1,000 ticks, nanoCLR | .NET after construction | .NET after 1,000 ticks | allocated per tick, .NET | per received state, .NET |"
    print "|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= cn; i++) { n = ns[i]; printf "| %s | %s B | %s B | %s B | %s B | %s B | %s B |\n", n, m["nanoCLR", n, "constructed"], m["nanoCLR", n, "ticked"], m[".NET", n, "constructed"], m[".NET", n, "ticked"], m[".NET", n, "perTick"], m[".NET", n, "perState"] }
    print ""
    print "| chargers | tick without a run, nanoCLR | tick with a run, nanoCLR | allocator run, nanoCLR | tick, .NET | tick with a run, .NET | run, .NET |"
    print "|---:|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= cs; i++) { n = ss[i]; printf "| %s | %.1f µs | %.1f µs | %.1f µs | %.2f µs | %.2f µs | %.2f µs |\n", n, s["nanoCLR", n, "tick"] / 1000, s["nanoCLR", n, "tickRun"] / 1000, s["nanoCLR", n, "run"] / 1000, s[".NET", n, "tick"] / 1000, s[".NET", n, "tickRun"] / 1000, s[".NET", n, "run"] / 1000 }
  }' "$work/nano.txt" "$work/net.txt"
