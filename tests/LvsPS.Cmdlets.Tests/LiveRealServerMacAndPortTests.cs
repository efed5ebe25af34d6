namespace LvsPS.Cmdlets.Tests;

/// <summary>
/// Add-/Set-LvsRealServer against a real lvsd: -RealPort on a Route (or Tunnel) real server is not silently dropped
/// but warned about, naming the value and why (direct routing cannot change the port); -MacAddress sets a static MAC
/// (typed, shown on the real-server object, kept by Set- unless changed, cleared with ''), and a bad one is refused
/// before anything changes.
/// </summary>
public sealed class LiveRealServerMacAndPortTests : DirectorTestBase
{
    public LiveRealServerMacAndPortTests(DirectorFixture director) : base(director) { }

    private void Service() => Ok($"New-LvsService -VirtualAddress {Vip} -Port 80 -Scheduler rr");

    [RootFact]
    public void AddRealServer_RouteWithAnotherRealPort_Warns_AndUsesTheServicePort()
    {
        Service();

        var r = Ok($"Add-LvsRealServer {Vip} 80 -RealAddress {Rs1} -RealPort 8080 -PassThru");

        var w = Assert.Single(r.Warnings).Message;
        Assert.Contains("-RealPort 8080", w);
        Assert.Contains(Rs1, w);
        Assert.Contains("direct routing (Route) cannot change the port", w);
        Assert.Contains("service port 80", w);
        Assert.Equal((ushort)80, r.Single<LvsRealServer>().RealPort);
    }

    [RootFact]
    public void AddRealServer_Tunnel_Warns_ButNotForTheServicePort_NorForMasq()
    {
        Service();

        var tunnel = Ok($"Add-LvsRealServer {Vip} 80 -RealAddress {Rs1} -RealPort 8081 -Forwarding Tunnel");
        Assert.Contains("IP-in-IP (Tunnel) cannot change the port", Assert.Single(tunnel.Warnings).Message);
        Assert.Empty(Ok($"Add-LvsRealServer {Vip} 80 -RealAddress {Rs2} -RealPort 80").Warnings);
        Assert.Empty(Ok($"Add-LvsRealServer {Vip} 80 -RealAddress 10.253.0.5").Warnings);
        Assert.Empty(Ok($"Add-LvsRealServer {Vip} 80 -RealAddress 10.253.0.6 -RealPort 8080 -Forwarding Masq").Warnings);
    }

    [RootFact]
    public void SetRealServer_RouteNamedByAnotherPort_Warns()
    {
        Service();
        Ok($"Add-LvsRealServer {Vip} 80 -RealAddress {Rs1}");

        var r = Ok($"Set-LvsRealServer {Vip} 80 -RealAddress {Rs1} -RealPort 8080 -Weight 3 -PassThru");

        Assert.Contains("-RealPort 8080", Assert.Single(r.Warnings).Message);
        var rs = r.Single<LvsRealServer>();
        Assert.Equal(((ushort)80, 3), (rs.RealPort, rs.Weight));
        Assert.Empty(Ok($"Set-LvsRealServer {Vip} 80 -RealAddress {Rs1} -Weight 2").Warnings);
    }

    [RootFact]
    public void MacAddress_IsStatic_Shown_KeptBySet_AndClearedWithEmpty()
    {
        Service();

        var added = Ok($"Add-LvsRealServer {Vip} 80 -RealAddress {Rs1} -MacAddress 02-4C-56-00-00-33 -PassThru").Single<LvsRealServer>();
        Assert.Equal("02:4c:56:00:00:33", added.MacAddress);
        Assert.Equal(LvsMacSource.Static, added.MacSource);

        // Set- without -MacAddress keeps it; with one, replaces it; with '' returns to ARP.
        Assert.Equal("02:4c:56:00:00:33", Ok($"Set-LvsRealServer {Vip} 80 -RealAddress {Rs1} -Weight 4 -PassThru").Single<LvsRealServer>().MacAddress);
        Assert.Equal("02:4c:56:00:00:34", Ok($"Set-LvsRealServer {Vip} 80 -RealAddress {Rs1} -MacAddress 02:4c:56:00:00:34 -PassThru").Single<LvsRealServer>().MacAddress);
        Assert.Contains("02:4c:56:00:00:34", File.ReadAllText(Path.Combine(Director.StateDir, Name + ".json")));
        var cleared = Ok($"Set-LvsRealServer {Vip} 80 -RealAddress {Rs1} -MacAddress '' -PassThru").Single<LvsRealServer>();
        Assert.NotEqual(LvsMacSource.Static, cleared.MacSource);
        Assert.DoesNotContain("02:4c:56:00:00:34", File.ReadAllText(Path.Combine(Director.StateDir, Name + ".json")));
        Assert.Equal(4, cleared.Weight);
    }

    [RootFact]
    public void MacAddress_Bad_IsRefused_AndNothingChanges()
    {
        Service();
        Ok($"Add-LvsRealServer {Vip} 80 -RealAddress {Rs2}");
        string before = Snapshot();

        var multicast = Run($"Add-LvsRealServer {Vip} 80 -RealAddress {Rs1} -MacAddress 01:00:5e:00:00:01");
        AssertLvsError(multicast.SingleError(), "InvalidArgument", ErrorCategory.InvalidArgument, cmdletClass: "AddLvsRealServerCommand");
        Assert.Contains("01:00:5e:00:00:01", multicast.SingleError().Exception.Message);
        var zero = Run($"Set-LvsRealServer {Vip} 80 -RealAddress {Rs2} -MacAddress 00:00:00:00:00:00");
        AssertLvsError(zero.SingleError(), "InvalidArgument", ErrorCategory.InvalidArgument, cmdletClass: "SetLvsRealServerCommand");
        // Not a MAC at all: PowerShell's own conversion refuses it before the cmdlet runs.
        Assert.NotEmpty(Run($"Add-LvsRealServer {Vip} 80 -RealAddress {Rs1} -MacAddress zz").AllErrors);

        Assert.Equal(before, Snapshot());
    }
}
