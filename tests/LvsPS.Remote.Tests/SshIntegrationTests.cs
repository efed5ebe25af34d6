using System.Net;
using LvsPS.Ipvs.Model;
using LvsPS.Management.Remote;

namespace LvsPS.Remote.Tests;

/// <summary>Against a real OpenSSH sshd inside a network namespace created by <see cref="SshdNamespaceFixture"/>.</summary>
public sealed class SshIntegrationTests : IClassFixture<SshdNamespaceFixture>
{
    private static readonly IPAddress Vip = IPAddress.Parse("10.250.9.101");
    private readonly SshdNamespaceFixture _f;

    public SshIntegrationTests(SshdNamespaceFixture fixture) => _f = fixture;

    private string Sysctl(string key) => Proc.InNetns(_f.Namespace, "sysctl", "-n", key).Check("sysctl " + key).Output.Trim();

    private static void AssertId(string expected, LvsException e)
        => Assert.True(expected == e.ErrorId, $"expected {expected}, got {e.ErrorId}: {e.Message}");

    /// <summary>Opening a session to <paramref name="target"/> fails with that ErrorId; the exception, for more asserts.</summary>
    private static LvsException AssertOpenFails(SshTarget target, string errorId)
    {
        var e = Assert.Throws<LvsException>(() => SshSession.Open(target));
        AssertId(errorId, e);
        return e;
    }

    private string HostFingerprint => KnownHostsFile.Sha256Fingerprint(Keys.Parse(_f.HostPublicLine).Blob);

    [Fact]
    public void SetHiddenOnLoopback_HidesTheVip_IsIdempotent_AndDirectRoutingWorks()
    {
        using var s = SshSession.Open(_f.Target(_f.TrustingKnownHosts()));
        Assert.Equal(HostKeyStatus.Trusted, s.HostKeyStatus);
        Assert.Equal("root", s.Run("id -un").Output.Trim());

        var before = RealServerPreparer.GetHidden(s, Vip, "lo");
        Assert.False(before.VipPresent);
        Assert.False(before.IsHidden);
        Assert.Equal(0, before.VipPrefixLength);

        var first = RealServerPreparer.SetHidden(s, Vip, "lo", SshdNamespaceFixture.ServerInterface);
        Assert.True(first.Changed);
        Assert.True(first.IsHidden);
        Assert.True(first.VipPresent);
        Assert.Equal(32, first.VipPrefixLength);
        Assert.Equal(1, first.ArpIgnoreAll);
        Assert.Equal(1, first.ArpIgnoreInterface);
        Assert.Equal(2, first.ArpAnnounceAll);
        Assert.Equal(2, first.ArpAnnounceInterface);
        Assert.Equal("127.0.0.1", first.ComputerName);
        Assert.Equal(Vip, first.VirtualAddress);
        Assert.Equal("lo", first.Interface);
        Assert.Equal(RealServerPreparer.BuildSetHiddenCommands(Vip, "lo", SshdNamespaceFixture.ServerInterface), first.Commands);
        bool hiddenSysctl = File.Exists("/proc/sys/net/ipv4/conf/all/hidden");
        Assert.Equal(hiddenSysctl, first.HiddenSupported);

        // Independent checks, not through SSH.
        var addr = Proc.InNetns(_f.Namespace, "ip", "-o", "-4", "addr", "show", "dev", "lo").Check("ip addr").Output;
        Assert.Contains("inet 10.250.9.101/32 scope host", addr);
        Assert.Equal("1", Sysctl("net.ipv4.conf.all.arp_ignore"));
        Assert.Equal("1", Sysctl("net.ipv4.conf.lo.arp_ignore"));
        Assert.Equal("2", Sysctl("net.ipv4.conf.all.arp_announce"));
        Assert.Equal("2", Sysctl("net.ipv4.conf.lo.arp_announce"));
        Assert.Equal("1", Sysctl("net.ipv4.conf.rs0.arp_ignore"));
        Assert.Equal("2", Sysctl("net.ipv4.conf.rs0.arp_announce"));
        // The host's own settings are untouched (the commands ran inside the namespace).
        var hostAddr = Proc.Run("ip", "-o", "-4", "addr", "show").Output;
        Assert.DoesNotContain("10.250.9.101", hostAddr);

        var read = RealServerPreparer.GetHidden(s, Vip, "lo");
        Assert.True(read.IsHidden);
        Assert.Equal(32, read.VipPrefixLength);
        Assert.False(read.Changed);

        var second = RealServerPreparer.SetHidden(s, Vip, "lo", SshdNamespaceFixture.ServerInterface);
        Assert.False(second.Changed);
        Assert.True(second.IsHidden);

        // DR path: the client routes the VIP to the real server's MAC (what the director does); the real server
        // accepts the connection to the VIP and answers from it.
        Proc.InNetns(_f.ClientNamespace, "ip", "route", "replace", "10.250.9.101/32", "via", SshdNamespaceFixture.ServerAddress,
            "dev", SshdNamespaceFixture.ClientInterface).Check("route via rs");
        var viaVip = new SshTarget
        {
            HostName = "10.250.9.101",
            KeyFile = _f.ClientKey,
            KnownHostsFile = _f.NewKnownHostsPath(),
            AcceptNewHostKey = true,
            NetworkNamespace = _f.ClientNamespace,
            Timeout = TimeSpan.FromSeconds(10),
        };
        using (var dr = SshSession.Open(viaVip))
        {
            var conn = dr.Run("echo \"$SSH_CONNECTION\"").Output.Trim().Split(' ');
            Assert.Equal(SshdNamespaceFixture.ClientAddress, conn[0]);
            Assert.Equal("10.250.9.101", conn[2]);
            Assert.Equal("22", conn[3]);
        }

        // ARP: asked directly for the VIP on the wire, the real server stays silent.
        Proc.InNetns(_f.ClientNamespace, "ip", "route", "replace", "10.250.9.101/32", "dev", SshdNamespaceFixture.ClientInterface).Check("on-link route");
        Proc.InNetns(_f.ClientNamespace, "ip", "neigh", "flush", "dev", SshdNamespaceFixture.ClientInterface);
        var e = Assert.Throws<LvsException>(() => NetnsConnector.Connect(_f.ClientNamespace, "10.250.9.101", 22, TimeSpan.FromSeconds(2)).Dispose());
        AssertId(LvsErrorIds.SshConnectFailed, e);
        var neigh = Proc.InNetns(_f.ClientNamespace, "ip", "neigh", "show", "10.250.9.101").Output;
        Assert.DoesNotContain("lladdr", neigh);
        // while the real address is answered as usual
        NetnsConnector.Connect(_f.ClientNamespace, SshdNamespaceFixture.ServerAddress, 22, TimeSpan.FromSeconds(5)).Dispose();
        var rip = Proc.InNetns(_f.ClientNamespace, "ip", "neigh", "show", SshdNamespaceFixture.ServerAddress).Output;
        Assert.Contains("lladdr", rip);

        // Control: with arp_ignore back at 0 the same ARP request is answered, and GetHidden says so.
        Proc.InNetns(_f.Namespace, "sysctl", "-w", "net.ipv4.conf.all.arp_ignore=0").Check("sysctl");
        Proc.InNetns(_f.Namespace, "sysctl", "-w", "net.ipv4.conf.rs0.arp_ignore=0").Check("sysctl");
        Proc.InNetns(_f.ClientNamespace, "ip", "neigh", "flush", "dev", SshdNamespaceFixture.ClientInterface);
        NetnsConnector.Connect(_f.ClientNamespace, "10.250.9.101", 22, TimeSpan.FromSeconds(5)).Dispose();
        Assert.Contains("lladdr", Proc.InNetns(_f.ClientNamespace, "ip", "neigh", "show", "10.250.9.101").Output);
        Assert.False(RealServerPreparer.GetHidden(s, Vip, "lo", SshdNamespaceFixture.ServerInterface).IsHidden);
        // arp_ignore on lo alone does not hide anything: GetHidden without a net interface looks at 'all'.
        Assert.False(RealServerPreparer.GetHidden(s, Vip, "lo").IsHidden);

        // SetHidden repairs it and reports the change.
        var repaired = RealServerPreparer.SetHidden(s, Vip, "lo", SshdNamespaceFixture.ServerInterface);
        Assert.True(repaired.Changed);
        Assert.True(repaired.IsHidden);
        Proc.InNetns(_f.ClientNamespace, "ip", "route", "del", "10.250.9.101/32");
    }

    [Fact]
    public void SetHidden_ReplacesAVipWithTheWrongPrefix()
    {
        var vip = IPAddress.Parse("10.251.7.103");
        Proc.InNetns(_f.Namespace, "ip", "addr", "add", "10.251.7.103/24", "dev", "lo").Check("wrong prefix");
        try
        {
            using var s = SshSession.Open(_f.Target(_f.TrustingKnownHosts()));
            var before = RealServerPreparer.GetHidden(s, vip, "lo");
            Assert.True(before.VipPresent);
            Assert.Equal(24, before.VipPrefixLength);
            var r = RealServerPreparer.SetHidden(s, vip, "lo");
            Assert.True(r.Changed);
            Assert.Equal(32, r.VipPrefixLength);
            Assert.Contains("ip addr del '10.251.7.103/24' dev 'lo'", r.Commands);
            var addr = Proc.InNetns(_f.Namespace, "ip", "-o", "-4", "addr", "show", "dev", "lo").Output;
            Assert.Contains("10.251.7.103/32", addr);
            Assert.DoesNotContain("10.251.7.103/24", addr);
        }
        finally
        {
            Proc.InNetns(_f.Namespace, "ip", "addr", "del", "10.251.7.103/32", "dev", "lo");
            Proc.InNetns(_f.Namespace, "ip", "addr", "del", "10.251.7.103/24", "dev", "lo");
        }
    }

    [Fact]
    public void SetHiddenOnDummy_WorksOrSaysTheKernelLacksDummy()
    {
        // Find out independently whether this kernel can create dummy links.
        var probe = Proc.InNetns(_f.Namespace, "ip", "link", "add", "lvsprobe0", "type", "dummy");
        bool dummySupported = probe.ExitCode == 0;
        if (dummySupported) Proc.InNetns(_f.Namespace, "ip", "link", "del", "lvsprobe0").Check("probe cleanup");

        var vip = IPAddress.Parse("10.250.9.102");
        using var s = SshSession.Open(_f.Target(_f.TrustingKnownHosts()));
        if (dummySupported)
        {
            var r = RealServerPreparer.SetHidden(s, vip, "dummy0", SshdNamespaceFixture.ServerInterface);
            Assert.True(r.Changed);
            Assert.True(r.IsHidden);
            Assert.Contains("inet 10.250.9.102/32", Proc.InNetns(_f.Namespace, "ip", "-o", "-4", "addr", "show", "dev", "dummy0").Check("ip addr").Output);
            Assert.Equal("1", Sysctl("net.ipv4.conf.dummy0.arp_ignore"));
            Assert.False(RealServerPreparer.SetHidden(s, vip, "dummy0", SshdNamespaceFixture.ServerInterface).Changed);
        }
        else
        {
            var e = Assert.Throws<LvsException>(() => RealServerPreparer.SetHidden(s, vip, "dummy0", SshdNamespaceFixture.ServerInterface));
            AssertId(LvsErrorIds.InterfaceNotAvailable, e);
            Assert.Equal(LvsErrorKind.ResourceUnavailable, e.Kind);
            Assert.Contains("dummy0", e.Message);
            Assert.Contains("dummy", e.Message);
            Assert.Contains("Unknown device type", e.Message); // the kernel's own words (stderr of ip)
        }
    }

    [Fact]
    public void FailingCommandReportsCommandAndStderr()
    {
        using var s = SshSession.Open(_f.Target(_f.TrustingKnownHosts()));
        // an interface that does not exist: its sysctl files are missing
        var vip = IPAddress.Parse("10.250.9.109");
        var e = Assert.Throws<LvsException>(() => RealServerPreparer.SetHidden(s, vip, "lo", "nosuch0"));
        AssertId(LvsErrorIds.RemoteCommandFailed, e);
        Assert.Contains("net.ipv4.conf.nosuch0.arp_ignore", e.Message);
        Assert.Contains("No such file", e.Message);
        Assert.Equal("[ \"$(cat '/proc/sys/net/ipv4/conf/nosuch0/arp_ignore')\" -ge 1 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.nosuch0.arp_ignore=1'", e.Target);
        // The steps run as one script that stops at the failing one: the VIP (the last step) was not added.
        Assert.DoesNotContain("10.250.9.109", Proc.InNetns(_f.Namespace, "ip", "-o", "-4", "addr", "show", "dev", "lo").Check("ip addr").Output);

        var r = s.Run("echo out; echo err >&2; exit 3");
        Assert.Equal(3, r.ExitStatus);
        Assert.Equal("out\n", r.Output);
        Assert.Equal("err\n", r.Error);
        var e2 = Assert.Throws<LvsException>(() => s.RunChecked("echo boom >&2; false"));
        AssertId(LvsErrorIds.RemoteCommandFailed, e2);
        Assert.Contains("boom", e2.Message);
    }

    [Fact]
    public void UnknownHostKeyIsRefused()
    {
        var path = _f.NewKnownHostsPath();
        var e = AssertOpenFails(_f.Target(path), LvsErrorIds.HostKeyUnknown);
        Assert.Equal(LvsErrorKind.SecurityError, e.Kind);
        Assert.Contains("127.0.0.1", e.Message);
        Assert.Contains("ssh-ed25519", e.Message);
        Assert.Contains(HostFingerprint, e.Message);
        Assert.Contains("-AcceptNewHostKey", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ChangedHostKeyIsRefused_EvenWithAcceptNewHostKey()
    {
        var path = _f.NewKnownHostsPath();
        File.WriteAllText(path, "127.0.0.1 " + _f.OtherPublicLine + "\n");
        var before = File.ReadAllText(path);
        foreach (var acceptNew in new[] { false, true })
        {
            var e = AssertOpenFails(_f.Target(path, acceptNew), LvsErrorIds.HostKeyMismatch);
            Assert.Equal(LvsErrorKind.SecurityError, e.Kind);
            Assert.Contains(HostFingerprint, e.Message);
            Assert.Contains(KnownHostsFile.Sha256Fingerprint(Keys.Parse(_f.OtherPublicLine).Blob), e.Message);
        }
        Assert.Equal(before, File.ReadAllText(path));
    }

    [Fact]
    public void RevokedHostKeyIsRefused()
    {
        var path = _f.NewKnownHostsPath();
        File.WriteAllText(path, "127.0.0.1 " + _f.HostPublicLine + "\n@revoked * " + _f.HostPublicLine + "\n");
        var e = AssertOpenFails(_f.Target(path, acceptNew: true), LvsErrorIds.HostKeyMismatch);
        Assert.Contains("revoked", e.Message);
    }

    [Fact]
    public void AcceptNewHostKeyAddsTheEntry_ThenItIsTrusted()
    {
        var path = _f.NewKnownHostsPath();
        using (var s = SshSession.Open(_f.Target(path, acceptNew: true)))
        {
            Assert.True(s.HostKeyAdded);
            Assert.Equal(HostKeyStatus.Unknown, s.HostKeyStatus);
            Assert.Equal(HostFingerprint, s.HostKeyFingerprint);
            Assert.Equal("ssh-ed25519", s.HostKeyType);
            Assert.Equal("ok", s.Run("echo ok").Output.Trim());
        }
        // keyed by the host name (127.0.0.1 port 22), not by the loopback relay's port
        var found = Proc.Run("ssh-keygen", "-F", "127.0.0.1", "-f", path).Check("ssh-keygen -F").Output;
        Assert.Contains(string.Join(' ', _f.HostPublicLine.Split(' ').Take(2)), found);
        Assert.Single(File.ReadAllLines(path));

        using var again = SshSession.Open(_f.Target(path));
        Assert.False(again.HostKeyAdded);
        Assert.Equal(HostKeyStatus.Trusted, again.HostKeyStatus);
        Assert.Single(File.ReadAllLines(path));
    }

    [Fact]
    public void HashedKnownHostsEntryIsTrusted()
    {
        var path = _f.TrustingKnownHosts();
        Proc.Run("ssh-keygen", "-q", "-H", "-f", path).Check("ssh-keygen -H");
        Assert.DoesNotContain("127.0.0.1", File.ReadAllText(path));
        using var s = SshSession.Open(_f.Target(path));
        Assert.Equal(HostKeyStatus.Trusted, s.HostKeyStatus);
    }

    [Fact]
    public void WrongClientKeyIsAnAuthenticationFailure()
    {
        var t = _f.Target(_f.TrustingKnownHosts());
        t.KeyFile = _f.OtherKey;
        var e = AssertOpenFails(t, LvsErrorIds.SshAuthenticationFailed);
        Assert.Equal(LvsErrorKind.SecurityError, e.Kind);
    }

    [Fact]
    public void MissingKeyFileIsReported()
    {
        var t = _f.Target(_f.TrustingKnownHosts());
        t.KeyFile = Path.Combine(_f.Directory, "no-such-key");
        var e = AssertOpenFails(t, LvsErrorIds.SshAuthenticationFailed);
        Assert.Contains("no-such-key", e.Message);
    }

    [Fact]
    public void NothingListeningIsAConnectFailureNamingHostAndPort()
    {
        var t = _f.Target(_f.TrustingKnownHosts());
        t.Port = 2222;
        var e = AssertOpenFails(t, LvsErrorIds.SshConnectFailed);
        Assert.Contains("127.0.0.1:2222", e.Message);
    }

    [Fact]
    public void UnknownNamespaceIsAConnectFailure()
    {
        var t = _f.Target(_f.TrustingKnownHosts());
        t.NetworkNamespace = _f.Namespace + "-missing";
        var e = AssertOpenFails(t, LvsErrorIds.SshConnectFailed);
        Assert.Contains(t.NetworkNamespace, e.Message);
        t.NetworkNamespace = "../etc";
        Assert.Equal(LvsErrorIds.SshConnectFailed, Assert.Throws<LvsException>(() => SshSession.Open(t)).ErrorId);
    }

    [Fact]
    public void SessionsCanRunManyCommandsAndInParallel()
    {
        var path = _f.TrustingKnownHosts();
        var results = Enumerable.Range(0, 4).AsParallel().Select(i =>
        {
            using var s = SshSession.Open(_f.Target(path));
            var sb = new System.Text.StringBuilder();
            for (int k = 0; k < 5; k++) sb.Append(s.Run($"printf %s {ShellQuote.Quote($"{i}:{k};")}").Output);
            // a big output crosses the relay intact
            var big = s.Run("head -c 300000 /dev/zero | tr '\\0' x").Output;
            Assert.Equal(300000, big.Length);
            return sb.ToString();
        }).ToList();
        for (int i = 0; i < 4; i++)
            Assert.Contains(string.Concat(Enumerable.Range(0, 5).Select(k => $"{i}:{k};")), results);
    }
}
