@{
    Synopsis    = 'Builds an LVS lab on this machine: a client, a director and real servers in network namespaces.'
    Description = @'
New-LvsLab builds a small LVS-DR network inside one machine, so that a cluster can be tried, and every test can run,
against real packets without touching the host's own network. It creates one network namespace per node, all
joined by a bridge in a switch namespace:

- lvs-<name>-client: the client, at .200 of the subnet;
- lvs-<name>-director: the director, at .1, with net.ipv4.ip_forward=0 and without the VIP (the LvsPS engine owns
  the VIP; start it with Start-LvsDirector -Lab <name>);
- lvs-<name>-rs1, -rs2 ...: the real servers, at .3, .4 and so on. Each runs nginx on port 80 (test.html says
  "real server #N"), an OpenSSH sshd on port 22 with a lab host key and key-only root login, and a telnet-like
  service on port 23;
- lvs-<name>-sw: the bridge.

The VIP of the lab is .101 of the subnet. The real servers do not hold it yet: Set-LvsRealServerHidden -Lab <name>
puts it on them the way a real cluster is prepared. The lab's SSH key, known_hosts and hosts file (director, vs1,
rs1 ...) are kept in /var/lib/lvsps/labs/<name>; the addresses exist only inside the namespaces.

With -DirectorKind Kernel the director is Linux's own IPVS instead of the LvsPS engine. Where this host's kernel
has ip_vs, the director's namespace runs it (IPVS is per network namespace), with an sshd there. Where it has not,
the director is a QEMU virtual machine booting Debian's linux-image-cloud-amd64 kernel into a root made from
Debian packages (busybox, ipvsadm, keepalived, OpenSSH sshd, iproute2, nft): the packages are downloaded, never
installed on the host, and the image is built once into /var/cache/lvsps/guest. Its NIC is a tap device on the
lab's bridge, with the director's address and MAC; its QEMU runs in the switch namespace and is stopped with the
lab. KVM is used when a KVM guest boots on this machine, else TCG (about 5 s to boot). Either way the director
holds the VIP on eth0 (label eth0:101, as the walkthrough's VIP=eth0:101), has ip_forward=1 only for NAT, and is
registered under the lab's name as Connect-LvsDirector would register it: the table cmdlets manage it with
-Director <name> (ipvsadm over SSH, the host key checked against the lab's known_hosts), also from another
session. Invoke-LvsLabCommand -Node director runs commands there.

With -DirectorCount 2 the lab has a pair of directors for failover (VRRP, connection sync): director1 at .1 and
director2 at .2, in the namespaces lvs-<name>-director1 and lvs-<name>-director2, named <name>-director1 and
<name>-director2 (what -Director selects; a one-director lab's director is named after the lab). -DirectorKind
gives one kind for both, or one per director: Engine, Kernel is the mixed pair, director1 the LvsPS engine and
director2 Linux IPVS (each kernel director of a pair its own QEMU guest where this host has no ip_vs, with its own
tap t-director1/t-director2, MAC, address and host key in the lab's known_hosts). No director of a pair holds the
VIP: not a kernel director (no eth0:101; keepalived adds the VIP on the VRRP master), and an engine director
answers ARP for it only while its lvsd has a service for it. Both have ip_forward=0. Pairs are DR (Route) and
Tunnel labs for now: -Forwarding Masq with -DirectorCount 2 is refused with InvalidArgument. The count and kinds
are checked first, also under -WhatIf. Start-LvsDirector -Lab starts every engine director of the pair
(-Node director1 one of them); Invoke-LvsLabCommand -Node director2 runs commands on either kind.

A failed build is torn down before the error is reported. The progress of each step is shown with Write-Progress.
'@
    Parameters  = @{
        Name            = 'The name of the lab: a letter followed by up to 11 letters, digits or hyphens. It names the namespaces (lvs-<name>-*) and the lab''s director.'
        RealServerCount = @{ Description = 'How many real servers to create, 1 to 32 (rs1 .3 to rs32 .34).'; DefaultValue = '2' }
        Subnet          = @{ Description = 'The lab''s IPv4 subnet in CIDR form, prefix length 16 to 28. The director gets .1, the real servers .3 onwards, the VIP .101 and the client .200. It must not overlap another lab''s subnet.'; DefaultValue = '10.250.0.0/24' }
        WhatIf          = 'Shows the lab that would be built, without building it.'
        DirectorKind    = @{ Description = 'What the director is. Engine (the default): the LvsPS engine lvsd, started with Start-LvsDirector -Lab. Kernel: Linux IPVS, managed through the kernel backend as -Director <name>; see the description for where it runs. With -DirectorCount 2: one kind for both directors, or two, one per director (Engine, Kernel: director1 the engine, director2 Linux IPVS). Two kinds with one director are refused with InvalidArgument.'; DefaultValue = 'Engine' }
        DirectorCount   = @{ Description = 'How many directors: 1 (director, .1, named after the lab) or 2 (a pair: director1 .1 and director2 .2, named <name>-director1 and <name>-director2, neither holding the VIP). Pairs are Route or Tunnel labs.'; DefaultValue = '1' }
        DirectorHost    = @{ Description = 'Kernel labs only: where the kernel director runs. Namespace: this host''s kernel IPVS in the director''s namespace (refused when this kernel has no ip_vs). VirtualMachine: a QEMU guest with Debian''s cloud kernel (needs qemu-system-x86). Left out: a namespace when this host''s kernel has ip_vs, else a virtual machine.'; DefaultValue = $null }
        Forwarding      = @{ Description = 'How the lab is wired. Route (the default): client, director and real servers on one segment, for direct routing. Masq: the real servers on an internal network (the next address block after -Subnet) behind the director, which is their default gateway, for NAT. Tunnel: wired as Route, and each real server runs LvsPS''s user-space IP-in-IP decapsulator feeding a TUN device lvstun0 (the kernel here has no ipip link type); prepare them with Set-LvsRealServerHidden -Interface lvstun0.'; DefaultValue = 'Route' }
    }
    Examples    = @(
        @{
            Lab     = 'NewLab: builds a lab of its own (on 10.250.0.0/24)'
            Title   = 'The walkthrough''s cluster'
            Code    = @'
$lab = New-LvsLab -Name seed -RealServerCount 2
$lab.Nodes | Format-Table Name, Role, Address, MacAddress, Namespace
'@
            Remarks = 'Builds client 10.250.0.200, director 10.250.0.1, rs1 10.250.0.3 and rs2 10.250.0.4, with the VIP 10.250.0.101.'
        }
        @{
            Lab     = 'NewLab: builds a lab of its own (SeedCluster.Tests.ps1 runs the same steps)'
            Title   = 'A whole LVS-DR cluster in a lab'
            Code    = @'
New-LvsLab -Name seed
Start-LvsDirector -Lab seed
New-LvsService -VirtualAddress 10.250.0.101 -Port 80 -Scheduler rr
Add-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.3
Add-LvsRealServer 10.250.0.101 80 -RealAddress 10.250.0.4
Set-LvsRealServerHidden -Lab seed
Invoke-LvsLabCommand -Lab seed -Node client -Command 'curl -s http://10.250.0.101/test.html'
'@
            Remarks = 'Builds the lab, starts its director, creates the service (ipvsadm -A and -a -g), prepares the real servers and fetches a page through the VIP from the client.'
        }
        @{
            Lab     = 'NewLab: builds a lab of its own'
            Title   = 'A second lab beside the first'
            Code    = 'New-LvsLab -Name big -RealServerCount 4 -Subnet 10.251.0.0/24'
            Remarks = 'Each lab needs its own subnet.'
        }
        @{
            Lab     = 'NewLab: builds a kernel lab (a QEMU guest; KernelLab.Tests.ps1)'
            Title   = 'A lab whose director is the Linux kernel''s IPVS'
            Code    = @'
$lab = New-LvsLab -Name k -Subnet 10.252.0.0/24 -DirectorKind Kernel
$lab.KernelGuest
New-LvsService -Director k -VirtualAddress 10.252.0.101 -Port 80 -Scheduler rr
Add-LvsRealServer -Director k 10.252.0.101 80 -RealAddress 10.252.0.3
Invoke-LvsLabCommand -Lab k -Node director -Command 'ipvsadm -L -n'
'@
            Remarks = 'The same cmdlets run ipvsadm on the kernel director; the last line shows the kernel''s own listing.'
        }
        @{
            Lab     = 'NewLab: builds a mixed pair (TwoDirectorMixedLab.Tests.ps1)'
            Title   = 'A pair of directors: the LvsPS engine and Linux IPVS'
            Code    = @'
$lab = New-LvsLab -Name ha -Subnet 10.254.0.0/24 -DirectorCount 2 -DirectorKind Engine, Kernel
$lab.Directors | Format-Table Name, DirectorKind, DirectorName, Address, Host
Start-LvsDirector -Lab ha
Invoke-LvsLabCommand -Lab ha -Node director2 -Command 'ipvsadm -L -n'
Get-LvsService -Director ha-director2
'@
            Remarks = 'director1 (10.254.0.1) runs lvsd as ha-director1; director2 (10.254.0.2) is a kernel director managed as ha-director2. Start-LvsDirector -Lab starts only the engine.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with Name, RealServerCount or Subnet properties bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Management.Lab.LvsLab'; Description = 'The lab: Name, Subnet, VirtualAddress, Client, Director (the first), Directors (each with DirectorKind and DirectorName), RealServers (each with Name, Address, MacAddress, Namespace), Nodes, KeyFile, KnownHostsFile, HostsFile, Directory.' }
    )
    Notes       = @'
Needs root, iproute2, ethtool, nginx, OpenSSH sshd and socat (./build.sh setup installs them). Debian starts the
host's own nginx and sshd; the lab runs its own copies inside the namespaces. A kernel lab in a virtual machine
also needs qemu-system-x86 and apt (to download the guest's packages once); ./build.sh test installs QEMU.

Errors: LabExists, LabSubnetInUse, InvalidSubnet, InvalidArgument (bad name or count, -DirectorHost without
-DirectorKind Kernel, two kinds for one director, a NAT pair), LabSetupFailed (naming the step that failed; a kernel director that cannot run here), NotRoot.
All of them are terminating, and -WhatIf checks all of them first, as the real run does: it reports the same
error and says What if only for a lab that could be built.
'@
    RelatedLinks = @('Get-LvsLab', 'Remove-LvsLab', 'Invoke-LvsLabCommand', 'Start-LvsDirector', 'Set-LvsRealServerHidden', 'about_LvsPS')
}
