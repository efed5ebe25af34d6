using LvsPS.Ipvs.Director;

namespace LvsPS.Ipvs.Tests;

/// <summary>The log's text forms: the file line (round trip), RFC 5424 syslog, the kernel's and keepalived's lines, queries.</summary>
public class DirectorLogFormatTests
{
    private static LvsLogRecord R(string message, int level = 0, LvsLogSeverity sev = LvsLogSeverity.Notice, LvsLogSource src = LvsLogSource.Vrrp) => new()
    {
        Director = "lg1", Time = new DateTime(2026, 12, 2, 3, 36, 19, DateTimeKind.Utc).AddTicks(1234567), Level = level, Severity = sev, Source = src, Message = message,
    };

    [Fact]
    public void Line_HasTimeLevelSeveritySourceMessage()
    {
        Assert.Equal("2026-12-02T03:36:19.1234567Z L5 debug datapath: scheduled 10.0.0.200:4000 -> TCP 10.0.0.101:80 (rr) to 10.0.0.3:80 Route",
            DirectorLogFormat.FormatLine(R("scheduled 10.0.0.200:4000 -> TCP 10.0.0.101:80 (rr) to 10.0.0.3:80 Route", 5, LvsLogSeverity.Debug, LvsLogSource.DataPath)));
    }

    [Theory]
    [InlineData("vrrp: (VI_1) Entering MASTER STATE")]
    [InlineData("two\nlines and a \\ backslash\r\nand a literal \\n")]
    [InlineData("")]
    public void Line_RoundTrips(string message)
    {
        var r = R(message, 12, LvsLogSeverity.Error, LvsLogSource.Health);
        var line = DirectorLogFormat.FormatLine(r);
        Assert.DoesNotContain('\n', line);
        Assert.True(DirectorLogFormat.TryParseLine(line, out var back));
        Assert.Equal(r.Time, back.Time);
        Assert.Equal(12, back.Level);
        Assert.Equal(LvsLogSeverity.Error, back.Severity);
        Assert.Equal(LvsLogSource.Health, back.Source);
        Assert.Equal(message, back.Message);
    }

    [Theory]
    [InlineData("   at LvsPS.Engine.Host.Program.Run()")]
    [InlineData("2026-12-02T03:36:19.1234567Z L13 notice host: level beyond 12")]
    [InlineData("2026-12-02T03:36:19.1234567Z L0 loud host: no such severity")]
    [InlineData("2026-12-02T03:36:19.1234567Z L0 notice nowhere: no such source")]
    public void Line_RefusesOtherLines(string line) => Assert.False(DirectorLogFormat.TryParseLine(line, out _));

    [Theory]
    [InlineData(LvsSyslogFacility.Daemon, LvsLogSeverity.Notice, 29)]
    [InlineData(LvsSyslogFacility.Daemon, LvsLogSeverity.Error, 27)]
    [InlineData(LvsSyslogFacility.Local0, LvsLogSeverity.Debug, 135)]
    [InlineData(LvsSyslogFacility.Kern, LvsLogSeverity.Warning, 4)]
    public void Syslog_PriIsFacilityTimesEightPlusSeverity(LvsSyslogFacility f, LvsLogSeverity s, int pri) =>
        Assert.Equal(pri, DirectorLogFormat.Priority(f, s));

    [Fact]
    public void Syslog_IsRfc5424()
    {
        var m = DirectorLogFormat.FormatSyslog(R("vrrp: (VI_1) Entering \"MASTER\"\nSTATE"), LvsSyslogFacility.Local3, "dir ector", 4242);
        Assert.Equal("<157>1 2026-12-02T03:36:19.123456Z director lvsd 4242 vrrp [lvsd@32473 director=\"lg1\" level=\"0\"] vrrp: (VI_1) Entering \"MASTER\" STATE", m);
    }

    [Fact]
    public void Kernel_DmesgRawLine_TakesItsPriorityAndBootTime()
    {
        var boot = new DateTime(2026, 12, 2, 3, 0, 0, DateTimeKind.Utc);
        var r = DirectorLogFormat.ParseKernelLine("<6>[   12.500000] IPVS: [rr] scheduler registered.", boot, "k1")!;
        Assert.Equal(boot.AddSeconds(12.5), r.Time);
        Assert.Equal(LvsLogSeverity.Info, r.Severity);
        Assert.Equal(LvsLogSource.Kernel, r.Source);
        Assert.Equal(0, r.Level);
        Assert.Equal("IPVS: [rr] scheduler registered.", r.Message);
        var d = DirectorLogFormat.ParseKernelLine("<7>[   13.000001] IPVS: lookup/in TCP 10.0.0.200:4000->10.0.0.101:80 hit", boot)!;
        Assert.Equal(LvsLogSeverity.Debug, d.Severity);
        Assert.Equal(1, d.Level);
        Assert.Equal(LvsLogSeverity.Error, DirectorLogFormat.ParseKernelLine("<3>[1.0] IPVS: error", boot)!.Severity);
        Assert.Equal(LvsLogSeverity.Info, DirectorLogFormat.ParseKernelLine("[    1.000000] IPVS: Registered protocols (TCP, UDP)", boot)!.Severity);
    }

    [Fact]
    public void Kernel_JournalLine()
    {
        var r = DirectorLogFormat.ParseKernelLine("2026-12-02T03:36:19.123456+0000 guest kernel: IPVS: ipvs loaded.", DateTime.MinValue)!;
        Assert.Equal(new DateTime(2026, 12, 2, 3, 36, 19, DateTimeKind.Utc).AddTicks(1234560), r.Time);
        Assert.Equal("IPVS: ipvs loaded.", r.Message);
        Assert.Null(DirectorLogFormat.ParseKernelLine("not a log line", DateTime.MinValue));
    }

    [Fact]
    public void Keepalived_ConsoleAndJournalLines()
    {
        var r = DirectorLogFormat.ParseKeepalivedLine("Tue Dec  1 16:32:10 2026: Removing service [10.0.0.3]:tcp:80 from VS [10.0.0.101]:tcp:80")!;
        Assert.Equal(new DateTime(2026, 12, 1, 16, 32, 10, DateTimeKind.Utc), r.Time);
        Assert.Equal(LvsLogSource.Keepalived, r.Source);
        Assert.StartsWith("Removing service", r.Message);
        var j = DirectorLogFormat.ParseKeepalivedLine("2026-12-02T03:36:19.000000+01:00 d1 Keepalived_vrrp[812]: (VI_1) Entering MASTER STATE")!;
        Assert.Equal(new DateTime(2026, 12, 2, 2, 36, 19, DateTimeKind.Utc), j.Time);
        Assert.Equal("(VI_1) Entering MASTER STATE", j.Message);
    }

    [Fact]
    public void Query_FiltersByLevelSourceSincePatternAndLast()
    {
        var t0 = new DateTime(2026, 12, 2, 3, 0, 0, DateTimeKind.Utc);
        var all = Enumerable.Range(0, 20).Select(i => new LvsLogRecord
        {
            Time = t0.AddSeconds(i), Level = i % 7, Source = i % 2 == 0 ? LvsLogSource.DataPath : LvsLogSource.Vrrp, Message = $"m{i}",
        }).ToList();
        Assert.All(new LogQuery { MaxLevel = 2 }.Apply(all), r => Assert.True(r.Level <= 2));
        Assert.Equal(9, new LogQuery { MaxLevel = 2 }.Apply(all).Count);
        Assert.All(new LogQuery { Source = new[] { LvsLogSource.Vrrp } }.Apply(all), r => Assert.Equal(LvsLogSource.Vrrp, r.Source));
        Assert.Equal(new[] { "m18", "m19" }, new LogQuery { Last = 2 }.Apply(all).Select(r => r.Message));
        Assert.Equal(5, new LogQuery { Since = t0.AddSeconds(15) }.Apply(all).Count);
        Assert.Equal(new[] { "m17", "m18", "m19" }, new LogQuery { Pattern = "^M1", Last = 3, Since = t0 }.Apply(all).Select(r => r.Message));
        Assert.Equal(11, new LogQuery { Pattern = "^M1" }.Apply(all).Count);
    }

    [Theory]
    [InlineData(13, null, null)]
    [InlineData(-1, null, null)]
    [InlineData(null, 0, null)]
    [InlineData(null, null, "(unclosed")]
    public void Query_RefusesBadValues(int? level, int? last, string? pattern)
    {
        var e = Assert.Throws<LvsException>(() => new LogQuery { MaxLevel = level, Last = last, Pattern = pattern }.Validate());
        Assert.Equal(LvsErrorIds.InvalidLogQuery, e.ErrorId);
    }
}
