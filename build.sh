#!/usr/bin/env bash
# LvsPS: set up a fresh Debian 12 machine (as root), build, and run the demo or the tests.
#   ./build.sh demo    the seed cluster of the original walkthrough, in a lab of network namespaces
#   ./build.sh test    every test (xUnit and Pester); ends with "N passed, N failed"
#   ./build.sh setup | build | bench
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

need_root() {
    if [ "$(id -u)" != 0 ]; then echo "LvsPS needs root (network namespaces, raw frames): run it with sudo." >&2; exit 1; fi
}

setup() {
    need_root
    local pkgs=(libpcap0.8 iproute2 ethtool openssh-server openssh-client nginx-light socat curl procps iputils-ping)
    local missing=()
    for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "== installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    # Debian starts the packaged daemons; the lab runs its own copies inside namespaces, so stop the host ones.
    for svc in nginx ssh; do (command -v systemctl >/dev/null && systemctl stop "$svc") >/dev/null 2>&1 || true; done
    pkill -x nginx >/dev/null 2>&1 || true
    mkdir -p /run/sshd
    echo "== dotnet tool restore (pwsh) and Pester"
    dotnet tool restore >/dev/null
    dotnet restore tools/tools.csproj >/dev/null
}

build() {
    echo "== dotnet build"
    dotnet build LvsPS.sln -c Release -nologo -v quiet -clp:ErrorsOnly
}

# The module and the engine only (what the demo needs).
build_module() {
    echo "== dotnet build (module and engine)"
    dotnet build src/LvsPS.Engine/LvsPS.Engine.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
    dotnet build src/LvsPS/LvsPS.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
}

pwsh() { dotnet pwsh -NoLogo -NoProfile "$@"; }

case "${1:-}" in
    setup) setup ;;
    build) setup; build ;;
    demo) setup; build_module; pwsh -File examples/Seed-DrCluster.ps1 ;;
    test) setup; build; pwsh -File tests/Invoke-AllTests.ps1 ;;
    bench) setup; build; shift; dotnet run -c Release --project bench/LvsPS.Bench -- "$@" ;;
    *) sed -n '2,6p' "$0"; exit 64 ;;
esac
