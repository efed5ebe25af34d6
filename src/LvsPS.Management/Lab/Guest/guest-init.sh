#!/bin/sh
# LvsPS kernel lab guest: /init of the initramfs that is the guest's root (see build-guest-image.sh).
# The lab adds a second archive with /etc/lvsps/guest.conf, the SSH host key, authorized_keys and sshd_config.
export PATH=/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs -o mode=0755 run /run
mkdir -p /dev/pts /run/sshd /var/run
mount -t devpts devpts /dev/pts
exec >/dev/console 2>&1
say() { echo "lvsps-guest: $*"; }

if grep -q 'lvsps.probe=1' /proc/cmdline; then say "probe ok"; poweroff -f; fi

. /etc/lvsps/guest.conf
hostname "$GUEST_HOSTNAME"
echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null
modprobe virtio_pci; modprobe virtio_net

# the NICs by their MAC (QEMU's -device ...,mac=): eth0 on the lab's segment, eth1 on a NAT lab's inside network
iface_of() {
    for f in /sys/class/net/*/address; do [ "$(cat "$f")" = "$1" ] && { basename "${f%/address}"; return 0; }; done
    return 1
}
wait_iface() { # MAC NAME
    i=0
    until dev=$(iface_of "$1"); do
        i=$((i + 1)); [ $i -gt 100 ] && { say "no $2"; return 1; }; sleep 0.1
    done
    [ "$dev" = "$2" ] || ip link set "$dev" name "$2"
}
ip link set lo up
if wait_iface "$GUEST_MAC" eth0; then
    ip addr add "$GUEST_ADDRESS/$GUEST_PREFIX" dev eth0
    ip link set eth0 up
    # the VIP as the walkthrough puts it on the director (VIP=eth0:101), a host address
    [ -n "$GUEST_VIP" ] && ip addr add "$GUEST_VIP/32" dev eth0 label "$GUEST_VIP_LABEL"
fi
if [ -n "$GUEST_INSIDE_MAC" ] && wait_iface "$GUEST_INSIDE_MAC" eth1; then
    ip addr add "$GUEST_INSIDE_ADDRESS/$GUEST_PREFIX" dev eth1
    ip link set eth1 up
fi
echo "$GUEST_FORWARD" > /proc/sys/net/ipv4/ip_forward
modprobe ip_vs
say "network up: $GUEST_ADDRESS/$GUEST_PREFIX on eth0 ($GUEST_MAC), VIP $GUEST_VIP, ip_forward=$GUEST_FORWARD, $(ipvsadm --version 2>&1)"

cat > /etc/inittab <<EOT
::respawn:/usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
::ctrlaltdel:/usr/bin/poweroff -f
EOT
say "ready"
exec /usr/bin/busybox init
