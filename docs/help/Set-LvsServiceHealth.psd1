@{
    Synopsis    = 'Sets a virtual service''s health settings: delay_loop, alpha, omega, quorum and hysteresis with their commands, the sorry server, inhibit_on_failure, virtualhost.'
    Description = @'
Set-LvsServiceHealth sets what keepalived's virtual_server block holds besides the real servers. Settings that are
not given keep their values (a service that has none yet starts from keepalived's defaults: delay_loop 60 s, quorum
1, hysteresis 0, no sorry server). The service's settings are in Get-LvsService's Health property, and whether it
has its quorum in QuorumUp.

- delay_loop: the interval of every checker that sets none (-IntervalSec of Add-LvsHealthCheck).
- quorum and hysteresis: the service works while the total weight of its live real servers is at least quorum;
  quorum is lost below quorum - hysteresis (quorum_down runs) and gained again at quorum + hysteresis (quorum_up
  runs).
- sorry server: put in the table when quorum is lost, while the real servers are taken out; removed when quorum
  is back (with sorry_server_inhibit it stays, with weight 0).
- inhibit_on_failure: a failed real server stays in the table with weight 0 instead of being removed, so its open
  connections go on.
- alpha: real servers start down until their checks pass; omega: on shutdown, run the down notifiers and quorum_down.

Several directors from one pipeline: each input record names its director (-Director by property name, as the
objects of Get-LvsRealServer, Get-LvsService and Get-LvsVrrpInstance carry it) and its own values. The changes are
made once the input is in, the directors at once (-ThrottleLimit), each director's changes in the order they came;
the output keeps the order the directors came in, progress names each director as it finishes, and a director that
does not answer is one error (naming it, as TargetObject) while the others go on. With -WhatIf, -Confirm or a
confirmation due, every record is done at once, one after another, as asked.
'@
    Parameters  = @{
        VirtualAddress        = 'The virtual IP address (VIP) of the service. Real servers from Get-LvsRealServer bind it by property name.'
        Port                  = 'The port of the service.'
        Protocol              = @{ Description = 'The protocol of the service: Tcp, Udp or Sctp.'; DefaultValue = 'Tcp' }
        FirewallMark          = @{ Description = 'A firewall-mark service (ipvsadm -f N) instead of -VirtualAddress and -Port. Objects from Get-LvsRealServer bind it by property name (0 there means an address service).'; DefaultValue = '0' }
        Director              = 'The director that holds the service. By default: the only director running, or the one this session started last.'
        DelayLoopSec          = 'keepalived''s delay_loop: seconds between two checks of every checker that sets no interval of its own, above 0. keepalived''s default is 60.'
        Alpha                 = 'keepalived''s alpha: every real server starts down until its checks pass. -Alpha:$false turns it off.'
        Omega                 = 'keepalived''s omega: when the director stops, run the notify_down commands and quorum_down. -Omega:$false turns it off.'
        Quorum                = 'keepalived''s quorum: the least total weight of live real servers the service works with, 1 or more. keepalived''s default is 1.'
        Hysteresis            = 'keepalived''s hysteresis: quorum is lost below quorum - hysteresis and gained at quorum + hysteresis, 0 or more. keepalived''s default is 0.'
        QuorumUpCommand       = 'keepalived''s quorum_up: a command run on the director when the service gains its quorum. An empty string removes it.'
        QuorumDownCommand     = 'keepalived''s quorum_down: a command run on the director when the service loses its quorum. An empty string removes it.'
        SorryServer           = 'keepalived''s sorry_server: the server put in when the quorum is lost. $null removes it.'
        SorryServerPort       = 'The sorry server''s port, 1 to 65535; 0 means the service''s port.'
        SorryServerInhibit    = 'keepalived''s sorry_server_inhibit: the sorry server stays in the table with weight 0 instead of being removed while quorum is up. -SorryServerInhibit:$false turns it off.'
        SorryServerForwarding = 'keepalived''s sorry_server_lvs_method: Route, Masq or Tunnel. By default the method of the service''s real servers.'
        InhibitOnFailure      = 'keepalived''s inhibit_on_failure for every real server of the service: a failed real server keeps its place with weight 0 instead of being taken out. -InhibitOnFailure:$false turns it off.'
        VirtualHost           = 'keepalived''s virtualhost: the Host header of the Http and Ssl checks that set none. An empty string removes it.'
        PassThru              = 'Returns the service as the director now lists it. By default nothing is returned.'
        ThrottleLimit    = @{ Description = 'How many directors are changed at once when the input names several (1 to 1024). The default, 32, is Invoke-Command''s: a change is a few requests, over SSH for a kernel director, mostly waiting on the far side. 1 changes them one after another. Each director''s own changes always go in the order they came.'; DefaultValue = '32' }
        WhatIf                = 'Shows the settings the service would have, without changing them.'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'A sorry server for when every real server is down'
            Code    = 'Get-LvsService -Port 80 | Set-LvsServiceHealth -SorryServer 10.250.0.9 -PassThru'
            Remarks = 'When the live weight falls below the quorum (1), the real servers are taken out and 10.250.0.9 answers instead.'
        }
        @{
            Lab     = $true
            Title   = 'Quorum with hysteresis and notifications'
            Code    = 'Set-LvsServiceHealth 10.250.0.101 80 -Quorum 3 -Hysteresis 1 -QuorumDownCommand ''/usr/local/bin/page-oncall lvs-down'' -QuorumUpCommand ''/usr/local/bin/page-oncall lvs-up'''
            Remarks = 'Quorum is lost below a live weight of 2 and gained again at 4; each change runs its command on the director.'
        }
        @{
            Lab     = $true
            Title   = 'Check less often'
            Code    = 'Get-LvsService | Set-LvsServiceHealth -DelayLoopSec 10'
            Remarks = 'Every checker that sets no interval of its own now runs every 10 seconds.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'Services (from Get-LvsService) bind by property name: VirtualAddress, Port, Protocol, FirewallMark, Director.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'With -PassThru, the service; its Health property holds the settings.' }
    )
    Notes       = @'
Errors: InvalidHealthCheck (delay_loop not above 0, quorum below 1, negative hysteresis, a virtual host with
spaces), InvalidAddress (a sorry server that is not unicast), InvalidPort, ServiceNotFound,
DirectorNotRunning, DirectorAmbiguous, KeepalivedConfigForeign, KeepalivedConfigRejected,
KeepalivedNotFound, KeepalivedStartFailed (kernel director: see about_LvsPS).
On a kernel director the settings go into the service's virtual_server block of
keepalived.conf (delay_loop, quorum, sorry_server ...) and keepalived reloads.

This is a cmdlet of its own rather than parameters of Set-LvsService: Set-LvsService is ipvsadm -E (scheduler,
persistence), these settings are keepalived's and change no ipvsadm rule.
'@
    RelatedLinks = @('Add-LvsHealthCheck', 'Get-LvsService', 'Get-LvsHealth', 'about_LvsPS')
}
