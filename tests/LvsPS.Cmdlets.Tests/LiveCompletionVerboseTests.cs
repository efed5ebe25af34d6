namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// Against the collection's real lvsd: tab completion offers the director's VIPs and the real servers of the service
/// typed, and -Verbose names the control socket and counts what the answer held.
/// </summary>
public sealed class LiveCompletionVerboseTests : DirectorTestBase
{
    public LiveCompletionVerboseTests(DirectorFixture director) : base(director) { }

    private IReadOnlyList<object> Complete(string line) =>
        Run("@((TabExpansion2 $l $l.Length).CompletionMatches | Where-Object ResultType -EQ ParameterValue | ForEach-Object CompletionText)", ("l", line)).Ok().Objects;

    [RootFact]
    public void VirtualAndRealAddress_CompleteFromTheDirectorsTable()
    {
        Seed();
        Ok($"New-LvsService -VirtualAddress 10.253.0.102 -Port 8080 -Scheduler rr; Add-LvsRealServer 10.253.0.102 8080 -RealAddress {Rs1}");
        Assert.Equal(new object[] { Vip, "10.253.0.102" }, Complete($"Get-LvsService -Director {Name} -VirtualAddress "));
        Assert.Equal(new object[] { Vip }, Complete($"Get-LvsService -Director {Name} -Port 80 -VirtualAddress "));
        Assert.Equal(new object[] { Rs1, Rs2 }, Complete($"Set-LvsRealServer -Director {Name} -VirtualAddress {Vip} -Port 80 -RealAddress "));
        Assert.Equal(new object[] { Rs1 }, Complete($"Remove-LvsRealServer -Director {Name} -VirtualAddress 10.253.0.102 -Port 8080 -RealAddress "));
        Assert.Equal(new object[] { Rs2 }, Complete($"Get-LvsRealServer -Director {Name} -RealAddress {Rs2}"));
    }

    [RootFact]
    public void Verbose_NamesTheSocket_AndCountsTheTable()
    {
        Seed();
        var r = Run($"Get-LvsService -Director {Name} -Verbose").Ok();
        var lines = r.Verbose.Select(v => v.Message).ToList();
        Assert.Contains($"Connecting to lvsd control socket {Path.Combine(Director.RunDir, Name + ".sock")} (ListServices)", lines);
        Assert.Contains(lines, l => l.StartsWith("Got 1 service, 2 real servers, 0 connections", StringComparison.Ordinal) && l.EndsWith($"from lvsd '{Name}'", StringComparison.Ordinal));
        Assert.Empty(Run($"Get-LvsService -Director {Name}").Ok().Verbose);
    }
}
