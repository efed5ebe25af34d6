namespace LvsPS.Management.Tests.Remote;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KnownHostsTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly (string Type, byte[] Blob) _a, _b, _rsa;
    private readonly string _aLine, _bLine, _rsaLine;

    public KnownHostsTests()
    {
        _aLine = Keys.Generate(_dir, "a").PublicLine;
        _bLine = Keys.Generate(_dir, "b").PublicLine;
        _rsaLine = Keys.Generate(_dir, "r", "rsa", "2048").PublicLine;
        _a = Keys.Parse(_aLine);
        _b = Keys.Parse(_bLine);
        _rsa = Keys.Parse(_rsaLine);
    }

    public void Dispose() => _dir.Dispose();

    private static string KeyPart(string line) => string.Join(' ', line.Split(' ').Take(2));

    /// <summary>Asserts that <paramref name="kh"/> says <paramref name="expected"/> of each host, port and key.</summary>
    private static void AssertStatus(KnownHostsFile kh, HostKeyStatus expected, params (string Host, int Port, (string Type, byte[] Blob) Key)[] checks)
    {
        foreach (var (host, port, key) in checks)
            Assert.Equal(expected, kh.Check(host, port, key.Type, key.Blob));
    }

    private KnownHostsFile Write(params string[] lines)
    {
        var path = _dir.File("known_hosts_" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return new KnownHostsFile(path);
    }

    [Fact]
    public void PlainHost_TrustedUnknownAndMismatch()
    {
        var kh = Write($"rs1.example {KeyPart(_aLine)} comment here");
        AssertStatus(kh, HostKeyStatus.Trusted, ("rs1.example", 22, _a), ("RS1.Example", 22, _a));
        AssertStatus(kh, HostKeyStatus.Mismatch, ("rs1.example", 22, _b));
        // a plain entry is for port 22 only; another key type for a known host is new, not a mismatch (as in OpenSSH)
        AssertStatus(kh, HostKeyStatus.Unknown, ("rs2.example", 22, _a), ("rs1.example", 2222, _a), ("rs1.example", 22, _rsa));
    }

    [Fact]
    public void CommaListsCommentsAndBlankLines()
    {
        var kh = Write("# a comment", "", $"rs1,10.0.0.1,rs1.example {KeyPart(_aLine)}", "   ", $"rs3 {KeyPart(_rsaLine)}");
        AssertStatus(kh, HostKeyStatus.Trusted, ("rs1", 22, _a), ("10.0.0.1", 22, _a), ("rs1.example", 22, _a), ("rs3", 22, _rsa));
        AssertStatus(kh, HostKeyStatus.Unknown, ("10.0.0.2", 22, _a));
        Assert.Equal(2, kh.ReadEntries().Count);
    }

    [Fact]
    public void BracketedHostPort()
    {
        var kh = Write($"[rs1.example]:2222,[10.0.0.1]:2222 {KeyPart(_aLine)}");
        AssertStatus(kh, HostKeyStatus.Trusted, ("rs1.example", 2222, _a), ("10.0.0.1", 2222, _a));
        AssertStatus(kh, HostKeyStatus.Unknown, ("rs1.example", 22, _a), ("rs1.example", 2223, _a));
        AssertStatus(kh, HostKeyStatus.Mismatch, ("rs1.example", 2222, _b));
    }

    [Fact]
    public void HashedEntriesMadeBySshKeygen()
    {
        var path = _dir.File("hashed_known_hosts");
        File.WriteAllText(path, $"rs1.example {KeyPart(_aLine)}\n[rs2.example]:2200 {KeyPart(_bLine)}\n");
        Proc.Run("ssh-keygen", "-q", "-H", "-f", path).Check("ssh-keygen -H");
        var text = File.ReadAllText(path);
        Assert.DoesNotContain("rs1.example", text);
        Assert.DoesNotContain("rs2.example", text);

        var kh = new KnownHostsFile(path);
        Assert.All(kh.ReadEntries(), e => Assert.True(e.IsHashed));
        AssertStatus(kh, HostKeyStatus.Trusted, ("rs1.example", 22, _a), ("rs2.example", 2200, _b));
        AssertStatus(kh, HostKeyStatus.Mismatch, ("rs1.example", 22, _b));
        AssertStatus(kh, HostKeyStatus.Unknown, ("rs2.example", 22, _b), ("rs3.example", 22, _a));
    }

    [Fact]
    public void RevokedKeyIsAlwaysRefused()
    {
        // even with a line that trusts the same key, @revoked wins
        var kh = Write($"rs1 {KeyPart(_aLine)}", $"@revoked * {KeyPart(_aLine)}");
        AssertStatus(kh, HostKeyStatus.Revoked, ("rs1", 22, _a), ("other", 2222, _a));
        AssertStatus(kh, HostKeyStatus.Mismatch, ("rs1", 22, _b));
    }

    [Fact]
    public void CertAuthorityLinesAreSkippedAndWildcardsWork()
    {
        var kh = Write($"@cert-authority *.example {KeyPart(_aLine)}", $"*.lab,!bad.lab {KeyPart(_bLine)}", $"rs? {KeyPart(_rsaLine)}");
        AssertStatus(kh, HostKeyStatus.Unknown, ("rs1.example", 22, _a), ("bad.lab", 22, _b), ("rs17", 22, _rsa));
        AssertStatus(kh, HostKeyStatus.Trusted, ("rs1.lab", 22, _b), ("rs7", 22, _rsa));
    }

    [Fact]
    public void MissingFileMeansUnknown()
    {
        var kh = new KnownHostsFile(_dir.File("does-not-exist"));
        AssertStatus(kh, HostKeyStatus.Unknown, ("rs1", 22, _a));
    }

    [Fact]
    public void AddWritesLinesSshKeygenFinds()
    {
        var path = _dir.File("sub/dir/known_hosts");
        var kh = new KnownHostsFile(path);
        kh.Add("RS1.example", 22, _a.Type, _a.Blob);
        kh.Add("rs1.example", 2222, _b.Type, _b.Blob);
        kh.Add("rs9.example", 22, _rsa.Type, _rsa.Blob, hashHost: true);

        var lines = File.ReadAllLines(path);
        Assert.Equal($"rs1.example {KeyPart(_aLine)}", lines[0]);
        Assert.Equal($"[rs1.example]:2222 {KeyPart(_bLine)}", lines[1]);
        Assert.StartsWith("|1|", lines[2]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        AssertStatus(kh, HostKeyStatus.Trusted, ("rs1.example", 22, _a), ("rs1.example", 2222, _b), ("rs9.example", 22, _rsa));

        // OpenSSH itself must find what was written
        Assert.Contains(KeyPart(_aLine), Proc.Run("ssh-keygen", "-F", "rs1.example", "-f", path).Check("ssh-keygen -F").Output);
        Assert.Contains(KeyPart(_bLine), Proc.Run("ssh-keygen", "-F", "[rs1.example]:2222", "-f", path).Check("ssh-keygen -F").Output);
        Assert.Contains(KeyPart(_rsaLine), Proc.Run("ssh-keygen", "-F", "rs9.example", "-f", path).Check("ssh-keygen -F").Output);
    }

    [Fact]
    public void AddAppendsNewlineWhenFileLacksOne()
    {
        var path = _dir.File("no_newline");
        File.WriteAllText(path, $"rs1 {KeyPart(_aLine)}");
        new KnownHostsFile(path).Add("rs2", 22, _b.Type, _b.Blob);
        var kh = new KnownHostsFile(path);
        AssertStatus(kh, HostKeyStatus.Trusted, ("rs1", 22, _a), ("rs2", 22, _b));
    }

    [Theory]
    [InlineData("ed25519", null)]
    [InlineData("rsa", "3072")]
    [InlineData("ecdsa", "256")]
    [InlineData("ecdsa", "521")]
    public void FingerprintMatchesSshKeygen(string type, string? bits)
    {
        var (priv, line) = Keys.Generate(_dir, "fp-" + type + bits, type, bits);
        var printed = Proc.Run("ssh-keygen", "-l", "-E", "sha256", "-f", priv + ".pub").Check("ssh-keygen -l").Output;
        // "256 SHA256:xxxx comment (ED25519)"
        var expected = printed.Split(' ')[1];
        Assert.StartsWith("SHA256:", expected);
        Assert.Equal(expected, KnownHostsFile.Sha256Fingerprint(Keys.Parse(line).Blob));
    }

    [Fact]
    public void KeyTypeComesFromTheBlob()
    {
        Assert.Equal("ssh-ed25519", KnownHostsFile.KeyTypeOfBlob(_a.Blob));
        Assert.Equal("ssh-rsa", KnownHostsFile.KeyTypeOfBlob(_rsa.Blob));
        Assert.Null(KnownHostsFile.KeyTypeOfBlob(new byte[] { 0, 0, 0 }));
    }

    [Fact]
    public void MalformedLinesAreIgnored()
    {
        var entries = KnownHostsFile.Parse($"rs1 ssh-ed25519 !!notbase64!!\nrs2\n@weird rs3 {KeyPart(_aLine)}\nrs4 ssh-rsa {KeyPart(_aLine).Split(' ')[1]}\nrs5 {KeyPart(_aLine)}\n");
        Assert.Single(entries);
        Assert.Equal("rs5", entries[0].HostField);
    }
}
