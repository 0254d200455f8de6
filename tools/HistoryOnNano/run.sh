#!/usr/bin/env bash
# Builds HistoryOnNano, converts it with nanomdp and runs it on nanoclr; prints the figures.
set -euo pipefail
cd "$(dirname "$0")"
NANO=${NANO:-$(cd ../../../shared/nanoclr && pwd)}
MSC=$HOME/.nuget/packages/nanoframework.corelibrary/1.17.11/lib
dotnet build -c Release -nologo -v q >/dev/null
out=bin/Release/net10.0
"$NANO/nanomdp" -loadHints mscorlib "$MSC/mscorlib.dll" -loadHints nanoFramework.Runtime.Native "$NANO/managed/nanoFramework.Runtime.Native.dll" \
  -parse "$out/HistoryOnNano.dll" -compile "$out/HistoryOnNano.pe" false >/dev/null
"$NANO/nanoclr" "$MSC/mscorlib.pe" "$NANO/managed/nanoFramework.Runtime.Native.pe" "$out/HistoryOnNano.pe" | sed -n '/^Ready\./,$p' | grep -E "history"
