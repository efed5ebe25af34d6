using LvsPS.Management.Checks;
using LvsPS.Management.Text;

namespace LvsPS.Management.Tests;

/// <summary>
/// The verbose sink the cmdlets pass into the management layer (-Verbose): a kernel director names each command line
/// and where it runs and counts what a listing holds; a check host names each command; a failing sink changes nothing.
/// </summary>
public sealed class DirectorVerboseTests
{
    private static List<LvsService> Table()
    {
        var svc = new LvsService { VirtualAddress = IPAddress.Parse("10.0.0.101"), Port = 80, Scheduler = LvsScheduler.Rr };
        svc.RealServers.Add(new LvsRealServer { RealAddress = IPAddress.Parse("10.0.0.3"), RealPort = 80, Weight = 1, ActiveConnections = 2, InactiveConnections = 1 });
        svc.RealServers.Add(new LvsRealServer { RealAddress = IPAddress.Parse("10.0.0.4"), RealPort = 80, Weight = 1, ActiveConnections = 5, InactiveConnections = 0 });
        return new List<LvsService> { svc };
    }

    /// <summary>A kernel director whose remote side answers the listing with the text of <see cref="Table"/>.</summary>
    private static KernelDirector Kernel()
    {
        var table = Table();
        string listing = IpvsadmCommandBuilder.JoinCommandLines(IpvsadmCommandBuilder.ListServices());
        string text = IpvsadmFormatter.FormatList(table, 4096) + IpvsadmFormatter.FormatStats(table, 4096, exact: true)
                      + IpvsadmFormatter.FormatRate(table, 4096, exact: true) + IpvsadmFormatter.FormatThresholds(table, 4096) + IpvsadmFormatter.FormatPersistentConn(table, 4096);
        return new KernelDirector("edge", "lvs1.example", c => new RemoteResult { Command = c, ExitStatus = 0, Output = c == listing ? text : "" });
    }

    [Fact]
    public void KernelDirector_NamesTheCommandAndTheHost_AndCountsTheListing()
    {
        var said = new List<string>();
        var d = Kernel();
        DirectorVerbose.Attach(d, said.Add);
        var services = d.ListServices();
        Assert.Equal(2, Assert.Single(services).RealServers.Count);
        Assert.Contains(said, m => m.StartsWith("Running 'ipvsadm", StringComparison.Ordinal) && m.EndsWith("' on lvs1.example", StringComparison.Ordinal));
        Assert.Contains("Got 1 service, 2 real servers, 8 connections (7 active, 1 inactive) from kernel director 'edge'", said);
    }

    [Fact]
    public void KernelDirector_SaysNothingWithoutASink_AndAFailingSinkChangesNothing()
    {
        var d = Kernel();
        Assert.Single(d.ListServices());
        DirectorVerbose.Attach(d, _ => throw new InvalidOperationException("the command has ended"));
        Assert.Equal(2, Assert.Single(d.ListServices()).RealServers.Count);
        DirectorVerbose.Attach(d, null);
        Assert.Null(d.Verbose);
    }

    [Fact]
    public void Describe_CountsServicesConnectionsAndLists()
    {
        Assert.Equal("1 service, 2 real servers, 8 connections (7 active, 1 inactive)", DirectorVerbose.Describe(Table()));
        Assert.Equal("0 services, 0 real servers, 0 connections (0 active, 0 inactive)", DirectorVerbose.Describe(new List<LvsService>()));
        Assert.Equal("1 connection", DirectorVerbose.Describe(new List<LvsConnection> { new() }));
        Assert.Equal("3 items", DirectorVerbose.Describe(new List<int> { 1, 2, 3 }));
        Assert.Null(DirectorVerbose.Describe(null));
        Assert.Null(DirectorVerbose.Describe("text"));
    }

    [Fact]
    public void Shorten_CutsLongCommandLinesToOneLine()
    {
        Assert.Equal("a b", DirectorVerbose.Shorten("a\nb"));
        var cut = DirectorVerbose.Shorten(new string('x', 300));
        Assert.Equal(120, cut.Length);
        Assert.EndsWith("...", cut);
    }

    [Fact]
    public void LocalCheckHost_NamesEachCommandItRuns()
    {
        var said = new List<string>();
        var host = new LocalCheckHost { Name = "here" };
        ((IVerboseSource)host).Verbose = said.Add;
        var r = host.Run("echo hlp", TimeSpan.FromSeconds(10));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(new[] { "Running 'echo hlp' on this machine" }, said);
    }
}
