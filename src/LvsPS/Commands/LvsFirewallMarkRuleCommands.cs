namespace LvsPS.Commands;

/// <summary>Shared parameters of the firewall-mark rule cmdlets.</summary>
public abstract class LvsMarkRuleCmdlet : LvsDirectorCmdlet
{
    /// <summary>The mark the rule gives (the fwmark service's number).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FirewallMark")]
    public uint Mark { get; set; }

    /// <summary>Destination address (network) the rule matches.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public IPAddress Address { get; set; } = IPAddress.None;

    /// <summary>Prefix length of the destination network (32 = one address).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int PrefixLength { get; set; } = 32;

    /// <summary>Tcp or Udp; by default both.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsProtocol? Protocol { get; set; }

    /// <summary>First destination port (0 with PortTo 0 = any port).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Port")]
    public int PortFrom { get; set; }

    /// <summary>Last destination port; by default the same as PortFrom.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? PortTo { get; set; }

    internal MarkRuleSpec Rule()
    {
        int to = PortTo ?? PortFrom;
        foreach (var p in new[] { PortFrom, to })
            if (p < 0 || p > 65535)
                throw new LvsException(LvsErrorIds.InvalidPort, LvsErrorKind.InvalidArgument, $"The port {p} is out of range; use 1..65535 (0 = any port).", p);
        return new MarkRuleSpec { Mark = Mark, Address = Address, PrefixLength = PrefixLength, Protocol = Protocol, PortFrom = (ushort)PortFrom, PortTo = (ushort)to };
    }

    /// <summary>The rule the parameters give, ShouldProcess, then the change; failures are non-terminating errors.</summary>
    internal void ChangeRule(string action, Action<IDirector, MarkRuleSpec> change, bool writeRule, bool force = false, ConfirmImpact impact = ConfirmImpact.Medium)
    {
        if (!Try(Rule, out var rule)) return;
        var client = GetClient();
        if (!ShouldProcessUnlessForced($"{rule} on director '{client.Name}'", action, force, impact)) return;
        if (Try(() => change(client, rule), rule.ToString()) && writeRule) WriteObject(rule);
    }
}

/// <summary>
/// Adds a firewall-mark rule: packets to an address or network (and protocol and port range) get a mark, and the
/// firewall-mark service with that number (New-LvsService -FirewallMark) takes them — the user-space stand-in for
/// the iptables -j MARK rule a kernel director would have.
/// </summary>
[Cmdlet(VerbsCommon.New, "LvsFirewallMarkRule", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "New-LvsFirewallMarkRule.md")]
[OutputType(typeof(MarkRuleSpec))]
public sealed class NewLvsFirewallMarkRuleCommand : LvsMarkRuleCmdlet
{
    protected override void ProcessRecord() => ChangeRule("New firewall-mark rule", (client, rule) => client.AddMarkRule(rule), writeRule: true);
}

/// <summary>Removes a firewall-mark rule (all its fields must match).</summary>
[Cmdlet(VerbsCommon.Remove, "LvsFirewallMarkRule", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = LvsHelpUri.Base + "Remove-LvsFirewallMarkRule.md")]
[OutputType(typeof(MarkRuleSpec))]
public sealed class RemoveLvsFirewallMarkRuleCommand : LvsMarkRuleCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Do not ask for confirmation (-WhatIf still only shows; an explicit -Confirm still asks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => ChangeRule("Remove firewall-mark rule", (client, rule) => client.DeleteMarkRule(rule), writeRule: PassThru, force: Force, impact: ConfirmImpact.High);
}

/// <summary>Gets the director's firewall-mark rules, in the order they are tried.</summary>
[Cmdlet(VerbsCommon.Get, "LvsFirewallMarkRule", HelpUri = LvsHelpUri.Base + "Get-LvsFirewallMarkRule.md")]
[OutputType(typeof(MarkRuleSpec))]
public sealed class GetLvsFirewallMarkRuleCommand : LvsDirectorCmdlet
{
    /// <summary>Only the rules giving this mark.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FirewallMark")]
    public uint? Mark { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        Try(() => WriteObject(client.ListMarkRules().Where(r => Mark is null || Mark == 0 || r.Mark == Mark), true), client.Name);
    }
}
