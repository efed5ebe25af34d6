@{
    Synopsis    = 'Gets the LvsPS directors on this machine, with their process, interface and packet counters.'
    Description = @'
Get-LvsDirector lists the directors that have a control socket under /run/lvsps and asks each for its status: name,
process ID, interface and network namespace, MAC and interface address, table size, number of services, real
servers and connections, the VIPs it owns, and its frame counters (received, forwarded, dropped, ARP replies sent,
and libpcap's capture counters), and KernelCopy: Drop while lvsd's tc ingress filter keeps the VIPs' frames from
the director kernel's IP stack, Keep otherwise, with KernelCopyNote saying why (Start-LvsDirector -KernelCopy),
and HugePages: what lvsd did at start-up about transparent huge pages for the memory its connection table lives in
("the managed heap's ... reservation advised", "off", or "not used" and why; lvsd --huge-pages auto|off, or
LVSPS_HUGE_PAGES in the environment Start-LvsDirector runs in).

Each director also shows its place in a failover pair, read from its VRRP instances and sync daemons: Role (Master,
Backup, Fault, Init, Mixed when it is master of some instances and backup of others, or None without VRRP),
Priority, Peer (the master it hears; its own address while it is master), LastTransition, Sync (the roles of its
sync daemons) and the VrrpInstances and SyncDaemons themselves. The default table shows those; Format-Table -View
DirectorStatus shows the process and frame counters.

With -All it also lists directors that are stopped but have a saved configuration in /var/lib/lvsps/directors;
those are returned with Running set to False.

There is no ipvsadm equivalent: with kernel IPVS the "director" is the kernel itself. The nearest is
"lsmod | grep ip_vs" together with "ipvsadm -L -n" (see Get-LvsService).
'@
    Parameters  = @{
        Name = 'Names of the directors to get. Wildcards are allowed. A lab''s director has the lab''s name. By default all directors are returned.'
        All  = 'Also returns directors that are stopped but have a saved state file.'
    }
    Examples    = @(
        @{
            Lab     = 'Pair: a two-director lab named ha'
            Title   = 'Which director of a pair is master'
            Code    = "Get-LvsDirector -Name 'ha-*'"
            Remarks = 'Role, priority, the master each hears, the last transition and the sync daemons of both directors.'
        }
        @{
            Lab     = $true
            Title   = 'List the running directors'
            Code    = 'Get-LvsDirector | Format-Table -View DirectorStatus'
            Remarks = 'Shows every running director with its process ID, interface, MAC address and counts of services, connections and frames.'
        }
        @{
            Lab     = $true
            Title   = 'Watch a director''s counters'
            Code    = 'Get-LvsDirector -Name seed | Select-Object Name, FramesReceived, FramesForwarded, FramesDropped, ArpRepliesSent, CaptureDropped'
            Remarks = 'FramesForwarded grows with the traffic through the VIPs; CaptureDropped shows frames the capture ring lost under load.'
        }
        @{
            Lab     = $true
            Title   = 'See why frames were dropped'
            Code    = '(Get-LvsDirector -Name seed).DropsByReason'
            Remarks = 'Counts by reason, as a kernel would drop them before IPVS: BadChecksum, BadHeader, SourceBroadcast, SourceMulticast, SourceLoopback, SourceZero, SourceLocal (a VIP or the director''s own address as source); then Fragment, NotTransport, Truncated; ArpUnsolicited counts ARP that claimed a real server''s address at another MAC and was ignored. Only reasons seen are listed; a kernel director lists none.'
        }
        @{
            Lab     = $true
            Title   = 'Include stopped directors'
            Code    = 'Get-LvsDirector -All | Format-Table Name, Running, StatePath'
            Remarks = 'Lists running directors and the stopped ones that Start-LvsDirector would restore.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String[]'; Description = 'Director names, by the property name Name (or Director, Lab).' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Director.DirectorStatus'; Description = 'One object per director.' }
        @{ Type = 'LvsPS.Management.Kernel.KernelDirectorStatus'; Description = 'For each kernel IPVS director this session reached with Connect-LvsDirector: host, ipvsadm and IPVS versions, table size, services.' }
    )
    Notes       = 'When a name without wildcards matches no director, the cmdlet writes a DirectorNotRunning error.'
    RelatedLinks = @('Start-LvsDirector', 'Stop-LvsDirector', 'Get-LvsService', 'about_LvsPS')
}
