namespace LvsPS.Management.Util;

/// <summary>A lock file: held, exclusively and across processes, for as long as the returned stream stays open.</summary>
internal static class ExclusiveFile
{
    /// <summary>
    /// Opens <paramref name="path"/> with FileShare.None, retrying every 100 ms while another holder has it, for up to
    /// <paramref name="timeout"/>; then throws what <paramref name="timedOut"/> makes of the last IOException.
    /// </summary>
    public static FileStream Open(string path, TimeSpan timeout, Func<IOException, Exception> timedOut)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(100); }
            catch (IOException ex) { throw timedOut(ex); }
        }
    }
}
