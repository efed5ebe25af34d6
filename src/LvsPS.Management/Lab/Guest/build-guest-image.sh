#!/usr/bin/env bash
# LvsPS: builds the kernel director guest of a kernel lab (New-LvsLab -DirectorKind Kernel on a host without ip_vs).
#
#   build-guest-image.sh OUTDIR
#
# Makes OUTDIR/vmlinuz (Debian's linux-image-cloud-amd64 kernel) and OUTDIR/root.cpio.gz: an initramfs that is the
# guest's whole root file system (busybox, ipvsadm, keepalived, sshd, iproute2, nft, tcpdump, the ip_vs modules and
# virtio_net), all taken from Debian packages. Nothing is installed on the host: the packages are fetched with
# `apt-get download` into a work folder and unpacked with dpkg-deb; the guest's libraries are the packages' own,
# found with the packages' own dynamic loader. OUTDIR/image.txt records what went in. Root is needed only for apt's
# cache lists (apt-get update runs when a package cannot be fetched).
set -euo pipefail
export LC_ALL=C

out=${1:?usage: build-guest-image.sh OUTDIR}
KERNEL_META=${LVSPS_GUEST_KERNEL:-linux-image-cloud-amd64}
# what the guest runs; the kernel package is resolved from the meta package
USER_PKGS=(busybox-static ipvsadm keepalived openssh-server openssh-sftp-server iproute2 nftables tcpdump)

work=$(mktemp -d "${TMPDIR:-/tmp}/lvsps-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs" "$work/sys" "$work/root"

log() { echo "== $*" >&2; }

real_packages() {
    # the names among "$@" that are real packages with a candidate (virtual ones cannot be downloaded)
    apt-cache show --no-all-versions "$@" 2>/dev/null | sed -n 's/^Package: //p' | sort -u
}

fetch() {
    (cd "$work/debs" && apt-get download -q "$@" >/dev/null 2>"$work/apt.err") && return 0
    log "apt-get download failed; updating the package lists once: $(tail -1 "$work/apt.err")"
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$work/debs" && apt-get download -q "$@" >/dev/null 2>"$work/apt.err") || { cat "$work/apt.err" >&2; exit 1; }
}

kernel_pkg=$(apt-cache depends "$KERNEL_META" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
if [ -z "$kernel_pkg" ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    kernel_pkg=$(apt-cache depends "$KERNEL_META" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
fi
[ -n "$kernel_pkg" ] || { echo "cannot resolve the kernel package of $KERNEL_META (apt-cache depends)" >&2; exit 1; }
kver=${kernel_pkg#linux-image-}

log "fetching $kernel_pkg and the guest's packages"
deps=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances "${USER_PKGS[@]}" 2>/dev/null | grep -E '^[a-z0-9]' | sort -u)
# shellcheck disable=SC2086
fetch "$kernel_pkg" $(real_packages $deps)

log "unpacking"
for d in "$work"/debs/*.deb; do
    case $(basename "$d") in
        linux-image-*) dpkg-deb -x "$d" "$work/kernel" ;;
        *) dpkg-deb -x "$d" "$work/sys" ;;
    esac
done
mods=$work/kernel/lib/modules/$kver
[ -f "$work/kernel/boot/vmlinuz-$kver" ] && [ -d "$mods" ] || { echo "$kernel_pkg has no kernel or modules" >&2; exit 1; }

sys=$work/sys root=$work/root
# Debian 12 is merged-/usr: /bin, /sbin, /lib, /lib64 are links into /usr
mkdir -p "$root"/usr/{bin,sbin,lib/x86_64-linux-gnu,lib64,lib/openssh} "$root"/{etc,proc,sys,dev,run,tmp,root,var/empty,var/run,var/log}
ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
chmod 1777 "$root/tmp"; chmod 700 "$root/root"

find_in_sys() { # the file of a program in the unpacked packages, whichever of /bin /usr/bin /sbin /usr/sbin holds it
    local p
    for p in "$sys/usr/sbin/$1" "$sys/sbin/$1" "$sys/usr/bin/$1" "$sys/bin/$1" "$sys/usr/lib/openssh/$1"; do
        [ -e "$p" ] && { readlink -f "$p"; return 0; }
    done
    echo "no $1 in the guest's packages" >&2; exit 1
}

loader=$(readlink -f "$sys/usr/lib64/ld-linux-x86-64.so.2" 2>/dev/null || readlink -f "$sys/lib64/ld-linux-x86-64.so.2")
libpath="$sys/usr/lib/x86_64-linux-gnu:$sys/lib/x86_64-linux-gnu"
copy_libs() { # the shared libraries a program needs, resolved inside the unpacked packages
    local bin=$1 lib name libs
    libs=$("$loader" --library-path "$libpath" --list "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
    for lib in $libs; do
        name=$(basename "$lib")
        case $name in ld-linux-*) continue ;; esac      # the loader itself, copied once below
        case $lib in "$sys"/*) ;; *) echo "$bin needs $lib, which is not in the guest's packages" >&2; exit 1 ;; esac
        [ -e "$root/usr/lib/x86_64-linux-gnu/$name" ] || cp -L "$lib" "$root/usr/lib/x86_64-linux-gnu/$name"
    done
}
install_bin() { # program-name destination-folder
    local src; src=$(find_in_sys "$1")
    cp -L "$src" "$root/$2/$1"
    copy_libs "$src"
}

log "installing programs"
cp -L "$loader" "$root/usr/lib64/ld-linux-x86-64.so.2"
cp -L "$(find_in_sys busybox)" "$root/usr/bin/busybox"
for a in $("$root/usr/bin/busybox" --list); do
    case $a in ip|busybox) continue ;; esac       # iproute2's ip, not busybox's
    ln -s ../bin/busybox "$root/usr/sbin/$a"      # /sbin/modprobe is what the kernel runs to load a module
    [ -e "$root/usr/bin/$a" ] || ln -s busybox "$root/usr/bin/$a"
done
install_bin ip usr/sbin
install_bin ipvsadm usr/sbin
install_bin keepalived usr/sbin
install_bin sshd usr/sbin
install_bin nft usr/sbin
install_bin sftp-server usr/lib/openssh
install_bin tcpdump usr/bin
# glibc loads these at run time (not in --list): name service files and the nss compat modules sshd may ask for
for l in libnss_files.so.2 libnss_dns.so.2 libresolv.so.2; do
    for d in "$sys/usr/lib/x86_64-linux-gnu" "$sys/lib/x86_64-linux-gnu"; do
        [ -e "$d/$l" ] && { cp -L "$d/$l" "$root/usr/lib/x86_64-linux-gnu/$l"; break; }
    done
done
[ -d "$sys/etc/iproute2" ] && cp -r "$sys/etc/iproute2" "$root/etc/"

log "installing kernel modules"
want="ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_fo ip_vs_ovf ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh ip_vs_mh
ip_vs_sed ip_vs_nq ip_vs_ftp virtio_net virtio_pci nf_tables nft_ct nf_conntrack ipip tunnel4 dummy"
declare -A seen=()
modfile() { find "$mods/kernel" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" | head -1; }
add_mod() {
    local m=${1//-/_} f dep
    [ -n "${seen[$m]:-}" ] && return 0
    seen[$m]=1
    f=$(modfile "$m")
    if [ -z "$f" ]; then
        # built in, or named with dashes in the tree
        f=$(modfile "${1//_/-}")
        [ -z "$f" ] && { grep -q "/${m}.ko" "$mods/modules.builtin" || echo "module $m not found (not built in either)" >&2; return 0; }
    fi
    mkdir -p "$root/lib/modules/$kver/$(dirname "${f#"$mods"/}")"
    cp "$f" "$root/lib/modules/$kver/${f#"$mods"/}"
    # the module's .modinfo strings name what it needs: depends=a,b,c
    for dep in $(tr '\0' '\n' < "$f" | sed -n 's/^depends=//p' | head -1 | tr ',' ' '); do add_mod "$dep"; done
}
for m in $want; do add_mod "$m"; done
cp "$mods/modules.builtin" "$mods/modules.order" "$root/lib/modules/$kver/"
"$root/usr/bin/busybox" depmod -b "$root" "$kver"

log "writing /init and /etc"
cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
sshd:x:100:65534:sshd:/run/sshd:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
keepalived_script:x:101:65534:keepalived:/nonexistent:/usr/sbin/nologin
tcpdump:x:102:65534:tcpdump:/nonexistent:/usr/sbin/nologin
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo 'root:*:19000:0:99999:7:::' > "$root/etc/shadow"; chmod 600 "$root/etc/shadow"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' > "$root/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n' > "$root/etc/hosts"
echo 'PATH=/usr/sbin:/usr/bin' > "$root/etc/environment"
mkdir -p "$root/etc/keepalived" "$root/etc/ssh" "$root/etc/lvsps"
install -m 0755 "$(dirname "$0")/guest-init.sh" "$root/init"

log "packing the initramfs"
(cd "$root" && find . | sort | "$root/usr/bin/busybox" cpio -o -H newc -R 0:0 2>/dev/null | gzip -1 > "$work/root.cpio.gz")
mkdir -p "$out"
cp "$work/kernel/boot/vmlinuz-$kver" "$out/vmlinuz.tmp" && mv "$out/vmlinuz.tmp" "$out/vmlinuz"
mv "$work/root.cpio.gz" "$out/root.cpio.gz.tmp" && mv "$out/root.cpio.gz.tmp" "$out/root.cpio.gz"
{
    echo "kernel $kernel_pkg"
    echo "size $(stat -c %s "$out/root.cpio.gz")"
    for d in "$work"/debs/*.deb; do basename "$d" .deb; done | grep -v '^linux-image'
} > "$out/image.txt"
log "guest image ready: $out ($kver)"
