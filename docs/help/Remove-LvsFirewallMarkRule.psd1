@{
    Synopsis    = 'Removes a firewall-mark rule.'
    Description = @'
Remove-LvsFirewallMarkRule deletes the rule whose mark, address, prefix length, protocol and port range all match. Packets it matched go to an address service again (or are dropped when none serves them). Connections already made keep going.
'@
    Parameters  = @{
        Force        = 'Removes without asking. An explicit -Confirm still asks, and -WhatIf still only shows.'
        Mark         = 'The firewall mark the rule gives: the number of the firewall-mark service (New-LvsService -FirewallMark) that takes the packets.'
        Address      = 'The destination address, or the network with -PrefixLength, that the rule matches. The director answers ARP for every address the rule covers.'
        PrefixLength = @{ Description = 'Prefix length of the destination network, 1 to 32.'; DefaultValue = '32' }
        Protocol     = 'Tcp, Udp or Sctp; by default the rule matches Tcp and Udp.'
        PortFrom     = @{ Description = 'First destination port of the range; 0 (with -PortTo 0) matches any port.'; DefaultValue = '0' }
        PortTo       = 'Last destination port of the range; by default the same as -PortFrom.'
        Director     = 'The director. By default: the only director running, or the one this session started last.'
        PassThru     = 'Returns the removed rule. By default nothing is returned.'
        WhatIf       = 'Shows the rule that would be removed, without removing it.'
        Confirm      = 'Asks for confirmation before removing the rule.'
    }
    Examples    = @(
        @{ Lab = @{ Setup = 'New-LvsFirewallMarkRule -Mark 1 -Address 10.250.0.101 -Protocol Tcp -PortFrom 80' }; Title = 'Remove every rule of a mark'; Code = 'Get-LvsFirewallMarkRule -Mark 1 | Remove-LvsFirewallMarkRule -Force'; Remarks = 'The rules bind by property name.' }
    )
    Inputs      = @(
        @{ Type = 'LvsPS.Ipvs.Specs.MarkRuleSpec'; Description = 'Rules (from Get-LvsFirewallMarkRule) bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'None'; Description = 'By default, nothing.' }
        @{ Type = 'LvsPS.Ipvs.Specs.MarkRuleSpec'; Description = 'With -PassThru, the removed rule.' }
    )
    Notes       = 'Errors: MarkRuleNotFound, InvalidAddress, InvalidPort, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('New-LvsFirewallMarkRule', 'Get-LvsFirewallMarkRule', 'Remove-LvsFirewallMarkRule', 'New-LvsService', 'about_LvsPS')
}
