#!/bin/sh
# Listing connections and the control socket under idle connections, with real processes (docs/PERFORMANCE.md,
# "Listing connections"). Run as root (the control socket is root's), under the lab lock:
#   flock /tmp/lvsps-lab.lock sh bench/connection-listing.sh [ENTRIES]
# For each mode a fresh server process holds ENTRIES entries (real SYN frames into a DirectorEngine) behind the real
# control socket; one client process lists them all: "whole" = ListConnections in one reply (Get-LvsConnection
# before), "paged" = ListConnectionPage streamed (Get-LvsConnection now). Peak RSS (VmHWM) of each process.
# Then: ping latency with 200 idle connections open (half of them slow senders).
set -eu
ENTRIES=${1:-600000}
cd "$(dirname "$0")/.."
dotnet build bench/LvsPS.Bench.Listing -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null
BIN=out/bench-listing/LvsPS.Bench.dll
run() { # mode entries
    name=bl$$$1
    fifo=$(mktemp -u); mkfifo "$fifo"
    out=$(mktemp)
    dotnet "$BIN" server "$name" "$2" <"$fifo" >"$out" & pid=$!
    exec 3>"$fifo"
    while ! grep -q ready "$out"; do sleep 0.5; done
    cat "$out"
    dotnet "$BIN" client "$name" "$1" || echo "client mode=$1 failed"
    echo >&3; exec 3>&-
    wait $pid
    tail -n 1 "$out"
    rm -f "$fifo" "$out"
}
run paged "$ENTRIES"
run whole "$ENTRIES"
name=bp$$
fifo=$(mktemp -u); mkfifo "$fifo"; out=$(mktemp)
dotnet "$BIN" server "$name" 1000 <"$fifo" >"$out" & pid=$!
exec 3>"$fifo"
while ! grep -q ready "$out"; do sleep 0.5; done
dotnet "$BIN" ping "$name" 0 200
dotnet "$BIN" ping "$name" 200 200
echo >&3; exec 3>&-
wait $pid
rm -f "$fifo" "$out"
