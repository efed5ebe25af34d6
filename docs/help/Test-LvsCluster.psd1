@{
    Synopsis    = 'Verifies an LVS-DR cluster and returns one result per check and target.'
    Description = @'
Test-LvsCluster runs the LvsPS cluster checks against a director and returns one result object per check and target,
with Result Passed, Warning, Failed or NotApplicable, a message, and for warnings and failures a remedy. The checks
(Test-LvsCluster -List shows them) are:

- DirectorRunning: the director answers: lvsd on its control socket, a kernel director (Connect-LvsDirector) through ipvsadm over SSH.
- DirectorHasNoKernelVip (lab): an engine director's kernel does not hold the VIP; lvsd owns it in user space.
  NotApplicable on a kernel director.
- DirectorHoldsVip (lab): a kernel director (New-LvsLab -DirectorKind Kernel) holds each VIP on its interface, so
  its kernel answers ARP for it and IPVS takes the traffic; a missing VIP fails naming the director, with the ip
  command that puts it back. NotApplicable on an engine director.
- DirectorIpForwardOff (lab): net.ipv4.ip_forward is 0 on the director; DR needs no kernel forwarding. On a kernel
  director with NAT (Masq) real servers it must be 1 instead: kernel IPVS forwards their replies.
- ServiceHasRealServer: every virtual service has at least one real server with a weight above 0.
- RealServerMacResolved: the director resolved the MAC address of every real server (DR needs them on its segment).
- RealServerHidden (SSH): every real server holds the VIP on a non-ARP interface and hides it from ARP; in a lab a
  failure names the node (rs1 ...) and the Set-LvsRealServerHidden command that fixes it.
- VipArpOwner (lab, sends traffic): only the director answers ARP for each VIP.
- ServiceDistribution (lab, sends traffic): new connections to each TCP service reach every available real server.

With -Lab, everything is checked: the real servers over SSH with the lab's key, and the wire from the lab's
client. With -Director (a director outside a lab) the lab-only checks are skipped, and RealServerHidden runs only
when -KeyFile gives SSH access to the real servers (otherwise it is NotApplicable).

-Include and -Exclude select checks by name or category (Director, Service, RealServer, Network). -Quiet returns
only $true when no check failed, for scripts and monitoring. A Pester suite shipped in module/Diagnostics turns the
same checks into tests.
'@
    Parameters  = @{
        Lab            = 'Check this lab: its director, its real servers over SSH and, from its client, the wire.'
        Director       = 'Check this director (outside a lab). By default: the only director running, or the one this session started last.'
        KeyFile        = 'With -Director: the OpenSSH private key to log in to the real servers as root for the RealServerHidden check.'
        KnownHostsFile = 'With -Director and -KeyFile: the known_hosts file to verify the real servers'' host keys against. By default ~/.ssh/known_hosts.'
        Include        = 'Runs only these checks or categories (Director, Service, RealServer, Network). A name that is neither is an error (UnknownClusterCheck); names complete with Tab.'
        Exclude        = 'Skips these checks or categories. A name that is neither is an error (UnknownClusterCheck); names complete with Tab.'
        Quiet          = 'Returns only $true when no check failed, else $false, instead of the results.'
        List           = 'Returns the catalogue of checks (name, category, description, and whether each needs a lab, SSH or sends traffic) without running any.'
        VipInterface = @{ Description = 'The interface on which DR real servers hold the VIP, for the RealServerHidden check: lo, or dummy0 as in the original walkthrough. Tunnel real servers are checked on tunl0 (lvstun0 in a tunnel lab).'; DefaultValue = 'lo' }
    }
    Examples    = @(
        @{
            Title   = 'Check a lab'
            Code    = 'Test-LvsCluster -Lab seed | Format-Table Result, Check, Target, Message -Wrap'
            Remarks = 'Runs every check; a real server that still answers ARP for the VIP fails VipArpOwner and RealServerHidden with the remedy Set-LvsRealServerHidden.'
        }
        @{
            Title   = 'Check a kernel lab'
            Code    = 'Test-LvsCluster -Lab kseed | Where-Object Result -ne NotApplicable | Format-Table Result, Check, Target, Message'
            Remarks = 'In a lab made with New-LvsLab -DirectorKind Kernel the director is Linux IPVS: DirectorHoldsVip checks that its kernel holds the VIP, VipArpOwner that only it answers ARP for the VIP.'
        }
        @{
            Title   = 'Check a production director'
            Code    = 'Test-LvsCluster -Director lvs1 -KeyFile ~/.ssh/id_ed25519 -KnownHostsFile ~/.ssh/known_hosts | Where-Object Result -ne Passed'
            Remarks = 'Shows only what is wrong: services without a usable real server, unresolved real servers, real servers that do not hide the VIP.'
        }
        @{
            Title   = 'Use it in a script'
            Code    = 'if (-not (Test-LvsCluster -Lab seed -Exclude Network -Quiet)) { throw ''The cluster is not healthy'' }'
            Remarks = 'Skips the checks that send traffic and returns one Boolean.'
        }
        @{
            Title   = 'The catalogue of checks'
            Code    = 'Test-LvsCluster -List'
            Remarks = 'Lists every check with its category and what it needs.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with a Lab or Director property bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Management.Checks.LvsCheckResult'; Description = 'By default, one result per check and target: Check, Category, Target, Result, Message, Remedy, Time.' }
        @{ Type = 'System.Boolean'; Description = 'With -Quiet, $true when no check failed.' }
        @{ Type = 'LvsPS.Management.Checks.LvsCheckInfo'; Description = 'With -List, the catalogue of checks.' }
    )
    Notes       = @'
The checks that send traffic open a few TCP connections through each VIP from the lab's client and send ARP
requests; they change the director's statistics and connection table.

Errors: UnknownClusterCheck (an -Include or -Exclude name that is no check or category; the message lists
them), LabNotFound, DirectorNotRunning, DirectorAmbiguous (terminating). A director that does not answer is not an
error: DirectorRunning fails.
'@
    RelatedLinks = @('Get-LvsRealServerHidden', 'Set-LvsRealServerHidden', 'Get-LvsService', 'Get-LvsDirector', 'about_LvsPS')
}
