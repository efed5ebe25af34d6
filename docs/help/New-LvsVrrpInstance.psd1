@{
    Synopsis    = 'Adds a VRRP instance to a director: while master it owns the virtual addresses (keepalived''s vrrp_instance).'
    Description = @'
New-LvsVrrpInstance adds a VRRP router to a director, with keepalived's vrrp_instance keywords as the model. The
directors of a pair run an instance with the same -VirtualRouterId on the same segment; the one with the highest
priority becomes master: it answers ARP for the virtual addresses, sends a gratuitous ARP burst on becoming master
(-GarpMasterRepeat, again after -GarpMasterDelay) and forwards their traffic. A backup stays silent for them and
takes over when the master's adverts stop for three advert intervals (plus a skew that favours the higher priority).

VRRPv3 (RFC 5798, the default) carries the advert interval in centiseconds, so -AdvertInterval takes seconds with
fractions (0.25); VRRPv2 (RFC 3768) carries whole seconds and is the only version with authentication (-AuthType Pass,
-AuthPassword). The peer may be keepalived: both speak the same protocol on the wire.

Every value is checked before anything is sent; a refused value ends in InvalidVrrpInstance naming it, also under
-WhatIf. On a kernel director LvsPS writes the vrrp_instance into keepalived.conf and keepalived runs it.

Several directors from one pipeline: each input record names its director (-Director by property name, as the
objects of Get-LvsRealServer, Get-LvsService and Get-LvsVrrpInstance carry it) and its own values. The changes are
made once the input is in, the directors at once (-ThrottleLimit), each director's changes in the order they came;
the output keeps the order the directors came in, progress names each director as it finishes, and a director that
does not answer is one error (naming it, as TargetObject) while the others go on. With -WhatIf, -Confirm or a
confirmation due, every record is done at once, one after another, as asked.
'@
    Parameters  = @{
        Name             = 'The instance name (vrrp_instance NAME): letters, digits, _, - and ., at most 64. Unique on the director.'
        Interface        = 'The interface the adverts go out on and the virtual addresses live on (interface).'
        VirtualRouterId  = 'The virtual router id (virtual_router_id), 1..255: the same on every director of the pair, different from other routers on the segment.'
        VirtualAddress   = 'The virtual addresses the master owns (virtual_ipaddress), IPv4.'
        Priority         = 'The priority (priority), 1..255; by default 100 as in keepalived. The highest priority becomes master; 255 means the owner of the addresses.'
        Version          = 'The VRRP version (version): 3 (RFC 5798, the default) or 2 (RFC 3768).'
        AdvertInterval   = 'The advert interval (advert_int) in seconds; fractions are allowed with version 3 (0.25 = 25 centiseconds, 0.01..40.95). Version 2 takes whole seconds 1..255. By default 1.'
        NoPreempt        = 'nopreempt: a backup of higher priority does not take over from a running master (only when the master fails). With Set-LvsVrrpInstance, -NoPreempt:$false turns preemption back on.'
        PreemptDelay     = 'preempt_delay in seconds (0..1000): how long a backup of higher priority waits before it preempts the master.'
        InitialState     = 'The state to start in (state): Backup (the default) or Master.'
        UnicastPeer      = 'unicast_peer: send the adverts to these addresses instead of the multicast group 224.0.0.18.'
        SourceAddress    = 'The adverts'' source address (unicast_src_ip / mcast_src_ip); by default the interface''s primary address.'
        AuthType         = 'VRRPv2 authentication (authentication { auth_type }): None, or Pass (a cleartext password). Giving -AuthPassword alone means Pass.'
        AuthPassword     = 'The VRRPv2 password (auth_pass), 1..8 printable ASCII characters, as a SecureString (ConvertTo-SecureString or Read-Host -AsSecureString): it stays out of the command history and transcripts, although VRRPv2 sends it in clear on the wire.'
        GarpMasterDelay  = 'garp_master_delay: seconds after becoming master before the second gratuitous ARP burst (0 = none; by default 5).'
        GarpMasterRepeat = 'garp_master_repeat: gratuitous ARPs per virtual address in each burst (1..100; by default 5).'
        NotifyMaster     = 'notify_master: a command run on becoming master (argument words, no shell).'
        NotifyBackup     = 'notify_backup: a command run on becoming backup.'
        NotifyFault      = 'notify_fault: a command run on entering FAULT.'
        Notify           = 'notify: a command run on every change, with keepalived''s arguments INSTANCE name state priority.'
        PassThru         = 'Returns the new instance as the director reports it.'
        ThrottleLimit    = @{ Description = 'How many directors are changed at once when the input names several (1 to 1024). The default, 32, is Invoke-Command''s: a change is a few requests, over SSH for a kernel director, mostly waiting on the far side. 1 changes them one after another. Each director''s own changes always go in the order they came.'; DefaultValue = '32' }
        Director         = 'The director. By default: the only director running, or the one this session started last.'
        WhatIf           = 'Shows the instance that would be added, without adding it. The values are checked first.'
        Confirm          = 'Prompts for confirmation before adding the instance.'
    }
    Examples    = @(
        @{
            Lab     = 'Pair: a two-director lab named ha'
            Title   = 'A pair of directors with a 0.25 s advert interval'
            Code    = @'
New-LvsVrrpInstance -Director ha-director1 -Name VI_1 -Interface eth0 -VirtualRouterId 51 -Priority 150 -AdvertInterval 0.25 -VirtualAddress 10.0.0.101
New-LvsVrrpInstance -Director ha-director2 -Name VI_1 -Interface eth0 -VirtualRouterId 51 -Priority 100 -AdvertInterval 0.25 -VirtualAddress 10.0.0.101
'@
            Remarks = 'director1 becomes master; director2 takes over within about 0.8 s of director1''s last advert.'
        }
        @{
            Lab     = 'Pair: a two-director lab named ha'
            Title   = 'Both directors of the pair from one pipeline, each with its priority'
            Code    = @'
@(
    [pscustomobject]@{ Director = 'ha-director1'; Priority = 150 }
    [pscustomobject]@{ Director = 'ha-director2'; Priority = 100 }
) | New-LvsVrrpInstance -Name VI_1 -Interface eth0 -VirtualRouterId 51 -AdvertInterval 0.25 -VirtualAddress 10.0.0.101 -PassThru
'@
            Remarks = 'The two directors are set up at once; the output lists director1''s instance, then director2''s. The rows may as well come from Import-Csv.'
        }
        @{
            Lab     = 'Interactive: Read-Host asks for the password'
            Title   = 'VRRPv2 with a password, as an older keepalived peer has it'
            Code    = 'New-LvsVrrpInstance VI_2 -Interface eth0 -VirtualRouterId 52 -Version 2 -AuthPassword (Read-Host -AsSecureString) -VirtualAddress 10.0.0.102 -NoPreempt'
            Remarks = 'auth_type PASS with the password typed in; the instance does not preempt a running master.'
        }
    )
    Inputs      = @(
        @{ Type = 'None'; Description = 'Name, Interface, VirtualRouterId, VirtualAddress, Priority, InitialState, UnicastPeer, SourceAddress and Director bind by property name: one record per director.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Vrrp.VrrpInstanceStatus'; Description = 'With -PassThru, the new instance.' }
    )
    Notes       = 'Errors: InvalidVrrpInstance, InvalidInterfaceName, VrrpInstanceExists, NotSupportedByDirector, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('Get-LvsVrrpInstance', 'Set-LvsVrrpInstance', 'Remove-LvsVrrpInstance', 'Get-LvsDirector', 'Test-LvsCluster', 'about_LvsPS')
}
