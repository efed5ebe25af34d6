@{
    Synopsis    = 'Checks a real server before it is added to a service: VIP, ARP, rp_filter, listening, reachable, HTTP.'
    Description = @'
Test-LvsRealServer runs the per-server checks of Test-LvsCluster on real servers that need not be in any service
yet, so that a node is validated before Add-LvsRealServer. It logs in to each server over SSH (the targets and host
key checks are those of Set-LvsRealServerHidden), reads its addresses, routes, sysctls and listening sockets with
one command, and from the director connects to its address and port and, for an HTTP port (80, 8080, 443), fetches
its page.

The checks, one result each:
- RealServerVip: the VIP on -Interface (lo, dummy0, or the tunnel device for Tunnel) as a /32 (/128), and on no
  interface that answers ARP.
- RealServerHidden: arp_ignore >= 1 and arp_announce = 2, the larger of all and the interface holding the server's
  own address; or the old hidden sysctl.
- RealServerRpFilter: rp_filter does not drop the requests (for Tunnel: not strict on the tunnel device nor on all).
- RealServerTunnelMtu (Tunnel only): the advertised MSS fits the director's 20-byte IPIP header.
- RealServerListening: a socket accepts VIP:port and the server's own address:port, or a wildcard address.
- RealServerReachable: the director connects to address:port (TCP, bounded).
- RealServerHttp: the page answers 2xx from the director; its MD5 is reported.

With Masq forwarding the VIP, ARP and rp_filter checks are NotApplicable. Without a director (none running, no
-Director, no -Lab) the reachability and HTTP checks are NotApplicable. A Failed or Warning result names the server
(in a lab: rs1 (10.0.0.11)) and gives the command that fixes it.
'@
    Parameters  = @{
        ThrottleLimit    = @{ Description = 'How many real servers are checked at once (1 to 1024; default 32, as Invoke-Command; 1 checks them one after another). Each host''s results stay together, in the hosts'' order; Ctrl+C skips the hosts not yet started and aborts those in progress.'; DefaultValue = '32' }
        ComputerName     = 'The real servers to check, as host names or addresses. Accepts pipeline input, also by the property name RealAddress.'
        VirtualAddress   = 'The VIP the real server is to serve. With -Lab the default is the lab''s VIP; otherwise it is required.'
        Lab              = 'Check real servers of this lab, reached from its director namespace with the lab''s SSH key and known_hosts; the lab''s director runs the probes.'
        Node             = 'With -Lab: only these real servers of the lab (rs1, rs2 ...). By default all of them.'
        Port             = @{ Description = 'The service port on the real server. 0 (every port) makes the port checks NotApplicable.'; DefaultValue = '80' }
        Protocol         = @{ Description = 'The service protocol: Tcp, Udp or Sctp. Only Tcp is probed from the director.'; DefaultValue = 'Tcp' }
        Forwarding       = @{ Description = 'How the director will forward to it: Route (direct routing), Tunnel (IP-in-IP) or Masq (NAT).'; DefaultValue = 'Route' }
        Director         = 'The director the reachability and HTTP probes run on: an lvsd director on this machine or a kernel director connected with Connect-LvsDirector. By default the lab''s director with -Lab, else the only one running; with none, those checks are NotApplicable.'
        Quiet            = 'Returns $true when no check failed, else $false, instead of the results.'
        SshPort          = @{ Description = 'The SSH port of the real servers.'; DefaultValue = '22' }
        Credential       = 'The user name and password to log in with. With -KeyFile the password is the key''s passphrase. By default the user is root and a key is needed.'
        KeyFile          = 'The OpenSSH private key file to log in with.'
        KnownHostsFile   = 'The known_hosts file the host keys are verified against. By default ~/.ssh/known_hosts.'
        NetworkNamespace = 'Opens the SSH connections from inside this network namespace (as listed by "ip netns list"). By default the current namespace is used.'
        AcceptNewHostKey = 'Trusts and records a host key that is not yet in the known_hosts file. A changed host key is still refused.'
        Interface        = @{ Description = 'The interface expected to hold the VIP (alias -VipInterface): lo, a dummy interface such as dummy0, or the tunnel device. With -Lab of a tunnel lab and -Forwarding Tunnel the default is the lab''s tunnel device.'; DefaultValue = 'lo' }
        NetInterface     = 'Not used by the checks (they find the interface holding the server''s own address); accepted as for Get-LvsRealServerHidden.'
    }
    Examples    = @(
        @{
            Lab     = 'Remote: a production real server and director vs1'
            Title   = 'Validate a new real server before adding it'
            Code    = 'Test-LvsRealServer -ComputerName 192.168.0.13 -VirtualAddress 192.168.0.101 -Port 80 -KeyFile ~/.ssh/id_ed25519 -Director vs1 | Format-Table'
            Remarks = 'The same view as Test-LvsCluster; add it with Add-LvsRealServer when nothing failed.'
        }
        @{
            Lab     = $true
            Title   = 'Check a lab node'
            Code    = 'if (Test-LvsRealServer -Lab seed -Node rs3 -Quiet) { Add-LvsRealServer -VirtualAddress 10.0.0.101 -Port 80 -RealAddress 10.0.0.5 }'
            Remarks = 'Adds rs3 (10.0.0.5 in a lab on 10.0.0.0/24) only when every check passed.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String[]'; Description = 'Host names or addresses, by value or by the property name ComputerName (or RealAddress, HostName).' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Management.Checks.LvsCheckResult'; Description = 'One result per check: Check, Category, Target, Result, Message, Remedy, Duration.' }
        @{ Type = 'System.Boolean'; Description = 'With -Quiet: $true when no check failed.' }
    )
    Notes       = 'Errors: HostKeyUnknown, HostKeyMismatch, SshConnectFailed, SshAuthenticationFailed appear as Failed results naming the server; LabNotFound, LabNodeNotFound, InvalidAddress (no VIP given), DirectorNotRunning (a -Director that does not run) stop the command.'
    RelatedLinks = @('Add-LvsRealServer', 'Test-LvsCluster', 'Set-LvsRealServerHidden', 'Get-LvsRealServerHidden', 'about_LvsPS')
}
