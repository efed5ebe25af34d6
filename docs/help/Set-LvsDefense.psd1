@{
    Synopsis    = 'Sets the director''s defence against connection-table exhaustion (SYN floods).'
    Description = @'
Set-LvsDefense changes the defence settings; a parameter left out keeps its value. The modes follow the
kernel's sysctls: Off (0) never, Auto (1) on by itself when the free room falls below AvailableThreshold, off
again when there is room, AutoActive (2) the same but active now, Always (3). DropEntry drops unestablished
entries of a 32nd of the table each second (SYN_RECV and SYNACK at once; idle established entries with few
packets one in so many); DropPacket refuses one in every AvailableThreshold / (AvailableThreshold - free)
new connections (DropRate in mode Always); SecureTcp switches to the stricter TCP state table and, on lvsd,
shortens the life of SYN_RECV and SYNACK entries to SynRecvTimeout seconds. On a kernel director this runs
"sysctl -w net.ipv4.vs.drop_entry=..." over SSH with quoted arguments, and MaxConnections and
SynRecvTimeout are refused (NotSupportedByDirector). SloppyTcp is the kernel's sloppy_tcp: -SloppyTcp
schedules a TCP packet without SYN (but not a RST) of a flow the director does not know, on every service,
so a director that never saw the flow's SYN takes it over; -SloppyTcp:$false schedules only a SYN again.
lvsd schedules such a packet on an mh service even with sloppy_tcp off (its Maglev table places the flow
where any director with the same configuration did); the kernel only with sloppy_tcp on. The settings are
not saved: like sysctls, they last until the director restarts.
'@
    Parameters  = @{
        AvailableThreshold = 'amemthresh: lvsd, free entries in the table; kernel, available memory in pages.'
        DropEntry          = 'drop_entry: Off, Auto, AutoActive or Always.'
        DropPacket         = 'drop_packet: Off, Auto, AutoActive or Always.'
        DropRate           = 'am_droprate: drop_packet refuses one in this many new connections in mode Always.'
        SecureTcp          = 'secure_tcp: Off, Auto, AutoActive or Always.'
        MaxConnections     = 'lvsd only: the hard limit of entries in the connection table (1 to 16777216).'
        SynRecvTimeout     = 'lvsd only: seconds a SYN_RECV or SYNACK entry lives while secure_tcp is active.'
        SloppyTcp          = 'sloppy_tcp: -SloppyTcp schedules unknown flows from any TCP packet but a RST; -SloppyTcp:$false from a SYN only.'
        PassThru           = 'Returns the defence after the change. By default nothing is returned.'
        Director           = 'The director to change. By default: the only director running, or the one this session started last.'
        WhatIf             = 'Shows the settings that would be changed, without changing them.'
        Confirm            = 'Asks for confirmation before changing the settings.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Always use the stricter state table'
            Code    = 'Set-LvsDefense -SecureTcp Always -PassThru'
            Remarks = 'The same as "sysctl -w net.ipv4.vs.secure_tcp=3" on a kernel director.'
        }
        @{
            Lab     = $true
            Title   = 'A smaller table with an earlier defence'
            Code    = 'Set-LvsDefense -MaxConnections 100000 -AvailableThreshold 50000'
            Remarks = 'lvsd only: at most 100,000 entries; drop_entry and secure_tcp turn on above 50,000.'
        }
        @{
            Lab     = $true
            Title   = 'Take over established flows without connection sync'
            Code    = 'Set-LvsDefense -SloppyTcp'
            Remarks = 'The same as "sysctl -w net.ipv4.vs.sloppy_tcp=1": a mid-flow ACK of an unknown flow is scheduled.'
        }
    )
    Inputs      = @(
        @{ Type = 'None'; Description = 'Director binds by property name.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Connections.DefenseSpec'; Description = 'With -PassThru, the defence after the change.' }
    )
    Notes       = 'Errors: InvalidArgument, NotSupportedByDirector, DirectorNotRunning, DirectorAmbiguous, RemoteCommandFailed.'
    RelatedLinks = @('Get-LvsDefense', 'Get-LvsDirector', 'about_LvsPS')
}
