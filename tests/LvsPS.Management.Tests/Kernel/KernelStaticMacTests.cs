namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// A static real-server MAC (-MacAddress) is lvsd's: a kernel director refuses it with NotSupportedByDirector, before
/// any command runs, and names the value and the host-side way (a permanent neighbour entry).
/// </summary>
public sealed class KernelStaticMacTests
{
    private static ServiceSpec Svc() => new() { Address = IPAddress.Parse("10.0.0.101"), Port = 80, Scheduler = LvsScheduler.Rr };

    private static RealServerSpec Rs(string? mac) =>
        new() { Address = IPAddress.Parse("10.0.0.3"), Port = 80, Weight = 1, MacAddress = mac };

    private static (KernelDirector, List<string>) Director()
    {
        var commands = new List<string>();
        return (new KernelDirector("edge", "lvs1.example", c =>
        {
            commands.Add(c);
            return new RemoteResult { Command = c, ExitStatus = 0 };
        }), commands);
    }

    public static IEnumerable<object[]> Calls() => new[]
    {
        new object[] { "AddRealServer", (Action<KernelDirector, RealServerSpec>)((k, rs) => k.AddRealServer(Svc(), rs)) },
        new object[] { "EditRealServer", (Action<KernelDirector, RealServerSpec>)((k, rs) => k.EditRealServer(Svc(), rs)) },
        new object[] { "AddService", (Action<KernelDirector, RealServerSpec>)((k, rs) => { var s = Svc(); s.RealServers.Add(rs); k.AddService(s); }) },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void StaticMac_IsRefused_BeforeAnythingRuns(string what, Action<KernelDirector, RealServerSpec> call)
    {
        var (k, commands) = Director();

        var e = Assert.Throws<LvsException>(() => call(k, Rs("02:4c:56:00:00:03")));

        Assert.True(e.ErrorId == LvsErrorIds.NotSupportedByDirector, what);
        Assert.Equal(LvsErrorKind.NotImplemented, e.Kind);
        Assert.Contains("02:4c:56:00:00:03", e.Message);
        Assert.Contains("nud permanent", e.Message);
        Assert.Empty(commands);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void WithoutAStaticMac_TheCallRuns(string what, Action<KernelDirector, RealServerSpec> call)
    {
        var (k, commands) = Director();

        call(k, Rs(null));

        Assert.True(commands.Count > 0, what);
        Assert.All(commands.Where(c => c != KernelKeepalived.ReadCommand), c => Assert.Contains("ipvsadm", c));
    }
}
