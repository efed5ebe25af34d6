@{
    Synopsis    = 'Reads an LVS configure-script file (lvs_dr.conf) and emits its services, ready for New-LvsService.'
    Description = @'
Import-LvsConfiguration parses a configuration file in the format of the LVS-HOWTO configure script (lvs_dr.conf,
lvs_nat.conf, lvs_tun.conf) and returns one service definition per SERVICE= line, with its real servers, so that
"Import-LvsConfiguration lvs_dr.conf | New-LvsService" builds the table the configure script would have built with
ipvsadm. It only reads files; it changes nothing.

The settings read are LVS_TYPE (VS_DR, VS_NAT, VS_TUN), INITIAL_STATE, VIP, DIRECTOR_INSIDEIP,
DIRECTOR_DEFAULT_GW, SERVICE, SERVER_VIP_DEVICE, SERVER_NET_DEVICE and SERVER_DEFAULT_GW. A SERVICE line is

    SERVICE=t|u port scheduler realserver[:port][,weight] ...

for example "SERVICE=t www rr rs1:www rs2:www". Ports may be numbers or names from a services(5) file (www and
telnet included); real servers may be addresses or host names. Names are resolved, in order, from the lab's nodes
and hosts file (with -Lab), from -HostsFile, from /etc/hosts and, only with -UseDns, from DNS. Settings the parser
does not know are ignored with a warning naming the file and line; errors name the file, the line and the bad
value.

With -AsConfiguration the whole file is returned as one object (VIP, director addresses, SERVER_VIP_DEVICE ...),
for example to feed Set-LvsRealServerHidden -Interface.
'@
    Parameters  = @{
        Path            = 'The configuration file to read.'
        Lab             = 'A lab whose node names (client, director or vs1, rs1, rs2 ...) resolve to the lab''s addresses.'
        HostsFile       = 'An additional file in hosts(5) format to resolve real server names with, read before /etc/hosts.'
        ServicesFile    = @{ Description = 'The services(5) file that port names such as www and telnet are looked up in.'; DefaultValue = '/etc/services' }
        UseDns          = 'Resolves names that no hosts file knows with DNS. By default such a name is an error.'
        AsConfiguration = 'Returns the whole configuration as one object instead of one object per service.'
        Format         = @{ Description = 'The file''s format: LvsDrConf (the configure script''s lvs_dr.conf), IpvsadmRules (ipvsadm-save output, ipvsadm -R input), Keepalived (keepalived.conf virtual_server blocks), or Auto (the default), which tells them apart by their content.'; DefaultValue = 'Auto' }
    }
    Examples    = @(
        @{
            Lab     = @{ Setup = 'Get-LvsService | Remove-LvsService -Confirm:$false' }
            Title   = 'Load the walkthrough''s lvs_dr.conf into a lab''s director'
            Code    = 'Import-LvsConfiguration ./lvs_dr.conf -Lab seed | New-LvsService -Director seed'
            Remarks = 'rs1 and rs2 resolve to the lab''s real servers, telnet and www to ports 23 and 80; one service is created per SERVICE line, each with its real servers.'
        }
        @{
            Lab     = 'Host: reads /etc/lvs/lvs_dr.conf on this machine'
            Title   = 'Check a file before using it'
            Code    = 'Import-LvsConfiguration /etc/lvs/lvs_dr.conf -HostsFile ./cluster.hosts | Format-List'
            Remarks = 'Shows each service with its scheduler and real servers (and the line it came from) without touching any director.'
        }
        @{
            Lab     = 'Remote: real servers that take your ~/.ssh key'
            Title   = 'Prepare the real servers as the file says'
            Code    = @'
$conf = Import-LvsConfiguration ./lvs_dr.conf -AsConfiguration
$conf.Services.RealServers.RealAddress | Select-Object -Unique |
    Set-LvsRealServerHidden -VirtualAddress $conf.VirtualAddress -Interface lo -NetInterface $conf.ServerNetDevice -KeyFile ~/.ssh/id_ed25519
'@
            Remarks = 'Reads the whole configuration and puts its VIP on every real server it names, with ARP hidden on SERVER_NET_DEVICE.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'A file path, by value or by the property name Path (or FullName, PSPath), so Get-ChildItem output can be piped.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Management.Config.LvsServiceDefinition'; Description = 'By default, one object per SERVICE line: Protocol, VirtualAddress, Port, Scheduler, RealServers, SourceFile, Line.' }
        @{ Type = 'LvsPS.Management.Config.LvsDrConfiguration'; Description = 'With -AsConfiguration, the whole file, for an lvs_dr.conf.' }
        @{ Type = 'LvsPS.Management.Config.IpvsadmRules'; Description = 'With -AsConfiguration, the whole file, for ipvsadm-save / ipvsadm -R rules (Clears tells whether it starts with -C).' }
        @{ Type = 'LvsPS.Management.Config.KeepalivedConfiguration'; Description = 'With -AsConfiguration, the whole file, for keepalived.conf (virtual_server blocks and their health checks).' }
    )
    Notes       = @'
Import-LvsConfiguration does not change state and so has no -WhatIf; New-LvsService, which it feeds, has.

Errors: ConfigFileNotFound (also, category InvalidArgument, for a path that is a directory), ConfigParseError (with file:line and the bad value), HostNameNotResolved,
ServiceNameNotResolved, LabNotFound. An unknown scheduler on a SERVICE line is a ConfigParseError.
'@
    RelatedLinks = @('New-LvsService', 'Set-LvsRealServerHidden', 'about_LvsPS')
}
