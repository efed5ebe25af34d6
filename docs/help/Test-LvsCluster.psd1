@{
    Synopsis    = 'Verifies an LVS-DR cluster and returns one result per check and target.'
    Description = @'
Test-LvsCluster runs the LvsPS cluster checks against a director and returns one result object per check and target,
with Result Passed, Warning, Failed or NotApplicable, a message, and for warnings and failures a remedy. The checks
(Test-LvsCluster -List shows them) are:

- DirectorRunning: the director answers: lvsd on its control socket, a kernel director (Connect-LvsDirector) through ipvsadm over SSH.
- DirectorHasNoKernelVip: an engine director's kernel does not hold the VIP; lvsd owns it in user space. Read on
  the director's host (a lab node, this machine and lvsd's namespace). NotApplicable on a kernel director.
- DirectorHoldsVip: a kernel director (Connect-LvsDirector, New-LvsLab -DirectorKind Kernel) holds each VIP on its interface, so
  its kernel answers ARP for it and IPVS takes the traffic; a missing VIP fails naming the director, with the ip
  command that puts it back. NotApplicable on an engine director.
- DirectorIpForwardOff: net.ipv4.ip_forward is 0 on the director; DR needs no kernel forwarding (1 is a warning). On a kernel
  director with NAT (Masq) real servers it must be 1 instead: kernel IPVS forwards their replies.
- DirectorOffloads: ethtool -k on the director's interface. An engine director (lvsd reads frames through pcap and
  sends each on as it is) fails with GRO, LRO or hardware GRO on: receive coalescing hands it super-frames larger than
  the MTU, which it cannot send as one frame. The send offloads (TX checksum, TSO, GSO) act on the kernel's own sockets,
  not on lvsd's frames, and are only reported. A kernel director fails only with LRO on (GRO'd packets are split again
  by GSO on output). The remedy is the ethtool -K command; a [fixed] feature needs another NIC or driver.
- ServiceHasRealServer: every virtual service has at least one real server with a weight above 0.
- RealServerMacResolved: the director resolved the MAC address of every real server (DR needs them on its segment).
- RealServerVip (SSH): every DR/TUN real server holds the VIP on -VipInterface (the tunnel device for TUN) as a /32
  (/128), and on no interface that answers ARP; a wider prefix on lo would make it claim a whole subnet.
- RealServerHidden (SSH): every real server hides the VIP from ARP: arp_ignore >= 1 and arp_announce = 2, the
  kernel applying the larger of conf/all and conf/<the interface holding its own address>; or the old hidden
  sysctl. In a lab a failure names the node (rs1 ...) and the Set-LvsRealServerHidden command that fixes it.
- RealServerRpFilter (SSH): rp_filter does not drop the requests. For DR they arrive on the network interface
  (eth0) and strict mode (1) drops them only if the route back to the clients leaves by another interface; for
  TUN they arrive on the tunnel device and strict mode there (or on all: the larger applies) drops them, since
  the route back is via eth0. The remedy is the sysctl -w command (2, loose).
- RealServerTunnelMtu (SSH, TUN only): the real server advertises an MSS (advmss on the route to the clients)
  that fits the director's 20-byte IPIP header; else a Warning: full-size segments get through only if the
  director's ICMP frag-needed reach the clients. The remedy is the ip route change ... advmss command.
- RealServerListening (SSH): a socket (ss -ltnH, ss -lunH for UDP) accepts VIP:port (DR/TUN) and the real
  server's own address:port (the director's health checks), or a wildcard address.
- RealServerReachable: the director connects to each real server's address and port (TCP, nc or bash's
  /dev/tcp, about 4 s at most); a refusal and a silent drop are told apart.
- RealServerHttp: for an HTTP service (port 80, 8080, 443, or an HTTP_GET/SSL_GET health check) each real
  server answers the page (the health check's url, else /) from the director with a 2xx status (and the health
  check's digest when it has one); the message gives each page's MD5 and whether the real servers of the service
  serve distinct pages (as the walkthrough's test pages do) or the same content.
- VipArpOwner (sends traffic): the director answers ARP for each VIP and is the only host that does, probed with real
  ARP requests: from the lab's client (lvsd arp-probe) or -ClientComputerName (arping over SSH, iputils' or Thomas
  Habets'; missing, it fails with the apt-get command), else from the director's own host, which sees only the other
  answerers. The extra answerers are named (lab node or real server address, and MAC) with Set-LvsRealServerHidden.
- ServiceDistribution (sends traffic): requests through each TCP VIP (HTTP GETs on ports 80, 8000 and 8080, each on
  a new connection, with curl or bash's /dev/tcp; plain connects on other ports), -RequestCount per real server (at
  most 200), sent from the lab's client, from -ClientComputerName over SSH, or else from a kernel director itself
  (IPVS schedules the connections it opens); NotApplicable for an lvsd director without a client. Each request is
  attributed to a real server by the page it served (when each page names one real server's address) or by the
  director's per-real-server connection counters. The promise is the scheduler's for sequential short connections
  from one client: rr an equal share over the servers with weight > 0; wrr and wlc weight / sum of weights; lc an
  equal share; fo, ovf and sed all to the highest weight; nq all to the first idle server; sh, dh, mh, lblc and
  lblcr all to one server (sh and mh with the port flag: by weight). A server is off its share when
  |observed - n*p| > max(3*sqrt(n*p*(1-p)), 1) (three binomial standard deviations, 99.7 %); failed requests or
  a server off its share fail, naming it. The results carry Distribution (expected against observed share).
- ServicePersistence (sends traffic): for a persistent service (ipvsadm -p), 6 connections 0.5 s apart from the
  same client land on one real server; a failure names the servers they were spread over. NotApplicable without
  persistence.
- RealServerThresholds: no real server is at or over its upper connection threshold (ipvsadm -x: active + inactive
  connections >= upper marks it overloaded, no new connections until below the lower one, by default 3/4 of the
  upper); a warning between the lower and the upper threshold. NotApplicable without thresholds.
- VrrpSingleMaster (failover): exactly one director is VRRP master of each virtual router (vrid), naming the instance
  and the directors; two masters (their adverts do not reach each other) or none fail, a director that does not run
  the vrid is a warning.
- DirectorConfigurationDrift (failover): both directors hold the same services, real servers, weights, schedulers,
  persistence, thresholds and health check types; each difference is named (one result per service that differs).
- SyncDaemonRunning (failover): the VRRP master runs a master sync daemon and every other director a backup one, with
  the same sync id and port; the master's lag and each backup's delay behind it stay within -MaxSyncLag.
- SshHostKeysKnown (SSH): every SSH host the run uses (the real servers, -ClientComputerName, a kernel director)
  presents a host key its known_hosts lists. An unknown key fails with the SHA256 fingerprint the host presented and
  the remedy (verify it out of band, then ssh-keyscan or -AcceptNewHostKey); a changed key fails naming the host. No
  key is ever accepted by the check.

The failover checks compare every director given with -Director a,b (the first is checked in full), or both
directors of a two-director lab; with one director they are NotApplicable or judge what that director reports.

With -Lab, everything is checked: the real servers over SSH with the lab's key, and the wire from the lab's
client. With -Director (a director outside a lab) the lab-only checks are skipped, and the SSH checks (RealServerVip, RealServerHidden, RealServerRpFilter, RealServerTunnelMtu, RealServerListening) run only
when -KeyFile gives SSH access to the real servers (otherwise it is NotApplicable).

-Include and -Exclude select checks by name or category (Director, Service, RealServer, Network, Failover, Ssh). -Quiet returns
only $true when no check failed, for scripts and monitoring. Pester suites shipped in Diagnostics/Simple (no
traffic) and Diagnostics/Comprehensive (every check) turn the same checks into tests (Invoke-LvsClusterValidation).

-ReportPath also writes the results to a file, after the run (they still go to the pipeline unless -Quiet): .html or
.htm a self-contained page (summary with the counts per result, the problems first, every check grouped by category
with its duration and remedy, and per service a chart of requests per real server against the share the weights
promise; no script and no outside asset), .xml JUnit XML unless -ReportFormat NUnit (NUnit 3, as Pester writes it).
The path is checked before any check runs: a folder or a missing parent folder is refused (ReportPathInvalid). An
existing file is replaced, as Out-File replaces it; -NoClobber refuses it instead (ReportFileExists).
'@
    Parameters  = @{
        ThrottleLimit    = @{ Description = 'How many hosts the SSH checks (the real servers'' state, the host keys) log in to at once (1 to 1024; default 32, as Invoke-Command; 1 logs in to one after another). The results keep the catalogue''s and the director''s order of real servers at any limit; Ctrl+C skips the hosts not yet logged in to and aborts the sessions in progress.'; DefaultValue = '32' }
        Lab            = 'Check this lab: its director, its real servers over SSH and, from its client, the wire.'
        Director       = 'Check this director (outside a lab). By default: the only director running, or the one this session started last. Several names (a,b) check a failover pair: the first in full, and the failover checks (VrrpSingleMaster, DirectorConfigurationDrift, SyncDaemonRunning) across them all.'
        MaxSyncLag     = @{ Description = 'For SyncDaemonRunning: the most, in seconds, that a master sync daemon''s lag (its oldest unsent change) or a backup''s delay behind the master may be.'; DefaultValue = '3' }
        KeyFile        = 'With -Director: the OpenSSH private key to log in to the real servers as root for the RealServerHidden check.'
        ClientComputerName = 'With -Director: a client host, reached over SSH as root with -KeyFile (its host key checked against -KnownHostsFile), that sends the traffic and ARP probes as a client on the VIP''s segment would.'
        NetworkNamespace = 'With -Director: open the SSH connections (the real servers, -ClientComputerName) from inside this Linux network namespace, e.g. a lab''s management namespace ((Get-LvsLab x).ManagementNamespace) to check a lab as a production cluster.'
        KnownHostsFile = 'With -Director and -KeyFile: the known_hosts file to verify the real servers'' host keys against. By default ~/.ssh/known_hosts.'
        Include        = 'Runs only these checks or categories (Director, Service, RealServer, Network, Failover). A name that is neither is an error (UnknownClusterCheck); names complete with Tab.'
        Exclude        = 'Skips these checks or categories. A name that is neither is an error (UnknownClusterCheck); names complete with Tab.'
        Quiet          = 'Returns only $true when no check failed, else $false, instead of the results.'
        List           = 'Returns the catalogue of checks (name, category, description, and whether each needs a lab, SSH or sends traffic) without running any.'
        RequestCount = @{ Description = 'For ServiceDistribution: requests per real server of each service (the probe sends at most 200). More requests narrow the tolerance relative to each share.'; DefaultValue = '20' }
        VipInterface = @{ Description = 'The interface on which DR real servers hold the VIP, for the RealServerVip and RealServerHidden checks: lo, or dummy0 as in the original walkthrough. Tunnel real servers are checked on tunl0 (lvstun0 in a tunnel lab).'; DefaultValue = 'lo' }
        ExpectedPersistence = @{ Description = 'For ServicePersistence: the persistence, in seconds, every TCP service must have (as ipvsadm -p). A service with less, or none, fails even when its connections happen to land on one real server, naming the service with the Set-LvsService command that restores it (an ipvsadm -E without -p drops a service''s persistence). Without it, a service without persistence is NotApplicable.'; DefaultValue = '0' }
        ReportPath     = 'Also writes the results to this file once the run is over: .html or .htm an HTML page (summary, checks by category with result, message, remedy and duration, a chart per service of requests per real server against the promised share), .xml JUnit XML (NUnit 3 with -ReportFormat NUnit). A folder or a missing parent folder is refused before the run (ReportPathInvalid); an existing file is replaced, as Out-File does, unless -NoClobber.'
        ReportFormat   = 'The format of -ReportPath: Html, JUnit (testsuite per category, testcase per result; Failed a failure, NotApplicable skipped, Warning passed with its message in system-out) or NUnit (NUnit 3 test-run as Pester writes it). By default from the extension: .html/.htm Html, .xml JUnit; another extension needs it (ReportFormatUnknown).'
        NoClobber      = 'With -ReportPath: refuses to replace an existing file (ReportFileExists), before any check runs.'
    }
    Examples    = @(
        @{
            Lab     = 'Pair: a two-director lab named ha (TwoDirectorLab.Tests.ps1)'
            Title   = 'Check a failover pair'
            Code    = 'Test-LvsCluster -Director ha-director1, ha-director2 -Include Failover'
            Remarks = 'One VRRP master per vrid, the same table on both, and the sync daemons running where they should.'
        }
        @{
            Lab     = $true
            Title   = 'Check a lab'
            Code    = 'Test-LvsCluster -Lab seed | Format-Table Result, Check, Target, Message -Wrap'
            Remarks = 'Runs every check; a real server that still answers ARP for the VIP fails VipArpOwner and RealServerHidden with the remedy Set-LvsRealServerHidden.'
        }
        @{
            Lab     = 'Kernel: a kernel lab kseed (KernelCluster.Tests.ps1)'
            Title   = 'Check a kernel lab'
            Code    = 'Test-LvsCluster -Lab kseed | Where-Object Result -ne NotApplicable | Format-Table Result, Check, Target, Message'
            Remarks = 'In a lab made with New-LvsLab -DirectorKind Kernel the director is Linux IPVS: DirectorHoldsVip checks that its kernel holds the VIP, VipArpOwner that only it answers ARP for the VIP.'
        }
        @{
            Lab     = 'Remote: a production director lvs1 and your key'
            Title   = 'Check a production director'
            Code    = 'Test-LvsCluster -Director lvs1 -KeyFile ~/.ssh/id_ed25519 -KnownHostsFile ~/.ssh/known_hosts | Where-Object Result -ne Passed'
            Remarks = 'Shows only what is wrong: services without a usable real server, unresolved real servers, real servers that do not hide the VIP.'
        }
        @{
            Lab     = $true
            Title   = 'Use it in a script'
            Code    = 'if (-not (Test-LvsCluster -Lab seed -Exclude Network -Quiet)) { throw ''The cluster is not healthy'' }'
            Remarks = 'Skips the checks that send traffic and returns one Boolean.'
        }
        @{
            Lab     = $true
            Title   = 'A report to read, and one for CI'
            Code    = "Test-LvsCluster -Lab seed -ReportPath ./seed.html | Out-Null`nTest-LvsCluster -Lab seed -ReportPath ./results.xml -ReportFormat NUnit -Quiet"
            Remarks = 'The first writes a self-contained HTML page (open it in any browser; it needs no network); the second NUnit 3 XML for a CI server, and returns one Boolean.'
        }
        @{
            Lab     = $true
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
them), ReportPathInvalid, ReportFileExists, ReportFormatUnknown (a -ReportPath that cannot take the report), LabNotFound, DirectorNotRunning, DirectorAmbiguous (terminating). A director that does not answer is not an
error: DirectorRunning fails.
'@
    RelatedLinks = @('Test-LvsRealServer', 'Get-LvsRealServerHidden', 'Set-LvsRealServerHidden', 'Get-LvsService', 'Get-LvsDirector', 'about_LvsPS')
}
