namespace LvsPS.Management.Tests.Remote;

public sealed class PreparerCommandTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("10.250.9.101");

    [Fact]
    public void LoopbackCommandsAreExact()
    {
        var c = RealServerPreparer.BuildSetHiddenCommands(Vip);
        Assert.Equal(new[]
        {
            "[ \"$(cat '/proc/sys/net/ipv4/conf/all/arp_ignore')\" -ge 1 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.all.arp_ignore=1'",
            "[ \"$(cat '/proc/sys/net/ipv4/conf/lo/arp_ignore')\" -ge 1 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.lo.arp_ignore=1'",
            "[ \"$(cat '/proc/sys/net/ipv4/conf/all/arp_announce')\" -ge 2 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.all.arp_announce=2'",
            "[ \"$(cat '/proc/sys/net/ipv4/conf/lo/arp_announce')\" -ge 2 ] 2>/dev/null || sysctl -w 'net.ipv4.conf.lo.arp_announce=2'",
            "if [ -e '/proc/sys/net/ipv4/conf/all/hidden' ]; then sysctl -w 'net.ipv4.conf.all.hidden=1' && sysctl -w 'net.ipv4.conf.lo.hidden=1'; fi",
            "ip addr replace '10.250.9.101/32' dev 'lo' scope host",
        }, c);
    }

    [Fact]
    public void DummyInterfaceWithNetInterface()
    {
        var c = RealServerPreparer.BuildSetHiddenCommands(Vip, "dummy0", "eth0.100");
        Assert.Equal("if ! ip link show dev 'dummy0' >/dev/null 2>&1; then ip link add 'dummy0' type dummy; fi", c[0]);
        Assert.Contains(c, x => x.EndsWith("sysctl -w 'net.ipv4.conf.eth0/100.arp_ignore=1'", StringComparison.Ordinal));
        Assert.Contains(c, x => x.StartsWith("[ \"$(cat '/proc/sys/net/ipv4/conf/eth0.100/arp_announce')\" -ge 2 ]", StringComparison.Ordinal));
        Assert.Contains(c, x => x.EndsWith("sysctl -w 'net.ipv4.conf.dummy0.arp_announce=2'", StringComparison.Ordinal));
        Assert.Equal("ip addr replace '10.250.9.101/32' dev 'dummy0' scope host", c[^2]);
        Assert.Equal("ip link set dev 'dummy0' up", c[^1]);
        // the sysctls come before the address, the link goes up last
        int firstSysctl = c.ToList().FindIndex(x => x.Contains("sysctl"));
        int addr = c.ToList().FindIndex(x => x.StartsWith("ip addr", StringComparison.Ordinal));
        Assert.True(firstSysctl > 0 && firstSysctl < addr);
        Assert.Equal(1 + 6 + 1 + 1 + 1, c.Count);
    }

    [Fact]
    public void NetInterfaceEqualToVipInterfaceIsNotRepeated()
    {
        Assert.Equal(RealServerPreparer.BuildSetHiddenCommands(Vip), RealServerPreparer.BuildSetHiddenCommands(Vip, "lo", "lo"));
        Assert.Equal(RealServerPreparer.BuildSetHiddenCommands(Vip), RealServerPreparer.BuildSetHiddenCommands(Vip, "lo", "all"));
    }

    [Fact]
    public void OddButValidNamesAreQuoted()
    {
        var c = RealServerPreparer.BuildSetHiddenCommands(Vip, "x$(id)", "e`x`");
        foreach (var cmd in c)
        {
            Assert.DoesNotContain(" x$(id)", cmd);
            Assert.DoesNotContain(" e`x`", cmd);
        }
        Assert.Contains("ip addr replace '10.250.9.101/32' dev 'x$(id)' scope host", c);
    }

    [Fact]
    public void AllCommandsAreValidShell()
    {
        var all = RealServerPreparer.BuildSetHiddenCommands(Vip, "dummy0", "eth0")
            .Append(RealServerPreparer.BuildGetHiddenCommand(Vip, "lo", "eth0"));
        foreach (var cmd in all)
        {
            var r = Proc.Run("/bin/sh", "-n", "-c", cmd);
            Assert.True(r.ExitCode == 0, $"sh -n rejected: {cmd}\n{r.Error}");
        }
    }

    [Theory]
    [InlineData("eth0:1")]
    [InlineData("all")]
    [InlineData("default")]
    [InlineData("a b")]
    [InlineData("0123456789abcdef")]
    public void BadVipInterface(string name)
    {
        var e = Assert.Throws<LvsException>(() => RealServerPreparer.BuildSetHiddenCommands(Vip, name));
        Assert.Equal(LvsErrorIds.InvalidInterfaceName, e.ErrorId);
        Assert.Contains(name, e.Message);
    }

    [Fact]
    public void BadNetInterface()
    {
        var e = Assert.Throws<LvsException>(() => RealServerPreparer.BuildSetHiddenCommands(Vip, "lo", "eth0:0"));
        Assert.Equal(LvsErrorIds.InvalidInterfaceName, e.ErrorId);
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("2001:db8::1")]
    [InlineData("0.0.0.0")]
    [InlineData("127.0.0.2")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    public void BadVip(string vip)
    {
        var e = Assert.Throws<LvsException>(() => RealServerPreparer.BuildSetHiddenCommands(IPAddress.Parse(vip)));
        Assert.Equal(LvsErrorIds.InvalidAddress, e.ErrorId);
        Assert.Contains(vip, e.Message);
    }

    [Fact]
    public void MappedVipIsUsedAsIPv4()
    {
        var c = RealServerPreparer.BuildSetHiddenCommands(IPAddress.Parse("::ffff:10.250.9.101"));
        Assert.Equal("ip addr replace '10.250.9.101/32' dev 'lo' scope host", c[^1]);
    }

    private static RemoteResult RunLocally(string script)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return new RemoteResult { Command = script, ExitStatus = p.ExitCode, Output = output.Result, Error = error };
    }

    [Fact]
    public void ApplyScript_StopsAtTheFailingStepAndNamesIt()
    {
        var dir = Directory.CreateTempSubdirectory("lvsps-apply-").FullName;
        try
        {
            var steps = new[]
            {
                $"echo one; touch '{dir}/1'",
                "if [ -e /nonexistent-lvsps ]; then echo no; fi",
                "echo about to fail; echo 'the error' >&2; sh -c 'exit 3'",
                $"touch '{dir}/4'",
            };
            var r = RunLocally(RealServerPreparer.BuildApplyScript(steps, "echo read=1"));
            var (failed, status, error, readBack) = RealServerPreparer.ParseApplyOutput(r);
            Assert.Equal(2, failed);
            Assert.Equal(3, status);
            Assert.Equal("the error", error);
            Assert.Null(readBack);
            Assert.True(File.Exists($"{dir}/1"));
            Assert.False(File.Exists($"{dir}/4"), "the steps after the failing one did not run");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void ApplyScript_GivesTheReadBackAfterEveryStep()
    {
        var r = RunLocally(RealServerPreparer.BuildApplyScript(new[] { "echo step output", "[ 1 -ge 1 ] || echo raised" }, "i='lo'\necho \"link=1\"\necho \"dev=$i\""));
        var (failed, _, _, readBack) = RealServerPreparer.ParseApplyOutput(r);
        Assert.Null(failed);
        Assert.Equal("link=1\ndev=lo\n", readBack);
        // A read-back that fails (no marker reached or a non-zero exit) gives no state.
        Assert.Null(RealServerPreparer.ParseApplyOutput(RunLocally(RealServerPreparer.BuildApplyScript(new[] { "true" }, "exit 5"))).ReadBack);
        Assert.Null(RealServerPreparer.ParseApplyOutput(new RemoteResult { ExitStatus = 0, Output = "no marker\n" }).ReadBack);
    }
}
