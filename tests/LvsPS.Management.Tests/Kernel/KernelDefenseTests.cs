using LvsPS.Ipvs.Connections;

namespace LvsPS.Management.Tests.Kernel;

/// <summary>
/// The defence settings on kernel IPVS: sysctl command lines (quoted, only the values given, lvsd-only settings
/// refused before anything runs) and sysctl's output read back, through KernelDirector with a scripted remote side.
/// </summary>
public sealed class KernelDefenseTests
{
    private static (KernelDirector Director, List<string> Commands) Director(string getOutput = "1024\n0\n0\n10\n0\n0\n")
    {
        var commands = new List<string>();
        var d = new KernelDirector("edge", "lvs1.example", c =>
        {
            commands.Add(c);
            return new RemoteResult { Command = c, ExitStatus = 0, Output = c.Contains(" -n ") ? getOutput : "" };
        });
        return (d, commands);
    }

    [Fact]
    public void SetDefense_RunsSysctlW_WithQuotedArguments_ForTheValuesGiven()
    {
        var (d, commands) = Director();
        d.SetDefense(new DefenseSpec { DropEntry = LvsDefenseMode.Auto, SecureTcp = LvsDefenseMode.Always, AvailableThreshold = 2048 });
        Assert.Equal("'sysctl' -w 'net.ipv4.vs.amemthresh=2048' 'net.ipv4.vs.drop_entry=1' 'net.ipv4.vs.secure_tcp=3'", Assert.Single(commands));
    }

    [Theory]
    [InlineData(true, "'sysctl' -w 'net.ipv4.vs.sloppy_tcp=1'")]
    [InlineData(false, "'sysctl' -w 'net.ipv4.vs.sloppy_tcp=0'")]
    public void SetDefense_SloppyTcp_IsTheSysctl(bool on, string expected)
    {
        var (d, commands) = Director();
        d.SetDefense(new DefenseSpec { SloppyTcp = on });
        Assert.Equal(expected, Assert.Single(commands));
    }

    [Fact]
    public void GetDefense_SloppyTcpZero_IsOff()
    {
        Assert.False(Director().Director.GetDefense().SloppyTcp);
    }

    [Fact]
    public void SetDefense_NothingGiven_RunsNothing()
    {
        var (d, commands) = Director();
        d.SetDefense(new DefenseSpec());
        Assert.Empty(commands);
    }

    [Theory]
    [InlineData(100, null)]
    [InlineData(null, 5)]
    public void SetDefense_LvsdOnlySettings_AreRefusedBeforeAnythingRuns(int? max, int? synRecv)
    {
        var (d, commands) = Director();
        var e = Assert.Throws<LvsException>(() => d.SetDefense(new DefenseSpec { DropEntry = LvsDefenseMode.Auto, MaxConnections = max, SynRecvTimeout = synRecv }));
        Assert.Equal(LvsErrorIds.NotSupportedByDirector, e.ErrorId);
        Assert.Empty(commands);
    }

    [Fact]
    public void SetDefense_BadMode_IsRefusedBeforeAnythingRuns()
    {
        var (d, commands) = Director();
        var e = Assert.Throws<LvsException>(() => d.SetDefense(new DefenseSpec { DropPacket = (LvsDefenseMode)4 }));
        Assert.Equal(LvsErrorIds.InvalidArgument, e.ErrorId);
        Assert.Empty(commands);
    }

    [Fact]
    public void GetDefense_ReadsTheFiveSysctls_AndTheLevelFromTheModes()
    {
        var (d, commands) = Director("4096\n2\n1\n10\n3\n1\n");
        var s = d.GetDefense();
        Assert.Equal("'sysctl' -n 'net.ipv4.vs.amemthresh' 'net.ipv4.vs.drop_entry' 'net.ipv4.vs.drop_packet' 'net.ipv4.vs.am_droprate' 'net.ipv4.vs.secure_tcp' 'net.ipv4.vs.sloppy_tcp'", Assert.Single(commands));
        Assert.True(s.SloppyTcp);
        Assert.Equal(4096, s.AvailableThreshold);
        Assert.Equal(LvsDefenseMode.AutoActive, s.DropEntry);
        Assert.Equal(LvsDefenseMode.Auto, s.DropPacket);
        Assert.Equal(10, s.DropRate);
        Assert.Equal(LvsDefenseMode.Always, s.SecureTcp);
        Assert.Equal(LvsDefenseLevel.DropEntry | LvsDefenseLevel.SecureTcp, s.Level);
        Assert.Null(s.MaxConnections);
    }

    [Fact]
    public void GetDefense_ShortOutput_IsAProtocolError()
    {
        var (d, _) = Director("1024\n");
        Assert.Equal(LvsErrorIds.DirectorProtocolError, Assert.Throws<LvsException>(() => d.GetDefense()).ErrorId);
    }

    [Fact]
    public void SysctlProgram_SitsBesideAnAbsoluteIpvsadm()
    {
        Assert.Equal("/usr/sbin/sysctl", KernelDefense.SysctlProgram("/usr/sbin/ipvsadm"));
        Assert.Equal("sysctl", KernelDefense.SysctlProgram("ipvsadm"));
    }
}
