#!/usr/bin/env bash
# LvsPS: set up a fresh Debian 12 machine, build, and run the demo or the tests.
#   ./build.sh demo    (root) the seed cluster of the original walkthrough, in a lab of network namespaces
#   ./build.sh demo kernel   (root) the same with a Linux kernel IPVS director (a QEMU guest where the host has no ip_vs)
#   ./build.sh test    (root) every test (xUnit and Pester); ends with "N passed, N failed"
#   ./build.sh package   stages out/package/LvsPS, the module as a gallery ships it (then: Publish-PSResource -Path out/package/LvsPS)
#   ./build.sh setup | build | bench   (no root needed; as root, setup also installs missing Debian packages)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)

need_root() {
    if [ "$(id -u)" != 0 ]; then echo "./build.sh $1 needs root (network namespaces, raw frames): run it with sudo." >&2; exit 1; fi
}

# Debian packages the lab, the director engine and the tests use at run time (chromium: headless, for the HTML report test). Building needs none of them (only the
# .NET SDK), so ./build.sh build goes on without them.
LAB_PKGS=(libpcap0.8 iproute2 ethtool openssh-server openssh-client nginx-light socat curl procps iputils-ping util-linux mount keepalived chromium arping)
# Kernel labs (New-LvsLab -DirectorKind Kernel) on a host whose kernel has no ip_vs boot a QEMU guest; its kernel and
# root come from Debian packages that are downloaded (apt-get download), never installed on the host.
KERNEL_LAB_PKGS=(qemu-system-x86)
# The lab load scripts in bench/ (side-by-side.ps1: wrk, HAProxy as the peer, gcc for the UDP sender).
BENCH_PKGS=(wrk haproxy gcc)

# Installs missing packages (as root) or says which are missing and how to install them (not root).
# Touches nothing else on the host: no service is stopped or reconfigured, no process is signalled. The lab's
# nginx and sshd are separate processes with their own configuration, pid files and /run, in their own namespaces,
# so the host's own nginx or sshd (if any) go on running; the lab stops only the processes in its own namespaces.
setup() {
    local missing=() pkgs=("${LAB_PKGS[@]}")
    [ "${WITH_KERNEL_LAB:-}" = 1 ] && pkgs+=("${KERNEL_LAB_PKGS[@]}")
    [ "${WITH_BENCH:-}" = 1 ] && pkgs+=("${BENCH_PKGS[@]}")
    if command -v dpkg >/dev/null 2>&1; then
        for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    else
        echo "== no dpkg: not a Debian system; make sure these (or their equivalents) are installed: ${LAB_PKGS[*]}" >&2
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        if [ "$(id -u)" = 0 ]; then
            echo "== installing ${missing[*]}"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        else
            echo "== missing Debian packages (the lab, the demo and the tests need them; the build does not): ${missing[*]}" >&2
            echo "   install them with: sudo apt-get install --no-install-recommends ${missing[*]}   (or: sudo ./build.sh setup)" >&2
        fi
    fi
    if ! command -v dotnet >/dev/null 2>&1; then
        echo "LvsPS needs the .NET 10 SDK (dotnet) on PATH: see https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
        exit 1
    fi
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
    demo)
        need_root demo
        if [ "${2:-}" = kernel ]; then
            WITH_KERNEL_LAB=1 setup; build_module; pwsh -File examples/Seed-DrCluster.ps1 -DirectorKind Kernel
        else
            setup; build_module; pwsh -File examples/Seed-DrCluster.ps1
        fi ;;
    test) need_root test; WITH_KERNEL_LAB=1 setup; build; pwsh -File tests/Invoke-AllTests.ps1 ;;
    package) setup; build_module; pwsh -File tools/New-LvsPackage.ps1 ;;
    bench) WITH_BENCH=1 setup; build; shift; dotnet run -c Release --project bench/LvsPS.Bench -- "$@" ;;
    *) sed -n '2,7p' "$0"; exit 64 ;;
esac
