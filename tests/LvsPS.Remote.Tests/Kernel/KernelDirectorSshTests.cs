using System.Net;
using LvsPS.Ipvs.Model;
using LvsPS.Ipvs.Specs;
using LvsPS.Management.Kernel;
using LvsPS.Management.Remote;

namespace LvsPS.Remote.Tests.Kernel;

/// <summary>
/// KernelDirector against a real OpenSSH sshd (<see cref="SshdWithoutIpvsadmFixture"/>) whose login shells can find
/// no ipvsadm, whatever this host has installed, and without the ip_vs module: the SSH transport, host-key checking,
/// the exact argument vector the remote shell hands to the program, and the "ipvsadm not found" error. Nothing here
/// runs ipvsadm or touches kernel IPVS.
/// </summary>
public sealed class KernelDirectorSshTests : IClassFixture<SshdWithoutIpvsadmFixture>
{
    private readonly SshdWithoutIpvsadmFixture _f;

    public KernelDirectorSshTests(SshdWithoutIpvsadmFixture fixture) => _f = fixture;

    private static void AssertId(string expected, LvsException e)
        => Assert.True(expected == e.ErrorId, $"expected {expected}, got {e.ErrorId}: {e.Message}");

    [Fact]
    public void TheFixture_LeavesTheSshdNoIpvsadm_AndTheHostUntouched()
    {
        // The condition the tests below need is made by the fixture, not assumed of the host.
        Assert.Empty(_f.FoldersWithIpvsadm());
        using (var s = SshSession.Open(_f.Target(_f.TrustingKnownHosts())))
        {
            var r = s.Run("command -v ipvsadm");
            Assert.NotEqual(0, r.ExitStatus);
            // everything else of the hidden folders is still there
            Assert.Equal(0, s.Run("test -x /usr/sbin/sshd && command -v ip && command -v sysctl").ExitStatus);
        }
        // The hiding mounts live in the sshd's mount namespace only.
        Assert.NotEqual(File.ReadAllText("/proc/self/mountinfo"), File.ReadAllText($"/proc/{_f.SshdProcessId}/mountinfo"));
        Assert.DoesNotContain(SshdNamespaceFixture.HidingFileSystem, File.ReadAllText("/proc/self/mountinfo"));
    }

    [Fact]
    public void Connect_WithoutIpvsadmOnTheHost_IsIpvsadmNotFound()
    {
        using var d = new KernelDirector("ktest", _f.Target(_f.TrustingKnownHosts()));
        var e = Assert.Throws<LvsException>(() => d.Connect());
        AssertId(LvsErrorIds.IpvsadmNotFound, e);
        Assert.Equal(LvsErrorKind.ResourceUnavailable, e.Kind);
        Assert.StartsWith("ipvsadm not found on 127.0.0.1", e.Message);
        Assert.Contains("/usr/sbin/ipvsadm, /sbin/ipvsadm", e.Message);
        Assert.Contains("not found", e.Message.Substring(e.Message.IndexOf("the shell said", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("apt-get install ipvsadm", e.Message);
        // The SSH session itself worked: the host key was checked and trusted.
        Assert.True(d.IsConnected);
        Assert.StartsWith("SHA256:", d.HostKeyFingerprint);
    }

    [Fact]
    public void Requests_WithoutIpvsadm_FailWithAStableErrorId()
    {
        using var d = new KernelDirector("ktest", _f.Target(_f.TrustingKnownHosts()));
        var requests = new (string Name, Action Call)[]
        {
            ("ListServices", () => d.ListServices()),
            ("ListConnections", () => d.ListConnections()),
            ("ListConnectionPage", () => d.ListConnectionPage(new LvsPS.Ipvs.Director.ConnectionQuery())),
            ("GetTimeouts", () => d.GetTimeouts()),
            ("Clear", () => d.Clear()),
            ("GetStatus", () => d.GetStatus()),
        };
        foreach (var (name, call) in requests)
        {
            var e = Assert.Throws<LvsException>(call);
            Assert.True(e.ErrorId == LvsErrorIds.IpvsadmNotFound, $"{name}: expected {LvsErrorIds.IpvsadmNotFound}, got {e.ErrorId}: {e.Message}");
            Assert.True(e.Kind == LvsErrorKind.ResourceUnavailable, $"{name}: expected ResourceUnavailable, got {e.Kind}");
        }
        // Validation comes first: a bad weight is reported as such, not as a missing ipvsadm.
        var service = new ServiceSpec { Address = IPAddress.Parse("10.250.9.101"), Port = 80 };
        var bad = new RealServerSpec { Address = IPAddress.Parse("10.250.9.2"), Weight = -5 };
        AssertId(LvsErrorIds.InvalidWeight, Assert.Throws<LvsException>(() => d.AddRealServer(service, bad)));
    }

    [Fact]
    public void UnknownHostKey_IsRefusedBeforeAnyCommand()
    {
        using var d = new KernelDirector("ktest", _f.Target(_f.NewKnownHostsPath()));
        AssertId(LvsErrorIds.HostKeyUnknown, Assert.Throws<LvsException>(() => d.Connect()));
        AssertId(LvsErrorIds.HostKeyUnknown, Assert.Throws<LvsException>(() => d.ListServices()));
        Assert.False(d.IsConnected);
    }

    [Fact]
    public void TheRemoteShellHandsTheExactArgumentsOn()
    {
        // The command lines are run through the login shell of the director; printf shows the argument vector that
        // shell builds from them (ipvsadm would receive the same).
        var svc = new ServiceSpec
        {
            Address = IPAddress.Parse("10.250.9.101"), Port = 443, Scheduler = LvsScheduler.Sh, PersistentTimeout = 360,
            PersistenceNetmask = IPAddress.Parse("255.255.255.0"), SchedulerFlags = LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port,
        };
        var commands = new[]
        {
            IpvsadmCommandBuilder.AddService(svc),
            IpvsadmCommandBuilder.AddRealServer(svc, new RealServerSpec { Address = IPAddress.Parse("10.250.9.2"), Weight = 3, UpperThreshold = 10, LowerThreshold = 5 }),
            IpvsadmCommandBuilder.SetTimeouts(new TimeoutSpec { Tcp = 900, TcpFin = 120, Udp = 300 }),
            IpvsadmCommandBuilder.ListServices()[1],
        };
        using var s = SshSession.Open(_f.Target(_f.TrustingKnownHosts()));
        foreach (var c in commands)
        {
            Assert.StartsWith("ipvsadm ", c.CommandLine);
            var r = s.RunChecked("printf '<%s>\\n' " + c.CommandLine["ipvsadm ".Length..]);
            Assert.Equal(string.Concat(c.Arguments.Select(a => "<" + a + ">\n")), r.Output);
        }
        var hostile = IpvsadmCommandBuilder.ToCommandLine("ipvsadm", new[] { "-L", "x'; touch /tmp/lvsps-pwned-$$ #", "$(id)", "`id`" });
        var h = s.RunChecked("printf '<%s>\\n' " + hostile["ipvsadm ".Length..]);
        Assert.Equal("<-L>\n<x'; touch /tmp/lvsps-pwned-$$ #>\n<$(id)>\n<`id`>\n", h.Output);
    }
}
