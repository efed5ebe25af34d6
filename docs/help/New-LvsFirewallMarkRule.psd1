@{
    Synopsis    = 'Adds a firewall-mark rule: packets it matches go to the firewall-mark service with that mark.'
    Description = @'
A kernel director feeds a firewall-mark service (ipvsadm -f N) with packets that an iptables or nftables rule
marked (for example -j MARK --set-mark N for several ports, or a range of VIPs). No kernel mark reaches a
user-space director, so LvsPS keeps the rules itself: a packet to the rule's address or network, of its protocol
(or TCP and UDP), with a destination port in its range, gets the rule's mark. Rules are tried in the order they were
added and the first match wins; a marked packet goes to the firewall-mark service ahead of any address service, as
the kernel looks the mark up first. The rules are saved with the director's configuration.
'@
    Parameters  = @{
        Mark         = 'The firewall mark the rule gives: the number of the firewall-mark service (New-LvsService -FirewallMark) that takes the packets.'
        Address      = 'The destination address, or the network with -PrefixLength, that the rule matches. The director answers ARP for every address the rule covers.'
        PrefixLength = @{ Description = 'Prefix length of the destination network, 1 to 32.'; DefaultValue = '32' }
        Protocol     = 'Tcp, Udp or Sctp; by default the rule matches Tcp and Udp.'
        PortFrom     = @{ Description = 'First destination port of the range; 0 (with -PortTo 0) matches any port.'; DefaultValue = '0' }
        PortTo       = 'Last destination port of the range; by default the same as -PortFrom.'
        Director     = 'The director. By default: the only director running, or the one this session started last.'
        WhatIf       = 'Shows the rule that would be added, without adding it.'
        Confirm      = 'Asks for confirmation before adding the rule.'
    }
    Examples    = @(
        @{ Lab = $true; Title = 'HTTP and HTTPS of one VIP as one service'; Code = "New-LvsFirewallMarkRule -Mark 1 -Address 10.250.0.101 -Protocol Tcp -PortFrom 80`nNew-LvsFirewallMarkRule -Mark 1 -Address 10.250.0.101 -Protocol Tcp -PortFrom 443`nNew-LvsService -FirewallMark 1 -Scheduler sh -Persistent 300"; Remarks = 'Like two iptables MARK rules and "ipvsadm -A -f 1 -s sh -p 300": a client keeps its real server across both ports.' }
        @{ Lab = $true; Title = 'A range of VIPs'; Code = 'New-LvsFirewallMarkRule -Mark 2 -Address 10.250.0.96 -PrefixLength 29 -Protocol Tcp -PortFrom 80'; Remarks = 'Port 80 of the eight addresses 10.250.0.96 to 10.250.0.103 goes to firewall-mark service 2.' }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Specs.MarkRuleSpec'; Description = 'Rules (from Get-LvsFirewallMarkRule) bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Specs.MarkRuleSpec'; Description = 'The rule added.' }
    )
    Notes       = 'Errors: InvalidFirewallMark, InvalidAddress, InvalidPort, InvalidProtocol, MarkRuleExists, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('New-LvsFirewallMarkRule', 'Get-LvsFirewallMarkRule', 'Remove-LvsFirewallMarkRule', 'New-LvsService', 'about_LvsPS')
}
