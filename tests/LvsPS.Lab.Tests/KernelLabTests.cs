using System.Net;
using System.Text;
using LvsPS.Ipvs.Model;
using LvsPS.Management.Lab;
using LvsPS.Management.Lab.Guest;

namespace LvsPS.Lab.Tests;

/// <summary>
/// One kernel lab (Linux IPVS in a QEMU guest where this host has no ip_vs; the director's namespace where it has),
/// shared by the tests of <see cref="KernelLabTests"/>. Fails, never skips, when the guest cannot be made.
/// </summary>
public sealed class KernelLabFixture : SharedLabFixture
{
    public KernelLabFixture() : base("k", "10.252", LvsLabDirectorKind.Kernel) { }
}

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KernelLabTests : IClassFixture<KernelLabFixture>
{
    private readonly KernelLabFixture _f;
    public KernelLabTests(KernelLabFixture fixture) => _f = fixture;
    private LvsLab Lab => _f.Lab;

    private string Ok(string node, string command) => _f.ExecOk(node, command);

    [Fact]
    public void Create_MakesTheDirectorAKernelNodeWithTheLabsAddressMacAndVip()
    {
        Assert.Equal(LvsLabDirectorKind.Kernel, Lab.DirectorKind);
        var d = Lab.Director;
        string p = $"10.252.{_f.Octet}.";
        Assert.Equal(IPAddress.Parse(p + "1"), d.Address);
        Assert.Equal(IPAddress.Parse(p + "101"), Lab.VirtualAddress);
        Assert.Equal(LvsLabRole.Director, d.Role);
        Assert.NotNull(Lab.KernelGuest);

        // the director has the lab's MAC and address, and the VIP as the walkthrough's eth0:101
        Assert.Equal(d.MacAddress, Ok("director", "cat /sys/class/net/eth0/address").Trim());
        var addrs = Ok("director", "ip -4 -o addr show dev eth0");
        Assert.Contains($"inet {d.Address}/24", addrs);
        Assert.Contains($"inet {Lab.VirtualAddress}/32", addrs);
        Assert.Contains("eth0:101", addrs);
        Assert.Equal("0", Ok("director", "cat /proc/sys/net/ipv4/ip_forward").Trim());

        // a real IPVS answers there: ipvsadm's header names the kernel's IPVS version and table size
        Assert.StartsWith("IP Virtual Server version 1.2.1 (size=4096)", Ok("director", "ipvsadm -L -n"));

        // saved and read back with its kind and host
        var saved = _f.Manager.Get(_f.Name)!;
        Assert.Equal(LvsLabDirectorKind.Kernel, saved.DirectorKind);
        Assert.Equal(d.Host, saved.Director.Host);
        Assert.Equal(Lab.KernelGuest, saved.KernelGuest);
        Assert.Equal(100, _f.Progress.Items[^1].Percent);

        if (d.Host == LvsLabNodeHost.VirtualMachine)
        {
            // a guest kernel, not this host's: Debian's cloud kernel
            var release = Ok("director", "uname -r").Trim();
            Assert.EndsWith("-cloud-amd64", release);
            Assert.NotEqual(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), release);
            Assert.Contains(release, Lab.KernelGuest);
            Assert.Equal(Lab.SwitchNamespace, d.Namespace);
            Assert.Equal(Lab.Client.Namespace, Lab.ManagementNamespace);
            // no director namespace: the guest is the director
            Assert.DoesNotContain($"lvs-{_f.Name}-director", Helpers.NamespacesOf(_f.Name));
        }
    }

    [Fact]
    public void Director_ReachesEveryNodeOnTheSegment_AndTheyReachIt()
    {
        foreach (var node in Lab.Nodes.Where(n => n.Role != LvsLabRole.Director))
        {
            Ok("director", $"ping -c 1 -W 3 {node.Address}");
            Ok(node.Name, $"ping -c 1 -W 3 {Lab.Director.Address}");
        }
        // the lab's hosts file names the nodes in the guest too
        Assert.Contains("rs1", Ok("director", "cat /etc/hosts"));
    }

    [Fact]
    public void KernelDirector_ManagesTheRealIpvs_AndDrTrafficFlowsThroughIt()
    {
        using var director = LabManager.ConnectKernelDirector(Lab);
        var status = director.Describe();
        Assert.Contains("v1.31", status.IpvsadmVersion);
        var vip = Lab.VirtualAddress;
        var svc = Helpers.TcpService(Lab, 80, LvsScheduler.Rr);
        director.AddService(svc);
        try
        {
            var listing = Ok("director", "ipvsadm -L -n");
            Assert.Contains($"TCP  {vip}:80 rr", listing);
            foreach (var rs in Lab.RealServers) Assert.Contains($"-> {rs.Address}:80", listing);

            // hide the real servers as the walkthrough does (VIP on lo, no ARP for it), then fetch through the VIP
            foreach (var rs in Lab.RealServers)
                Ok(rs.Name, $"ip addr add {vip}/32 dev lo 2>/dev/null; sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2");
            var served = new List<string>();
            for (int i = 0; i < 4; i++)
                served.Add(Ok("client", $"curl -s --max-time 10 http://{vip}/test.html").Trim());
            Assert.Equal(2, served.Distinct().Count());
            Assert.All(served, s => Assert.Matches("^我是real server #[12]$", s));
            // the kernel counted the connections: two per real server, rr
            var stats = director.ListServices().Single(s => s.Port == 80);
            Assert.All(stats.RealServers, r => Assert.Equal(2, r.ActiveConnections + r.InactiveConnections));
        }
        finally
        {
            director.DeleteService(svc);
            foreach (var rs in Lab.RealServers) _f.Exec(rs.Name, $"ip addr del {vip}/32 dev lo");
        }
    }

    [Fact]
    public void Ssh_ToTheDirector_ChecksItsHostKey_AgainstTheLabsKnownHostsOnly()
    {
        // the lab's own known_hosts holds the guest's key: a login works
        Assert.Equal(0, LabManager.SshExec(Lab, "true", TimeSpan.FromSeconds(30)).ExitCode);

        // the same login with another key recorded for the director's address is refused
        var wrong = Path.Combine(_f.StateRoot, "wrong_known_hosts");
        var other = Path.Combine(_f.StateRoot, "otherkey");
        Assert.True(Helpers.Root("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).Success);
        var pub = File.ReadAllText(other + ".pub").Split(' ');
        File.WriteAllText(wrong, $"{Lab.Director.Address} {pub[0]} {pub[1]}\n");
        var copy = Manager(wrong);
        var r = LabManager.SshExec(copy, "true", TimeSpan.FromSeconds(30));
        Assert.Equal(255, r.ExitCode);
        Assert.Contains("host key", r.Error, StringComparison.OrdinalIgnoreCase);
    }

    private LvsLab Manager(string knownHosts)
    {
        var copy = _f.Manager.Get(_f.Name)!;
        copy.KnownHostsFile = knownHosts;
        return copy;
    }

    [Fact]
    public void Accelerator_IsKvmOnlyWhenAKvmGuestBoots_AndTheEnvironmentCanForceTcg()
    {
        var image = GuestImage.Ensure();
        var chosen = image.Accelerator(out var reason);
        Assert.Contains(chosen, new[] { "kvm", "tcg" });
        Assert.False(string.IsNullOrWhiteSpace(reason));
        if (!File.Exists("/dev/kvm")) Assert.Equal("tcg", chosen);
        // what was chosen is what booted this lab's guest
        if (Lab.Director.Host == LvsLabNodeHost.VirtualMachine)
            Assert.Contains("QEMU " + chosen.ToUpperInvariant(), Lab.KernelGuest);

        var before = Environment.GetEnvironmentVariable("LVSPS_GUEST_ACCEL");
        try
        {
            Environment.SetEnvironmentVariable("LVSPS_GUEST_ACCEL", "tcg");
            Assert.Equal("tcg", image.Accelerator(out var forced));
            Assert.Equal("LVSPS_GUEST_ACCEL", forced);
        }
        finally { Environment.SetEnvironmentVariable("LVSPS_GUEST_ACCEL", before); }
    }
}

/// <summary>Kernel labs made and removed on their own (not the shared fixture).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KernelLabLifecycleTests : PrivateLabsTestBase
{
    [Fact]
    public void Remove_StopsTheGuest_AndLeavesNoNamespaceTapProcessOrFile()
    {
        var name = Helpers.RandomName("kr");
        _labs.Add(name);
        var lab = _m.Create(name, 1, $"10.253.{Helpers.RandomOctet()}.0/24", null, LvsForwarding.Route, LvsLabDirectorKind.Kernel);
        var dir = lab.Directory;
        int qemu = 0;
        if (lab.Director.Host == LvsLabNodeHost.VirtualMachine)
        {
            qemu = int.Parse(File.ReadAllText(Path.Combine(dir, "director", "qemu.pid")).Trim());
            Assert.True(Helpers.Alive(qemu));
            // QEMU runs in the lab's switch namespace (so the lab stops it by namespace, never by name)
            Assert.Contains(qemu, Helpers.Pids(lab.SwitchNamespace));
            Assert.Contains("t-director", Helpers.Root("ip", "-n", lab.SwitchNamespace, "-o", "link", "show", "master", "br0").Output);
        }
        _m.Remove(name);
        Assert.Empty(Helpers.NamespacesOf(name));
        Assert.False(Directory.Exists(dir));
        Assert.Null(_m.Get(name));
        if (qemu != 0)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (Helpers.Alive(qemu) && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Assert.False(Helpers.Alive(qemu), $"QEMU {qemu} still runs after Remove");
        }
    }

    [Fact]
    public void DirectorHost_IsCheckedBeforeAnythingIsBuilt()
    {
        var name = Helpers.RandomName("kv");
        _labs.Add(name);
        var e = Assert.Throws<LvsException>(() =>
            _m.Create(name, 1, $"10.253.{Helpers.RandomOctet()}.0/24", null, LvsForwarding.Route, LvsLabDirectorKind.Engine, LvsLabNodeHost.VirtualMachine));
        Assert.Equal(LvsErrorIds.InvalidArgument, e.ErrorId);
        Assert.Contains("-DirectorKind Kernel", e.Message);
        Assert.Empty(Helpers.NamespacesOf(name));

        if (!LabManager.HostHasIpvs())
        {
            // this host's kernel has no IPVS: a kernel director in a namespace cannot work, and says so
            e = Assert.Throws<LvsException>(() =>
                _m.Create(name, 1, $"10.253.{Helpers.RandomOctet()}.0/24", null, LvsForwarding.Route, LvsLabDirectorKind.Kernel, LvsLabNodeHost.Namespace));
            Assert.Equal(LvsErrorIds.LabSetupFailed, e.ErrorId);
            Assert.Contains("no ip_vs", e.Message);
            Assert.Contains("-DirectorHost VirtualMachine", e.Message);
            Assert.Empty(Helpers.NamespacesOf(name));
            Assert.False(File.Exists("/proc/net/ip_vs"));
        }
        else
        {
            // this host's kernel has IPVS: the director's own namespace runs it, managed over its sshd
            var lab = _m.Create(name, 1, $"10.253.{Helpers.RandomOctet()}.0/24", null, LvsForwarding.Route, LvsLabDirectorKind.Kernel, LvsLabNodeHost.Namespace);
            Assert.Equal(LvsLabNodeHost.Namespace, lab.Director.Host);
            Assert.StartsWith("IP Virtual Server", _m.Exec(lab, "director", "ipvsadm -L -n").Output);
            Assert.Equal(0, LabManager.SshExec(lab, "ipvsadm -L -n", TimeSpan.FromSeconds(30)).ExitCode);
        }
    }
}

public sealed class CpioWriterTests
{
    [Fact]
    public void Archive_IsNewcAsTheKernelReadsIt_HeadersNamesDataPaddedTo4_EndedByTheTrailer()
    {
        using var ms = new MemoryStream();
        using (var cpio = new CpioWriter(ms))
        {
            cpio.Directory("etc/lvsps");
            cpio.File("etc/lvsps/guest.conf", "A=1\n", 0x180);
        }
        var bytes = ms.ToArray();
        Assert.Equal(0, bytes.Length % 4);
        var entries = new List<(string Name, int Mode, string Data)>();
        int pos = 0;
        while (true)
        {
            var h = Encoding.ASCII.GetString(bytes, pos, 110);
            Assert.StartsWith("070701", h);
            int Field(int i) => Convert.ToInt32(h.Substring(6 + 8 * i, 8), 16);
            int mode = Field(1), size = Field(6), nameSize = Field(11);
            Assert.Equal(0, Field(2)); // uid root
            Assert.Equal(0, Field(3)); // gid root
            var name = Encoding.UTF8.GetString(bytes, pos + 110, nameSize - 1);
            Assert.Equal(0, bytes[pos + 110 + nameSize - 1]);
            int data = (pos + 110 + nameSize + 3) & ~3;
            entries.Add((name, mode, Encoding.UTF8.GetString(bytes, data, size)));
            pos = (data + size + 3) & ~3;
            if (name == "TRAILER!!!") break;
        }
        Assert.Equal(bytes.Length, pos);
        Assert.Equal(new[] { "etc/lvsps", "etc/lvsps/guest.conf", "TRAILER!!!" }, entries.Select(e => e.Name));
        Assert.Equal(0x41ED, entries[0].Mode);  // directory 0755
        Assert.Equal(0x8180, entries[1].Mode);  // regular file 0600
        Assert.Equal("A=1\n", entries[1].Data);
    }
}
