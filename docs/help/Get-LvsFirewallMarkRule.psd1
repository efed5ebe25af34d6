@{
    Synopsis    = 'Gets the director''s firewall-mark rules, in the order they are tried.'
    Description = @'
Get-LvsFirewallMarkRule lists the rules that mark packets for firewall-mark services (the user-space stand-in for the iptables or nftables MARK rules of a kernel director). The first rule that matches a packet decides its mark.
'@
    Parameters  = @{
        Mark     = 'Only the rules that give this mark.'
        Director = 'The director. By default: the only director running, or the one this session started last.'
    }
    Examples    = @(
        @{ Lab = $true; Title = 'All rules'; Code = 'Get-LvsFirewallMarkRule'; Remarks = 'Mark, Protocol, Address, PrefixLength, PortFrom and PortTo of each rule.' }
    )
    Inputs      = @(
        @{ Type = 'None'; Description = 'Mark and Director bind by property name.' }
    )
    Outputs     = @(
        @{ Type = 'LvsPS.Ipvs.Specs.MarkRuleSpec'; Description = 'One object per rule.' }
    )
    Notes       = 'Errors: DirectorProtocolError, DirectorNotRunning, DirectorAmbiguous.'
    RelatedLinks = @('New-LvsFirewallMarkRule', 'Get-LvsFirewallMarkRule', 'Remove-LvsFirewallMarkRule', 'New-LvsService', 'about_LvsPS')
}
