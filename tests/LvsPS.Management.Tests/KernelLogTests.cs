using LvsPS.Ipvs.Director;
using LvsPS.Management.Kernel;

namespace LvsPS.Management.Tests;

/// <summary>A kernel director's log command output (dmesg -r, keepalived's log, uptime, date, debug_level) as records.</summary>
public class KernelLogTests
{
    private const string M = "----LVSPS-LOG----\n";

    [Fact]
    public void Parse_MergesKernelAndKeepalivedByTime_AndReadsTheLevel()
    {
        var output = "D\n<6>[   10.000000] IPVS: Registered protocols (TCP, UDP, SCTP, AH, ESP)\n<6>[  100.000000] IPVS: [wlc] scheduler registered.\n" + M +
                     "Wed Dec  2 03:30:00 2026: Starting Keepalived v2.2.7\n" + M +
                     "1000.00 900.00\n1764646200\nnone\n";
        var (records, level) = KernelLog.Parse(output, "k1");
        Assert.Null(level);
        var boot = DateTimeOffset.FromUnixTimeSeconds(1764646200).UtcDateTime.AddSeconds(-1000);
        Assert.Equal(3, records.Count);
        Assert.Equal(boot.AddSeconds(10), records[0].Time);
        Assert.Equal(LvsLogSource.Kernel, records[0].Source);
        Assert.All(records, r => Assert.Equal("k1", r.Director));
        Assert.Contains(records, r => r.Source == LvsLogSource.Keepalived && r.Message == "Starting Keepalived v2.2.7");
        Assert.True(records.Zip(records.Skip(1)).All(p => p.First.Time <= p.Second.Time));
        Assert.Equal(7, KernelLog.Parse("J\n" + M + M + "1.0 1.0\n1764646200\n7\n", "k1").DebugLevel);
    }

    [Fact]
    public void SetCommand_WritesDebugLevel_OrExits3()
    {
        Assert.Equal("[ -e /proc/sys/net/ipv4/vs/debug_level ] || exit 3; echo 6 > /proc/sys/net/ipv4/vs/debug_level", KernelLog.SetCommand(6));
        Assert.Equal(LvsErrorIds.InvalidLogQuery, Assert.Throws<LvsException>(() => KernelLog.SetCommand(13)).ErrorId);
        Assert.Equal(LvsErrorIds.LogLevelNotSupported, KernelLog.NotSupported("k1").ErrorId);
    }
}
