using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using LvsPS.Engine.Health;
using LvsPS.Ipvs.Director;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;
using LvsPS.Management.Text;
using static LvsPS.Engine.Tests.EngineHarness;

namespace LvsPS.Engine.Tests;

/// <summary>
/// lvsd's health checker with real probes: the "real servers" the checks reach are listeners on loopback that these
/// tests start and stop (connect_ip 127.0.0.1), while the engine's table and scheduling are driven with real frames.
/// keepalived's semantics: removal (or weight 0 with inhibit_on_failure), retry, quorum, sorry server, misc_dynamic.
/// </summary>
[CollectionDefinition(nameof(HealthTests), DisableParallelization = true)]
public sealed class HealthTestsCollection
{
}

/// <remarks>Probe timing matters here, so this class runs alone, not beside the other test classes.</remarks>
[Collection(nameof(HealthTests))]
public sealed class HealthTests : IDisposable
{
    private readonly EngineHarness _h = new();
    private readonly List<string> _log = new();
    private readonly HealthMonitor _monitor;
    private readonly List<IDisposable> _servers = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("lvsps-health-").FullName;

    public HealthTests()
    {
        // Probe timeouts are short here: enough pool threads that a blocked test thread never delays a continuation.
        ThreadPool.GetMinThreads(out int w, out int io);
        ThreadPool.SetMinThreads(Math.Max(w, 32), Math.Max(io, 32));
        _h.Engine.Log = (_, _, m) => { lock (_log) _log.Add(m); };
        _monitor = new HealthMonitor(_h.Engine, (_, _, m) => { lock (_log) _log.Add(m); });
        _monitor.Start();
    }

    public void Dispose()
    {
        _monitor.Dispose();
        foreach (var s in _servers) s.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// A TCP server on 127.0.0.1: each connection is served by <see cref="Serve"/>, which by default reads one request
    /// and writes <see cref="Answer"/> (or, with no answer set, just accepts and closes).
    /// </summary>
    private class LoopbackServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        public volatile Func<string, byte[]>? Answer;
        public int Port { get; }

        public LoopbackServer(Func<string, byte[]>? answer = null, int port = 0)
        {
            Answer = answer;
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = Task.Run(Accept);
        }

        private async Task Accept()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient c;
                try { c = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (Exception) { return; }
                _ = Task.Run(async () =>
                {
                    using (c)
                    {
                        try { await Serve(c.GetStream()); }
                        catch (Exception) { }
                    }
                });
            }
        }

        protected virtual async Task Serve(Stream s)
        {
            if (Answer is not { } answer) return;
            var buf = new byte[4096];
            int n = await s.ReadAsync(buf);
            await s.WriteAsync(answer(Encoding.ASCII.GetString(buf, 0, n)));
        }

        public virtual void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }

    private LoopbackServer Server(Func<string, byte[]>? answer = null, int port = 0)
    {
        var s = new LoopbackServer(answer, port);
        _servers.Add(s);
        return s;
    }

    private static byte[] Http(int code, string body) =>
        Encoding.ASCII.GetBytes($"HTTP/1.0 {code} X\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");

    private static HealthCheckSpec Tcp(int port) => new()
    {
        Type = LvsHealthCheckType.Tcp, ConnectAddress = IPAddress.Loopback, ConnectPort = (ushort)port,
        IntervalSec = 0.2, ConnectTimeoutSec = 0.5, Retry = 0, WarmupSec = 0,
    };

    private LvsRealServerHealth Health(uint rs) => _h.Engine.GetHealth().Single(x => x.RealAddress.Equals(Ip(rs)));

    private static void WaitFor(Func<bool> condition, double seconds, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return;
            Thread.Sleep(20);
        }
        Assert.Fail($"not within {seconds} s: {what}");
    }

    private ServiceSpec TwoServers()
    {
        var svc = _h.AddService(80, LvsScheduler.Rr, (Rs1, 1), (Rs2, 1));
        _h.ResolveAll(Rs1, Rs2);
        return svc;
    }

    [Fact]
    public void TcpCheck_AFailedServerLeavesTheTableAndTheScheduling_AndComesBack()
    {
        var svc = TwoServers();
        var rs1 = Server();
        var rs2 = Server();
        _h.Engine.AddHealthCheck(svc, Real(Rs1), Tcp(rs1.Port));
        _h.Engine.AddHealthCheck(svc, Real(Rs2), Tcp(rs2.Port));
        WaitFor(() => Health(Rs1).LastCheck is not null && Health(Rs2).LastCheck is not null, 10, "both checked");
        Assert.True(Health(Rs1).State == LvsRealServerState.Up, $"{Health(Rs1).State}: {Health(Rs1).LastResult} / {Health(Rs1).Reason}");
        Assert.Contains("connected to 127.0.0.1", Health(Rs1).LastResult);

        int port = rs1.Port;
        rs1.Dispose(); // the service on rs1 stops
        var t0 = DateTime.UtcNow;
        WaitFor(() => Health(Rs1).State == LvsRealServerState.Down, 10, "rs1 down");
        Assert.True(DateTime.UtcNow - t0 < TimeSpan.FromSeconds(5), $"detected after {DateTime.UtcNow - t0}");
        var h1 = Health(Rs1);
        Assert.False(h1.InTable);
        Assert.Contains("connection refused", h1.Reason);
        Assert.Equal(LvsRealServerState.Down, h1.History[^1].State);
        // Not in the ipvsadm listing, as keepalived removes it from the kernel's table…
        var text = IpvsadmFormatter.FormatList(_h.Engine.ListServices(), _h.Engine.TableSize);
        Assert.DoesNotContain("10.250.0.3:80", text);
        Assert.Contains("10.250.0.4:80", text);
        // …and every new connection goes to rs2.
        for (ushort p = 40000; p < 40010; p++) Assert.Equal(Rs2, _h.Syn(p));
        Assert.Contains(_log, l => l.Contains("Removing service [10.250.0.3]:tcp:80 of VS [10.250.0.101]:tcp:80"));

        Server(port: port); // back on the same port
        WaitFor(() => Health(Rs1).State == LvsRealServerState.Up, 10, "rs1 up again");
        Assert.True(Health(Rs1).InTable);
        Assert.Contains("10.250.0.3:80", IpvsadmFormatter.FormatList(_h.Engine.ListServices(), _h.Engine.TableSize));
        var seen = Enumerable.Range(0, 10).Select(i => _h.Syn((ushort)(41000 + i))).ToHashSet();
        Assert.Contains((uint?)Rs1, seen);
        // The configuration never changed: a restart restores both with their checks.
        var state = _h.Engine.ExportState();
        Assert.Equal(2, state.Services[0].RealServers.Count);
        Assert.All(state.Services[0].RealServers, r => Assert.Single(r.HealthChecks));
    }

    [Fact]
    public void InhibitOnFailure_KeepsTheServerWithWeightZero()
    {
        var svc = _h.AddService(Spec(80));
        var rs = Real(Rs1, weight: 3);
        rs.InhibitOnFailure = true;
        _h.Engine.AddRealServer(svc, rs);
        _h.Engine.AddRealServer(svc, Real(Rs2));
        _h.ResolveAll(Rs1, Rs2);
        var dead = Server();
        int port = dead.Port;
        dead.Dispose();
        _h.Engine.AddHealthCheck(svc, Real(Rs1), Tcp(port));
        WaitFor(() => Health(Rs1).State == LvsRealServerState.Down, 10, "down");
        var r = _h.RealServer(Rs1);
        Assert.True(r.InTable);
        Assert.Equal((0, 3), (r.Weight, r.ConfiguredWeight));
        Assert.Contains("10.250.0.3:80", IpvsadmFormatter.FormatList(_h.Engine.ListServices(), _h.Engine.TableSize));
        Assert.Contains(_log, l => l.Contains("Disabling service [10.250.0.3]:tcp:80"));
        Assert.Equal(3, _h.Engine.ExportState().Services[0].RealServers.Single(x => x.Address.Equals(Ip(Rs1))).Weight);
    }

    [Fact]
    public void Retry_ALiveServerNeedsRetryPlusOneFailures()
    {
        var svc = TwoServers();
        var flaky = Server();
        int port = flaky.Port;
        var check = Tcp(port);
        check.Retry = 2;
        check.DelayBeforeRetrySec = 0.3;
        _h.Engine.AddHealthCheck(svc, Real(Rs1), check);
        WaitFor(() => Health(Rs1).LastCheck is not null, 10, "checked");
        flaky.Dispose();
        var t0 = DateTime.UtcNow;
        WaitFor(() => Health(Rs1).LastResult?.Contains("retry 1 of 2") == true, 10, "first retry");
        Assert.Equal(LvsRealServerState.Up, Health(Rs1).State);
        WaitFor(() => Health(Rs1).State == LvsRealServerState.Down, 12, "down after 3 tries");
        var took = DateTime.UtcNow - t0;
        // keepalived: delay_loop + connect_timeout x (retry+1) + delay_before_retry x retry at most; here refusals are instant.
        Assert.True(took >= TimeSpan.FromSeconds(0.55), $"took {took}");
        Assert.Contains("after 3 tries", Health(Rs1).Reason);
    }

    [Fact]
    public void HttpGet_StatusCodeAndDigestDecide()
    {
        var svc = TwoServers();
        string body = "我是real server #1";
        var rs1 = Server(_ => Http(200, body));
        var check = new HealthCheckSpec
        {
            Type = LvsHealthCheckType.Http, ConnectAddress = IPAddress.Loopback, ConnectPort = (ushort)rs1.Port, IntervalSec = 0.2,
            ConnectTimeoutSec = 1, Retry = 0, WarmupSec = 0, VirtualHost = "www.example.test",
            Urls = { new HttpUrlSpec { Path = "/test.html", StatusCode = "200", Digest = Convert.ToHexString(MD5.HashData(Encoding.ASCII.GetBytes(body))).ToLowerInvariant() } },
        };
        string? request = null;
        rs1.Answer = req => { request = req; return Http(200, body); };
        _h.Engine.AddHealthCheck(svc, Real(Rs1), check);
        WaitFor(() => Health(Rs1).LastCheck is not null, 10, "checked");
        Assert.Equal(LvsRealServerState.Up, Health(Rs1).State);
        Assert.StartsWith("GET /test.html HTTP/1.0\r\n", request);
        Assert.Contains("\r\nHost: www.example.test\r\n", request);
        Assert.Contains("digest matches", Health(Rs1).LastResult);

        rs1.Answer = _ => Http(503, "busy");
        WaitFor(() => Health(Rs1).State == LvsRealServerState.Down, 10, "down on 503");
        Assert.Contains("HTTP 503, expected 200", Health(Rs1).Reason);
        rs1.Answer = _ => Http(200, "another page");
        WaitFor(() => Health(Rs1).LastResult?.Contains("digest") == true, 10, "a wrong digest seen");
        Assert.Equal(LvsRealServerState.Down, Health(Rs1).State);
        rs1.Answer = _ => Http(200, body);
        WaitFor(() => Health(Rs1).State == LvsRealServerState.Up, 10, "up again");
    }

    /// <summary>An HTTPS server on 127.0.0.1 with a self-signed certificate; it notes the SNI name it was sent.</summary>
    private sealed class TlsServer : LoopbackServer
    {
        private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _cert;
        public string? LastSni;

        public TlsServer(Func<string, byte[]> answer) : base(answer)
        {
            using var rsa = RSA.Create(2048);
            var req = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=rs1.lab", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var made = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            _cert = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(made.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
        }

        protected override async Task Serve(Stream s)
        {
            using var ssl = new System.Net.Security.SslStream(s);
            await ssl.AuthenticateAsServerAsync(new System.Net.Security.SslServerAuthenticationOptions
            {
                ServerCertificateSelectionCallback = (_, name) => { LastSni = name; return _cert; },
            });
            await base.Serve(ssl);
        }

        public override void Dispose()
        {
            base.Dispose();
            _cert.Dispose();
        }
    }

    [Fact]
    public void SslGet_ChecksOverTls_WithSni()
    {
        var svc = TwoServers();
        var tls = new TlsServer(_ => Http(200, "secure page"));
        _servers.Add(tls);
        var check = new HealthCheckSpec
        {
            Type = LvsHealthCheckType.Ssl, ConnectAddress = IPAddress.Loopback, ConnectPort = (ushort)tls.Port, IntervalSec = 0.2,
            ConnectTimeoutSec = 2, Retry = 0, WarmupSec = 0, EnableSni = true, VirtualHost = "www.example.test",
            Urls = { new HttpUrlSpec { Path = "/", StatusCode = "200-299" } },
        };
        _h.Engine.AddHealthCheck(svc, Real(Rs1), check);
        WaitFor(() => Health(Rs1).LastCheck is not null, 10, "checked");
        Assert.True(Health(Rs1).State == LvsRealServerState.Up, Health(Rs1).LastResult);
        Assert.Contains("https /: HTTP 200", Health(Rs1).LastResult);
        Assert.Equal("www.example.test", tls.LastSni);
        tls.Answer = _ => Http(500, "oops");
        WaitFor(() => Health(Rs1).State == LvsRealServerState.Down, 10, "down on 500");
        Assert.Contains("HTTP 500, expected 200-299", Health(Rs1).Reason);
    }

    [Fact]
    public void MiscCheck_ExitStatusDecides_AndMiscDynamicSetsTheWeight()
    {
        var svc = TwoServers();
        var flag = Path.Combine(_dir, "status");
        File.WriteAllText(flag, "0");
        var check = new HealthCheckSpec
        {
            Type = LvsHealthCheckType.Misc, MiscPath = $"exit $(cat '{flag}')", IntervalSec = 0.2, WarmupSec = 0, MiscDynamic = true, MiscTimeoutSec = 2,
        };
        _h.Engine.AddHealthCheck(svc, Real(Rs1), check);
        WaitFor(() => Health(Rs1).LastCheck is not null, 10, "checked");
        Assert.Equal(LvsRealServerState.Up, Health(Rs1).State);
        File.WriteAllText(flag, "12");
        WaitFor(() => _h.RealServer(Rs1).Weight == 10, 10, "weight 12 - 2");
        Assert.Equal(1, _h.RealServer(Rs1).ConfiguredWeight);
        File.WriteAllText(flag, "1");
        WaitFor(() => Health(Rs1).State == LvsRealServerState.Down, 10, "exit 1 = down");
        Assert.Contains("exited 1", Health(Rs1).Reason);
    }

    [Fact]
    public void MiscCheck_ACommandThatHangsIsKilledAtItsTimeout()
    {
        var svc = TwoServers();
        var check = new HealthCheckSpec { Type = LvsHealthCheckType.Misc, MiscPath = "sleep 30", IntervalSec = 0.2, WarmupSec = 0, MiscTimeoutSec = 0.4 };
        _h.Engine.AddHealthCheck(svc, Real(Rs1), check);
        WaitFor(() => Health(Rs1).State == LvsRealServerState.Down, 12, "down on timeout");
        Assert.Contains("did not finish within 0.4 s", Health(Rs1).Reason);
    }

    [Fact]
    public void QuorumLost_TheSorryServerIsPutIn_AndTheQuorumCommandsRun()
    {
        var svc = Spec(80);
        var down = Path.Combine(_dir, "down");
        var up = Path.Combine(_dir, "up");
        svc.Health = new ServiceHealthSpec { Quorum = 2, Hysteresis = 0, SorryServer = Ip(Rs3), QuorumDown = $"touch '{down}'", QuorumUp = $"touch '{up}'" };
        _h.AddService(svc, (Rs1, 1), (Rs2, 1));
        _h.ResolveAll(Rs1, Rs2, Rs3);
        var rs1 = Server();
        var rs2 = Server();
        _h.Engine.AddHealthCheck(svc, Real(Rs1), Tcp(rs1.Port));
        _h.Engine.AddHealthCheck(svc, Real(Rs2), Tcp(rs2.Port));
        WaitFor(() => Health(Rs1).LastCheck is not null && Health(Rs2).LastCheck is not null, 10, "checked");
        Assert.True(_h.Service().QuorumUp);
        Assert.DoesNotContain(_h.Service().RealServers, r => r.IsSorryServer);

        int p1 = rs1.Port;
        rs1.Dispose(); // live weight 1 < quorum 2
        WaitFor(() => !_h.Service().QuorumUp, 10, "quorum lost");
        WaitFor(() => File.Exists(down), 10, "quorum_down ran");
        var sorry = Assert.Single(_h.Service().RealServers, r => r.IsSorryServer);
        Assert.Equal(Ip(Rs3), sorry.RealAddress);
        _h.Resolve(Rs3); // the sorry server answers the director's ARP request
        // Every real server is replaced by the sorry server: new connections go there.
        for (ushort p = 42000; p < 42006; p++) Assert.Equal(Rs3, _h.Syn(p));
        Assert.Contains(_log, l => l.Contains("Lost quorum 2-0=2 > 1"));
        // The sorry server is not configuration.
        Assert.Equal(new[] { Ip(Rs2), Ip(Rs1) }, _h.Engine.ExportState().Services[0].RealServers.Select(r => r.Address));

        Server(port: p1);
        WaitFor(() => _h.Service().QuorumUp, 10, "quorum gained");
        WaitFor(() => File.Exists(up), 10, "quorum_up ran");
        Assert.DoesNotContain(_h.Service().RealServers, r => r.IsSorryServer);
        var seen = Enumerable.Range(0, 6).Select(i => _h.Syn((ushort)(43000 + i))).ToHashSet();
        Assert.Equal(new uint?[] { Rs1, Rs2 }.ToHashSet(), seen);
    }

    [Fact]
    public void AllDown_WithTheDefaultQuorum_TheSorryServerAnswers()
    {
        var svc = Spec(80);
        svc.Health = new ServiceHealthSpec { SorryServer = Ip(Rs3) };
        _h.AddService(svc, (Rs1, 1));
        _h.ResolveAll(Rs1, Rs3);
        var dead = Server();
        int port = dead.Port;
        dead.Dispose();
        _h.Engine.AddHealthCheck(svc, Real(Rs1), Tcp(port));
        WaitFor(() => _h.Service().RealServers.Any(r => r.IsSorryServer), 10, "sorry server in");
        _h.Resolve(Rs3);
        Assert.Equal(Rs3, _h.Syn(44000));
    }

    [Fact]
    public void Alpha_AServerStartsDownUntilItsFirstCheckPasses()
    {
        var svc = TwoServers();
        var rs1 = Server();
        var check = Tcp(rs1.Port);
        check.Alpha = true;
        check.WarmupSec = 0.5;
        _h.Engine.AddHealthCheck(svc, Real(Rs1), check);
        WaitFor(() => Health(Rs1).State == LvsRealServerState.Down, 10, "alpha: down at first");
        Assert.Contains("alpha", Health(Rs1).Reason);
        WaitFor(() => Health(Rs1).State == LvsRealServerState.Up, 10, "up after the first check");
    }

    [Fact]
    public void Suspend_DrainsWhileConnectionsGoOn_ResumeRestoresTheWeight()
    {
        var svc = _h.AddService(80, LvsScheduler.Rr, (Rs1, 4), (Rs2, 1));
        _h.ResolveAll(Rs1, Rs2);
        ushort cp = 45000;
        while (_h.Syn(cp) != Rs1) cp++;
        _h.Forward(_h.Tcp(cp, Frames.Ack)); // ESTABLISHED to rs1
        _h.Engine.SuspendRealServer(svc, Real(Rs1));
        var r = _h.RealServer(Rs1);
        Assert.Equal((0, 4, LvsRealServerState.Draining, true), (r.Weight, r.ConfiguredWeight, r.State, r.Suspended));
        // The long-lived connection continues through rs1; new ones avoid it.
        Assert.Equal(Rs1, RealServerOf(_h.Forward(_h.Tcp(cp, Frames.Ack, 100))));
        for (ushort p = 46000; p < 46006; p++) Assert.Equal(Rs2, _h.Syn(p));
        _h.Forward(_h.Tcp(cp, Frames.Rst));
        Assert.Equal(LvsRealServerState.Quiesced, _h.RealServer(Rs1).State);
        Assert.True(_h.Engine.ExportState().Services[0].RealServers.Single(x => x.Address.Equals(Ip(Rs1))).Suspended);
        _h.Engine.ResumeRealServer(svc, Real(Rs1));
        Assert.Equal((4, LvsRealServerState.Up), (_h.RealServer(Rs1).Weight, _h.RealServer(Rs1).State));
        var states = Health(Rs1).History.Select(e => e.State).ToList();
        Assert.Contains(LvsRealServerState.Draining, states);
        Assert.Equal(LvsRealServerState.Up, states[^1]);
    }

    [Theory]
    [InlineData("interval", LvsErrorIds.InvalidHealthCheck, "interval (delay_loop) 0")]
    [InlineData("path", LvsErrorIds.InvalidHealthCheck, "'test.html'")]
    [InlineData("status", LvsErrorIds.InvalidHealthCheck, "'700'")]
    [InlineData("digest", LvsErrorIds.InvalidHealthCheck, "'abc'")]
    [InlineData("type", LvsErrorIds.InvalidHealthCheck, "value 9")]
    [InlineData("misc", LvsErrorIds.InvalidHealthCheck, "misc_path")]
    [InlineData("missing", LvsErrorIds.RealServerNotFound, "10.250.0.5:80")]
    [InlineData("twice", LvsErrorIds.HealthCheckExists, "already has a TCP_CHECK")]
    public void BadInput_IsRefusedWithAStableErrorId_AndNothingChanges(string what, string errorId, string message)
    {
        var svc = TwoServers();
        _h.Engine.AddHealthCheck(svc, Real(Rs2), Tcp(1));
        var before = DirectorJson.Serialize(_h.Engine.ExportState());
        var check = new HealthCheckSpec { Type = LvsHealthCheckType.Http, Urls = { new HttpUrlSpec { Path = "/x" } } };
        uint rs = Rs1;
        switch (what)
        {
            case "interval": check.IntervalSec = 0; break;
            case "path": check.Urls[0].Path = "test.html"; break;
            case "status": check.Urls[0].StatusCode = "700"; break;
            case "digest": check.Urls[0].Digest = "abc"; break;
            case "type": check.Type = (LvsHealthCheckType)9; break;
            case "misc": check = new HealthCheckSpec { Type = LvsHealthCheckType.Misc }; break;
            case "missing": rs = Rs3; break;
            case "twice": check = Tcp(2); rs = Rs2; break;
        }
        var e = Assert.Throws<LvsException>(() => _h.Engine.AddHealthCheck(svc, Real(rs), check));
        Assert.Equal(errorId, e.ErrorId);
        Assert.Contains(message, e.Message);
        Assert.Equal(before, DirectorJson.Serialize(_h.Engine.ExportState()));
    }

    [Fact]
    public void ChecksTravelInTheSpec_AndSurviveARestart()
    {
        var svc = Spec(80);
        svc.Health = new ServiceHealthSpec { DelayLoopSec = 3, Quorum = 1, SorryServer = Ip(Rs3) };
        var rs = Real(Rs1);
        rs.HealthChecks.Add(new HealthCheckSpec { Type = LvsHealthCheckType.Http, Urls = { new HttpUrlSpec { Path = "/test.html", StatusCode = "200-299" } }, WarmupSec = 60 });
        rs.InhibitOnFailure = true;
        svc.RealServers.Add(rs);
        _h.Engine.AddService(svc);
        var json = DirectorJson.Serialize(_h.Engine.ExportState());
        var restored = new EngineHarness();
        foreach (var s in DirectorJson.Deserialize<LvsPS.Ipvs.Director.DirectorState>(json)!.Services) restored.Engine.AddService(s);
        Assert.Equal(json, DirectorJson.Serialize(restored.Engine.ExportState()));
        var back = restored.Engine.ListServices()[0];
        Assert.Equal(3, back.Health!.DelayLoopSec);
        Assert.Equal("/test.html", back.RealServers[0].HealthChecks[0].Urls[0].Path);
        Assert.True(back.RealServers[0].InhibitOnFailure);
    }

    [Fact]
    public void MonitorStateMachine_FollowsKeepalivedsTiming()
    {
        // The decision rule alone, with a clock of our own: down after retry + 1 failures, retries after
        // delay_before_retry, checks every delay_loop, up on the first success.
        var now = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var table = new RecordingTable();
        var m = new HealthMonitor(table, (_, _, _) => { }, () => now);
        var check = new HealthCheckSpec { Type = LvsHealthCheckType.Tcp, IntervalSec = 6, Retry = 2, DelayBeforeRetrySec = 1, WarmupSec = 0 };
        var key = new CheckerKey(1, IPAddress.Parse("10.0.0.3"), 80, LvsHealthCheckType.Tcp);
        m.Refresh(new List<HealthTarget> { new() { Key = key, Check = check, RealPort = 80, Name = "rs" } });
        var c = Assert.Single(m.Checkers);
        m.Completed(c, ProbeResult.Fail("refused"));
        Assert.Equal((true, now.AddSeconds(1)), (c.Up, c.Due));
        m.Completed(c, ProbeResult.Fail("refused"));
        Assert.Equal((true, now.AddSeconds(1)), (c.Up, c.Due));
        m.Completed(c, ProbeResult.Fail("refused"));
        Assert.Equal((false, now.AddSeconds(6)), (c.Up, c.Due));
        Assert.Equal(new[] { (true, false), (true, false), (false, true) }, table.Reports.Select(r => (r.Up, r.Changed)));
        m.Completed(c, ProbeResult.Fail("refused"));
        Assert.Equal((false, false), (table.Reports[^1].Up, table.Reports[^1].Changed));
        m.Completed(c, ProbeResult.Pass("ok"));
        Assert.Equal((true, true), (table.Reports[^1].Up, table.Reports[^1].Changed));
        Assert.Equal(0, c.Failures);
        Assert.Equal(now.AddSeconds(6), c.Due);
        // The same checker with new parameters (Set-LvsHealthCheck, or removed and added again) runs at once.
        var changed = new HealthCheckSpec { Type = LvsHealthCheckType.Tcp, IntervalSec = 30, Retry = 0, WarmupSec = 0 };
        m.Refresh(new List<HealthTarget> { new() { Key = key, Check = changed, RealPort = 80, Name = "rs" } });
        Assert.Same(c, Assert.Single(m.Checkers));
        Assert.Equal((now, true, changed), (c.Due, c.Up, c.Target.Check));
        // Unchanged, it keeps its time.
        c.Due = now.AddSeconds(30);
        m.Refresh(new List<HealthTarget> { new() { Key = key, Check = changed, RealPort = 80, Name = "rs" } });
        Assert.Equal(now.AddSeconds(30), c.Due);
    }

    private sealed class RecordingTable : IHealthTable
    {
        public readonly List<(bool Up, bool Changed, string Result)> Reports = new();
        public long HealthVersion => 0;
        public List<HealthTarget> HealthTargets() => new();
        public IReadOnlyList<string> ReportCheck(CheckerKey key, bool up, bool changed, int? dynamicWeight, string result)
        {
            Reports.Add((up, changed, result));
            return Array.Empty<string>();
        }
    }
}
