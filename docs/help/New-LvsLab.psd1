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

A failed build is torn down before the error is reported. The progress of each step is shown with Write-Progress.
'@
    Parameters  = @{
        Name            = 'The name of the lab: a letter followed by up to 11 letters, digits or hyphens. It names the namespaces (lvs-<name>-*) and the lab''s director.'
        RealServerCount = @{ Description = 'How many real servers to create, 1 to 16.'; DefaultValue = '2' }
        Subnet          = @{ Description = 'The lab''s IPv4 subnet in CIDR form, prefix length 16 to 28. The director gets .1, the real servers .3 onwards, the VIP .101 and the client .200. It must not overlap another lab''s subnet.'; DefaultValue = '10.250.0.0/24' }
        WhatIf          = 'Shows the lab that would be built, without building it.'
        Forwarding      = @{ Description = 'How the lab is wired. Route (the default): client, director and real servers on one segment, for direct routing. Masq: the real servers on an internal network (the next address block after -Subnet) behind the director, which is their default gateway, for NAT. Tunnel: wired as Route, and each real server runs LvsPS''s user-space IP-in-IP decapsulator feeding a TUN device lvstun0 (the kernel here has no ipip link type); prepare them with Set-LvsRealServerHidden -Interface lvstun0.'; DefaultValue = 'Route' }
        DirectorKind    = @{ Description = 'Engine (the default): the lab is for lvsd, started with Start-LvsDirector -Lab. Kernel: the director node runs Linux kernel IPVS, managed with ipvsadm over SSH and registered as a director named after the lab (-Director NAME); health checks there are keepalived''s.'; DefaultValue = 'Engine' }
        DirectorHost    = @{ Description = 'Kernel labs: Namespace (this host''s kernel IPVS in a network namespace) or VirtualMachine (a QEMU guest with its own kernel). By default a namespace when this host''s kernel has ip_vs, else a virtual machine.' }
    }
    Examples    = @(
        @{
            Title   = 'The walkthrough''s cluster'
            Code    = @'
$lab = New-LvsLab -Name seed -RealServerCount 2
$lab.Nodes | Format-Table Name, Role, Address, MacAddress, Namespace
'@
            Remarks = 'Builds client 10.250.0.200, director 10.250.0.1, rs1 10.250.0.3 and rs2 10.250.0.4, with the VIP 10.250.0.101.'
        }
        @{
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
            Title   = 'A second lab beside the first'
            Code    = 'New-LvsLab -Name big -RealServerCount 4 -Subnet 10.251.0.0/24'
            Remarks = 'Each lab needs its own subnet.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with Name, RealServerCount or Subnet properties bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Management.Lab.LvsLab'; Description = 'The lab: Name, Subnet, VirtualAddress, Client, Director, RealServers (each with Name, Address, MacAddress, Namespace), Nodes, KeyFile, KnownHostsFile, HostsFile, Directory.' }
    )
    Notes       = @'
Needs root, iproute2, ethtool, nginx, OpenSSH sshd and socat (./build.sh setup installs them). Debian starts the
host's own nginx and sshd; the lab runs its own copies inside the namespaces.

Errors: LabExists, LabSubnetInUse, InvalidSubnet, InvalidArgument (bad name or count), LabSetupFailed (naming the
step that failed), NotRoot.
'@
    RelatedLinks = @('Get-LvsLab', 'Remove-LvsLab', 'Invoke-LvsLabCommand', 'Start-LvsDirector', 'Set-LvsRealServerHidden', 'about_LvsPS')
}
