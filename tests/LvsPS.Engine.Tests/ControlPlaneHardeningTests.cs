using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using LvsPS.Management.Lvsd;

namespace LvsPS.Engine.Tests;

/// <summary>
/// The control plane against a hostile client or a fake director, on real Unix sockets: names that are paths, a
/// socket someone else owns or serves, duplicate JSON keys, hostile requests (each answered), idle and slow
/// connections (deadline, limit, a ping that still answers), and a connection that breaks in the middle.
/// </summary>
public sealed class ControlPlaneHardeningTests : ControlServerTestBase
{
    public ControlPlaneHardeningTests() : base("hard") { }

    private IDirector Client() => DirectorClient.Connect(_name, TimeSpan.FromSeconds(10));

    // ------------------------------------------------------------------ names

    [Theory]
    [InlineData("../../tmp/evil")]
    [InlineData("a/b")]
    [InlineData("/etc/passwd")]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("-abc")]
    [InlineData("a b")]
    [InlineData("a.b")]
    [InlineData("évil")]
    [InlineData("abcdefghijabcdefghijabcdefghijabc")] // 33
    public void AnInvalidNameHasNoPath_AndNoDirector(string name)
    {
        foreach (var path in new Func<string, string>[] { DirectorPaths.Socket, DirectorPaths.Pid, DirectorPaths.State, DirectorPaths.Log })
        {
            var e = Assert.Throws<LvsException>(() => path(name));
            Assert.Equal((LvsErrorIds.InvalidDirectorName, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
            Assert.Contains($"'{name}'", e.Message);
        }
        var c = Assert.Throws<LvsException>(() => DirectorClient.Connect(name).GetStatus());
        Assert.Equal(LvsErrorIds.InvalidDirectorName, c.ErrorId);
        Assert.False(DirectorClient.IsRunning(name));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("lvs-1_B")]
    [InlineData("abcdefghijabcdefghijabcdefghijab")] // 32
    public void AValidNameHasItsPaths(string name)
    {
        Assert.Equal(Path.Combine(DirectorPaths.RunDirectory, name + ".sock"), DirectorPaths.Socket(name));
        Assert.Equal(Path.Combine(DirectorPaths.StateDirectory, name + ".log"), DirectorPaths.Log(name));
    }

    // ------------------------------------------------------------------ whose socket

    [Fact]
    public void ASocketOwnedByAnotherUser_IsNotTrusted_AndGetsNoRequest()
    {
        var path = DirectorPaths.Socket(_name);
        Assert.Equal(0, Client().GetStatus().ServiceCount);
        Run("chown", "65534:65534", path);
        try
        {
            var e = Assert.Throws<LvsException>(() => Client().GetStatus());
            Assert.Equal((LvsErrorIds.DirectorSocketNotTrusted, LvsErrorKind.SecurityError), (e.ErrorId, e.Kind));
            Assert.Contains(_name, e.Message);
            Assert.Contains("uid 65534", e.Message);
            Run("chown", "0:0", path);
            Run("chmod", "0666", path);
            e = Assert.Throws<LvsException>(() => Client().GetStatus());
            Assert.Equal(LvsErrorIds.DirectorSocketNotTrusted, e.ErrorId);
            Assert.Contains("writable by others", e.Message);
        }
        finally
        {
            Run("chown", "0:0", path);
            Run("chmod", "0600", path);
        }
        Assert.Equal(0, Client().GetStatus().ServiceCount);
    }

    [Fact]
    public void ADirectorServedByANonRootProcess_IsNotTrusted()
    {
        // A process running as nobody listens on a socket of its own; the file is then moved into the (root's) run
        // folder and given to root, so the file and its folder look right and only the serving process tells.
        var name = "fake" + Guid.NewGuid().ToString("N")[..8];
        var own = Directory.CreateTempSubdirectory("lvsps-nobody-").FullName;
        Run("chown", "65534:65534", own);
        var evil = Path.Combine(own, "evil.sock");
        using var socat = Process.Start(new ProcessStartInfo("setpriv", new[] { "--reuid=65534", "--regid=65534", "--clear-groups",
            "socat", $"UNIX-LISTEN:{evil},fork", "SYSTEM:echo '{\"ok\":true}'" }) { RedirectStandardError = true })!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!File.Exists(evil) && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.True(File.Exists(evil), "socat did not listen");
            var path = DirectorPaths.Socket(name);
            File.Move(evil, path);
            Run("chown", "0:0", path);
            Run("chmod", "0600", path);
            var e = Assert.Throws<LvsException>(() => DirectorClient.Connect(name, TimeSpan.FromSeconds(5)).GetStatus());
            Assert.Equal((LvsErrorIds.DirectorSocketNotTrusted, LvsErrorKind.SecurityError), (e.ErrorId, e.Kind));
            Assert.Contains($"'{name}'", e.Message);
            Assert.Contains($"pid {socat.Id}", e.Message);
            Assert.Contains("uid 65534", e.Message);
            File.Delete(path);
        }
        finally
        {
            socat.Kill();
            socat.WaitForExit();
            Directory.Delete(own, true);
        }
    }

    [Fact]
    public void ASymlinkInPlaceOfTheSocket_IsNotTrusted()
    {
        var name = "link" + Guid.NewGuid().ToString("N")[..8];
        var link = DirectorPaths.Socket(name);
        File.CreateSymbolicLink(link, DirectorPaths.Socket(_name));
        try
        {
            var e = Assert.Throws<LvsException>(() => DirectorClient.Connect(name).GetStatus());
            Assert.Equal(LvsErrorIds.DirectorSocketNotTrusted, e.ErrorId);
        }
        finally { File.Delete(link); }
    }

    // ------------------------------------------------------------------ duplicate keys, hostile requests

    [Theory]
    [InlineData("{\"op\":\"GetStatus\",\"op\":\"Clear\"}")]
    [InlineData("{\"op\":\"Clear\",\"args\":{},\"args\":{}}")]
    [InlineData("{\"op\":\"DeleteService\",\"args\":{\"service\":{\"address\":\"10.250.0.102\",\"address\":\"10.250.0.101\",\"port\":80}}}")]
    [InlineData("{\"op\":\"DeleteRealServer\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80},\"realServer\":{\"address\":\"10.250.0.4\",\"address\":\"10.250.0.3\",\"port\":80}}}")]
    [InlineData("{\"op\":\"EditService\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80,\"realServers\":[{\"address\":\"10.250.0.3\",\"weight\":1,\"weight\":0}]}}}")]
    public void ADuplicateKeyAnywhereIsRefused_AndNothingChanges(string line)
    {
        var svc = Spec(80);
        svc.RealServers.Add(Real(Rs1));
        Client().AddService(svc);
        _saved.Clear();
        var reply = DirectorJson.Deserialize<DirectorReply>(Raw(line))!;
        Assert.False(reply.Ok);
        Assert.Equal(LvsErrorIds.DirectorProtocolError, reply.ErrorId);
        Assert.Contains("Malformed request", reply.Message);
        Assert.Empty(_saved);
        Assert.Equal(Ip(Rs1), Assert.Single(Assert.Single(_h.Engine.ListServices()).RealServers).RealAddress);
    }

    public static IEnumerable<object[]> HostileRequests() => new[]
    {
        "{\"op\":\"AddService\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80,\"realServers\":null}}}",
        "{\"op\":\"EditService\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80,\"realServers\":null}}}",
        "{\"op\":\"AddService\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80,\"realServers\":[null]}}}",
        "{\"op\":\"AddService\",\"args\":{\"service\":{\"address\":null,\"port\":80}}}",
        "{\"op\":\"AddService\",\"args\":{\"service\":{\"port\":99999999999}}}",
        "{\"op\":\"AddService\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80,\"health\":{\"sorryServer\":{\"address\":null}}}}}",
        "{\"op\":\"AddService\",\"args\":{\"service\":null}}",
        "{\"op\":\"AddService\",\"args\":[]}",
        "{\"op\":\"AddService\",\"args\":\"x\"}",
        "{\"op\":\"AddRealServer\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80},\"realServer\":{\"address\":null}}}",
        "{\"op\":\"AddRealServer\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80},\"realServer\":{\"address\":\"10.250.0.3\",\"healthChecks\":null}}}",
        "{\"op\":\"AddRealServer\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80},\"realServer\":{\"address\":\"10.250.0.3\",\"healthChecks\":[null]}}}",
        "{\"op\":\"AddHealthCheck\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80},\"realServer\":{\"address\":\"10.250.0.3\"},\"check\":{\"type\":\"Http\",\"urls\":null}}}",
        "{\"op\":\"SetServiceHealth\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80},\"health\":{\"notifyUp\":null,\"sorryServer\":null}}}",
        "{\"op\":\"SetTimeouts\",\"args\":{\"timeouts\":{\"tcp\":-5}}}",
        "{\"op\":\"AddMarkRule\",\"args\":{\"rule\":{\"mark\":1,\"address\":null}}}",
        "{\"op\":\"Zero\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80,\"realServers\":null}}}",
        "{\"op\":\"ListConnectionPage\",\"args\":{\"query\":{\"pageSize\":1000000000}}}",
        "{\"op\":\"ListConnectionPage\",\"args\":{\"query\":{\"cursor\":\"-5\"}}}",
        "{\"op\":\"RemoveHealthCheck\",\"args\":{\"service\":{\"address\":\"10.250.0.101\",\"port\":80},\"realServer\":{\"address\":\"10.250.0.3\"},\"type\":\"Nonsense\"}}",
        "{\"op\":null}", "{\"op\":123}", "{\"op\":[\"Clear\"]}", "{}", "null", "[]", "\"Clear\"", "42", "{", "{\"op\":\"Clear\"",
        new string('[', 5000) + new string(']', 5000),
        "{\"op\":\"GetStatus\",\"args\":" + new string('[', 100) + new string(']', 100) + "}",
        "{\"op\":\"Get\\u0000Status\"}",
        "\u00ff\u00fe{\"op\":\"GetStatus\"}",
    }.Select(x => new object[] { x });

    [Theory]
    [MemberData(nameof(HostileRequests))]
    public void EveryHostileRequestIsAnswered_AndTheDirectorGoesOn(string line)
    {
        var before = DirectorJson.Serialize(_h.Engine.ExportState());
        var text = Raw(line);
        var reply = DirectorJson.Deserialize<DirectorReply>(text);
        Assert.NotNull(reply);
        if (!reply!.Ok)
        {
            Assert.False(string.IsNullOrEmpty(reply.ErrorId));
            Assert.False(string.IsNullOrEmpty(reply.Message));
        }
        else
        {
            Assert.Equal(before, DirectorJson.Serialize(_h.Engine.ExportState())); // an answer that succeeded changed nothing it refused
        }
        Assert.Equal(_h.Engine.Name, Client().GetStatus().Name); // and it still answers
        Assert.Equal(_h.Engine.ListServices().Count, Client().ListServices().Count);
    }

    [Fact]
    public async Task ARequestLongerThanTheLimit_IsAnsweredAndRefused()
    {
        using var s = Connect(_name);
        s.ReceiveTimeout = 10_000;
        var sending = Task.Run(() =>
        {
            try { s.Send(Encoding.UTF8.GetBytes("{\"op\":\"GetStatus\",\"x\":\"" + new string('a', 1 << 21) + "\"}\n")); }
            catch (SocketException) { } // the director stops reading at its limit
        });
        var reply = DirectorJson.Deserialize<DirectorReply>(ReadAll(s))!;
        await sending;
        Assert.False(reply.Ok);
        Assert.Equal(LvsErrorIds.DirectorProtocolError, reply.ErrorId);
        Assert.Contains("longer than", reply.Message);
    }

    // ------------------------------------------------------------------ idle and slow clients

    [Fact]
    public void TwoHundredIdleConnections_AndAPingStillAnswers()
    {
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 200; i++) idle.Add(Connect(_name));
            // some of them half a request, never finished
            foreach (var s in idle.Take(100)) s.Send("{\"op\":\"GetSta"u8.ToArray());
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (_server.OpenConnections < 200 && DateTime.UtcNow < deadline) Thread.Sleep(10);
            Assert.Equal(200, _server.OpenConnections);
            Assert.Equal(_h.Engine.Name, Client().GetStatus().Name);
            Assert.True(DirectorClient.IsRunning(_name));
        }
        finally
        {
            foreach (var s in idle) s.Dispose();
        }
    }

    [Fact]
    public void BeyondTheConnectionLimit_AClientIsToldBusy_AndSlowSendersAreCutAtTheDeadline()
    {
        _server.Dispose();
        _server = Serve(new ControlServerLimits { MaxConnections = 8, RequestDeadline = TimeSpan.FromSeconds(1) });
        var slow = new List<Socket>();
        try
        {
            for (int i = 0; i < 8; i++) slow.Add(Connect(_name));
            slow[0].Send("{\"op\":"u8.ToArray());
            var wait = DateTime.UtcNow.AddSeconds(10);
            while (_server.OpenConnections < 8 && DateTime.UtcNow < wait) Thread.Sleep(10);
            var e = Assert.Throws<LvsException>(() => Client().GetStatus());
            Assert.Equal((LvsErrorIds.DirectorBusy, LvsErrorKind.ResourceUnavailable), (e.ErrorId, e.Kind));
            Assert.Contains("8 control connections", e.Message);

            // each slow one is answered at its deadline and closed, which frees its place
            foreach (var s in slow)
            {
                s.ReceiveTimeout = 10_000;
                var reply = DirectorJson.Deserialize<DirectorReply>(ReadAll(s))!;
                Assert.Equal(LvsErrorIds.DirectorProtocolError, reply.ErrorId);
                Assert.Contains("No complete request line within 1 s", reply.Message);
            }
            wait = DateTime.UtcNow.AddSeconds(10);
            while (_server.OpenConnections > 0 && DateTime.UtcNow < wait) Thread.Sleep(10);
            Assert.Equal(_h.Engine.Name, Client().GetStatus().Name);
        }
        finally
        {
            foreach (var s in slow) s.Dispose();
        }
    }

    // ------------------------------------------------------------------ a connection that breaks

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AConnectionLostInTheMiddle_NamesTheDirector_WithAStableErrorId(bool reset)
    {
        var name = "lost" + Guid.NewGuid().ToString("N")[..8];
        var path = DirectorPaths.Socket(name);
        using var fake = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        fake.Bind(new UnixDomainSocketEndPoint(path));
        Run("chmod", "0600", path);
        fake.Listen(4);
        var server = Task.Run(() =>
        {
            using var c = fake.Accept();
            c.Poll(5_000_000, SelectMode.SelectRead);
            if (!reset) { var buf = new byte[65536]; c.Receive(buf); } // read the request, then close without an answer
            // closing with the request unread resets the connection (ECONNRESET at the client)
        });
        try
        {
            var e = Assert.Throws<LvsException>(() => DirectorClient.Connect(name, TimeSpan.FromSeconds(5)).ListServices());
            Assert.Equal((LvsErrorIds.DirectorConnectionLost, LvsErrorKind.ConnectionError), (e.ErrorId, e.Kind));
            Assert.Contains($"'{name}'", e.Message);
            Assert.Contains("ListServices", e.Message);
            if (reset) Assert.Contains("reset", e.Message, StringComparison.OrdinalIgnoreCase);
            await server;
        }
        finally { File.Delete(path); }
    }

    // ------------------------------------------------------------------ helpers

    private static Socket Connect(string name)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint(DirectorPaths.Socket(name)));
        return s;
    }

    private string Raw(string line)
    {
        using var s = Connect(_name);
        s.ReceiveTimeout = 10_000;
        s.Send(Encoding.UTF8.GetBytes(line + "\n"));
        return ReadAll(s);
    }

    private static string ReadAll(Socket s)
    {
        var ms = new MemoryStream();
        var buf = new byte[65536];
        int n;
        try { while ((n = s.Receive(buf)) > 0) ms.Write(buf, 0, n); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { }
        return Encoding.UTF8.GetString(ms.ToArray()).TrimEnd('\n');
    }

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }
}
