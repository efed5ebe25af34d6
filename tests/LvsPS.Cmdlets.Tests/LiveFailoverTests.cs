using LvsPS.Ipvs.Vrrp;
using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Sync;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// The VRRP and sync daemon cmdlets, Get-LvsDirector's failover state and Test-LvsCluster's failover checks against
/// the collection's real lvsd.
/// </summary>
public sealed class LiveFailoverTests : DirectorTestBase
{
    public LiveFailoverTests(DirectorFixture director) : base(director) { }

    private static object? Prop(PSObject o, string name) => o.Properties[name]?.Value;

    [RootFact]
    public void GetLvsDirector_ShowsTheFailoverState_AsAddedProperties_KeepingTheStatus()
    {
        var o = Ok("Get-LvsDirector -Name $n", ("n", Name)).Output.Single();
        Assert.IsType<DirectorStatus>(o.BaseObject);
        Assert.Equal(Name, Prop(o, "Name"));
        Assert.Equal("None", Prop(o, "Role")?.ToString());
        Assert.Null(Prop(o, "Priority"));
        Assert.Null(Prop(o, "Peer"));
        Assert.Equal("", Prop(o, "Sync"));
        Assert.Empty((Array)Prop(o, "VrrpInstances")!);
        // The default view fits 80 columns and names the failover columns; the old one is still there by name.
        var lines = Ok("Get-LvsDirector -Name $n | Out-String -Width 200 -Stream", ("n", Name)).Objects.Cast<string>().Where(l => l.Trim().Length > 0).ToList();
        Assert.Matches(@"^Name\s+Running\s+Role\s+Prio\s+Peer\s+Since\s+Sync\s+Svc$", lines[0].TrimEnd());
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 80, l));
        Assert.Contains(lines, l => l.StartsWith(Name) && l.Contains("None"));
        var old = Ok("Get-LvsDirector -Name $n | Format-Table -View DirectorStatus | Out-String -Width 250 -Stream", ("n", Name)).Objects.Cast<string>();
        Assert.Contains(old, l => l.Contains("CaptureDropped"));
    }

    [RootFact]
    public void GetLvsVrrpInstance_ANameThatMatchesNothing_IsVrrpInstanceNotFound_AWildcardIsNot()
    {
        Assert.Empty(Ok("Get-LvsVrrpInstance").Output);
        Assert.Empty(Ok("Get-LvsVrrpInstance -Name 'VI_*'").Output);
        AssertLvsError(Run("Get-LvsVrrpInstance -Name VI_9"), "VrrpInstanceNotFound", ErrorCategory.ObjectNotFound,
            $"The director '{Name}' has no VRRP instance named 'VI_9'.", "VI_9", "GetLvsVrrpInstanceCommand");
    }

    [RootFact]
    public void SetAndRemove_OfAMissingInstance_AreVrrpInstanceNotFound_AndChangeNothing()
    {
        var r = RunChangingNothing("Set-LvsVrrpInstance -Name VI_9 -Priority 50");
        AssertLvsError(r, "VrrpInstanceNotFound", ErrorCategory.ObjectNotFound, "no VRRP instance named 'VI_9'", "VI_9", "SetLvsVrrpInstanceCommand");
        r = RunChangingNothing("Remove-LvsVrrpInstance -Name VI_9 -Force");
        AssertLvsError(r, "VrrpInstanceNotFound", ErrorCategory.ObjectNotFound, "no VRRP instance named 'VI_9'", "VI_9", "RemoveLvsVrrpInstanceCommand");
        Assert.Empty(r.Prompts);
    }

    [RootFact]
    public void StopLvsSyncDaemon_OfARoleNotRunning_IsSyncDaemonNotFound_WithoutAPrompt()
    {
        Assert.Empty(Ok("Get-LvsSyncDaemon").Output);
        var r = RunChangingNothing("Stop-LvsSyncDaemon -Role Backup");
        AssertLvsError(r, "SyncDaemonNotFound", ErrorCategory.ObjectNotFound, $"The director '{Name}' runs no backup sync daemon.", SyncDaemonRole.Backup, "StopLvsSyncDaemonCommand");
        Assert.Empty(r.Prompts);
        // Without -Role and nothing running: nothing to do, nothing asked.
        r = Run("Stop-LvsSyncDaemon").Ok();
        Assert.Empty(r.Prompts);
    }

    [RootFact]
    public void InvalidValues_AgainstARealDirector_AreRefusedBeforeAnythingIsSent()
    {
        var r = RunChangingNothing("New-LvsVrrpInstance VI_1 -Interface lvsct0 -VirtualRouterId 300 -VirtualAddress 10.253.0.101");
        AssertLvsError(r, "InvalidVrrpInstance", ErrorCategory.InvalidArgument, "virtual_router_id 300 is out of range", 300, "NewLvsVrrpInstanceCommand");
        r = RunChangingNothing("Start-LvsSyncDaemon Master -Interface lvsct0 -SyncId 300");
        AssertLvsError(r, "InvalidSyncDaemon", ErrorCategory.InvalidArgument, "The sync id 300 is out of range", 300, "StartLvsSyncDaemonCommand");
    }

    /// <summary>Test-LvsCluster's results as (Check, Target, Result, Message).</summary>
    private List<(string Check, string Target, string Result, string Message)> Checks(string script, params (string, object?)[] variables) =>
        Ok(script, variables).Output.Select(o => ((string)Prop(o, "Check")!, (string)Prop(o, "Target")!, Prop(o, "Result")!.ToString()!, (string)Prop(o, "Message")!)).ToList();

    [RootFact]
    public void TestLvsCluster_WithOneDirector_TheFailoverChecksSayWhyTheyDoNotApply()
    {
        Seed();
        var results = Checks("Test-LvsCluster -Include Failover");
        Assert.Equal(new[] { "VrrpSingleMaster", "DirectorConfigurationDrift", "SyncDaemonRunning" }, results.Select(x => x.Check));
        Assert.All(results, x => Assert.Equal("NotApplicable", x.Result));
        Assert.Contains($"No VRRP instance runs on {Name}", results[0].Message);
        Assert.Contains("Only one director was checked", results[1].Message);
    }

    [RootFact]
    public void TestLvsCluster_ASecondDirectorThatDoesNotRun_FailsDirectorRunning_AndDrift_NamingIt()
    {
        Seed();
        var results = Checks("Test-LvsCluster -Director $n, nosuch -Include DirectorRunning, DirectorConfigurationDrift", ("n", Name));
        var running = results.Where(x => x.Check == "DirectorRunning").ToList();
        Assert.Equal(new[] { Name, "nosuch" }, running.Select(x => x.Target));
        Assert.Equal(new[] { "Passed", "Failed" }, running.Select(x => x.Result));
        var drift = Assert.Single(results, x => x.Check == "DirectorConfigurationDrift");
        Assert.Equal("Failed", drift.Result);
        Assert.Contains("The table of nosuch could not be read", drift.Message);
    }
}

/// <summary>
/// New/Get/Set/Remove-LvsVrrpInstance end to end against the collection's lvsd (VRRP in lvsd, on its veth inside
/// the test namespace): what is added is listed, Set changes only what it is given, -WhatIf and a "No" change
/// nothing, Remove asks (ConfirmImpact High) unless -Force.
/// </summary>
public sealed class LiveVrrpInstanceTests : DirectorTestBase
{
    public LiveVrrpInstanceTests(DirectorFixture director) : base(director)
    {
        Ok("Get-LvsVrrpInstance | Remove-LvsVrrpInstance -Force");
    }

    public override void Dispose()
    {
        try { Run("Get-LvsVrrpInstance | Remove-LvsVrrpInstance -Force"); } catch (Exception) { }
        base.Dispose();
    }

    private const string NewVi = "New-LvsVrrpInstance -Name VI_1 -Interface lvsct0 -VirtualRouterId 51 -Priority 150 -AdvertInterval 0.25 -VirtualAddress 10.253.0.101 -PreemptDelay 2 -GarpMasterRepeat 3 -PassThru";

    [RootFact]
    public void NewGetSetRemove_EndToEnd()
    {
        var added = Ok(NewVi).Single<VrrpInstanceStatus>();
        Assert.Equal((Name, "VI_1", 51, 150, 25, 3), (added.Director, added.Name, added.VirtualRouterId, added.Priority, added.AdvertIntervalCentiseconds, added.Version));
        Assert.Equal(new[] { IPAddress.Parse("10.253.0.101") }, added.VirtualAddresses);

        // The engine's refusals come back as ErrorRecords: the name taken, the vrid taken on that interface.
        AssertLvsError(Run(NewVi.Replace("-VirtualRouterId 51", "-VirtualRouterId 52").Replace("10.253.0.101", "10.253.0.102")),
            "VrrpInstanceExists", ErrorCategory.ResourceExists, "already exists", "VI_1", "NewLvsVrrpInstanceCommand");
        AssertLvsError(Run(NewVi.Replace("-Name VI_1", "-Name VI_2").Replace("10.253.0.101", "10.253.0.102")),
            "InvalidVrrpInstance", ErrorCategory.InvalidArgument, "virtual_router_id 51 (VRRPv3) is already the instance 'VI_1''s", "VI_2", "NewLvsVrrpInstanceCommand");

        // Set through the pipeline changes only the priority: interval, preempt delay and GARP repeat stay.
        var changed = Ok("Get-LvsVrrpInstance -Name VI_1 | Set-LvsVrrpInstance -Priority 90 -PassThru").Single<VrrpInstanceStatus>();
        Assert.Equal((90, 25, 2.0), (changed.Priority, changed.AdvertIntervalCentiseconds, changed.PreemptDelaySeconds));
        Assert.Equal(3, changed.Configuration!.GarpMasterRepeat);

        // A bad change is refused whole; the instance keeps its values.
        AssertLvsError(Run("Set-LvsVrrpInstance VI_1 -Version 2"), "InvalidVrrpInstance", ErrorCategory.InvalidArgument, "not valid for VRRPv2", 25, "SetLvsVrrpInstanceCommand");
        Assert.Equal(90, Ok("Get-LvsVrrpInstance VI_1").Single<VrrpInstanceStatus>().Priority);

        var gone = Ok("Get-LvsVrrpInstance | Remove-LvsVrrpInstance -Force -PassThru").Single<VrrpInstanceStatus>();
        Assert.Equal("VI_1", gone.Name);
        Assert.Empty(Ok("Get-LvsVrrpInstance").Output);
    }

    [RootFact]
    public void WhatIf_OnNewSetAndRemove_ChangesNothing()
    {
        RunChangingNothing(NewVi.Replace("-PassThru", "-WhatIf")).Ok();
        Assert.Empty(Ok("Get-LvsVrrpInstance").Output);
        Ok(NewVi);
        var r = RunChangingNothing("Set-LvsVrrpInstance -Name VI_1 -Priority 10 -WhatIf").Ok();
        Assert.Equal($"What if: Performing the operation \"Set priority 10\" on target \"VRRP instance VI_1 on director '{Name}'\".", Assert.Single(r.WhatIf));
        r = RunChangingNothing("Remove-LvsVrrpInstance VI_1 -Force -WhatIf").Ok();
        Assert.StartsWith("What if: Performing the operation \"Remove VRRP instance\" on target \"VRRP instance VI_1 (vrid 51, ", Assert.Single(r.WhatIf));
        Assert.Equal(150, Ok("Get-LvsVrrpInstance VI_1").Single<VrrpInstanceStatus>().Priority);
    }

    [RootFact]
    public void Remove_IsHighImpact_ItAsks_NoKeepsIt_ForceDoesNotAsk()
    {
        Ok(NewVi);
        Session.Host.ConfirmAnswer = "No";
        var r = RunChangingNothing("Remove-LvsVrrpInstance VI_1").Ok();
        var prompt = Assert.Single(r.Prompts);
        Assert.Contains("Performing the operation \"Remove VRRP instance\" on target \"VRRP instance VI_1 (vrid 51", prompt.Message);
        Assert.Single(Ok("Get-LvsVrrpInstance").Output);
        // -Force with an explicit -Confirm still asks.
        Assert.Single(Run("Remove-LvsVrrpInstance VI_1 -Force -Confirm").Ok().Prompts);
        Assert.Single(Ok("Get-LvsVrrpInstance").Output);
        r = Run("Remove-LvsVrrpInstance VI_1 -Force").Ok();
        Assert.Empty(r.Prompts);
        Assert.Empty(Ok("Get-LvsVrrpInstance").Output);
    }

    [RootFact]
    public void GetLvsDirector_ShowsTheRole_OnceTheInstanceRuns()
    {
        Ok(NewVi);
        // Alone on its link, the instance becomes master after its master-down interval (3 x 0.25 s + skew).
        var until = DateTime.UtcNow.AddSeconds(15);
        PSObject o;
        do
        {
            o = Ok("Get-LvsDirector -Name $n", ("n", Name)).Output.Single();
            if (o.Properties["Role"].Value.ToString() == "Master") break;
            Thread.Sleep(250);
        } while (DateTime.UtcNow < until);
        Assert.Equal("Master", o.Properties["Role"].Value.ToString());
        Assert.Equal(150, o.Properties["Priority"].Value);
        Assert.NotNull(o.Properties["LastTransition"].Value);
        var view = Ok("Get-LvsVrrpInstance | Out-String -Width 200 -Stream").Objects.Cast<string>().Where(l => l.Trim().Length > 0).ToList();
        Assert.All(view, l => Assert.True(l.TrimEnd().Length <= 80, l));
        Assert.Contains(view, l => l.StartsWith("VI_1") && l.Contains("Master") && l.Contains("0.25s"));
    }
}
