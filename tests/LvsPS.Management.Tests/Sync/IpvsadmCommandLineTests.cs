using LvsPS.Management.Sync;
using LvsPS.Management.Tests.Config;

namespace LvsPS.Management.Tests.Sync;

public class IpvsadmCommandLineTests
{
    private static IpvsadmInvocation P(string line) =>
        IpvsadmCommandLine.Parse(IpvsadmCommandLine.Arguments(new[] { line }), ConfigTestData.Resolve, ConfigTestData.Services);

    [Theory]
    [InlineData("-A -t 10.0.0.1:80 -s rr", new[] { "-A", "-t", "10.0.0.1:80", "-s", "rr" })]
    [InlineData("  -L\t-n  ", new[] { "-L", "-n" })]
    [InlineData("-a -t '10.0.0.1:80' -r \"10.0.0.2\"", new[] { "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2" })]
    [InlineData("a\\ b 'c d' \"e \\\"f\\\"\"", new[] { "a b", "c d", "e \"f\"" })]
    public void Tokenize_honours_quotes_and_escapes(string line, string[] expected) =>
        Assert.Equal(expected, IpvsadmCommandLine.Tokenize(line));

    [Fact]
    public void Tokenize_refuses_an_open_quote() =>
        Assert.Contains("unterminated", Assert.Throws<LvsException>(() => IpvsadmCommandLine.Tokenize("-A -t '10.0.0.1")).Message);

    [Fact]
    public void Arguments_mix_one_string_and_words_and_drop_ipvsadm() =>
        Assert.Equal(new[] { "-A", "-t", "10.0.0.1:80", "-s", "rr" }, IpvsadmCommandLine.Arguments(new[] { "ipvsadm", "-A -t 10.0.0.1:80", "-s", "rr" }));

    [Fact]
    public void Add_service_reads_as_a_rules_line()
    {
        var inv = P("-A -t 10.0.0.1:80 -s rr -p 60");
        Assert.Equal(IpvsadmCommandKind.AddService, inv.Command);
        Assert.Equal(LvsScheduler.Rr, inv.Service!.Scheduler);
        Assert.Equal(60u, inv.Service.PersistentTimeout);
        Assert.True(inv.Changes);
    }

    [Fact]
    public void Edit_server_takes_ipvsadm_defaults()
    {
        var inv = P("-e -t 10.0.0.1:80 -r rs1");
        Assert.Equal(IpvsadmCommandKind.EditServer, inv.Command);
        Assert.Equal(IPAddress.Parse("192.168.0.3"), inv.RealServer!.RealAddress);
        Assert.Equal(1, inv.RealServer.Weight);
        Assert.Equal((ushort)80, inv.RealServer.RealPort);
    }

    [Theory]
    [InlineData("-L -n", IpvsadmListView.List)]
    [InlineData("", IpvsadmListView.List)]
    [InlineData("-L -n --stats", IpvsadmListView.Stats)]
    [InlineData("-L -n --rate --exact", IpvsadmListView.Rate)]
    [InlineData("-l --thresholds", IpvsadmListView.Thresholds)]
    [InlineData("--list -n --persistent-conn", IpvsadmListView.PersistentConn)]
    [InlineData("-L -n -c", IpvsadmListView.Connections)]
    [InlineData("-L --timeout", IpvsadmListView.Timeout)]
    public void List_views(string line, IpvsadmListView view)
    {
        var inv = P(line);
        Assert.Equal(IpvsadmCommandKind.List, inv.Command);
        Assert.Equal(view, inv.View);
        Assert.False(inv.Changes);
    }

    [Fact]
    public void List_of_one_service() => Assert.Equal((ushort)443, P("-L -n -t 10.0.0.1:https").Service!.Port);

    [Theory]
    [InlineData("-A -t 10.0.0.1:80 --foo", "ipvsadm: --foo: unknown option")]
    [InlineData("-A -a -t 10.0.0.1:80", "multiple commands specified")]
    [InlineData("-D -t 10.0.0.1:80 -w 3", "Illegal 'w' option with the 'delete-service' command")]
    [InlineData("-A -t 10.0.0.1:80 -w 3", "illegal 'weight' option ('-w') with the 'add-service' command")]
    [InlineData("-e -t 10.0.0.1:80", "You need to supply the 'real-server' option for the 'edit-server' command")]
    [InlineData("-L -n --stats --rate", "The option 'rate' conflicts with the 'stats' option in the 'list' command")]
    [InlineData("-L -c --timeout", "The option 'timeout' conflicts with the 'connection' option in the 'list' command")]
    [InlineData("-A -t 10.0.0.1:80 -s nope", "unknown scheduler 'nope'")]
    [InlineData("--set 1 2", "--set takes three values")]
    [InlineData("-D", "The 'delete-service' command needs a service")]
    public void Bad_input_gives_ipvsadm_messages(string line, string message)
    {
        var e = Assert.Throws<LvsException>(() => P(line));
        Assert.Contains(message, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("ipvsadm: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-A -t 10.0.0.1:80 -s nope", "InvalidScheduler", "nope")]
    [InlineData("-E -t 10.0.0.1:80 --scheduler nope", "InvalidScheduler", "nope")]
    [InlineData("-A -t 10.0.0.1:80 --scheduler=nope", "InvalidScheduler", "nope")]
    [InlineData("--set 2678401 0 0", "InvalidTimeout", "2678401")]
    [InlineData("--set 60 -1 0", "InvalidTimeout", "-1")]
    [InlineData("--set 60 30 abc", "InvalidTimeout", "abc")]
    public void A_bad_scheduler_or_timeout_has_its_own_error_id(string line, string errorId, string value)
    {
        var e = Assert.Throws<LvsException>(() => P(line));
        Assert.Equal((errorId, LvsErrorKind.InvalidArgument), (e.ErrorId, e.Kind));
        Assert.Equal(value, e.Target);
    }

    [Fact]
    public void Restore_is_refused_with_the_way_to_do_it() =>
        Assert.Contains("Sync-LvsConfiguration", Assert.Throws<LvsException>(() => P("-R")).Message);

    [Fact]
    public void Set_reads_three_timeouts()
    {
        var inv = P("--set 900 120 300");
        Assert.Equal(IpvsadmCommandKind.SetTimeout, inv.Command);
        Assert.Equal("900 120 300", inv.Timeouts!.ToString());
    }

    [Fact]
    public void Edit_of_a_missing_service_is_no_such_service()
    {
        var e = Assert.Throws<LvsException>(() => IpvsadmCommandLine.Change(P("-E -t 10.0.0.1:80 -s rr"), new List<LvsService>(), "d"));
        Assert.Equal(LvsErrorIds.ServiceNotFound, e.ErrorId);
        Assert.Contains("No such service", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Edit_change_names_old_and_new()
    {
        var actual = ConfigTestData.ParseRules("-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 10.0.0.2 -g -w 1\n").ToLvsServices();
        var c = IpvsadmCommandLine.Change(P("-e -t 10.0.0.1:80 -r 10.0.0.2 -w 5"), actual, "d");
        Assert.Equal(LvsChangeAction.Edit, c.Action);
        Assert.Equal("w1 Route", c.Old);
        Assert.Equal("w5 Route", c.New);
        Assert.Equal("ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 5", c.Command);
    }
}
