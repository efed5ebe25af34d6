@{
    Synopsis    = 'Writes a director''s LVS table (or services from the pipeline) as ipvsadm rules, keepalived.conf, lvs_dr.conf or an rc.lvs_dr script.'
    Description = @'
Export-LvsConfiguration turns a table of virtual services into one of the configuration formats LVS admins use, so
that a cluster built with LvsPS can be saved, reviewed, moved to kernel IPVS or read back with
Import-LvsConfiguration. By default it reads the table of the director (-Director, else the only one running);
with -InputObject, or from the pipeline, it writes the services it is given instead: the output of Get-LvsService,
or service definitions from Import-LvsConfiguration, which stand for the services they would create.

The formats:

- IpvsadmRules: the text of "ipvsadm-save -n" (ipvsadm -S -n) of ipvsadm 1.31, byte for byte: one "-A" line
  per service with -s, -p, -M and -b, one "-a" line per real server with -g, -m or -i and -w, sorted as ipvsadm
  sorts them; a firewall mark above 2147483647 signed, as ipvsadm prints it (-f -1 for 4294967295). ipvsadm -S
  leaves the connection thresholds out; with -IncludeThresholds LvsPS writes them as "-x N" and "-y N" at the
  end of the "-a" line when they are set, which "ipvsadm -R" accepts. Import-LvsConfiguration reads both.
- Keepalived: keepalived.conf virtual_server blocks with lvs_sched, lvs_method, protocol, persistence_timeout and
  persistence_granularity, the service's health settings (delay_loop, alpha, omega, quorum, hysteresis,
  quorum_up/quorum_down, sorry_server), and a real_server block per real server with weight, uthreshold,
  lthreshold, inhibit_on_failure and its health checkers (TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK with their
  parameters; none is invented for a real server that has none). Add global_defs and vrrp_instance blocks of your own.
- LvsDrConf: the lvs_dr.conf of the LVS-HOWTO configure script: LVS_TYPE, INITIAL_STATE=on, VIP=,
  DIRECTOR_INSIDEIP= (when the director's address is known), one SERVICE= line per service with rs:port,weight
  for each real server, SERVER_VIP_DEVICE and SERVER_NET_DEVICE. The format knows one VIP, one forwarding method
  and no persistence or thresholds; a table that needs more is refused with ConfigNotExportable.
- RcLvsDr: the rc.lvs_dr script the configure script generated, as a POSIX sh script to copy to the director and to
  every real server. It tells its role from the host's IPv4 addresses (ip -o -4 addr): on a host holding one of the
  real server addresses it puts the VIP on lo (or SERVER_VIP_DEVICE) as /32 and sets arp_ignore=1 and
  arp_announce=2 (and hidden where the kernel has it); on any other host, the director, it sets ip_forward=0 and
  loads the table with ipvsadm -C, -A and -a. "rc.lvs_dr director" or "rc.lvs_dr realserver" forces the role.
  Every value in it is single-quoted. Direct routing only.

keepalived, lvs_dr.conf and rc.lvs_dr list the real servers in the order they were added, so loading the file
rebuilds the same list. Without -Path the text is written to the pipeline as one string; with -Path it is written
to the file (UTF-8, Unix line ends; an rc.lvs_dr file is made executable) and the file is returned.
'@
    Parameters  = @{
        Director        = 'The director whose table is written. By default: the only director running, or the one this session started last.'
        InputObject     = 'The services to write instead of a director''s table: LvsService objects (Get-LvsService) or service definitions (Import-LvsConfiguration), from the pipeline or as an array.'
        Format          = 'The format to write: IpvsadmRules (ipvsadm-save -n), Keepalived (keepalived.conf virtual_server blocks), LvsDrConf (the LVS-HOWTO lvs_dr.conf) or RcLvsDr (the rc.lvs_dr shell script).'
        Path            = 'The file to write. Without it, the text is written to the pipeline.'
        Force           = 'Overwrites the file even when it is read-only.'
        NoClobber       = 'Does not overwrite an existing file; the cmdlet writes a ConfigFileExists error instead.'
        IncludeThresholds = 'IpvsadmRules: also writes each real server''s connection thresholds as "-x N" (upper) and "-y N" (lower) at the end of its "-a" line, when they are set. ipvsadm -S leaves them out, so without this switch the text is what ipvsadm -S -n prints; "ipvsadm -R" and Import-LvsConfiguration read the thresholds back. The other formats ignore it: Keepalived always writes uthreshold and lthreshold.'
        DirectorAddress = 'LvsDrConf: the director''s address for DIRECTOR_INSIDEIP. By default, when the table comes from a director, the address of its interface; from the pipeline, none (the line is left out).'
        VipDevice       = 'LvsDrConf: the device of the VIP= line (default: the director''s interface with the VIP''s last octet as alias label, such as eth0:101). RcLvsDr: the director interface, optionally with a label (eth0:101), to put the VIP on; without it the script leaves the director''s addresses alone, as the LvsPS director answers for the VIP itself.'
        ServerVipDevice = @{ Description = 'Where the real servers hold the VIP: SERVER_VIP_DEVICE in lvs_dr.conf, the interface rc.lvs_dr puts the VIP on (an interface other than lo is created as a dummy link).'; DefaultValue = 'lo' }
        ServerNetDevice = 'The real servers'' network interface: SERVER_NET_DEVICE in lvs_dr.conf; rc.lvs_dr also sets arp_ignore and arp_announce on it. Left out when not given.'
        WhatIf          = 'Shows the file that would be written, and how many services, without writing it. Without -Path there is no file and the text is written as usual.'
    }
    Examples    = @(
        @{
            Lab     = 'Host: writes /etc/ipvsadm.rules on this machine'
            Title   = 'Save the table as ipvsadm rules'
            Code    = 'Export-LvsConfiguration -Format IpvsadmRules -Path /etc/ipvsadm.rules'
            Remarks = 'Writes the table of the only running director as "ipvsadm-save -n" would; "ipvsadm-restore < /etc/ipvsadm.rules" loads it into kernel IPVS, and "Import-LvsConfiguration /etc/ipvsadm.rules | New-LvsService" into a director.'
        }
        @{
            Lab     = $true
            Title   = 'Look at the keepalived configuration of a lab''s table'
            Code    = 'Export-LvsConfiguration -Director seed -Format Keepalived'
            Remarks = @'
With an HTTP check on rs1 (Add-LvsHealthCheck -Type Http -Path /test.html -StatusCode 200 -IntervalSec 1
-TimeoutSec 1 -Retry 0), output resembles:

    ! keepalived.conf: LVS virtual servers written by LvsPS
    ! from director 'seed', 1 service

    virtual_server 10.250.0.101 80 {
        lvs_sched rr
        lvs_method DR
        protocol TCP

        real_server 10.250.0.3 80 {
            weight 1
            HTTP_GET {
                connect_timeout 1
                retry 0
                delay_loop 1
                url {
                    path /test.html
                    status_code 200
                }
            }
        }
    }
'@
        }
        @{
            Lab     = $true
            Title   = 'Convert an lvs_dr.conf into keepalived.conf without a director'
            Code    = 'Import-LvsConfiguration ./lvs_dr.conf -HostsFile ./cluster.hosts | Export-LvsConfiguration -Format Keepalived -Path ./keepalived-lvs.conf'
            Remarks = 'The imported service definitions stand for the services they describe; nothing is sent to any director.'
        }
        @{
            Lab     = $true
            Title   = 'The walkthrough''s rc.lvs_dr, for a kernel-IPVS director and its real servers'
            Code    = 'Get-LvsService -Director seed | Export-LvsConfiguration -Format RcLvsDr -VipDevice eth0:101 -Path ./rc.lvs_dr'
            Remarks = 'Writes an executable script; copied to the director and to each real server and run there as root, it loads the table with ipvsadm on the director and hides the VIP on lo on each real server.'
        }
        @{
            Lab     = $true
            Title   = 'Check what would be written'
            Code    = 'Export-LvsConfiguration -Format LvsDrConf -Path ./lvs_dr.conf -WhatIf'
            Remarks = 'Names the file and the number of services without writing anything.'
        }
        @{
            Lab     = $true
            Title   = 'Save ipvsadm rules that keep the connection thresholds'
            Code    = 'Export-LvsConfiguration -Format IpvsadmRules -IncludeThresholds -Path ./ipvsadm.rules'
            Remarks = 'As ipvsadm -S -n, with "-x N -y N" on the "-a" lines of real servers that have thresholds, so that "ipvsadm -R" or Import-LvsConfiguration restores them too.'
        }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Model.LvsService'; Description = 'Services from Get-LvsService, bound to -InputObject.' }
        @{ Type = 'LvsPS.Management.Config.LvsServiceDefinition'; Description = 'Service definitions from Import-LvsConfiguration, bound to -InputObject as the services they describe.' }
    )
    Outputs     = @(
        @{ Type = 'System.String'; Description = 'Without -Path, the whole configuration text as one string.' }
        @{ Type = 'System.IO.FileInfo'; Description = 'With -Path, the file written.' }
    )
    Notes       = @'
Errors: DirectorNotRunning and DirectorAmbiguous (terminating, when the table is read from a director);
ConfigNotExportable (terminating) when the format cannot express the table: several VIPs or forwarding methods,
persistence or thresholds in lvs_dr.conf, NAT or tunnel real servers in rc.lvs_dr, IPv6, an invalid device name;
ConfigFileExists with -NoClobber; ConfigFileWriteFailed when the file cannot be written.

A table read from a director is written as configured: configured weights (not the 0 of a drained real server or
one down under inhibit_on_failure), real servers a failed check took out of the table, and no sorry server that a
lost quorum put in.
'@
    RelatedLinks = @('Import-LvsConfiguration', 'Get-LvsService', 'New-LvsService', 'Set-LvsRealServerHidden', 'about_LvsPS')
}
