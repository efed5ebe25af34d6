using System.Security;
using LvsPS.Ipvs.Model;
using LvsPS.Management.Remote;

namespace LvsPS.Remote.Tests;

/// <summary>
/// Password logins against the real sshd (which takes keys only, so the password is refused): the UTF-8 copy of the
/// password SSH.NET was given is zeroed once the login is over, and the SecureString is left intact for a reconnect.
/// </summary>
public sealed class SshPasswordTests : IClassFixture<SshdNamespaceFixture>
{
    private readonly SshdNamespaceFixture _f;

    public SshPasswordTests(SshdNamespaceFixture fixture) => _f = fixture;

    [Fact]
    public void RefusedPasswordLogin_LeavesTheCopyGivenToSshNetZeroed()
    {
        var t = _f.Target(_f.TrustingKnownHosts());
        t.KeyFile = null;
        t.Password = TestSecrets.Secure("not-the-password-ü");
        using var session = new SshSession(t);

        var e = Assert.Throws<LvsException>(session.Connect);

        Assert.True(e.ErrorId == LvsErrorIds.SshAuthenticationFailed, $"{e.ErrorId}: {e.Message}");
        var copy = session.PasswordCopy;
        Assert.NotNull(copy);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount("not-the-password-ü"), copy!.Length);
        Assert.All(copy, b => Assert.Equal(0, b));
        Assert.Equal(18, t.Password.Length);
    }

    [Fact]
    public void KeyLoginWithAPassword_TooLeavesTheCopyZeroed_AndWorks()
    {
        // The key logs in (publickey is tried first); the password copy made for the login is zeroed all the same.
        var t = _f.Target(_f.TrustingKnownHosts());
        t.Password = TestSecrets.Secure("unused");
        using var session = SshSession.Open(t);
        Assert.Equal("root", session.Run("id -un").Output.Trim());
        Assert.All(session.PasswordCopy!, b => Assert.Equal(0, b));
    }
}
