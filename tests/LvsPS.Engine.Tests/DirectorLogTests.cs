using System.Net.Sockets;
using System.Text;

namespace LvsPS.Engine.Tests;

/// <summary>lvsd's levelled log: level filtering, the bounded ring, the engine's scheduling records, syslog datagrams.</summary>
public class DirectorLogTests
{
    [Fact]
    public void RecordsAboveTheLevel_AreNotWritten()
    {
        var log = new DirectorLog("t", level: 3);
        log.Write(0, LvsLogSeverity.Notice, LvsLogSource.Host, "zero");
        log.Write(3, LvsLogSeverity.Debug, LvsLogSource.Health, "three");
        log.Write(4, LvsLogSeverity.Debug, LvsLogSource.Vrrp, "four");
        Assert.Equal(new[] { "zero", "three" }, log.Read(new LogQuery()).Select(r => r.Message));
        log.SetLevel(12);
        log.Write(12, LvsLogSeverity.Debug, LvsLogSource.DataPath, "twelve");
        Assert.Equal("twelve", log.Read(new LogQuery { Last = 1 }).Single().Message);
        Assert.Equal(LvsErrorIds.InvalidLogQuery, Assert.Throws<LvsException>(() => log.SetLevel(13)).ErrorId);
    }

    [Fact]
    public void Ring_KeepsTheNewest()
    {
        var log = new DirectorLog("t", ringCapacity: 100);
        for (int i = 0; i < 250; i++) log.Notice(LvsLogSource.Host, "m" + i);
        var all = log.Read(new LogQuery());
        Assert.Equal(100, all.Count);
        Assert.Equal(150, all[0].Sequence);
        Assert.Equal("m249", all[^1].Message);
        var s = log.Settings();
        Assert.Equal((100, 100, 250L), (s.Records, s.RingCapacity, s.Written));
    }

    [Fact]
    public void Record_KeepsTheRoomAndSeverityItIsGiven_NotWhatTheWordsSay()
    {
        var log = new DirectorLog("t");
        // words that once made a guesser call it an error from the host: the writer's own room and severity win
        log.Record(LvsLogSource.Sync, LvsLogSeverity.Info, "lvsd: Exception NOT SAVED failed");
        log.Record(LvsLogSource.Vrrp, LvsLogSeverity.Error, "ready");
        var r = log.Read(new LogQuery());
        Assert.Equal(new[] { (LvsLogSource.Sync, LvsLogSeverity.Info, 0), (LvsLogSource.Vrrp, LvsLogSeverity.Error, 0) },
            r.Select(x => (x.Source, x.Severity, x.Level)).ToArray());
    }

    [Fact]
    public void Engine_LogsTheScheduledRealServer_OnlyFromLevel5()
    {
        var h = new EngineHarness();
        var spec = Spec(80, LvsScheduler.Rr);
        h.Engine.AddService(spec);
        h.Engine.AddRealServer(spec, Real(Rs1));
        h.Engine.ProcessFrame(TestFrames.ArpReply(Rs1Mac, Rs1, DirectorMac, DirectorIp));
        h.Engine.ProcessFrame(TestFrames.Tcp(ClientMac, DirectorMac, Client, Vip, 40000, 80, Frames.Syn, 0));
        Assert.Empty(h.Engine.GetLog(new LogQuery { Source = new[] { LvsLogSource.DataPath } }));
        h.Engine.SetLogLevel(5);
        h.Engine.ProcessFrame(TestFrames.Tcp(ClientMac, DirectorMac, Client, Vip, 40001, 80, Frames.Syn, 0));
        var r = h.Engine.GetLog(new LogQuery { Source = new[] { LvsLogSource.DataPath } }).Single();
        Assert.Equal(5, r.Level);
        Assert.Equal("test", r.Director);
        Assert.Contains($":40001 -> TCP {Ip(Vip)}:80 (rr) to {Ip(Rs1)}:80", r.Message);
        Assert.Contains(h.Engine.GetLog(new LogQuery { Source = new[] { LvsLogSource.Control } }), c => c.Message == "debug level 0 -> 5");
        Assert.Equal(5, h.Engine.ExportState().DebugLevel);
    }

    [Fact]
    public void Syslog_SendsRfc5424DatagramsToAUnixSocket()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lvsps-logtest-{Environment.ProcessId}.sock");
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.ReceiveTimeout = 5000;
        try
        {
            using (var log = new DirectorLog("lg1"))
            {
                log.UseSyslog(path, LvsSyslogFacility.Local1);
                log.Error(LvsLogSource.Health, "health: a probe failed");
                var buf = new byte[2048];
                int n = listener.Receive(buf);
                var text = Encoding.UTF8.GetString(buf, 0, n);
                Assert.Matches(@"^<139>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ lvsd \d+ health \[lvsd@32473 director=""lg1"" level=""0""\] health: a probe failed$", text);
            }
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Syslog_AbsentSocket_DropsAndCounts()
    {
        using var log = new DirectorLog("lg1");
        log.UseSyslog("/nonexistent-lvsps/log.sock", LvsSyslogFacility.Daemon);
        log.Notice(LvsLogSource.Host, "one");
        for (int i = 0; i < 100 && log.Settings().SyslogDropped == 0; i++) Thread.Sleep(20);
        Assert.Equal(1, log.Settings().SyslogDropped);
        Assert.Equal(0, log.Settings().SyslogSent);
    }
}
