@{
    Synopsis    = 'Connects to the kernel IPVS of a Linux director over SSH, so the LvsPS cmdlets manage it with ipvsadm.'
    Description = @'
Connect-LvsDirector logs in to a Linux director over SSH and makes it available to the other LvsPS cmdlets under
the name given with -Name. From then on, New-LvsService, Get-LvsService, Add-LvsRealServer, Get-LvsConnection,
Set-LvsTimeout, Clear-LvsCounter and the others, given -Director with that name (or finding it as the only
director, or the one connected last), run ipvsadm on that host and manage its kernel IPVS table instead of a local
lvsd.

Each request becomes one or a few ipvsadm command lines: every value is checked first with the same rules and
ErrorIds as the LvsPS engine (InvalidAddress, InvalidPort, InvalidWeight, InvalidThreshold ...), so bad input never
reaches the kernel, and every argument is single-quoted. Listings are read with "ipvsadm -L -n --exact" and its
--stats --exact, --rate --exact, --thresholds and --persistent-conn variants (one SSH command for all five),
connections with "ipvsadm -L -n -c". Refusals of the
kernel ("Service already exists", "No such destination" ...) come back with the engine's ErrorIds (ServiceExists,
RealServerNotFound ...).

To connect, the cmdlet opens the SSH session (the host key is verified against the known_hosts file), looks for
ipvsadm in the login PATH, then in /usr/sbin and /sbin, runs "ipvsadm --version" (which also opens IPVS, loading the
ip_vs module when needed) and reads the table once with "ipvsadm -L -n --exact". Nothing on the director is
changed. The session stays open for this PowerShell process until Disconnect-LvsDirector, and is opened again
when it has dropped.

Connecting again with a name already connected replaces that connection once the new one works. A name that a
local running director already uses is refused.

Several directors at once: pipe records with Name and ComputerName (and, where they differ, SshPort, KeyFile and
NetworkNamespace) by property name, as from Import-Csv. Every record is checked first (a bad name, or a name given
twice, ends the command before any host is logged in to); then the hosts are logged in to at once, -ThrottleLimit
at a time. The output keeps the order the records came in, progress names each host as it finishes, and a host
that fails (unreachable, host key refused, no ipvsadm, no IPVS) is one error naming it (TargetObject) while the
others connect. With one record, a failure ends the command, as a single connection always did.

The command generation and the parsing were checked against ipvsadm's documented formats, not against a live
kernel; see docs/KERNEL-BACKEND.md.
'@
    Parameters  = @{
        Name             = 'The name the other cmdlets select this director by (their -Director parameter): a letter, then letters, digits, "-" or "_" (at most 32).'
        ComputerName     = 'The director to log in to, as a host name or address. The same name is looked up in the known_hosts file.'
        SshPort          = @{ Description = 'The SSH port of the director.'; DefaultValue = '22' }
        Credential       = 'The user name and password to log in with. With -KeyFile the password is the key''s passphrase. By default the user is root and a key is needed. Managing IPVS needs root on the director.'
        KeyFile          = 'The OpenSSH private key file to log in with, for example ~/.ssh/id_ed25519.'
        KnownHostsFile   = 'The known_hosts file the director''s host key is verified against (SHA256 fingerprints). By default ~/.ssh/known_hosts.'
        AcceptNewHostKey = 'Trusts a host key that is not yet in the known_hosts file and records it there (trust on first use). A host key that differs from the recorded one is still refused.'
        NetworkNamespace = 'Opens the SSH connection from inside this network namespace (as listed by "ip netns list"). By default the current namespace is used.'
        ThrottleLimit    = @{ Description = 'How many hosts are logged in to at once when the input names several (1 to 1024). The default, 32, is Invoke-Command''s: a login is a few SSH round trips, mostly waiting on the network and the far side. 1 logs in to them one after another.'; DefaultValue = '32' }
    }
    Examples    = @(
        @{
            Lab     = 'Remote: a kernel director reached over SSH at 192.168.0.1 with your key'
            Title   = 'Manage a real director''s IPVS table'
            Code    = @'
Connect-LvsDirector -Name lvs1 -ComputerName 192.168.0.1 -KeyFile ~/.ssh/id_ed25519
New-LvsService -Director lvs1 -VirtualAddress 192.168.0.101 -Port 80 -Scheduler rr
Add-LvsRealServer -Director lvs1 -VirtualAddress 192.168.0.101 -Port 80 -RealAddress 192.168.0.3
Get-LvsService -Director lvs1
'@
            Remarks = 'Logs in as root, then runs "ipvsadm -A -t 192.168.0.101:80 -s rr", "ipvsadm -a -t 192.168.0.101:80 -r 192.168.0.3:80 -g -w 1" and the listings on the director.'
        }
        @{
            Lab     = 'Remote: a kernel director lvs2.example.com'
            Title   = 'Trust a new director''s host key on first use'
            Code    = 'Connect-LvsDirector lvs2 lvs2.example.com -KeyFile ~/.ssh/id_ed25519 -AcceptNewHostKey -Verbose'
            Remarks = 'Records the host key in ~/.ssh/known_hosts if it is not there yet; -Verbose shows the ipvsadm and IPVS versions and the host key fingerprint.'
        }
        @{
            Lab     = 'Remote: a directors.csv with the columns Name and ComputerName'
            Title   = 'Connect a fleet of directors at once'
            Code    = 'Import-Csv ./directors.csv | Connect-LvsDirector -KeyFile ~/.ssh/id_ed25519 -ErrorVariable failed'
            Remarks = 'Logs in to every director at once (32 at a time); $failed holds one error per host that could not be connected, naming it.'
        }
        @{
            Lab     = 'Kernel: the kernel director lvs1 connected in example 1'
            Title   = 'See the director''s table as ipvsadm prints it'
            Code    = 'Get-LvsService -Director lvs1 -AsText'
            Remarks = 'The table read from the director, laid out exactly as "ipvsadm -L -n" lays it out.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'The director''s name and host name, by the property names Name (or Director) and ComputerName (or HostName); SshPort, KeyFile and NetworkNamespace also bind by property name. One record per director.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Management.Kernel.KernelDirectorStatus'; Description = 'The connected director: Name, Backend (KernelIpvs), ComputerName, SshPort, UserName, HostKeyFingerprint, IpvsadmPath, IpvsadmVersion, IpvsVersion, TableSize, ServiceCount, RealServerCount, VirtualAddresses, ConnectedAt and Connected.' }
    )
    Notes       = @'
The cmdlet changes only this PowerShell session (it reads the director's table, it does not change it), so it has
no -WhatIf or -Confirm; the cmdlets that change the table have them.

The connection is kept per PowerShell process: every runspace of the process sees it.

Errors: InvalidDirectorName, DirectorAlreadyRunning (a local director has that name), HostKeyUnknown,
HostKeyMismatch, SshConnectFailed, SshAuthenticationFailed, IpvsadmNotFound (ipvsadm is not installed on the
director: install the ipvsadm package), NotRoot (the login user may not manage IPVS), IpvsNotAvailable (the
director's kernel has no IPVS or cannot load the ip_vs module), DirectorProtocolError (the program answered in a
format LvsPS does not read).
'@
    RelatedLinks = @('Disconnect-LvsDirector', 'Get-LvsService', 'New-LvsService', 'Add-LvsRealServer', 'about_LvsPS', @{ Text = 'ipvsadm(8)'; Uri = 'https://man7.org/linux/man-pages/man8/ipvsadm.8.html' })
}
