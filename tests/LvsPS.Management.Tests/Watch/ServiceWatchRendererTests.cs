using LvsPS.Management.Watch;

namespace LvsPS.Management.Tests;

public class ServiceWatchRendererTests
{
    private static readonly ServiceWatchColors Colors = new()
    {
        Header = "\u001b[1m", Quiesced = "\u001b[33m", Down = "\u001b[31m", Draining = "\u001b[36m", Bar = "\u001b[32m", Reset = "\u001b[0m",
    };

    private static LvsRealServer Rs(string ip, int weight, int active, int inactive, LvsRealServerState state = LvsRealServerState.Up, ulong cps = 0, ulong inBps = 0) => new()
    {
        RealAddress = IPAddress.Parse(ip), RealPort = 80, Weight = weight, ActiveConnections = active, InactiveConnections = inactive, State = state,
        Statistics = new LvsStatistics { ConnectionsPerSecond = cps, InPacketsPerSecond = cps * 6, InBytesPerSecond = inBps },
    };

    private static LvsServiceWatchSnapshot Snapshot(params LvsRealServer[] rs) => new()
    {
        Director = "watchsvc-lab", Frame = 1, Time = new DateTime(2026, 12, 1, 23, 0, 0, DateTimeKind.Utc),
        Services =
        {
            new LvsService
            {
                Protocol = LvsProtocol.Tcp, VirtualAddress = IPAddress.Parse("10.165.0.100"), Port = 80, Scheduler = LvsScheduler.Wrr,
                RealServers = rs.ToList(),
                Statistics = new LvsStatistics { ConnectionsPerSecond = 12, InPacketsPerSecond = 72, InBytesPerSecond = 12_345_678 },
            },
        },
    };

    [Fact]
    public void Lines_fit_80_columns_and_the_bars_show_each_real_servers_share()
    {
        var lines = ServiceWatchRenderer.Render(Snapshot(Rs("10.165.0.11", 1, 1, 2, cps: 6), Rs("10.165.0.12", 3, 0, 9, cps: 6)));
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length}: {l}"));
        Assert.Contains("Director watchsvc-lab  2026-12-01 23:00:00Z  frame 1", lines[0]);
        Assert.Equal("Service/real server" + new string(' ', 16) + "CPS  InPPS OutPPS  InBPS OutBPS Share", lines[1]);
        Assert.StartsWith("TCP 10.165.0.100:80 wrr ", lines[2]);
        Assert.Contains("    12     72      0    12M      0", lines[2]);
        // 3 of 12 connections and 9 of 12: bars of 2 and 6 out of 8 columns at 80 columns
        Assert.Equal("  10.165.0.11:80 w1                  6     36      0      0      0 ##......  25%", lines[3]);
        Assert.Equal("  10.165.0.12:80 w3                  6     36      0      0      0 ######..  75%", lines[4]);
        Assert.Equal(80, lines[3].Length);
        Assert.DoesNotContain(lines, l => l.Contains('\u001b'));
    }

    [Fact]
    public void Bars_scale_with_the_width_and_narrow_widths_are_clamped()
    {
        var snap = Snapshot(Rs("10.165.0.11", 1, 0, 5), Rs("10.165.0.12", 1, 0, 5));
        foreach (var width in new[] { 60, 80, 100, 132 })
        {
            var lines = ServiceWatchRenderer.Render(snap, width);
            Assert.All(lines, l => Assert.True(l.Length <= width, $"{width}: {l}"));
            var bar = lines[3].Split(' ', StringSplitOptions.RemoveEmptyEntries)[^2];
            Assert.InRange(bar.Count(c => c == '#') - bar.Count(c => c == '.'), 0, 1);
            if (width > 80) Assert.True(bar.Length > 12, bar);
        }
        Assert.All(ServiceWatchRenderer.Render(snap, 20), l => Assert.True(l.Length <= ServiceWatchRenderer.MinimumWidth));
    }

    [Fact]
    public void Markers_name_weight_0_down_and_draining_with_colours_only_when_on()
    {
        var snap = Snapshot(Rs("10.165.0.11", 0, 0, 0, LvsRealServerState.Quiesced), Rs("10.165.0.12", 1, 0, 0, LvsRealServerState.Down),
            Rs("10.165.0.13", 0, 2, 0, LvsRealServerState.Draining), Rs("10.165.0.14", 1, 1, 0));
        var plain = ServiceWatchRenderer.Render(snap);
        Assert.Contains(" W0 ", plain[3]);
        Assert.Contains(" DOWN ", plain[4]);
        Assert.Contains(" DRAIN ", plain[5]);
        Assert.DoesNotContain("W0", plain[6]);
        Assert.DoesNotContain("DOWN", plain[6]);
        Assert.DoesNotContain(plain, l => l.Contains('\u001b'));

        var colored = ServiceWatchRenderer.Render(snap, 80, Colors);
        Assert.Contains("\u001b[33mW0   \u001b[0m", colored[3]);
        Assert.Contains("\u001b[31mDOWN \u001b[0m", colored[4]);
        Assert.Contains("\u001b[36mDRAIN\u001b[0m", colored[5]);
        Assert.Contains("\u001b[32m", colored[6]); // the up server's bar
        Assert.All(colored, l => Assert.True(ServiceWatchRenderer.VisibleLength(l) <= 80, l));
        // the same frame with the escapes removed is the plain one
        Assert.Equal(plain, colored.Select(ServiceWatchRenderer.StripEscapes).ToList());
    }

    [Fact]
    public void Without_live_connections_the_share_is_of_the_connection_counters()
    {
        var a = Rs("10.165.0.11", 1, 0, 0); a.Statistics.Connections = 30;
        var b = Rs("10.165.0.12", 1, 0, 0); b.Statistics.Connections = 10;
        var lines = ServiceWatchRenderer.Render(Snapshot(a, b));
        Assert.EndsWith("  75%", lines[3]);
        Assert.EndsWith("  25%", lines[4]);
        Assert.Contains("(no virtual service)", ServiceWatchRenderer.Render(new LvsServiceWatchSnapshot { Director = "d" }));
    }

    [Fact]
    public void Numbers_are_abbreviated_to_fit_their_column()
    {
        var cases = new (ulong Value, string Text)[] { (0, "0"), (999_999, "999999"), (1_000_000, "1.0M"), (12_345_678, "12M"), (1_234_567_890, "1.2G"), (ulong.MaxValue, "18446P") };
        Assert.All(cases, c => Assert.Equal(c.Text, ServiceWatchRenderer.Short(c.Value)));
    }
}
