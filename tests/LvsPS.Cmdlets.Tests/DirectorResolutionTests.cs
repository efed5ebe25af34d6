using System.Net.Sockets;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// Which director a cmdlet talks to, and the errors when there is none or more than one: the run folder is this
/// test's own (LVSPS_RUN_DIR), empty or holding the sockets a crashed director leaves behind (bound, nobody
/// listening). Also Connect-/Disconnect-LvsDirector's errors that need no SSH server.
/// </summary>
public sealed class DirectorResolutionTests : CmdletTestBase
{
    private readonly List<Socket> _stale = new();

    /// <summary>
    /// A Unix socket at the director's socket path that nobody accepts on, as a director that died leaves it: bound,
    /// not listening (kept open until the test ends, since .NET deletes the file of a socket it closes).
    /// </summary>
    private void StaleSocket(string name)
    {
        Directory.CreateDirectory(RunDir);
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(Path.Combine(RunDir, name + ".sock")));
        _stale.Add(s);
    }

    public override void Dispose()
    {
        foreach (var s in _stale) s.Dispose();
        base.Dispose();
    }

    [Theory]
    [InlineData("Get-LvsService", true)]
    [InlineData("Get-LvsService -AsText", true)]
    [InlineData("Get-LvsRealServer", true)]
    [InlineData("Get-LvsConnection", true)]
    [InlineData("Get-LvsTimeout", true)]
    [InlineData("Set-LvsTimeout -Tcp 100", true)]
    [InlineData("Get-LvsFirewallMarkRule", true)]
    [InlineData("New-LvsFirewallMarkRule -Mark 1 -Address 10.0.0.1 -WhatIf", true)]
    [InlineData("New-LvsService -VirtualAddress 10.0.0.1 -Port 80 -WhatIf", true)]
    [InlineData("Set-LvsService -VirtualAddress 10.0.0.1 -Port 80 -Scheduler rr", true)]
    [InlineData("Add-LvsRealServer -VirtualAddress 10.0.0.1 -Port 80 -RealAddress 10.0.0.3 -WhatIf", true)]
    [InlineData("Clear-LvsCounter -WhatIf", true)]
    [InlineData("Export-LvsConfiguration -Format IpvsadmRules", true)]
    [InlineData("Test-LvsCluster", true)]
    [InlineData("Stop-LvsDirector -WhatIf", false)]
    public void NoDirectorRunning_IsDirectorNotRunning(string script, bool terminating)
    {
        var r = Run(script);
        var e = r.SingleError();
        AssertLvsError(e, "DirectorNotRunning", ErrorCategory.ResourceUnavailable);
        Assert.Equal(terminating, r.Terminating is not null);
        Assert.Equal("No LvsPS director is running. Start one with Start-LvsDirector.", e.Exception.Message);
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void NamedDirectorWithoutSocket_IsDirectorNotRunning_WithTheNameAsTarget()
    {
        var r = Run("Get-LvsService -Director nosuch");
        AssertLvsError(r.SingleError(), "DirectorNotRunning", ErrorCategory.ResourceUnavailable, "nosuch", "GetLvsServiceCommand");
        Assert.NotNull(r.Terminating);
        Assert.Contains(Path.Combine(RunDir, "nosuch.sock"), r.Terminating!.Exception.Message);
    }

    [Fact]
    public void StaleSocket_IsDirectorNotRunning_ForEveryCommandThatTalksToIt()
    {
        StaleSocket("dead");
        var get = Run("Get-LvsService");
        AssertLvsError(get.SingleError(), "DirectorNotRunning", ErrorCategory.ResourceUnavailable, "dead");
        Assert.Contains("The director 'dead' is not running", get.Terminating!.Exception.Message);
        var stop = Run("Stop-LvsDirector -Name dead -Confirm:$false");
        AssertLvsError(stop.SingleError(), "DirectorNotRunning", ErrorCategory.ResourceUnavailable, "dead", "StopLvsDirectorCommand");
        Assert.Null(stop.Terminating);
    }

    [Theory]
    [InlineData("Get-LvsService")]
    [InlineData("Get-LvsRealServer")]
    [InlineData("New-LvsService -VirtualAddress 10.0.0.1 -Port 80 -WhatIf")]
    [InlineData("Get-LvsTimeout")]
    [InlineData("Export-LvsConfiguration -Format Keepalived")]
    [InlineData("Test-LvsCluster")]
    public void SeveralDirectors_WithoutDirector_IsDirectorAmbiguous(string script)
    {
        StaleSocket("alpha");
        StaleSocket("beta");
        var r = Run(script);
        var e = r.SingleError();
        AssertLvsError(e, "DirectorAmbiguous", ErrorCategory.InvalidArgument);
        Assert.NotNull(r.Terminating);
        Assert.Equal("Several directors are running (alpha, beta); name one with -Director.", e.Exception.Message);
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void SeveralDirectors_WithDirector_TheNamedOneIsUsed()
    {
        StaleSocket("alpha");
        StaleSocket("beta");
        var r = Run("New-LvsService -VirtualAddress 10.0.0.1 -Port 80 -Director beta -WhatIf").Ok();
        Assert.EndsWith("on director 'beta'\".", Assert.Single(r.WhatIf));
    }

    [Fact]
    public void OneSocket_IsTheDefaultDirector()
    {
        StaleSocket("only");
        var r = Run("Set-LvsTimeout 600 60 200 -WhatIf").Ok();
        Assert.Equal("What if: Performing the operation \"Set timeouts (tcp tcpfin udp) 600 60 200\" on target \"director 'only'\".", Assert.Single(r.WhatIf));
    }

    [Fact]
    public void GetLvsDirector_ListsNothingWithoutDirectors_AndAStaleOneOnlyWithAll()
    {
        Assert.Empty(Run("Get-LvsDirector").Ok().Output);
        StaleSocket("dead");
        Assert.Empty(Run("Get-LvsDirector").Ok().Output);
        var all = Run("Get-LvsDirector -All").Ok();
        var status = Assert.Single(all.Objects);
        Assert.Equal("DirectorStatus", status.GetType().Name);
        var ps = new PSObject(status);
        Assert.Equal("dead", ps.Properties["Name"].Value);
        Assert.Equal(false, ps.Properties["Running"].Value);
        Assert.Equal(Path.Combine(RunDir, "dead.sock"), ps.Properties["SocketPath"].Value);
    }

    [Fact]
    public void GetLvsDirector_UnknownName_IsDirectorNotRunning_ButAWildcardIsNoError()
    {
        var r = Run("Get-LvsDirector -Name nosuch");
        AssertLvsError(r.SingleError(), "DirectorNotRunning", ErrorCategory.ObjectNotFound, cmdletClass: "GetLvsDirectorCommand");
        Assert.Equal(new[] { "nosuch" }, (string[])r.Errors[0].TargetObject);
        Run("Get-LvsDirector -Name 'nosuch*'").Ok();
    }

    [Fact]
    public void StartLvsDirector_WhatIf_ShowsTheExactCommand_AndStartsNothing()
    {
        var r = Run("Start-LvsDirector -Name d1 -Interface eth7 -NetworkNamespace ns1 -TableBits 14 -WhatIf").Ok();
        var line = Assert.Single(r.WhatIf);
        var engine = Path.Combine(Hosting.LvsSession.RepositoryRoot, "out", "lvsd", "lvsd.dll");
        // Each word shell-quoted, exactly as the launcher runs it.
        Assert.StartsWith("What if: Performing the operation \"Start LvsPS director\" on target \"director 'd1' on eth7 in namespace ns1: 'setsid' 'ip' 'netns' 'exec' 'ns1' '", line);
        Assert.EndsWith($"' '{engine}' 'run' '--name' 'd1' '--interface' 'eth7' '--table-bits' '14' '--namespace' 'ns1'\".", line);
        Assert.Empty(r.Output);
        Assert.False(Directory.Exists(RunDir) && Directory.GetFiles(RunDir).Length > 0);
    }

    [Fact]
    public void StartLvsDirector_KernelCopyKeep_IsPassedToLvsd_AndABadValueIsRefusedNamingIt()
    {
        var r = Run("Start-LvsDirector -Name d1 -Interface eth7 -KernelCopy Keep -WhatIf").Ok();
        Assert.EndsWith("'--table-bits' '12' '--kernel-copy' 'keep'\".", Assert.Single(r.WhatIf));
        r = Run("Start-LvsDirector -Name d1 -Interface eth7 -KernelCopy Drop -WhatIf").Ok();
        Assert.EndsWith("'--table-bits' '12'\".", Assert.Single(r.WhatIf));
        r = Run("Start-LvsDirector -Name d1 -Interface eth7 -KernelCopy Sometimes -WhatIf");
        var e = AssertBindingError(r, "CannotConvertArgumentNoMessage", "KernelCopy");
        Assert.Contains("Sometimes", e.Message);
        Assert.Empty(r.WhatIf);
    }

    [Theory]
    [InlineData("Start-LvsDirector -Name 9lives -Interface eth0", "9lives", "InvalidDirectorName", ErrorCategory.InvalidArgument, "9lives")]
    [InlineData("Start-LvsDirector -Name d1 -Interface eth0:1", "d1", "InvalidInterfaceName", ErrorCategory.InvalidArgument, "eth0:1")]
    [InlineData("Start-LvsDirector -Name d1 -Interface eth0 -NetworkNamespace lvsps-no-such-ns", "d1", "InterfaceNotAvailable", ErrorCategory.ObjectNotFound, "lvsps-no-such-ns")]
    public void StartLvsDirector_RefusesBeforeStartingAnything(string script, string name, string errorId, ErrorCategory category, string target)
    {
        var r = Run(script);
        AssertLvsError(r.SingleError(), errorId, category, name, "StartLvsDirectorCommand");
        Assert.NotNull(r.Terminating);
        // The cmdlet reports the director's name as the target, the exception keeps the bad value.
        Assert.Equal(target, ((LvsPS.Ipvs.Model.LvsException)r.Terminating!.Exception).Target);
        Assert.Empty(Directory.Exists(RunDir) ? Directory.GetFiles(RunDir) : Array.Empty<string>());
    }

    [Fact]
    public void StartLvsDirector_UnknownLab_IsLabNotFound()
    {
        var r = Run("Start-LvsDirector -Lab nosuchlab7");
        AssertLvsError(r.SingleError(), "LabNotFound", ErrorCategory.ObjectNotFound, "nosuchlab7", "StartLvsDirectorCommand");
        Assert.NotNull(r.Terminating);
    }

    [Fact]
    public void ConnectLvsDirector_WithAMissingKeyFile_FailsBeforeConnecting_AndRegistersNothing()
    {
        var key = Path.Combine(TempDir, "no-such-key");
        var known = Path.Combine(TempDir, "known_hosts");
        var r = Run("Connect-LvsDirector -Name kd1 -ComputerName 127.0.0.1 -KeyFile $k -KnownHostsFile $kh", ("k", key), ("kh", known));
        var e = r.SingleError();
        AssertLvsError(e, "SshAuthenticationFailed", ErrorCategory.InvalidArgument, "127.0.0.1", "ConnectLvsDirectorCommand");
        Assert.NotNull(r.Terminating);
        Assert.Contains($"Cannot use key file '{key}'", e.Exception.Message);
        Assert.Equal(key, ((LvsPS.Ipvs.Model.LvsException)e.Exception).Target);
        Assert.False(File.Exists(known));
        // Nothing was registered: kd1 is no director, and the default director is still "none".
        AssertLvsError(Run("Get-LvsDirector -Name kd1").SingleError(), "DirectorNotRunning", ErrorCategory.ObjectNotFound);
        AssertLvsError(Run("Get-LvsService").SingleError(), "DirectorNotRunning", ErrorCategory.ResourceUnavailable);
    }

    [Fact]
    public void ConnectLvsDirector_BadNameOrALocalDirectorsName_IsRefused()
    {
        var bad = Run("Connect-LvsDirector -Name 'no good' -ComputerName 127.0.0.1");
        AssertLvsError(bad.SingleError(), "InvalidDirectorName", ErrorCategory.InvalidArgument, "no good", "ConnectLvsDirectorCommand");
        StaleSocket("local1");
        var taken = Run("Connect-LvsDirector -Name local1 -ComputerName 127.0.0.1");
        AssertLvsError(taken.SingleError(), "DirectorAlreadyRunning", ErrorCategory.ResourceExists, "local1", "ConnectLvsDirectorCommand");
    }

    [Fact]
    public void DisconnectLvsDirector_UnknownName_IsDirectorNotRunning_ButAWildcardIsNoError()
    {
        var r = Run("Disconnect-LvsDirector -Name nosuch");
        AssertLvsError(r.SingleError(), "DirectorNotRunning", ErrorCategory.ObjectNotFound, "nosuch", "DisconnectLvsDirectorCommand");
        Assert.Null(r.Terminating);
        Run("Disconnect-LvsDirector -Name 'nosuch*'").Ok();
        // By property name from the pipeline (Director alias): two objects, two errors.
        var piped = Run("[pscustomobject]@{ Director = 'a1' }, [pscustomobject]@{ Name = 'a2' } | Disconnect-LvsDirector");
        Assert.Equal(new object[] { "a1", "a2" }, piped.Errors.Select(e => e.TargetObject).ToArray());
    }

    [Fact]
    public void ConnectLvsDirector_SeveralHosts_OneErrorPerHost_NothingRegistered_AndANameGivenTwiceIsRefused()
    {
        var key = Path.Combine(TempDir, "no-such-key");
        var known = Path.Combine(TempDir, "known_hosts");
        var r = Run("""
            @([pscustomobject]@{ Name = 'kf1'; ComputerName = '127.0.0.1' }, [pscustomobject]@{ Name = 'kf2'; ComputerName = '127.0.0.2' }) |
                Connect-LvsDirector -KeyFile $k -KnownHostsFile $kh
            """, ("k", key), ("kh", known));
        Assert.Null(r.Terminating);
        Assert.Equal(new object[] { "127.0.0.1", "127.0.0.2" }, r.Errors.Select(e => e.TargetObject).ToArray());
        Assert.All(r.Errors, e => Assert.Equal("SshAuthenticationFailed", e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Contains(r.Progress, p => p.CurrentOperation == "127.0.0.2: failed");
        AssertLvsError(Run("Get-LvsDirector -Name kf1").SingleError(), "DirectorNotRunning", ErrorCategory.ObjectNotFound);

        var twice = Run("""
            @([pscustomobject]@{ Name = 'kf1'; ComputerName = '127.0.0.1' }, [pscustomobject]@{ Name = 'kf1'; ComputerName = '127.0.0.2' }) |
                Connect-LvsDirector -KeyFile $k -KnownHostsFile $kh
            """, ("k", key), ("kh", known));
        AssertLvsError(twice.SingleError(), "InvalidArgument", ErrorCategory.InvalidArgument, "kf1", "ConnectLvsDirectorCommand");
        Assert.NotNull(twice.Terminating);
        Assert.Empty(twice.Progress);
    }
}
