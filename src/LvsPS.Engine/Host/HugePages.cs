using System.Globalization;
using System.Runtime.InteropServices;

namespace LvsPS.Engine.Host;

/// <summary>
/// Transparent huge pages for the managed heap, where the connection table's buckets and entries live. A lookup in a
/// big table reads two places that are nowhere near the last lookup's (the bucket, then the entry), and with 4 KiB
/// pages each read also misses the TLB; in a virtual machine every such miss is a two-level page walk. Debian's
/// kernels (and most distributions') run THP in "madvise" mode: only memory a process advises gets huge pages.
/// .NET's GC has no setting for it, so lvsd advises the GC's reservation itself at start-up (<c>--huge-pages
/// auto</c>, the default): <see cref="AdviseManagedHeap"/> finds the run of anonymous mappings that holds a heap
/// object and calls madvise(MADV_HUGEPAGE) on it. That touches only lvsd's own address space: nothing on the host
/// changes, and in "never" mode (or without THP) it does nothing.
/// </summary>
internal static class HugePages
{
    private const int MADV_HUGEPAGE = 14;
    public const string ModePath = "/sys/kernel/mm/transparent_hugepage/enabled";

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint addr, nuint length, int advice);

    /// <summary>The kernel's THP mode (the bracketed word of <paramref name="text"/>: "always", "madvise" or "never");
    /// null when the text names none.</summary>
    public static string? ParseMode(string text)
    {
        int open = text.IndexOf('['), close = text.IndexOf(']');
        return open >= 0 && close > open + 1 ? text[(open + 1)..close] : null;
    }

    /// <summary>This kernel's THP mode; null without THP (no such file).</summary>
    public static string? SystemMode() => File.Exists(ModePath) ? ParseMode(File.ReadAllText(ModePath)) : null;

    /// <summary>One line of /proc/PID/maps: its range, whether it is anonymous memory (no file, no [stack] etc.) and
    /// whether it is read-write (committed, where the GC's reserved parts are ---p).</summary>
    internal readonly record struct Mapping(ulong Start, ulong End, bool Anonymous, bool Writable);

    /// <summary>Parses /proc/PID/maps text ("start-end perms offset dev inode [path]").</summary>
    internal static List<Mapping> ParseMaps(string text)
    {
        var list = new List<Mapping>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            int dash = f[0].IndexOf('-');
            if (f.Length < 5 || dash < 0) continue;
            ulong start = ulong.Parse(f[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(f[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            list.Add(new Mapping(start, end, f[4] == "0" && (f.Length == 5 || f[5].Trim().Length == 0), f[1].StartsWith("rw", StringComparison.Ordinal)));
        }
        return list;
    }

    /// <summary>The run of contiguous anonymous mappings (in address order) that contains <paramref name="address"/>:
    /// the GC's reservation, whose committed and reserved parts are separate mappings side by side. Null when the
    /// address is in no anonymous mapping.</summary>
    internal static (ulong Start, ulong End)? RunContaining(List<Mapping> maps, ulong address)
    {
        int at = maps.FindIndex(m => m.Start <= address && address < m.End);
        if (at < 0 || !maps[at].Anonymous) return null;
        int first = at, last = at;
        while (first > 0 && maps[first - 1].Anonymous && maps[first - 1].End == maps[first].Start) first--;
        while (last < maps.Count - 1 && maps[last + 1].Anonymous && maps[last + 1].Start == maps[last].End) last++;
        return (maps[first].Start, maps[last].End);
    }

    /// <summary>The managed heap's reservation in this process: the anonymous run holding a pinned probe object.</summary>
    internal static (ulong Start, ulong End)? ManagedHeapRun(out List<Mapping> maps)
    {
        var probe = new byte[64];
        var handle = GCHandle.Alloc(probe, GCHandleType.Pinned);
        try
        {
            maps = ParseMaps(File.ReadAllText("/proc/self/maps"));
            return RunContaining(maps, (ulong)handle.AddrOfPinnedObject());
        }
        finally { handle.Free(); }
    }

    /// <summary>Advises the managed heap's reservation to transparent huge pages. Returns the bytes advised (0 when
    /// the heap's mapping was not found or madvise refused). What the heap commits later is in the advised range too
    /// (a big array gets huge pages as it is first touched); what is already in use the kernel's khugepaged collapses
    /// in the background (measured: a 1,000,000-entry table's 140 MB within about a minute).</summary>
    public static ulong AdviseManagedHeap()
    {
        if (ManagedHeapRun(out _) is not var (start, end)) return 0;
        // madvise applies to every mapping in the range and reports ENOMEM only for holes; the run has none
        return madvise((nint)start, (nuint)(end - start), MADV_HUGEPAGE) == 0 ? end - start : 0;
    }

    /// <summary>What khugepaged reaches within a minute, at once: MADV_COLLAPSE on the heap's committed parts (each
    /// read-write mapping of 2 MiB or more in the run). For the benchmarks, which measure that steady state; lvsd
    /// leaves it to khugepaged, as a synchronous collapse would stall the data path's page faults while it copies.
    /// Returns the bytes collapsed.</summary>
    internal static ulong CollapseManagedHeap()
    {
        const int MADV_COLLAPSE = 25;
        if (ManagedHeapRun(out var maps) is not var (start, end)) return 0;
        ulong done = 0;
        foreach (var m in maps)
            if (m.Anonymous && m.Writable && m.Start >= start && m.End <= end && m.End - m.Start >= 2u << 20
                && madvise((nint)m.Start, (nuint)(m.End - m.Start), MADV_COLLAPSE) == 0)
                done += m.End - m.Start;
        return done;
    }

    /// <summary>--huge-pages auto (the default) or off; anything else is InvalidArgument naming it.</summary>
    public static bool ParseOption(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => true,
        "off" => false,
        _ => throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument, $"--huge-pages '{text}' is not valid (auto, off).", text),
    };

    /// <summary>lvsd's start-up step: with <paramref name="wanted"/> and a kernel in "always" or "madvise" mode, the
    /// heap is advised. Returns what was done: Get-LvsDirector's HugePages, and the log's line after "huge pages: ".</summary>
    public static string Apply(bool wanted, string? mode)
    {
        if (!wanted) return "off (--huge-pages off)";
        if (mode is not ("always" or "madvise")) return $"not used (transparent huge pages {(mode is null ? "not in this kernel" : $"are '{mode}'")})";
        ulong bytes = AdviseManagedHeap();
        return bytes > 0
            ? $"the managed heap's {bytes >> 20} MiB reservation advised (transparent huge pages '{mode}')"
            : "not used (the managed heap's mapping was not found or madvise refused)";
    }
}
