namespace LvsPS.Cmdlets.Tests.Infrastructure;

/// <summary>
/// Base of the tests against the collection's real director: the environment points at its folders and its
/// table is emptied (services, firewall-mark rules; timeouts back to the kernel's defaults) before each test.
/// </summary>
public abstract class DirectorTestBase : CmdletTestBase
{
    protected const string Vip = "10.253.0.101";
    protected const string Rs1 = "10.253.0.3";
    protected const string Rs2 = "10.253.0.4";

    protected DirectorTestBase(DirectorFixture director)
    {
        Director = director;
        Director.EnsureStarted();
        Reset();
    }

    protected DirectorFixture Director { get; }

    protected string Name => Director.Name;

    protected void Reset() =>
        Run("""
            Get-LvsService | Remove-LvsService -Confirm:$false
            Get-LvsFirewallMarkRule | Remove-LvsFirewallMarkRule -Confirm:$false
            Set-LvsTimeout 900 120 300 -Confirm:$false
            """).Ok();

    /// <summary>
    /// Everything the director would keep across a restart, as it reports it (ipvsadm-save rules, timeouts, mark
    /// rules), and its state file's bytes: equal snapshots mean nothing was changed.
    /// </summary>
    protected string Snapshot()
    {
        var r = Run("""
            Export-LvsConfiguration -Format IpvsadmRules -IncludeThresholds
            (Get-LvsTimeout).ToString()
            Get-LvsFirewallMarkRule | ForEach-Object ToString
            """).Ok();
        var state = Path.Combine(Director.StateDir, Name + ".json");
        return string.Join("\n", r.Objects) + "\n--- state file\n" + (File.Exists(state) ? File.ReadAllText(state) : "(none)");
    }

    /// <summary>Runs <paramref name="script"/> and asserts that it changed nothing (equal <see cref="Snapshot"/>s).</summary>
    protected PsResult RunChangingNothing(string script)
    {
        var before = Snapshot();
        var r = Run(script);
        Assert.Equal(before, Snapshot());
        return r;
    }

    /// <summary>
    /// Runs a -WhatIf <paramref name="script"/>: it succeeds, its one What if line names <paramref name="operation"/> on
    /// <paramref name="target"/> ("{d}": the director's name), and it writes nothing and changes nothing.
    /// </summary>
    protected void AssertWhatIfOnly(string script, string operation, string target)
    {
        var r = RunChangingNothing(script).Ok();
        Assert.Equal($"What if: Performing the operation \"{operation}\" on target \"{target.Replace("{d}", Name)}\".", Assert.Single(r.WhatIf));
        Assert.Empty(r.Output);
    }

    protected void Seed() =>
        Run($"""
            New-LvsService -VirtualAddress {Vip} -Port 80 -Scheduler rr
            Add-LvsRealServer -VirtualAddress {Vip} -Port 80 -RealAddress {Rs1} -Weight 1
            Add-LvsRealServer -VirtualAddress {Vip} -Port 80 -RealAddress {Rs2} -Weight 2
            """).Ok();

    protected PsResult Ok(string script, params (string Name, object? Value)[] variables) => Run(script, variables).Ok();
}
