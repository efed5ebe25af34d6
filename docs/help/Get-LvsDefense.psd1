@{
    Synopsis    = 'Gets the director''s defence against connection-table exhaustion (SYN floods).'
    Description = @'
Get-LvsDefense returns the settings of IPVS's defence strategies, as the kernel's sysctls name them:
AvailableThreshold (amemthresh), DropEntry (drop_entry), DropPacket (drop_packet), DropRate (am_droprate) and
SecureTcp (secure_tcp), each mode Off (0), Auto (1), AutoActive (2: automatic and active now) or Always (3).
On lvsd the "available memory" is the number of free entries in the connection table: MaxConnections minus the
entries in it. lvsd also reports MaxConnections (the table's hard limit; at it, a new connection takes the place
of an unestablished entry near its own, or is refused) and SynRecvTimeout (the lifetime of SYN_RECV and SYNACK
entries while secure_tcp is active). Level shows the strategies active now; EntriesDropped and
ConnectionsRefused count what the defence dropped. SloppyTcp is sloppy_tcp (whether a TCP packet without SYN
of an unknown flow is scheduled on every service; see Set-LvsDefense). On a kernel director the values are read
with sysctl over SSH; MaxConnections and SynRecvTimeout stay empty there.
'@
    Parameters  = @{
        Director = 'The director to ask. By default: the only director running, or the one this session started last.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Show the defence'
            Code    = 'Get-LvsDefense'
            Remarks = 'Like "sysctl net.ipv4.vs.amemthresh net.ipv4.vs.drop_entry net.ipv4.vs.secure_tcp".'
        }
    )
    Inputs      = @(
        @{ Type = 'None'; Description = 'Director binds by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Connections.DefenseSpec'; Description = 'The settings, the level now and the counters.' }
    )
    Notes       = 'Errors: DirectorNotRunning, DirectorAmbiguous, RemoteCommandFailed.'
    RelatedLinks = @('Set-LvsDefense', 'Get-LvsDirector', 'about_LvsPS')
}
