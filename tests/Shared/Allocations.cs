namespace LvsPS.Tests;

/// <summary>What a steady-state loop allocates on the calling thread (test helper).</summary>
/// <remarks>
/// GC.GetAllocatedBytesForCurrentThread now and then reports a few kilobytes the measured code did not allocate
/// (the runtime's own test of it fails that way about once a week: dotnet/runtime#63487, #74388); one such reading,
/// 2,672 bytes over 1,000 SCTP frames, failed CI at stop 24 and never came back in a rerun. A loop that allocates
/// on every pass shows it in every window, so the window is measured up to <c>attempts</c> times and the least
/// reading is the answer.
/// </remarks>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="window"/> (given the attempt's number, from 0) until one run allocates nothing, at most
    /// <paramref name="attempts"/> times, and returns the least it allocated. <paramref name="prepare"/>, if given,
    /// runs before each window and is not counted.
    /// </summary>
    public static long Least(Action<int> window, int attempts = 3, Action<int>? prepare = null) =>
        Least(window, out _, attempts, prepare);

    /// <summary>As the other overload; <paramref name="windows"/> is how many windows ran.</summary>
    public static long Least(Action<int> window, out int windows, int attempts = 3, Action<int>? prepare = null)
    {
        if (attempts < 1) throw new ArgumentOutOfRangeException(nameof(attempts), attempts, "at least one window");
        long least = long.MaxValue;
        for (windows = 0; windows < attempts && least != 0; windows++)
        {
            prepare?.Invoke(windows);
            long before = GC.GetAllocatedBytesForCurrentThread();
            window(windows);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
