#!/usr/bin/env bash
# Builds the core of this tree, BenchScripts.cs (its app set-up and chargers' states) and the given C# files for nanoCLR and runs them (a quick probe of heap or time).
# Usage: tools/NanoBench/probe.sh FILE.cs...   (prints the program's output after "Ready.")
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD; NANO=${NANO:-$ROOT/../shared/nanoclr}; MSC=${MSC:-$HOME/.nuget/packages/nanoframework.corelibrary/1.17.11/lib}; NATIVE=$NANO/managed
DOTNET_DIR=$(dirname "$(readlink -f "$(command -v dotnet)")"); CSC=$(ls -d "$DOTNET_DIR"/sdk/*/Roslyn/bincore/csc.dll | tail -1)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
files=(); for f in "$@"; do files+=("$(readlink -f "$f" 2>/dev/null || echo "$OLDPWD/$f")"); done
mapfile -t sources < <(find Distribution.Core -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*')
dotnet "$CSC" -nologo -noconfig -nostdlib -optimize+ -nowarn:CS0649,CS0169,CS0414 -r:"$MSC/mscorlib.dll" -r:"$NATIVE/nanoFramework.Runtime.Native.dll" -out:"$work/P.exe" "${sources[@]}" tools/NanoBench/BenchScripts.cs "${files[@]}" | { grep -v warning || true; }
"$NANO/nanomdp" -loadHints mscorlib "$MSC/mscorlib.dll" -loadHints nanoFramework.Runtime.Native "$NATIVE/nanoFramework.Runtime.Native.dll" -parse "$work/P.exe" -compile "$work/P.pe" false >/dev/null
"$NANO/nanoclr" "$MSC/mscorlib.pe" "$NATIVE/nanoFramework.Runtime.Native.pe" "$work/P.pe" | tr -d '\r' | sed -n '/^Ready\./,$p' | grep -v '^Ready\.$\|^Done\.$\|^Exiting\.$'
