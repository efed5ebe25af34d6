using System.Text;

namespace LvsPS.Management.Tests.Remote;

/// <summary>
/// A credential's password on its way to SSH.NET: the unmanaged copy a SecureString is read through is zeroed and
/// freed every time (it used to be marshalled and left in memory, never zeroed).
/// </summary>
[Collection(SecretTextCollection.Name)]
public sealed class SecretTextTests : IDisposable
{
    private readonly List<IntPtr> _made = new(), _zeroFreed = new();

    public SecretTextTests()
    {
        SecretText.CopyMade = p => _made.Add(p);
        SecretText.CopyZeroFreed = p => _zeroFreed.Add(p);
    }

    public void Dispose()
    {
        SecretText.CopyMade = null;
        SecretText.CopyZeroFreed = null;
    }

    [Theory]
    [InlineData("hunter2")]
    [InlineData("pässwört 密码 🔑")]
    [InlineData("")]
    public void Utf8_IsThePasswordsBytes_AndTheUnmanagedCopyIsZeroFreed(string password)
    {
        using var secret = TestSecrets.Secure(password);
        var bytes = SecretText.Utf8(secret);
        Assert.Equal(Encoding.UTF8.GetBytes(password), bytes);
        Assert.Single(_made);
        Assert.Equal(_made, _zeroFreed);
        Assert.Equal(password.Length, secret.Length); // the SecureString itself is left as it was
    }

    [Fact]
    public void Text_IsThePassphrase_AndTheUnmanagedCopyIsZeroFreed()
    {
        using var secret = TestSecrets.Secure("correct horse");
        Assert.Equal("correct horse", SecretText.Text(secret));
        Assert.Single(_made);
        Assert.Equal(_made, _zeroFreed);
    }
}

/// <summary>The hooks are process-wide: these tests run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SecretTextCollection
{
    public const string Name = "SecretText hooks";
}
