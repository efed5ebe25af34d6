using System.Security;

namespace LvsPS.Tests;

/// <summary>Secrets as PSCredential holds them (test helper).</summary>
internal static class TestSecrets
{
    /// <summary>A read-only SecureString holding <paramref name="text"/>.</summary>
    public static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (var c in text) s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }
}
