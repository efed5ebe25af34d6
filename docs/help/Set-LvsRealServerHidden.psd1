@{
    Synopsis    = 'Prepares real servers for LVS-DR over SSH: the VIP on lo (or dummy0) as /32, hidden from ARP.'
    Description = @'
In LVS-DR every real server must accept packets addressed to the VIP, so it must hold the VIP, but it must never
answer ARP for the VIP or announce it: otherwise clients and routers may send the VIP's traffic straight to a real
server and bypass the director (the "ARP problem" of the LVS-HOWTO). Set-LvsRealServerHidden logs in to each real
server over SSH and does what the configure script's real-server part does, in an order that never leaves the VIP
held and answered for:

- with -Interface other than lo (for example dummy0): creates the interface as a dummy link if it is missing;
- raises net.ipv4.conf.all.arp_ignore to 1 and arp_announce to 2, and the same on the VIP interface and on
  -NetInterface when given (a value already higher is kept);
- on old kernels that have the "hidden" sysctl (2.2 and 2.4 with the hidden patch): sets all/hidden and
  <interface>/hidden to 1;
- removes the VIP if it is there with another prefix, then "ip addr replace VIP/32 dev <interface> scope host";
- brings a dummy interface up.

arp_ignore=1 makes the real server answer ARP only for addresses configured on the interface the request came in
on; arp_announce=2 makes it use its own interface address, never the VIP, as the source of its ARP requests. /32
keeps a subnet route off the interface. The commands are idempotent; the returned state tells whether anything
changed. -WhatIf shows the exact shell commands for each host.

Targets are either a lab's real servers (-Lab, reached from the lab's director namespace with the lab's key and
known_hosts) or any hosts (-ComputerName) reached with a key file or a credential. Host keys are always checked
against a known_hosts file: an unknown key is refused unless -AcceptNewHostKey is given, and a changed key is
always refused.

The settings are not made persistent: to keep them across reboots, add them to the real server's own network
configuration (for example /etc/sysctl.d and /etc/network/interfaces).
'@
    Parameters  = @{
        ThrottleLimit    = @{ Description = 'How many real servers are prepared at once (1 to 1024). The default, 32, is Invoke-Command''s: a host''s preparation is a few SSH round trips, mostly waiting on the network and the far side, so a fleet of up to 32 is one wave even on two cores. 1 prepares them one after another. The hosts from the command line and the pipeline are prepared together once the input is in; the output keeps their order, progress names each host as it finishes, a host that fails is one error (naming it, as TargetObject) while the others go on, and Ctrl+C skips the hosts not yet started and aborts those in progress.'; DefaultValue = '32' }
        ComputerName     = 'The real servers to prepare, as host names or addresses. Accepts pipeline input, also by the property name RealAddress, so real servers from Get-LvsRealServer can be piped.'
        VirtualAddress   = 'The VIP the real servers must hold. With -Lab the default is the lab''s VIP; otherwise it is required.'
        Lab              = 'Prepare the real servers of this lab, reached from its director namespace with the lab''s SSH key and known_hosts.'
        Node             = 'With -Lab: only these real servers of the lab (rs1, rs2 ...). By default all of them.'
        SshPort          = @{ Description = 'The SSH port of the real servers.'; DefaultValue = '22' }
        Credential       = 'The user name and password to log in with. With -KeyFile the password is the key''s passphrase. By default the user is root and a key is needed.'
        KeyFile          = 'The OpenSSH private key file to log in with, for example ~/.ssh/id_ed25519.'
        KnownHostsFile   = 'The known_hosts file the real servers'' host keys are verified against (SHA256 fingerprints). By default ~/.ssh/known_hosts.'
        NetworkNamespace = 'Opens the SSH connections from inside this network namespace (as listed by "ip netns list"), for example when the real servers are reachable only from a director that runs in a namespace. By default the current namespace is used.'
        AcceptNewHostKey = 'Trusts a host key that is not yet in the known_hosts file and records it there (trust on first use). A host key that differs from the recorded one is still refused.'
        Interface        = @{ Description = 'The interface that holds the VIP on the real servers: lo, or a dummy interface such as dummy0 (as SERVER_VIP_DEVICE in lvs_dr.conf), created when missing.'; DefaultValue = 'lo' }
        NetInterface     = 'The real servers'' network interface (SERVER_NET_DEVICE, for example eth0), whose arp_ignore and arp_announce are raised too.'
        PassThru         = 'Returns, for each real server, its state after the change (VIP, prefix, ARP settings, whether anything changed and the commands run). By default nothing is returned.'
        WhatIf           = 'Shows, for each real server, the exact shell commands that would be run, without logging in.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Prepare the real servers of a lab'
            Code    = 'Set-LvsRealServerHidden -Lab seed -VirtualAddress 10.250.0.101 -PassThru'
            Remarks = 'Puts 10.250.0.101/32 on lo of every real server of the lab and sets arp_ignore=1, arp_announce=2; the state of each is shown.'
        }
        @{
            Lab     = 'Remote: production real servers rs1, rs2'
            Title   = 'Prepare production real servers'
            Code    = 'Set-LvsRealServerHidden -ComputerName rs1, rs2 -VirtualAddress 192.168.0.101 -KeyFile ~/.ssh/id_ed25519 -KnownHostsFile ~/.ssh/known_hosts -NetInterface eth0'
            Remarks = 'Logs in as root with the key, verifying the host keys, and hides the VIP on lo; eth0''s ARP settings are raised too.'
        }
        @{
            Lab     = $true
            Title   = 'See the commands first'
            Code    = 'Set-LvsRealServerHidden -ComputerName 10.0.0.3 -VirtualAddress 10.0.0.101 -Interface dummy0 -WhatIf'
            Remarks = 'Prints the commands (ip link add dummy0 type dummy, the sysctl lines, ip addr replace 10.0.0.101/32 dev dummy0 scope host, ip link set dev dummy0 up) without connecting.'
        }
        @{
            Lab     = 'Remote: real servers that take your ~/.ssh key'
            Title   = 'Prepare every real server the director knows'
            Code    = 'Get-LvsRealServer | Set-LvsRealServerHidden -KeyFile ~/.ssh/id_ed25519'
            Remarks = 'RealAddress and VirtualAddress bind by property name, so each real server gets the VIP of its service.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String[]'; Description = 'Host names or addresses, by value or by the property name ComputerName (or RealAddress, HostName).' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'Real servers from Get-LvsRealServer bind RealAddress and VirtualAddress by property name.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Management.Remote.LvsRealServerHiddenState'; Description = 'With -PassThru, one object per real server: ComputerName, VirtualAddress, Interface, VipPresent, VipPrefixLength, the arp_ignore and arp_announce values, the hidden flags, IsHidden, Changed and Commands.' }
    )
    Notes       = @'
The login user needs root rights on the real server (sysctl and ip addr).

Errors, one per real server: HostKeyUnknown, HostKeyMismatch, SshConnectFailed, SshAuthenticationFailed,
RemoteCommandFailed (with the command and its error output), InterfaceNotAvailable (the kernel has no dummy link
type: use -Interface lo or load the dummy module). Before any login: LabNotFound, LabNodeNotFound, InvalidAddress
(no VIP given), InvalidInterfaceName.
'@
    RelatedLinks = @('Get-LvsRealServerHidden', 'Add-LvsRealServer', 'Test-LvsCluster', 'about_LvsPS')
}
