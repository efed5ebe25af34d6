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

    // Kernel 6.1 + ipvsadm 1.31 take flag-1 and flag-2 with any scheduler ("-s rr -b flag-1" lists "rr (flag-1)"),
    // so LvsPS no longer refuses them off sh and mh: the scheduler is made and ignores them.
    [Theory]
    [InlineData(LvsScheduler.Rr, LvsSchedulerFlags.Port)]
    [InlineData(LvsScheduler.Wlc, LvsSchedulerFlags.Fallback)]
    [InlineData(LvsScheduler.Dh, LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port)]
    [InlineData(LvsScheduler.Lblc, LvsSchedulerFlags.Port | LvsSchedulerFlags.Flag3)]
    [InlineData(LvsScheduler.Twos, LvsSchedulerFlags.Fallback)]
    public void GenericFlagsGoWithEveryScheduler(LvsScheduler kind, LvsSchedulerFlags flags)
    {
        Assert.Equal(kind, SchedulerFactory.Create(kind, flags).Kind);
        LvsPS.Ipvs.Specs.SpecValidator.Scheduler(kind, flags);
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
    // As the kernel listed them: "rr (flag-1)", "wlc (flag-2,flag-3)", "sh (sh-fallback,sh-port)" for sh given
    // flag-1,flag-2,flag-3, "mh (mh-port)" for mh given flag-2,flag-3 (ipvsadm names no flag-3 on sh and mh).
    [InlineData(LvsScheduler.Rr, LvsSchedulerFlags.Fallback, "flag-1")]
    [InlineData(LvsScheduler.Wlc, LvsSchedulerFlags.Port | LvsSchedulerFlags.Flag3, "flag-2,flag-3")]
    [InlineData(LvsScheduler.Rr, LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port | LvsSchedulerFlags.Flag3, "flag-1,flag-2,flag-3")]
    [InlineData(LvsScheduler.Sh, LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port | LvsSchedulerFlags.Flag3, "sh-fallback,sh-port")]
    [InlineData(LvsScheduler.Mh, LvsSchedulerFlags.Port | LvsSchedulerFlags.Flag3, "mh-port")]
    public void FlagsTextSpellsThemAsIpvsadmLists(LvsScheduler kind, LvsSchedulerFlags flags, string text)
    {
        Assert.Equal(text, SchedulerFactory.FlagsText(kind, flags));
    }

    [Theory]
    [InlineData(LvsScheduler.Sh, LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port | LvsSchedulerFlags.Flag3, "sh-fallback,sh-port,flag-3")]
    [InlineData(LvsScheduler.Mh, LvsSchedulerFlags.Flag3, "flag-3")]
    [InlineData(LvsScheduler.Rr, LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Flag3, "flag-1,flag-3")]
    [InlineData(LvsScheduler.Wlc, LvsSchedulerFlags.None, "")]
    public void FlagsArgumentSetsEveryFlag(LvsScheduler kind, LvsSchedulerFlags flags, string text)
    {
        Assert.Equal(text, SchedulerFactory.FlagsArgument(kind, flags));
    }
}
