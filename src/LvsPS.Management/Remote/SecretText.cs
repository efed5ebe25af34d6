using System.Runtime.InteropServices;
using System.Security;

namespace LvsPS.Management.Remote;

/// <summary>
/// A password or passphrase (a <see cref="SecureString"/>, as PSCredential holds it) in the form SSH.NET takes. The
/// one unmanaged UTF-16 copy <see cref="Marshal.SecureStringToGlobalAllocUnicode"/> makes is zeroed and freed
/// (<see cref="Marshal.ZeroFreeGlobalAllocUnicode"/>) before the call returns, and the managed char buffer is cleared.
/// </summary>
internal static class SecretText
{
    /// <summary>Test hooks: told of each unmanaged copy made and of each one zeroed and freed.</summary>
    internal static Action<IntPtr>? CopyMade, CopyZeroFreed;

    /// <summary>The secret's UTF-8 bytes (SSH.NET's password form); the caller zeroes them after use.</summary>
    public static byte[] Utf8(SecureString secret) => WithChars(secret, chars =>
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(chars)];
        Encoding.UTF8.GetBytes(chars, bytes);
        return bytes;
    });

    /// <summary>
    /// The secret as a string, for an API that takes nothing else (SSH.NET's PrivateKeyFile passphrase): a managed
    /// string cannot be zeroed, so keep it no longer than that call.
    /// </summary>
    public static string Text(SecureString secret) => WithChars(secret, chars => new string(chars));

    private static T WithChars<T>(SecureString secret, Func<char[], T> use)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var chars = new char[secret.Length];
        IntPtr copy = Marshal.SecureStringToGlobalAllocUnicode(secret);
        CopyMade?.Invoke(copy);
        try
        {
            Marshal.Copy(copy, chars, 0, chars.Length);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(copy);
            CopyZeroFreed?.Invoke(copy);
        }
        try { return use(chars); }
        finally { Array.Clear(chars); }
    }
}
