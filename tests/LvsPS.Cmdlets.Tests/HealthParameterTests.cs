using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// The health cmdlets without a director: bad checker values are refused before any director is asked (so also
/// with -WhatIf and a director that does not run), parameter metadata (keepalived's aliases, tab completion), and the
/// drain wait's timeout and progress, driven by counts given here.
/// </summary>
public sealed class HealthParameterTests : CmdletTestBase
{
    [Theory]
    [InlineData("-Type Http -IntervalSec 0", "The interval (delay_loop) 0 s is out of range")]
    [InlineData("-Type Http -Path noslash", "The path 'noslash' is not valid")]
    [InlineData("-Type Http -StatusCode 700", "The status code '700' is out of range")]
    [InlineData("-Type Misc", "A MISC_CHECK needs a command (misc_path).")]
    // keepalived's checker names bind to -Type.
    [InlineData("-Type TCP_CHECK -Path /x", "-Path applies to Http and Ssl checkers, not to TCP_CHECK.")]
    [InlineData("-Type http_get -Command /bin/true", "-Command applies to Misc checkers (MISC_CHECK), not to HTTP_GET.")]
    public void AddLvsHealthCheck_BadValues_AreRefusedBeforeTheDirectorIsAsked(string parameters, string message)
    {
        var r = Run($"Add-LvsHealthCheck -VirtualAddress 10.0.0.1 -Port 80 -RealAddress 10.0.0.3 {parameters} -Director d1 -WhatIf");
        AssertLvsError(r, "InvalidHealthCheck", ErrorCategory.InvalidArgument, message, cmdletClass: "AddLvsHealthCheckCommand");
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void SetLvsServiceHealth_BadValues_AreRefusedBeforeTheDirectorIsAsked()
    {
        var r = Run("Set-LvsServiceHealth -VirtualAddress 10.0.0.1 -Port 80 -Quorum 0 -Director d1 -WhatIf");
        AssertLvsError(r.SingleError(), "InvalidHealthCheck", ErrorCategory.InvalidArgument, 0, "SetLvsServiceHealthCommand");
        Assert.Empty(r.WhatIf);
    }

    [Fact]
    public void ValidValues_WithoutADirector_StopAtTheDirector()
    {
        var r = Run("Add-LvsHealthCheck -VirtualAddress 10.0.0.1 -Port 80 -RealAddress 10.0.0.3 -Type Tcp -WhatIf");
        AssertLvsError(r.SingleError(), "DirectorNotRunning", ErrorCategory.ResourceUnavailable);
    }

    [Theory]
    [InlineData("Add-LvsHealthCheck", "IntervalSec", "delay_loop")]
    [InlineData("Add-LvsHealthCheck", "TimeoutSec", "connect_timeout")]
    [InlineData("Add-LvsHealthCheck", "Retry", "nb_get_retry")]
    [InlineData("Add-LvsHealthCheck", "DelayBeforeRetrySec", "delay_before_retry")]
    [InlineData("Add-LvsHealthCheck", "ConnectAddress", "connect_ip")]
    [InlineData("Add-LvsHealthCheck", "BindAddress", "bindto")]
    [InlineData("Add-LvsHealthCheck", "StatusCode", "status_code")]
    [InlineData("Add-LvsHealthCheck", "Command", "misc_path")]
    [InlineData("Add-LvsHealthCheck", "CommandTimeoutSec", "misc_timeout")]
    [InlineData("Add-LvsHealthCheck", "Dynamic", "misc_dynamic")]
    [InlineData("Set-LvsHealthCheck", "WarmupSec", "warmup")]
    [InlineData("Set-LvsServiceHealth", "DelayLoopSec", "delay_loop")]
    [InlineData("Set-LvsServiceHealth", "SorryServer", "sorry_server")]
    [InlineData("Set-LvsServiceHealth", "QuorumUpCommand", "quorum_up")]
    [InlineData("Set-LvsServiceHealth", "InhibitOnFailure", "inhibit_on_failure")]
    public void Parameters_TakeKeepalivedsNamesAsAliases(string cmdlet, string parameter, string alias)
    {
        var aliases = Run("(Get-Command $c).Parameters[$p].Aliases", ("c", cmdlet), ("p", parameter)).Ok().Objects.Cast<string>();
        Assert.Contains(alias, aliases);
    }

    [Fact]
    public void TypeAndHttpProtocol_Complete()
    {
        var r = Run("""
            (TabExpansion2 'Add-LvsHealthCheck -Type H' 26).CompletionMatches.CompletionText
            (TabExpansion2 'Add-LvsHealthCheck -HttpProtocol 1.' 34).CompletionMatches.CompletionText
            (TabExpansion2 'Get-LvsHealth -State D' 22).CompletionMatches.CompletionText
            """).Ok();
        Assert.Equal(new object[] { "Http", "1.0", "1.0C", "1.1", "Down", "Draining" }, r.Objects);
    }

    // ------------------------------------------------------------------ the drain wait (internal, by reflection)

    private Type Waiter() =>
        ((Assembly)Run("[LvsPS.LvsCmdlet].Assembly").Ok().Objects.Single()).GetType("LvsPS.Commands.DrainWaiter", throwOnError: true)!;

    private (List<(string Name, int Active)> Left, List<ProgressRecord> Progress) Drain(IReadOnlyList<string> names, Func<IReadOnlyList<int?>> read, TimeSpan? timeout)
    {
        var t = Waiter();
        var w = Activator.CreateInstance(t, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, null, new object?[] { names, read, timeout }, null)!;
        var progress = new List<ProgressRecord>();
        var result = (IEnumerable)t.GetMethod("Run")!.Invoke(w, new object[] { CancellationToken.None, new Action<ProgressRecord>(p => progress.Add(p)), TimeSpan.FromMilliseconds(20) })!;
        var left = result.Cast<ITuple>().Select(x => ((string)x[0]!, (int)x[1]!)).ToList();
        return (left, progress);
    }

    [Fact]
    public void DrainWait_ReturnsWhenEveryRealServerIsDrained_OrGone_WithProgress()
    {
        int reads = 0;
        var (left, progress) = Drain(new[] { "rs1", "rs2" }, () =>
        {
            reads++;
            return reads switch { 1 => new int?[] { 4, 2 }, 2 => new int?[] { 1, 2 }, 3 => new int?[] { 0, null }, _ => throw new InvalidOperationException("read after drained") };
        }, null);
        Assert.Empty(left);
        Assert.Equal(3, reads);
        Assert.Equal("6 active connection(s) left on 2 of 2 real server(s)", progress[0].StatusDescription);
        Assert.Equal("rs1: 4, rs2: 2", progress[0].CurrentOperation);
        Assert.Equal("3 active connection(s) left on 2 of 2 real server(s)", progress[1].StatusDescription);
        Assert.Equal(50, progress[1].PercentComplete);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
    }

    [Fact]
    public void DrainWait_AtTheTimeout_ReturnsWhatIsLeft_AndWarnsNamingEachRealServer()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (left, progress) = Drain(new[] { "10.0.0.3:80 in TCP 10.0.0.1:80", "10.0.0.4:80 in TCP 10.0.0.1:80" }, () => new int?[] { 3, 0 }, TimeSpan.FromMilliseconds(300));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(300));
        Assert.Equal(new[] { ("10.0.0.3:80 in TCP 10.0.0.1:80", 3) }, left);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
        var warnings = ((IEnumerable<string>)Waiter().GetMethod("Warnings")!.Invoke(null, new object[] { left, 30 })!).ToList();
        Assert.Equal("The real server 10.0.0.3:80 in TCP 10.0.0.1:80 still has 3 active connection(s) after 30 s; it stays suspended (weight 0, no new connections). Wait longer, or remove it with Remove-LvsRealServer (its connections are then dropped).",
            Assert.Single(warnings));
    }
}
