using LvsPS.Ipvs.Connections;

namespace LvsPS.Ipvs.Tests;

/// <summary>update_defense_level, ip_vs_todrop and todrop_entry as DefensePolicy carries them out.</summary>
public class DefensePolicyTests
{
    [Theory]
    [InlineData(LvsDefenseMode.Off, 10, LvsDefenseMode.Off, false)]
    [InlineData(LvsDefenseMode.Auto, 10, LvsDefenseMode.AutoActive, true)]
    [InlineData(LvsDefenseMode.Auto, 100, LvsDefenseMode.Auto, false)]
    [InlineData(LvsDefenseMode.AutoActive, 100, LvsDefenseMode.Auto, false)]
    [InlineData(LvsDefenseMode.AutoActive, 10, LvsDefenseMode.AutoActive, true)]
    [InlineData(LvsDefenseMode.Always, 100, LvsDefenseMode.Always, true)]
    public void Modes_FollowTheRoom_AsTheKernelsSysctlsDo(LvsDefenseMode mode, long available, LvsDefenseMode after, bool active)
    {
        var p = new DefensePolicy { AvailableThreshold = 50, DropEntry = mode, SecureTcp = mode };
        p.Update(available);
        Assert.Equal(after, p.DropEntry);
        Assert.Equal(after, p.SecureTcp);
        Assert.Equal(active, p.DropEntryActive);
        Assert.Equal(active, p.SecureTcpActive);
    }

    [Fact]
    public void DropPacketAuto_RateIsThresholdOverShortfall()
    {
        var p = new DefensePolicy { AvailableThreshold = 100, DropPacket = LvsDefenseMode.Auto };
        p.Update(75); // 100 / (100 - 75) = 4
        Assert.Equal(LvsDefenseMode.AutoActive, p.DropPacket);
        Assert.Equal(4, p.CurrentDropRate);
        var drops = Enumerable.Range(0, 12).Select(_ => p.DropNewConnection()).ToArray();
        Assert.Equal(new[] { false, false, false, true, false, false, false, true, false, false, false, true }, drops);
        p.Update(100);
        Assert.Equal(LvsDefenseMode.Auto, p.DropPacket);
        Assert.Equal(0, p.CurrentDropRate);
        Assert.False(p.DropNewConnection());
    }

    [Fact]
    public void SecureTcpChange_IsReportedOnce()
    {
        var p = new DefensePolicy { AvailableThreshold = 50, SecureTcp = LvsDefenseMode.Auto };
        Assert.True(p.Update(10));
        Assert.False(p.Update(10));
        Assert.True(p.Update(60));
    }

    [Fact]
    public void ToDropEntry_NeverRecent_NeverBusy_OneInIByPacketCount()
    {
        var p = new DefensePolicy();
        Assert.False(p.ToDropEntry(59_999, 1));
        Assert.False(p.ToDropEntry(120_000, 9));
        Assert.False(p.ToDropEntry(120_000, 0));
        Assert.True(p.ToDropEntry(60_000, 1));
        Assert.True(p.ToDropEntry(60_000, 1));
        var three = Enumerable.Range(0, 6).Select(_ => p.ToDropEntry(60_000, 3)).ToArray();
        Assert.Equal(new[] { true, false, false, true, false, false }, three);
    }
}
