@{
    Synopsis    = 'Starts an LvsPS director: the user-space IPVS forwarding engine (lvsd) for one Ethernet interface.'
    Description = @'
Start-LvsDirector launches lvsd, the LvsPS forwarding engine, as a detached process and waits until it answers on
its control socket. It is the LvsPS counterpart of loading the ip_vs kernel module on a director, but it loads no
module and configures no VIP in the director's kernel: the engine works in user space. From then on it captures the
interface's frames with libpcap, answers ARP for every virtual IP (VIP) that has a service (the VIP lives in lvsd,
not on an interface), sends gratuitous ARP when a VIP appears, schedules each new connection with the service's
IPVS scheduler and forwards it to a real server by the real server's method: direct routing (Route: only the
destination MAC address is rewritten), NAT (Masq: the destination address and port are rewritten, the replies come
back through the director) or IP-in-IP (Tunnel).

The director is a named instance. Its control socket is /run/lvsps/<Name>.sock (root only), its state file is
/var/lib/lvsps/directors/<Name>.json and its log /var/lib/lvsps/directors/<Name>.log. Services and real servers
saved in the state file by an earlier run are restored at start, so the table survives a stop and start (the
connection table does not).

One director runs per name: lvsd holds a lock (/run/lvsps/<Name>.lock) for its whole life, and
Start-LvsDirector refuses with DirectorAlreadyRunning, naming the lvsd's process ID, while that process lives,
even when it does not answer (hung or stopped); Stop-LvsDirector stops such a director with signals.

The state file is checked whole before anything is restored: its format version, its JSON, and every service,
real server, timeout and firewall-mark rule by the same rules as New-LvsService and the others. A file that fails
(truncated, not JSON, wrong types, a format version of a newer LvsPS, a port 0 ...) is refused at once with
StateFileInvalid, naming the file and the problem; the director does not start and the file is left as it is. The
copy before the last change is kept as <Name>.json.bak. When lvsd exits at start for any other reason, the error
is lvsd's own (its ErrorId and message, with its exit code), as soon as it exits.

With -Lab the director runs in the lab's director namespace, on the lab's director interface, and is named after
the lab. In a two-director lab (New-LvsLab -DirectorCount 2) -Lab starts every engine director of the lab, each in
its own namespace and named <lab>-director1 and <lab>-director2, and writes one status for each; -Node director1
(or director2) starts just that one. A kernel director needs no starting: -Node naming one, or -Lab of a lab whose
directors are all kernel ones, is refused with NotSupportedByDirector, naming the director to manage with
-Director. When one director of several fails to start, its error is reported and the other still starts. With -Name and -Interface it runs on any Ethernet interface of this machine or of a network namespace
(-NetworkNamespace).

The director must not hold the VIP in its own kernel (no "ip addr add VIP" on the director): the engine owns the
VIP, and a kernel that also holds it would answer ARP and take the traffic itself. DR does not need
net.ipv4.ip_forward on the director either; Test-LvsCluster checks both in a lab.

The director kernel also receives its own copy of every frame sent to the VIPs (both lvsd's capture and the
kernel's IP stack see each frame for the interface's MAC). A kernel that does not hold the VIP only routes each
copy to discard it (Ip InAddrErrors in nstat) or, with ip_forward 1, sends it back out. By default
(-KernelCopy Drop) lvsd drops those copies at the interface's tc ingress hook, which runs after its capture: a
classic-BPF filter at tc preference 49152 that matches IPv4 frames to the VIPs. lvsd adds an ingress qdisc only
when the interface has none, never touches other qdiscs or filters, removes at start its own filter left by a killed
lvsd, and removes the filter (and the qdisc it added) when it stops. A VIP the kernel holds itself is never dropped.
Get-LvsDirector shows KernelCopy (Drop or Keep) and KernelCopyNote (why a copy is kept: tc missing, another filter
at the preference, a VIP the kernel holds). -KernelCopy Keep leaves the interface's tc configuration alone.

The cmdlets of this session talk to the director started last when several run and no -Director is given.
-WhatIf prints the exact command line that would be run, each word quoted for a POSIX shell.
'@
    Parameters  = @{
        Lab              = 'The lab whose director to start. The director runs in the lab''s director network namespace, on its interface (eth0), and takes the lab''s name; a two-director lab''s engine directors are all started, named <lab>-director1 and <lab>-director2.'
        Node             = 'With -Lab: the one director node to start (director1 or director2 in a two-director lab; director or vs1 in a one-director lab). By default every engine director of the lab.'
        Name             = 'The name of the director. Its socket, state file and log are named after it. Use a letter, then letters, digits, "-" or "_" (at most 32 characters).'
        Interface        = 'The Ethernet interface the director serves (the one the VIP is announced on and the real servers are reached through), for example eth0.'
        NetworkNamespace = 'The network namespace (as listed by "ip netns list") to run the director in. By default it runs in the current namespace.'
        TableBits        = @{ Description = 'The size of the connection table as a power of two, 8 to 20, like the kernel''s CONFIG_IP_VS_TAB_BITS. 12 gives 4096 buckets, shown as "size=4096" in the ipvsadm header.'; DefaultValue = '12' }
        TimeoutSec       = @{ Description = 'How many seconds to wait for the new director to answer on its control socket (1 to 600). When it does not, the error shows the end of its log; when lvsd exits before that, its own error comes at once.'; DefaultValue = '30' }
        DebugLevel       = 'The debug level at start (0 to 12, as the kernel''s net.ipv4.vs.debug_level): 0 writes only start, stop, changes and errors, 5 names the real server of each new connection, 9 every frame. By default the level kept with the director''s state, else 0. Set-LvsDirectorLog changes it at run time.'
        LogPath          = 'The log file, an absolute path (one line a record: time, level, severity, source, message). By default /var/lib/lvsps/directors/<name>.log. lvsd''s own output goes there too.'
        Syslog           = 'Also send each record to syslog as an RFC 5424 datagram (APP-NAME lvsd): a unix datagram socket path such as /dev/log, or udp://address:port. A full or absent socket drops the record and counts it; it never stalls the director.'
        SyslogFacility   = @{ Description = 'The syslog facility of the datagrams.'; DefaultValue = 'Daemon' }
        KernelCopy       = @{ Description = 'What becomes of the director kernel''s own copy of the frames to the VIPs: Drop (a tc ingress filter discards them after lvsd''s capture, so the kernel''s IP stack never routes them) or Keep (the interface''s tc configuration is left alone and the kernel discards each copy itself). lvsd passes it as --kernel-copy keep.'; DefaultValue = 'Drop' }
        WhatIf           = 'Shows the command line that would start the director (setsid, ip netns exec when needed, dotnet lvsd.dll run ...), each word shell-quoted as it is run, without running it.'
        InsideInterface = 'A second interface toward the real servers'' internal network, for LVS-NAT: NAT real servers are reached through it and their replies come back on it. A NAT lab''s director gets it (eth1) with -Lab.'
    }
    Examples    = @(
        @{
            Lab     = 'NewLab: builds a lab of its own'
            Title   = 'Start the director of a lab'
            Code    = @'
New-LvsLab -Name seed -RealServerCount 2
Start-LvsDirector -Lab seed
'@
            Remarks = 'Builds a lab and starts its director, named "seed", in the namespace lvs-seed-director. The status object shows the process ID, the interface, its MAC address and the table size.'
        }
        @{
            Lab     = 'NewLab: builds a two-director lab of its own'
            Title   = 'Start both directors of a pair, or one'
            Code    = @'
New-LvsLab -Name ha -DirectorCount 2
Start-LvsDirector -Lab ha
Stop-LvsDirector -Name ha-director1
Start-LvsDirector -Lab ha -Node director1
'@
            Remarks = 'The first start writes two statuses, ha-director1 (lvs-ha-director1) and ha-director2 (lvs-ha-director2); the last starts director1 again.'
        }
        @{
            Lab     = 'Host: a director on this machine''s own eth0'
            Title   = 'Start a director on a real interface'
            Code    = 'Start-LvsDirector -Name lvs1 -Interface eth0'
            Remarks = 'Starts a director named lvs1 on eth0 of this machine. eth0 must be on the same segment as the real servers (DR rewrites only the MAC address), and the VIP must not be configured on this host''s kernel.'
        }
        @{
            Lab     = $true
            Title   = 'See what would be run'
            Code    = 'Start-LvsDirector -Name lvs1 -Interface eth1 -NetworkNamespace dmz -TableBits 16 -WhatIf'
            Remarks = 'Prints the full command line (ip netns exec dmz ... lvsd.dll run --name lvs1 --interface eth1 --table-bits 16) without starting anything.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'A lab name, by the property name Lab (for example objects with a Lab property).' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Director.DirectorStatus'; Description = 'The running director: Name, ProcessId, Interface, NetworkNamespace, MacAddress, TableSize, counters and the paths of its socket, state and log.' }
    )
    Notes       = @'
Needs root: the engine captures and sends raw frames on the interface with libpcap, and its socket is root only.

The engine schedules with the kernel's rules and implements every IPVS scheduler
([LvsPS.Ipvs.Scheduling.SchedulerFactory]::ImplementedSchedulers lists them). Of the forwarding
methods it implements Route (direct routing), Masq (NAT, with -InsideInterface toward the real servers) and Tunnel
(IP-in-IP); only Local is refused with ForwardingNotImplemented.

Errors: LabNotFound, LabNodeNotFound (-Node names no director of the lab), DirectorAlreadyRunning (naming the process ID that holds the name), StateFileInvalid (the
state file and the problem), DirectorStartFailed (with the end of the log), InterfaceNotAvailable,
InvalidInterfaceName, InvalidDirectorName, NotSupportedByDirector (-Lab names a kernel lab: its director is Linux
IPVS, already running and managed with -Director <lab>).
'@
    RelatedLinks = @('Stop-LvsDirector', 'Get-LvsDirector', 'New-LvsService', 'New-LvsLab', 'Test-LvsCluster', 'about_LvsPS')
}
