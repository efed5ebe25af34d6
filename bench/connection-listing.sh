#!/bin/sh
# Listing connections and the control socket under idle connections, with real processes (docs/PERFORMANCE.md,
# "Listing connections"). Run as root (the control socket is root's), under the lab lock:
#   flock /tmp/lvsps-lab.lock sh bench/connection-listing.sh [ENTRIES] [MODES]      (default: 600000 "paged cmdlet whole")
# For each mode a fresh server process (lvsd's GC settings) holds ENTRIES entries (real SYN frames into a
# DirectorEngine) behind the real control socket, and one client process lists them all:
#   paged   ListConnectionPage streamed (what Get-LvsConnection does now), a .NET client
#   whole   ListConnections in one reply (what Get-LvsConnection did before), a .NET client
#   cmdlet  pwsh: Get-LvsConnection -Director NAME | Measure-Object, peak RSS by /usr/bin/time
# Peak RSS is each process's VmHWM. Then: GetStatus latency with 0 and 200 idle connections open (half of them
# slow senders that never finish their request).
set -eu
ENTRIES=${1:-600000}
MODES=${2:-paged cmdlet whole}
cd "$(dirname "$0")/.."
dotnet build bench/LvsPS.Bench.Listing -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
dotnet build src/LvsPS -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
BIN=out/bench-listing/LvsPS.Bench.dll
MODULE=$(pwd)/LvsPS.psd1
start_server() { # name entries
    fifo=$(mktemp -u); mkfifo "$fifo"; out=$(mktemp)
    dotnet "$BIN" server "$1" "$2" <"$fifo" >"$out" & pid=$!
    exec 3>"$fifo"
    while ! grep -q ready "$out"; do sleep 0.5; done
    cat "$out"
}
stop_server() {
    echo >&3; exec 3>&-
    wait $pid
    tail -n 1 "$out"
    rm -f "$fifo" "$out"
}
for mode in $MODES; do
    name=bl$$$mode
    start_server "$name" "$ENTRIES"
    if [ "$mode" = cmdlet ]; then
        /usr/bin/time -f "client mode=cmdlet peak_rss_mb=%M(KB) seconds=%e" dotnet pwsh -NoLogo -NoProfile -Command \
            "Import-Module '$MODULE'; \$n = (Get-LvsConnection -Director $name | Measure-Object).Count; \"entries=\$n\""
    else
        dotnet "$BIN" client "$name" "$mode" || echo "client mode=$mode failed"
    fi
    stop_server
done
name=bp$$
start_server "$name" 1000
dotnet "$BIN" ping "$name" 0 500
dotnet "$BIN" ping "$name" 200 500
stop_server
