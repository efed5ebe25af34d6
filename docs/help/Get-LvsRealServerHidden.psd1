@{
    Synopsis    = 'Reads back, over SSH, whether real servers hold the VIP and hide it from ARP.'
    Description = @'
Get-LvsRealServerHidden logs in to each real server over SSH and reads, with one command and without changing
anything, what LVS-DR needs there: whether the VIP is on the VIP interface (lo or dummy0) and with which prefix,
the arp_ignore and arp_announce values of all, of the VIP interface and of -NetInterface, and, on kernels that have
it, the old "hidden" flag.

IsHidden is True when the VIP is present and the effective arp_ignore is at least 1 and arp_announce at least 2
(or, on old kernels, hidden is set on all and on the interface). The effective value is the higher of "all" and
the interface ARP requests arrive on: -NetInterface when given, otherwise only "all" counts, because a value set on
lo alone does not stop eth0 from answering.

The targets and the host key checks are the same as for Set-LvsRealServerHidden.
'@
    Parameters  = @{
        ThrottleLimit    = @{ Description = 'How many real servers are read at once (1 to 1024; default 32, as Invoke-Command; 1 reads them one after another). The output keeps the hosts'' order; a host that fails is one error naming it while the others are read.'; DefaultValue = '32' }
        ComputerName     = 'The real servers to read, as host names or addresses. Accepts pipeline input, also by the property name RealAddress.'
        VirtualAddress   = 'The VIP to look for. With -Lab the default is the lab''s VIP; otherwise it is required.'
        Lab              = 'Read the real servers of this lab, reached from its director namespace with the lab''s SSH key and known_hosts.'
        Node             = 'With -Lab: only these real servers of the lab (rs1, rs2 ...). By default all of them.'
        SshPort          = @{ Description = 'The SSH port of the real servers.'; DefaultValue = '22' }
        Credential       = 'The user name and password to log in with. With -KeyFile the password is the key''s passphrase. By default the user is root and a key is needed.'
        KeyFile          = 'The OpenSSH private key file to log in with.'
        KnownHostsFile   = 'The known_hosts file the host keys are verified against. By default ~/.ssh/known_hosts.'
        NetworkNamespace = 'Opens the SSH connections from inside this network namespace (as listed by "ip netns list"), for example when the real servers are reachable only from a director that runs in a namespace. By default the current namespace is used.'
        AcceptNewHostKey = 'Trusts and records a host key that is not yet in the known_hosts file. A changed host key is still refused.'
        Interface        = @{ Description = 'The interface expected to hold the VIP: lo or a dummy interface such as dummy0.'; DefaultValue = 'lo' }
        NetInterface     = 'The real servers'' network interface (for example eth0), whose ARP settings count together with "all".'
    }
    Examples    = @(
        @{
            Lab     = $true
            Title   = 'Check a lab''s real servers'
            Code    = 'Get-LvsRealServerHidden -Lab seed | Format-Table ComputerName, VipPresent, VipPrefixLength, ArpIgnoreAll, ArpAnnounceAll, IsHidden'
            Remarks = 'One row per real server; IsHidden False means clients may reach that real server by ARP.'
        }
        @{
            Lab     = 'Remote: production real servers rs1, rs2'
            Title   = 'Check production real servers'
            Code    = 'Get-LvsRealServerHidden -ComputerName rs1, rs2 -VirtualAddress 192.168.0.101 -KeyFile ~/.ssh/id_ed25519 -NetInterface eth0'
            Remarks = 'The same as running "ip -4 addr show dev lo" and "sysctl net.ipv4.conf.{all,lo,eth0}.arp_ignore arp_announce" on each real server.'
        }
    )
    Inputs      = @(
        @{ Type = 'System.String[]'; Description = 'Host names or addresses, by value or by the property name ComputerName (or RealAddress, HostName).' }
        @{ Type = 'LvsPS.Ipvs.Model.LvsRealServer'; Description = 'Real servers from Get-LvsRealServer bind RealAddress and VirtualAddress by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Management.Remote.LvsRealServerHiddenState'; Description = 'One object per real server: ComputerName, VirtualAddress, Interface, VipPresent, VipPrefixLength, ArpIgnoreAll, ArpIgnoreInterface, ArpAnnounceAll, ArpAnnounceInterface, HiddenSupported, HiddenAll, HiddenInterface, IsHidden.' }
    )
    Notes       = 'Errors, one per real server: HostKeyUnknown, HostKeyMismatch, SshConnectFailed, SshAuthenticationFailed, RemoteCommandFailed. Before any login: LabNotFound, LabNodeNotFound, InvalidAddress (no VIP given).'
    RelatedLinks = @('Set-LvsRealServerHidden', 'Test-LvsCluster', 'about_LvsPS')
}
