namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// The destructive cmdlets (ConfirmImpact High) against a real director, on a host that records prompts and answers
/// them: at the default $ConfirmPreference (High) each asks and "No" changes nothing; -Force removes without asking;
/// -Force with -WhatIf only shows; -Force with an explicit -Confirm still asks; $ConfirmPreference None never asks.
/// Sync-LvsConfiguration and Invoke-LvsAdm ask for their removals only (an Add or Edit is Medium).
/// </summary>
public sealed class LiveConfirmImpactTests : DirectorTestBase
{
    public LiveConfirmImpactTests(DirectorFixture director) : base(director) { }

    private void SeedAll()
    {
        Seed();
        Ok("New-LvsFirewallMarkRule -Mark 9 -Address 10.253.0.200 -Protocol Udp");
        Ok($"Add-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Misc -Command /bin/true");
    }

    /// <summary>Each destructive command, its ShouldProcess operation, and a script whose output is empty once it is done.</summary>
    public static TheoryData<string, string, string> Destructive => new()
    {
        { $"Remove-LvsService {Vip} 80", "Remove LVS service", "Get-LvsService" },
        { $"Remove-LvsRealServer {Vip} 80 -RealAddress {Rs1}", "Remove LVS real server", $"Get-LvsRealServer -RealAddress {Rs1}" },
        { "Remove-LvsFirewallMarkRule -Mark 9 -Address 10.253.0.200 -Protocol Udp", "Remove firewall-mark rule", "Get-LvsFirewallMarkRule" },
        { $"Remove-LvsHealthCheck {Vip} 80 -RealAddress {Rs1} -Type Misc", "Remove health check MISC_CHECK /bin/true", "Get-LvsHealthCheck" },
    };

    [RootTheory]
    [MemberData(nameof(Destructive))]
    public void DefaultConfirmPreference_Asks_NoKeepsIt_ForceRemovesWithoutAsking(string command, string operation, string gone)
    {
        SeedAll();
        Session.Host.ConfirmAnswer = "No";
        var asked = RunChangingNothing(command).Ok();
        var prompt = Assert.Single(asked.Prompts);
        Assert.Contains($"Performing the operation \"{operation}\"", prompt.Message);
        Assert.NotEmpty(Ok(gone).Output);

        // -Force -WhatIf only shows; -Force -Confirm still asks (and No still keeps it)
        var whatIf = RunChangingNothing(command + " -Force -WhatIf").Ok();
        Assert.Empty(whatIf.Prompts);
        Assert.StartsWith($"What if: Performing the operation \"{operation}\"", Assert.Single(whatIf.WhatIf));
        Assert.Single(RunChangingNothing(command + " -Force -Confirm").Ok().Prompts);
        Assert.NotEmpty(Ok(gone).Output);

        var forced = Run(command + " -Force").Ok();
        Assert.Empty(forced.Prompts);
        Assert.Empty(Ok(gone).Output);
    }

    [RootFact]
    public void ConfirmPreferenceNone_DoesNotAsk_AndConfirmFalseDoesNotAsk()
    {
        SeedAll();
        Session.Host.ConfirmAnswer = "No";
        Assert.Empty(Run($"$ConfirmPreference = 'None'; Remove-LvsRealServer {Vip} 80 -RealAddress {Rs1}; $ConfirmPreference = 'High'").Ok().Prompts);
        Assert.Empty(Run($"Remove-LvsRealServer {Vip} 80 -RealAddress {Rs2} -Confirm:$false").Ok().Prompts);
        Assert.Empty(Ok($"Get-LvsRealServer -VirtualAddress {Vip}").Output);
    }

    [RootFact]
    public void ClearLvsCounter_Asks_ForceDoesNot()
    {
        Seed();
        Session.Host.ConfirmAnswer = "No";
        var prompt = Assert.Single(Run("Clear-LvsCounter").Ok().Prompts);
        Assert.Contains($"Performing the operation \"Zero counters\" on target \"every service on director '{Name}'\"", prompt.Message);
        Assert.Empty(Run("Clear-LvsCounter -Force").Ok().Prompts);
    }

    [RootFact]
    public void StopLvsDirector_Asks_AndNoLeavesItRunning()
    {
        Session.Host.ConfirmAnswer = "No";
        var prompt = Assert.Single(Run("Stop-LvsDirector").Ok().Prompts);
        Assert.Contains($"Performing the operation \"Stop LvsPS director\" on target \"director '{Name}'\"", prompt.Message);
        Assert.True(Ok("Get-LvsDirector -Name $n", ("n", Name)).Single<LvsPS.Ipvs.Director.DirectorStatus>().Running);
    }

    [RootFact]
    public void SyncLvsConfiguration_AsksForARemoval_NotForAnAdd_AndForceDoesNotAsk()
    {
        Seed();
        var rules = Path.Combine(TempDir, "one.rules");
        // the file keeps rs1, drops rs2 (a Remove) and adds a service on port 81 (an Add)
        File.WriteAllText(rules, $"-A -t {Vip}:80 -s rr\n-a -t {Vip}:80 -r {Rs1}:80 -g -w 1\n-A -t {Vip}:81 -s rr\n");
        Session.Host.ConfirmAnswer = "No";
        var r = Run("Sync-LvsConfiguration -Path $p", ("p", rules)).Ok();
        var prompt = Assert.Single(r.Prompts);
        Assert.Contains($"Performing the operation \"Remove\" on target \"real server {Rs2}:80 in TCP {Vip}:80 on director '{Name}'\"", prompt.Message);
        // the Add was made without a question, the Remove was not
        Assert.Single(Ok($"Get-LvsService -Port 81").Output);
        Assert.Single(Ok($"Get-LvsRealServer -VirtualAddress {Vip} -Port 80 -RealAddress {Rs2}").Output);

        r = Run("Sync-LvsConfiguration -Path $p -Force", ("p", rules)).Ok();
        Assert.Empty(r.Prompts);
        Assert.Empty(Ok($"Get-LvsRealServer -VirtualAddress {Vip} -Port 80 -RealAddress {Rs2}").Output);
    }

    [RootFact]
    public void InvokeLvsAdm_AsksForDeleteClearAndZero_NotForAnEdit()
    {
        Seed();
        Session.Host.ConfirmAnswer = "No";
        Assert.Empty(Run($"lvsadm '-E -t {Vip}:80 -s wlc'").Ok().Prompts);
        foreach (var line in new[] { $"-d -t {Vip}:80 -r {Rs1}", $"-D -t {Vip}:80", "-C", "-Z" })
        {
            var r = RunChangingNothing($"lvsadm '{line}'").Ok();
            Assert.Single(r.Prompts);
        }
        Assert.Empty(Run($"lvsadm '-D -t {Vip}:80' -Confirm:$false").Ok().Prompts);
        Assert.Empty(Ok("Get-LvsService").Output);
    }

    [RootFact]
    public void InvokeLvsAdm_UnknownScheduler_IsInvalidScheduler_AndABadTimeoutInvalidTimeout()
    {
        var r = RunChangingNothing($"lvsadm '-A -t {Vip}:80 -s nope'");
        AssertLvsError(r, "InvalidScheduler", ErrorCategory.InvalidArgument, "ipvsadm: unknown scheduler 'nope'", cmdletClass: "InvokeLvsAdmCommand");
        r = RunChangingNothing("lvsadm '--set 99999999 0 0'");
        AssertLvsError(r, "InvalidTimeout", ErrorCategory.InvalidArgument, "ipvsadm: invalid tcp timeout '99999999'", cmdletClass: "InvokeLvsAdmCommand");
    }
}
