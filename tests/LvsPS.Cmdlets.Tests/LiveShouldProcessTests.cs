namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// ShouldProcess against a real director: -WhatIf changes nothing (the director's saved configuration and its
/// state file are byte for byte the same) and its message names the target; -Confirm and $ConfirmPreference ask
/// the host, and "No" changes nothing.
/// </summary>
public sealed class LiveShouldProcessTests : DirectorTestBase
{
    public LiveShouldProcessTests(DirectorFixture director) : base(director) { }

    private void SeedWithMarkRule()
    {
        Seed();
        Ok("New-LvsFirewallMarkRule -Mark 9 -Address 10.253.0.200 -Protocol Udp");
    }

    public static TheoryData<string, string, string> WhatIfCases => new()
    {
        { $"New-LvsService -VirtualAddress {Vip} -Port 81 -Scheduler lc -WhatIf", "New LVS service", $"TCP {Vip}:81 scheduler lc on director '{{d}}'" },
        { $"Set-LvsService {Vip} 80 -Scheduler wlc -Persistent 60 -WhatIf", "Set scheduler wlc, persistent 60", $"TCP {Vip}:80 on director '{{d}}'" },
        { "Get-LvsService | Remove-LvsService -WhatIf", "Remove LVS service", $"TCP {Vip}:80 on director '{{d}}'" },
        { $"Add-LvsRealServer {Vip} 80 -RealAddress 10.253.0.5 -Weight 7 -WhatIf", "Add LVS real server", $"10.253.0.5:80 (Route, weight 7) in TCP {Vip}:80 on director '{{d}}'" },
        { $"Set-LvsRealServer {Vip} 80 -RealAddress {Rs1} -Weight 0 -WhatIf", "Set weight 0, forwarding Route", $"{Rs1}:80 in TCP {Vip}:80 on director '{{d}}'" },
        { $"Get-LvsRealServer -RealAddress {Rs2} | Remove-LvsRealServer -WhatIf", "Remove LVS real server", $"{Rs2}:80 in TCP {Vip}:80 on director '{{d}}'" },
        { "Set-LvsTimeout 60 30 20 -WhatIf", "Set timeouts (tcp tcpfin udp) 60 30 20", "director '{d}'" },
        { "New-LvsFirewallMarkRule -Mark 5 -Address 10.253.0.0 -PrefixLength 24 -Protocol Tcp -PortFrom 80 -WhatIf", "New firewall-mark rule", "mark 5: TCP 10.253.0.0/24 port 80 on director '{d}'" },
        { "Get-LvsFirewallMarkRule | Remove-LvsFirewallMarkRule -WhatIf", "Remove firewall-mark rule", "mark 9: UDP 10.253.0.200/32 on director '{d}'" },
        { $"Clear-LvsCounter -VirtualAddress {Vip} -Port 80 -WhatIf", "Zero counters", $"TCP {Vip}:80 on director '{{d}}'" },
        { "Stop-LvsDirector -WhatIf", "Stop LvsPS director", "director '{d}'" },
    };

    [RootTheory]
    [MemberData(nameof(WhatIfCases))]
    public void WhatIf_ChangesNothing_AndNamesTheTarget(string script, string operation, string target)
    {
        SeedWithMarkRule();
        AssertWhatIfOnly(script, operation, target);
    }

    [RootFact]
    public void ConfirmPreferenceMedium_AsksBeforeRemoving_AndNoKeepsTheService()
    {
        Seed();
        var before = Snapshot();
        Session.Host.ConfirmAnswer = "No";
        var r = Run("$ConfirmPreference = 'Medium'; Get-LvsService | Remove-LvsService; $ConfirmPreference = 'High'").Ok();
        var prompt = Assert.Single(r.Prompts);
        Assert.Equal("Confirm", prompt.Caption);
        Assert.Contains($"Performing the operation \"Remove LVS service\" on target \"TCP {Vip}:80 on director '{Name}'\".", prompt.Message);
        Assert.Equal(before, Snapshot());
    }

    [RootFact]
    public void Confirm_AnsweredYes_Removes()
    {
        Seed();
        Session.Host.ConfirmAnswer = "Yes";
        var r = Run($"Remove-LvsRealServer {Vip} 80 -RealAddress {Rs1} -Confirm").Ok();
        Assert.Single(r.Prompts);
        Assert.Equal(new[] { Rs2 }, Ok("Get-LvsRealServer").Objects.Cast<LvsRealServer>().Select(x => x.RealAddress.ToString()));
    }

    [RootFact]
    public void DefaultConfirmPreference_DoesNotAsk_ForMediumImpact()
    {
        Seed();
        var r = Run($"Set-LvsRealServer {Vip} 80 -RealAddress {Rs1} -Weight 5").Ok();
        Assert.Empty(r.Prompts);
        Assert.Equal(5, Ok($"Get-LvsRealServer -RealAddress {Rs1}").Single<LvsRealServer>().Weight);
    }
}
