namespace LvsPS.Management.Tests.Remote;

public sealed class ShellQuoteTests
{
    public static TheoryData<string> Hostile => new()
    {
        "",
        "plain",
        "it's",
        "'",
        "''",
        "\"double\" quotes",
        "$(touch /tmp/lvsps-pwned)",
        "`id`",
        "${HOME}",
        "$HOME",
        "a;b && c || d | e & f",
        "line1\nline2\n",
        "tab\there",
        "back\\slash\\",
        "*?[a-z]~",
        "-n",
        "'$(echo \"`x`\")'\\'\n'",
        "ünïcødé ✓",
        " leading and trailing ",
        "#not a comment",
        "!history",
        "a'\"'\"'b",
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void QuoteRoundTripsThroughSh(string value)
    {
        var r = Proc.Run("/bin/sh", "-c", "printf %s " + ShellQuote.Quote(value));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        Assert.Equal(value, r.Output);
    }

    [Fact]
    public void QuoteStyle()
    {
        Assert.Equal("'it'\"'\"'s'", ShellQuote.Quote("it's"));
        Assert.Equal("''", ShellQuote.Quote(""));
        Assert.Equal("'lo'", ShellQuote.Quote("lo"));
        Assert.Equal("'a' 'b c'", ShellQuote.Join("a", "b c"));
    }

    [Fact]
    public void QuoteRefusesNul() => Assert.Throws<ArgumentException>(() => ShellQuote.Quote("a\0b"));

    [Fact]
    public void HostileValueIsNotExecuted()
    {
        var marker = Path.Combine(Path.GetTempPath(), "lvsps-quote-" + Guid.NewGuid().ToString("N"));
        var r = Proc.Run("/bin/sh", "-c", "echo " + ShellQuote.Quote($"$(touch {marker})`touch {marker}`"));
        Assert.Equal(0, r.ExitCode);
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("lo")]
    [InlineData("eth0")]
    [InlineData("dummy0")]
    [InlineData("eth0.100")]
    [InlineData("enp0s31f6")]
    [InlineData("br-lan_1")]
    [InlineData("abcdefghijklmno")] // 15
    public void ValidInterfaceNames(string name) => Assert.Equal(name, ShellQuote.ValidateInterfaceName(name));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("abcdefghijklmnop")] // 16
    [InlineData("eth0:1")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData("a\nb")]
    [InlineData(".")]
    [InlineData("..")]
    public void InvalidInterfaceNames(string? name)
    {
        var e = Assert.Throws<LvsException>(() => ShellQuote.ValidateInterfaceName(name));
        Assert.Equal(LvsErrorIds.InvalidInterfaceName, e.ErrorId);
        Assert.Equal(LvsErrorKind.InvalidArgument, e.Kind);
        Assert.Contains($"'{name}'", e.Message);
    }
}
