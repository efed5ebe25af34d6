namespace LvsPS.Ipvs.Tests.Scheduling;

public class SchedulerFlagsTests
{
    [Fact]
    public void FlagValuesAreTheKernelsSchedFlags()
    {
        Assert.Equal(0x0008, (int)LvsSchedulerFlags.Fallback);
        Assert.Equal(0x0010, (int)LvsSchedulerFlags.Port);
        Assert.Equal(0x0020, (int)LvsSchedulerFlags.Flag3);
    }

    [Theory]
    [InlineData(LvsScheduler.Sh)]
    [InlineData(LvsScheduler.Mh)]
    public void ShAndMhTakeFallbackAndPort(LvsScheduler kind)
    {
        var flags = LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port;
        var s = SchedulerFactory.Create(kind, flags);
        Assert.Equal(flags, s switch
        {
            SourceHashingScheduler sh => sh.Flags,
            MaglevHashingScheduler mh => mh.Flags,
            _ => LvsSchedulerFlags.None,
        });
    }

    [Theory]
    [InlineData(LvsScheduler.Rr, LvsSchedulerFlags.Port, "sh-port/mh-port (flag-2)")]
    [InlineData(LvsScheduler.Wlc, LvsSchedulerFlags.Fallback, "sh-fallback/mh-fallback (flag-1)")]
    [InlineData(LvsScheduler.Dh, LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port, "sh-fallback/mh-fallback (flag-1), sh-port/mh-port (flag-2)")]
    [InlineData(LvsScheduler.Lblc, LvsSchedulerFlags.Port, "sh-port/mh-port (flag-2)")]
    [InlineData(LvsScheduler.Twos, LvsSchedulerFlags.Fallback, "sh-fallback/mh-fallback (flag-1)")]
    public void HashFlagsOnOtherSchedulersAreRefused(LvsScheduler kind, LvsSchedulerFlags flags, string named)
    {
        var ex = Assert.Throws<LvsException>(() => SchedulerFactory.Create(kind, flags));
        Assert.Equal(LvsErrorIds.InvalidSchedulerFlags, ex.ErrorId);
        Assert.Equal("InvalidSchedulerFlags", ex.ErrorId);
        Assert.Equal(LvsErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains($"'{SchedulerFactory.Name(kind)}'", ex.Message);
        Assert.Contains(named, ex.Message);
        Assert.Equal(flags, ex.Target);
    }

    [Theory]
    [InlineData(LvsScheduler.Rr)]
    [InlineData(LvsScheduler.Sh)]
    [InlineData(LvsScheduler.Lblcr)]
    public void Flag3IsAcceptedAnywhereAndIgnored(LvsScheduler kind)
    {
        Assert.Equal(kind, SchedulerFactory.Create(kind, LvsSchedulerFlags.Flag3).Kind);
    }

    [Fact]
    public void UnknownFlagBitsAreRefused()
    {
        var ex = Assert.Throws<LvsException>(() => SchedulerFactory.Create(LvsScheduler.Sh, (LvsSchedulerFlags)0x1));
        Assert.Equal(LvsErrorIds.InvalidSchedulerFlags, ex.ErrorId);
        Assert.Contains("'sh'", ex.Message);
        Assert.Contains("0x0001", ex.Message);
    }

    [Fact]
    public void AnUndefinedSchedulerIsReportedBeforeItsFlags()
    {
        var ex = Assert.Throws<LvsException>(() => SchedulerFactory.Create((LvsScheduler)42, LvsSchedulerFlags.Port));
        Assert.Equal(LvsErrorIds.InvalidScheduler, ex.ErrorId);
    }

    [Theory]
    [InlineData(LvsScheduler.Sh, LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port, "sh-fallback,sh-port")]
    [InlineData(LvsScheduler.Mh, LvsSchedulerFlags.Port, "mh-port")]
    [InlineData(LvsScheduler.Rr, LvsSchedulerFlags.Flag3, "flag-3")]
    [InlineData(LvsScheduler.Wlc, LvsSchedulerFlags.None, "")]
    public void FlagsTextSpellsThemAsIpvsadmLists(LvsScheduler kind, LvsSchedulerFlags flags, string text)
    {
        Assert.Equal(text, SchedulerFactory.FlagsText(kind, flags));
    }
}
