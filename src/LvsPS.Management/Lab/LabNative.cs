using System.Runtime.InteropServices;

namespace LvsPS.Management.Lab;

/// <summary>The few libc calls the lab needs.</summary>
internal static partial class LabNative
{
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserIdNative();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    /// <summary>Effective user id, or null when it cannot be asked (not Linux).</summary>
    public static uint? EffectiveUserId()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try { return GetEffectiveUserIdNative(); }
        catch (DllNotFoundException) { return null; }
        catch (EntryPointNotFoundException) { return null; }
    }

    /// <summary>Sends <paramref name="signal"/>; false when the process is gone (or not ours to signal).</summary>
    public static bool Kill(int pid, int signal) => pid > 1 && KillNative(pid, signal) == 0;

    /// <summary>True while /proc has the pid and it is not a zombie.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // state is the first field after the ")" that closes the command name
            var close = stat.LastIndexOf(')');
            return close < 0 || close + 2 >= stat.Length || stat[close + 2] != 'Z';
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return true; }
    }
}
