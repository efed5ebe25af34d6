using LvsPS.Ipvs.Vrrp;
using System.Net.Sockets;
using System.Text;
using LvsPS.Management.Lvsd;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The control path end to end on a real Unix socket: the management library's generated lvsd client, lvsd's
/// ControlServer (SO_PEERCRED) and its one Dispatcher, in front of a real engine. Every IDirector operation goes
/// through, refusals keep their ErrorId and kind, and only configuration changes are saved, each before its answer.
/// </summary>
public sealed class ControlSocketTests : ControlServerTestBase
{
    private int _shutdowns;

    public ControlSocketTests() : base("ctl")
    {
        _h.Engine.ShutdownRequested += () => Interlocked.Increment(ref _shutdowns);
        _h.Engine.DescribeHost = s => { s.ProcessId = 4242; s.Interface = "eth9"; };
    }

    public override void Dispose()
    {
        base.Dispose();
        Assert.False(File.Exists(DirectorPaths.Socket(_name)));
    }

    private static int FreeUdpPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private IDirector Client() => DirectorClient.Connect(_name, TimeSpan.FromSeconds(5));

    [Fact]
    public void EveryOperationTravels_AndOnlyChangesAreSaved()
    {
        var d = Client();
        Assert.Equal(_name, d.Name);
        var svc = Spec(80, LvsScheduler.Wrr);
        d.AddService(svc);
        d.AddRealServer(svc, Real(Rs1, weight: 3));
        d.AddRealServer(svc, Real(Rs2, weight: 1));
        d.EditRealServer(svc, Real(Rs2, weight: 5));
        svc.Scheduler = LvsScheduler.Rr;
        d.EditService(svc);
        var listed = Assert.Single(d.ListServices());
        Assert.Equal((LvsScheduler.Rr, 80), (listed.Scheduler, (int)listed.Port));
        Assert.Equal(new[] { (Ip(Rs2), 5), (Ip(Rs1), 3) }, listed.RealServers.Select(r => (r.RealAddress, r.Weight)));
        Assert.Empty(d.ListConnections());
        d.Zero(null);
        d.Zero(svc);
        d.SetTimeouts(new TimeoutSpec { Tcp = 600 });
        Assert.Equal((600, 120, 300), (d.GetTimeouts().Tcp, d.GetTimeouts().TcpFin, d.GetTimeouts().Udp));
        var rule = new MarkRuleSpec { Mark = 7, Address = Ip(Vip2), PortFrom = 443, PortTo = 443 };
        d.AddMarkRule(rule);
        Assert.Equal(7u, Assert.Single(d.ListMarkRules()).Mark);
        d.DeleteMarkRule(rule);
        Assert.Empty(d.ListMarkRules());
        var tcp = new HealthCheckSpec { Type = LvsHealthCheckType.Tcp, ConnectPort = 8080, IntervalSec = 30 };
        d.AddHealthCheck(svc, Real(Rs1), tcp);
        tcp.Retry = 3;
        d.SetHealthCheck(svc, Real(Rs1), tcp);
        Assert.Equal(3, Assert.Single(d.ListServices()[0].RealServers.Single(r => r.RealAddress.Equals(Ip(Rs1))).HealthChecks).Retry);
        d.SetServiceHealth(svc, new ServiceHealthSpec { Quorum = 2, DelayLoopSec = 5 });
        Assert.Equal(2, d.ListServices()[0].Health!.Quorum);
        d.SuspendRealServer(svc, Real(Rs2));
        Assert.Equal(LvsRealServerState.Quiesced, d.GetHealth().Single(x => x.RealAddress.Equals(Ip(Rs2))).State);
        d.ResumeRealServer(svc, Real(Rs2));
        Assert.Equal(5, d.GetHealth().Single(x => x.RealAddress.Equals(Ip(Rs2))).Weight);
        d.RemoveHealthCheck(svc, Real(Rs1), LvsHealthCheckType.Tcp);
        var vrrp = new VrrpInstanceSpec { Name = "VI_1", Interface = "eth9", VirtualRouterId = 51, VirtualAddresses = { Ip(Vip2) } };
        d.AddVrrpInstance(vrrp);
        vrrp.Priority = 150;
        d.EditVrrpInstance(vrrp);
        var instance = Assert.Single(d.ListVrrpInstances());
        Assert.Equal(("VI_1", 150, VrrpState.Init), (instance.Name, instance.Priority, instance.State));
        d.DeleteVrrpInstance("VI_1");
        Assert.Empty(d.ListVrrpInstances());
        // A backup sync daemon listening on lo (the default group joined there, a free port; nothing is sent), then stopped.
        int port = FreeUdpPort();
        d.StartSyncDaemon(new SyncDaemonSpec { Role = SyncDaemonRole.Backup, Interface = "lo", Port = port, SyncId = 9 });
        var daemon = Assert.Single(d.ListSyncDaemons());
        Assert.Equal((_h.Engine.Name, SyncDaemonRole.Backup, "lo", 9, port, 65507), (daemon.Director, daemon.Role, daemon.Interface, daemon.SyncId, daemon.Port, daemon.MaxLength));
        // 65507: a backup's maximum is lo's MTU (65536) clamped to 65535, less the IPv4 and UDP headers.
        d.StopSyncDaemon(SyncDaemonRole.Backup);
        Assert.Empty(d.ListSyncDaemons());
        var status = d.GetStatus();
        Assert.Equal((_h.Engine.Name, 4242, "eth9", 1, 2), (status.Name, status.ProcessId, status.Interface, status.ServiceCount, status.RealServerCount));
        Assert.Equal("02:4c:56:00:00:01", status.MacAddress);
        Assert.Contains(Ip(Vip), status.VirtualAddresses);
        d.DeleteRealServer(svc, Real(Rs1));
        d.DeleteService(svc);
        d.AddService(Spec(81));
        d.Clear();
        Assert.Empty(d.ListServices());
        var trace = d.StartTrafficTrace(new TrafficTraceSpec { RealAddress = Ip(Rs1) });
        Assert.True(d.ReadTrafficTrace(trace.TraceId, trace.Cursor, 100).Active);
        d.StopTrafficTrace(trace.TraceId);
        Assert.Equal(3, d.SetLogLevel(3).DebugLevel);
        Assert.NotNull(d.GetLog(new LogQuery()));
        d.Shutdown();
        Assert.Equal(1, _shutdowns);

        // Every operation of the interface was called above, and each change was saved once, in order.
        Assert.Equal(new[]
        {
            "AddService", "AddRealServer", "AddRealServer", "EditRealServer", "EditService", "SetTimeouts",
            "AddMarkRule", "DeleteMarkRule", "AddHealthCheck", "SetHealthCheck", "SetServiceHealth", "SuspendRealServer", "ResumeRealServer",
            "RemoveHealthCheck", "AddVrrpInstance", "EditVrrpInstance", "DeleteVrrpInstance", "StartSyncDaemon", "StopSyncDaemon",
            "DeleteRealServer", "DeleteService", "AddService", "Clear", "SetLogLevel",
        }, _saved);
        Assert.All(DirectorOperations.All, op => Assert.Equal(op.ChangesConfiguration, _saved.Contains(op.Name)));
    }

    [Fact]
    public void ATrafficTrace_TravelsWithItsRecords_AddressesAndEnumsAsText()
    {
        var d = Client();
        var svc = Spec(80);
        d.AddService(svc);
        d.AddRealServer(svc, Real(Rs1));
        _h.Resolve(Rs1);
        var trace = d.StartTrafficTrace(new TrafficTraceSpec { VirtualAddress = Ip(Vip), Port = 80, Protocol = LvsProtocol.Tcp });
        _h.Process(_h.Tcp(40000, Frames.Syn));

        var page = d.ReadTrafficTrace(trace.TraceId, trace.Cursor, 100);

        var r = Assert.Single(page.Records);
        Assert.Equal((Ip(LabAddresses.Client), 40000, Ip(Vip), 80, Ip(Rs1)), (r.ClientAddress, r.ClientPort, r.VirtualAddress, r.Port, r.RealAddress));
        Assert.Equal((LvsTrafficAction.Forwarded, "02:4c:56:00:00:03", _h.Engine.Name), (r.Action, r.DestinationMac, r.Director));
        var json = DirectorJson.Serialize(r);
        Assert.Contains("\"Forwarded\"", json);
        Assert.Contains("\"10.250.0.3\"", json);
        d.StopTrafficTrace(trace.TraceId);
        Assert.False(d.ReadTrafficTrace(trace.TraceId, page.NextCursor, 100).Active);
        var e = Assert.Throws<LvsException>(() => d.ReadTrafficTrace(trace.TraceId + 5, 0, 100));
        Assert.Equal((LvsErrorIds.TrafficTraceNotFound, LvsErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
    }

    [Fact]
    public void ARefusalKeepsItsErrorIdKindAndMessage_AndIsNotSaved()
    {
        var d = Client();
        d.AddService(Spec(80));
        var e = Assert.Throws<LvsException>(() => d.AddService(Spec(80)));
        Assert.Equal((LvsErrorIds.ServiceExists, LvsErrorKind.ResourceExists), (e.ErrorId, e.Kind));
        Assert.Contains("10.250.0.101:80", e.Message);
        e = Assert.Throws<LvsException>(() => d.AddRealServer(Spec(80), Real(Rs1, weight: -1)));
        Assert.Equal((LvsErrorIds.InvalidWeight, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        e = Assert.Throws<LvsException>(() => d.DeleteService(Spec(99)));
        Assert.Equal((LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Equal(new[] { "AddService" }, _saved);
    }

    [Theory]
    [InlineData("{\"op\":\"FormatDisk\"}", "Unknown operation 'FormatDisk'")]
    [InlineData("{\"op\":\"AddRealServer\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80}}}", "has no 'realServer'")]
    [InlineData("{\"op\":\"AddService\",\"args\":{\"service\":{\"address\":\"not an address\",\"port\":80}}}", "Malformed request")]
    [InlineData("this is not json", "Malformed request")]
    public void BadRequestsAreProtocolErrors_OnTheRealSocket(string line, string expected)
    {
        var reply = DirectorJson.Deserialize<DirectorReply>(Raw(line))!;
        Assert.False(reply.Ok);
        Assert.Equal(LvsErrorIds.DirectorProtocolError, reply.ErrorId);
        Assert.Contains(expected, reply.Message);
        Assert.Empty(_saved);
        Assert.Empty(_h.Engine.ListServices());
    }

    [Fact]
    public async Task ConcurrentChangesAreEachAnsweredAndSaved()
    {
        var tasks = Enumerable.Range(0, 24).Select(i => Task.Run(() => Client().AddService(Spec((ushort)(1000 + i))))).ToArray();
        await Task.WhenAll(tasks);
        Assert.Equal(24, Client().ListServices().Count);
        Assert.Equal(24, _saved.Count);
    }

    [Fact]
    public void NoDirectorOnTheSocket_IsDirectorNotRunning()
    {
        var e = Assert.Throws<LvsException>(() => DirectorClient.Connect("none" + _name).GetStatus());
        Assert.Equal((LvsErrorIds.DirectorNotRunning, LvsErrorKind.ResourceUnavailable), (e.ErrorId, e.Kind));
        Assert.False(DirectorClient.IsRunning("none" + _name));
        Assert.True(DirectorClient.IsRunning(_name));
    }

    private string Raw(string line)
    {
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint(DirectorPaths.Socket(_name)));
        s.Send(Encoding.UTF8.GetBytes(line + "\n"));
        var buf = new byte[65536];
        int n, total = 0;
        while ((n = s.Receive(buf, total, buf.Length - total, SocketFlags.None)) > 0) total += n;
        return Encoding.UTF8.GetString(buf, 0, total).TrimEnd('\n');
    }
}

/// <summary>lvsd's room: it carries no SSH, no PowerShell and no management library.</summary>
public sealed class EngineDependencyTests
{
    [Fact]
    public void LvsdReferencesOnlyTheIpvsLibraryAndPcap()
    {
        var refs = typeof(DirectorEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.Contains("LvsPS.Ipvs", refs);
        Assert.Contains("SharpPcap", refs);
        Assert.DoesNotContain(refs, r => r.StartsWith("Renci", StringComparison.Ordinal) || r.StartsWith("LvsPS.Management", StringComparison.Ordinal)
                                         || r.StartsWith("System.Management.Automation", StringComparison.Ordinal) || r.Contains("BouncyCastle", StringComparison.Ordinal));
        // The Ipvs library itself depends on nothing but the framework, and Newtonsoft.Json for its [JsonIgnore] alone
        // (PowerShell's ConvertTo-Json honours it; the output types hide their IPAddress properties with it).
        var ipvs = typeof(LvsPS.Ipvs.Director.IDirector).Assembly.GetReferencedAssemblies().Select(a => a.Name!);
        Assert.All(ipvs, r => Assert.True(r.StartsWith("System", StringComparison.Ordinal) || r == "netstandard" || r == "Newtonsoft.Json", r));
    }

    [Fact]
    public void LvsdsDependencyFileHasNoSshPackage()
    {
        var deps = Path.Combine(AppContext.BaseDirectory, "lvsd.deps.json");
        if (!File.Exists(deps))
            deps = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "lvsd", "lvsd.deps.json"));
        var text = File.ReadAllText(deps);
        Assert.Contains("SharpPcap", text);
        Assert.DoesNotContain("SSH.NET", text);
        Assert.DoesNotContain("LvsPS.Management", text);
    }
}
