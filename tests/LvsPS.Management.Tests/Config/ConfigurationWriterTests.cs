using System.Diagnostics;

namespace LvsPS.Management.Tests.Config;

public sealed class ConfigurationWriterTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The walkthrough's cluster: telnet and www on 192.168.0.101, rs1 = .3, rs2 = .4 (kernel order: rs2 newest).</summary>
    private static List<LvsService> Walkthrough() => new()
    {
        Svc("192.168.0.101", 23, LvsScheduler.Rr, kernelOrder: new[] { Rs("192.168.0.4", 23), Rs("192.168.0.3", 23) }),
        Svc("192.168.0.101", 80, LvsScheduler.Wrr, kernelOrder: new[] { Rs("192.168.0.4", 80, 2), Rs("192.168.0.3", 80, 1) }),
    };

    // --- ipvsadm text with persistence and thresholds ---------------------------------------------------------

    [Fact]
    public void SaveAndListPrintPersistenceAndTheSaveThresholds()
    {
        var services = new List<LvsService>
        {
            Svc("192.168.1.100", 443, LvsScheduler.Rr, persistent: 360, mask: "255.255.255.0", kernelOrder: new[] { Rs("192.168.1.11", 443, upper: 1000, lower: 750) }),
            Svc("192.168.1.100", 80, LvsScheduler.Wlc, persistent: 300, mask: "255.255.255.255", kernelOrder: new[] { Rs("192.168.1.12", 80, lower: 5), Rs("192.168.1.11", 80) }),
        };
        Assert.Equal(
            "-A -t 192.168.1.100:80 -s wlc -p 300\n" +
            "-a -t 192.168.1.100:80 -r 192.168.1.11:80 -g -w 1\n" +
            "-a -t 192.168.1.100:80 -r 192.168.1.12:80 -g -w 1 -y 5\n" +
            "-A -t 192.168.1.100:443 -s rr -p 360 -M 255.255.255.0\n" +
            "-a -t 192.168.1.100:443 -r 192.168.1.11:443 -g -w 1 -x 1000 -y 750\n",
            ConfigurationWriter.WriteIpvsadmRules(services, includeThresholds: true));
        // By default as ipvsadm 1.31 -S -n prints it: without the thresholds.
        Assert.Equal(
            "-A -t 192.168.1.100:80 -s wlc -p 300\n" +
            "-a -t 192.168.1.100:80 -r 192.168.1.11:80 -g -w 1\n" +
            "-a -t 192.168.1.100:80 -r 192.168.1.12:80 -g -w 1\n" +
            "-A -t 192.168.1.100:443 -s rr -p 360 -M 255.255.255.0\n" +
            "-a -t 192.168.1.100:443 -r 192.168.1.11:443 -g -w 1\n",
            ConfigurationWriter.WriteIpvsadmRules(services));
        Assert.Equal(
            IpvsadmSamples.ListHeader +
            "TCP  192.168.1.100:80 wlc persistent 300\n" +
            "  -> 192.168.1.11:80              Route   1      0          0         \n" +
            "  -> 192.168.1.12:80              Route   1      0          0         \n" +
            "TCP  192.168.1.100:443 rr persistent 360 mask 255.255.255.0\n" +
            "  -> 192.168.1.11:443             Route   1      0          0         \n",
            IpvsadmFormatter.FormatList(services));
    }

    // --- lvs_dr.conf ------------------------------------------------------------------------------------------

    [Fact]
    public void LvsDrConfRoundTripsThroughTheConfigureFormatParser()
    {
        var services = Walkthrough();
        var options = new ConfigurationWriterOptions
        {
            DirectorAddress = IPAddress.Parse("192.168.0.1"),
            DirectorNetmask = IPAddress.Parse("255.255.255.0"),
            ServerVipDevice = "dummy0",
            ServerNetDevice = "eth0",
            Comment = "test table",
        };
        string text = ConfigurationWriter.WriteLvsDrConf(services, options);

        Assert.Equal(
            "# lvs_dr.conf (the LVS-HOWTO configure script's format) written by LvsPS\n" +
            "# test table\n" +
            "LVS_TYPE=VS_DR\n" +
            "INITIAL_STATE=on\n" +
            "VIP=eth0:101 192.168.0.101 255.255.255.255 192.168.0.101\n" +
            "DIRECTOR_INSIDEIP=eth0 192.168.0.1 192.168.0.0 255.255.255.0 192.168.0.255\n" +
            "SERVICE=t 23 rr 192.168.0.3:23,1 192.168.0.4:23,1\n" +
            "SERVICE=t 80 wrr 192.168.0.3:80,1 192.168.0.4:80,2\n" +
            "SERVER_VIP_DEVICE=dummy0\n" +
            "SERVER_NET_DEVICE=eth0\n",
            text);

        var conf = LvsDrConfParser.Parse(text, "lvs_dr.conf", null, Services);
        Assert.Empty(conf.Warnings);
        Assert.Equal(Canon(services), Canon(conf.ToLvsServices()));
        Assert.Equal((IPAddress.Parse("192.168.0.1"), "eth0", "dummy0", "eth0"), (conf.DirectorAddress, conf.DirectorDevice, conf.ServerVipDevice, conf.ServerNetDevice));
        Assert.True(conf.InitialState);
    }

    [Fact]
    public void LvsDrConfWithoutDirectorAddressAndWithNat()
    {
        var services = new List<LvsService>
        {
            Svc("10.0.0.10", 80, LvsScheduler.Lc, kernelOrder: new[] { Rs("10.0.1.2", 8080, fwd: LvsForwarding.Masq), Rs("10.0.1.1", 8080, 4, fwd: LvsForwarding.Masq) }),
        };
        string text = ConfigurationWriter.WriteLvsDrConf(services);
        Assert.Contains("LVS_TYPE=VS_NAT\n", text);
        Assert.DoesNotContain("DIRECTOR_INSIDEIP", text);
        Assert.Contains("SERVER_VIP_DEVICE=lo\n", text);
        var conf = LvsDrConfParser.Parse(text, "lvs_nat.conf", null, Services);
        Assert.Equal(Canon(services), Canon(conf.ToLvsServices()));
    }

    [Fact]
    public void LvsDrConfRefusesWhatTheFormatCannotSay()
    {
        var twoVips = Walkthrough();
        twoVips.Add(Svc("192.168.0.102", 80, LvsScheduler.Rr, kernelOrder: new[] { Rs("192.168.0.3", 80) }));
        var e = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteLvsDrConf(twoVips));
        Assert.Equal(ConfigurationWriter.NotExportableErrorId, e.ErrorId);
        Assert.Contains("lvs_dr.conf has one VIP, but the services use 2: 192.168.0.101, 192.168.0.102", e.Message);

        var mixed = Walkthrough();
        mixed[0].RealServers[0].Forwarding = LvsForwarding.Masq;
        mixed[0].RealServers[0].RealPort = 2323;
        e = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteLvsDrConf(mixed));
        Assert.Contains("one forwarding method (LVS_TYPE), but the real servers use Masq, Route", e.Message);

        var persistent = Walkthrough();
        persistent[1].PersistentTimeout = 300;
        e = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteLvsDrConf(persistent));
        Assert.Contains("TCP 192.168.0.101:80 is persistent (-p 300)", e.Message);

        var thresholds = Walkthrough();
        thresholds[1].RealServers[1].UpperThreshold = 10;
        e = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteLvsDrConf(thresholds));
        Assert.Contains("connection thresholds", e.Message);

        e = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteLvsDrConf(new List<LvsService>()));
        Assert.Contains("no services", e.Message);

        e = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteLvsDrConf(Walkthrough(), new ConfigurationWriterOptions { ServerVipDevice = "lo 0" }));
        Assert.Contains("ServerVipDevice", e.Message);
    }

    // --- rc.lvs_dr --------------------------------------------------------------------------------------------

    private static List<LvsService> RcServices()
    {
        var list = Walkthrough();
        list.Add(Svc("192.168.0.102", 443, LvsScheduler.Wlc, persistent: 900, mask: "255.255.255.0", kernelOrder: new[] { Rs("192.168.0.5", 443, 3, upper: 200, lower: 150) }));
        return list;
    }

    [Fact]
    public void RcLvsDrIsValidShWithEveryValueQuoted()
    {
        string script = ConfigurationWriter.WriteRcLvsDr(RcServices(), new ConfigurationWriterOptions { ServerNetDevice = "eth0" });
        AssertShSyntax(script);

        Assert.StartsWith("#!/bin/sh\n", script);
        Assert.Contains("ip -o -4 addr show", script);
        Assert.Contains("    sysctl -w 'net.ipv4.ip_forward=0' >/dev/null\n", script);
        Assert.Contains(
            "    ipvsadm -C\n" +
            "    ipvsadm -A -t '192.168.0.101:23' -s 'rr'\n" +
            "    ipvsadm -a -t '192.168.0.101:23' -r '192.168.0.3:23' -g -w '1'\n" +
            "    ipvsadm -a -t '192.168.0.101:23' -r '192.168.0.4:23' -g -w '1'\n" +
            "    ipvsadm -A -t '192.168.0.101:80' -s 'wrr'\n" +
            "    ipvsadm -a -t '192.168.0.101:80' -r '192.168.0.3:80' -g -w '1'\n" +
            "    ipvsadm -a -t '192.168.0.101:80' -r '192.168.0.4:80' -g -w '2'\n" +
            "    ipvsadm -A -t '192.168.0.102:443' -s 'wlc' -p '900' -M '255.255.255.0'\n" +
            "    ipvsadm -a -t '192.168.0.102:443' -r '192.168.0.5:443' -g -w '3' -x '200' -y '150'\n", script);
        Assert.Contains("    if [ -n \"$forced\" ] || is_local '192.168.0.3' || is_local '192.168.0.4'; then\n", script);
        Assert.Contains("ip addr replace '192.168.0.101/32' dev 'lo' scope host\n", script);
        Assert.Contains("ip addr replace '192.168.0.102/32' dev 'lo' scope host\n", script);
        Assert.Contains("sysctl -w 'net.ipv4.conf.all.arp_ignore=1'", script);
        Assert.Contains("sysctl -w 'net.ipv4.conf.eth0.arp_announce=2'", script);
        Assert.Contains("/proc/sys/net/ipv4/conf/all/hidden", script);
        Assert.DoesNotContain("ip addr replace '192.168.0.101/32' dev 'eth0'", script); // no VipDevice: the director's addresses stay
    }

    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")] // runs the script with sh and stand-in tools
    public void RcLvsDrFindsItsRoleFromTheLocalAddresses()
    {
        string script = ConfigurationWriter.WriteRcLvsDr(RcServices(), new ConfigurationWriterOptions { VipDevice = "eth0:101", ServerVipDevice = "lo" });
        string path = _dir.File("rc.lvs_dr");
        File.WriteAllText(path, script);

        // Stand-ins for ip, ipvsadm and sysctl that log their arguments; "ip -o -4 addr show" reports $FAKE_ADDR.
        string bin = _dir.File("bin");
        Directory.CreateDirectory(bin);
        string log = _dir.File("log");
        void Stub(string name, string body)
        {
            string p = Path.Combine(bin, name);
            File.WriteAllText(p, "#!/bin/sh\nprintf '%s\\n' \"" + name + " $*\" >> \"$STUB_LOG\"\n" + body);
            File.SetUnixFileMode(p, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        Stub("ip", "case \"$*\" in\n\"-o -4 addr show\") echo \"2: eth0    inet $FAKE_ADDR/24 brd 192.168.0.255 scope global eth0\";;\nlink*) exit 1;;\nesac\nexit 0\n");
        Stub("ipvsadm", "exit 0\n");
        Stub("sysctl", "exit 0\n");

        string[] RunAs(string address, params string[] args)
        {
            File.WriteAllText(log, "");
            var env = new Dictionary<string, string>
            {
                ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
                ["STUB_LOG"] = log,
                ["FAKE_ADDR"] = address,
            };
            var (code, output, err) = Run("sh", new[] { path }.Concat(args).ToArray(), env);
            Assert.True(code == 0, $"rc.lvs_dr failed ({code}): {err}\n{output}");
            return File.ReadAllLines(log).Where(l => !l.StartsWith("ip -o -4 addr show", StringComparison.Ordinal)).ToArray();
        }

        var director = RunAs("192.168.0.1");
        Assert.Equal("sysctl -w net.ipv4.ip_forward=0", director[0]);
        Assert.Equal("ip addr replace 192.168.0.101/32 dev eth0 label eth0:101", director[1]);
        Assert.Equal("ip addr replace 192.168.0.102/32 dev eth0 label eth0:101", director[2]);
        Assert.Equal("ipvsadm -C", director[3]);
        Assert.Equal("ipvsadm -A -t 192.168.0.101:23 -s rr", director[4]);
        Assert.Equal("ipvsadm -L -n", director[^1]);
        Assert.Equal(10, director.Count(l => l.StartsWith("ipvsadm", StringComparison.Ordinal)));

        var rs1 = RunAs("192.168.0.3");
        Assert.DoesNotContain(rs1, l => l.StartsWith("ipvsadm", StringComparison.Ordinal));
        Assert.Contains("ip addr replace 192.168.0.101/32 dev lo scope host", rs1);
        Assert.DoesNotContain("ip addr replace 192.168.0.102/32 dev lo scope host", rs1); // rs1 does not serve .102

        var rs3 = RunAs("192.168.0.5");
        Assert.Contains("ip addr replace 192.168.0.102/32 dev lo scope host", rs3);
        Assert.DoesNotContain("ip addr replace 192.168.0.101/32 dev lo scope host", rs3);

        var forced = RunAs("192.168.0.1", "realserver");
        Assert.Contains("ip addr replace 192.168.0.101/32 dev lo scope host", forced);
        Assert.Contains("ip addr replace 192.168.0.102/32 dev lo scope host", forced);
    }

    [Fact]
    public void RcLvsDrIsForDirectRoutingOnly()
    {
        var nat = Walkthrough();
        nat[0].RealServers[0].Forwarding = LvsForwarding.Masq;
        var e = Assert.Throws<LvsException>(() => ConfigurationWriter.WriteRcLvsDr(nat));
        Assert.Equal(ConfigurationWriter.NotExportableErrorId, e.ErrorId);
        Assert.Contains("uses Masq forwarding; rc.lvs_dr is written for direct routing only", e.Message);
    }

    private static (int Code, string Output, string Error) Run(string file, string[] args, Dictionary<string, string>? env)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output.Result, error);
    }
}
