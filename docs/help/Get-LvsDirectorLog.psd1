@{
    Synopsis    = 'Gets a director''s log records (levelled like the kernel''s IPVS debug_level).'
    Description = @'
Get-LvsDirectorLog reads a director's log as typed records: time (UTC), debug level (0..12), syslog severity,
source (Host, Control, Vrrp, Health, Sync, DataPath; Kernel and Keepalived on a kernel director) and message.

For lvsd the records come from its in-memory ring (the newest 10,000). Level 0 is always written: start, stop,
state and configuration changes, errors. Higher levels need Set-LvsDirectorLog -DebugLevel or
Start-LvsDirector -DebugLevel: 1-3 control and health detail, 4-6 VRRP, sync and scheduling decisions (level 5
names the real server each new connection was sent to), 7-12 per-packet detail (level 9: every frame).

For a kernel director (Connect-LvsDirector, or a kernel lab) the records are the kernel's IPVS messages
(journalctl -k when the director has journald, else dmesg) and keepalived's log, parsed into the same type.
'@
    Parameters  = @{
        Director = 'The director to read. By default: the only director running, or the one this session started last. Get-LvsDirector''s output binds by its Name.'
        Level    = 'Only records of this debug level or lower (0..12).'
        Source   = 'Only records from these parts of the director.'
        Since    = 'Only records written at or after this time.'
        Last     = 'Only the last N records that match the other filters.'
        Pattern  = 'A regular expression (case-insensitive) the message must match.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Where the last connections went'
            Code    = 'Set-LvsDirectorLog -DebugLevel 5; Get-LvsDirectorLog -Source DataPath -Last 10'
            Remarks = 'Each record names the client, the service, the scheduler and the real server chosen.'
        }
        @{
            Lab     = $true
            Title   = 'Errors and changes of the last hour'
            Code    = 'Get-LvsDirectorLog -Level 0 -Since (Get-Date).AddHours(-1)'
            Remarks = 'Level 0 records only.'
        }
        @{
            Lab     = 'Kernel: a kernel director lvs1 (KernelLab.Tests.ps1 reads its log)'
            Title   = 'A kernel director''s IPVS messages'
            Code    = 'Get-LvsDirectorLog -Director lvs1 -Source Kernel -Pattern scheduler'
            Remarks = 'Read from journalctl -k or dmesg on the director over SSH.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'Director (or Name, as Get-LvsDirector writes it) binds by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Director.LvsLogRecord'; Description = 'One record a log line, oldest first.' }
    )
    Notes       = 'Errors: InvalidLogQuery, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('Set-LvsDirectorLog', 'Start-LvsDirector', 'Get-LvsDirector', 'about_LvsPS')
}
