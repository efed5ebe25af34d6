using System.Diagnostics.CodeAnalysis;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Kernel;

/// <summary>
/// The kernel directors connected in this process (Connect-LvsDirector), by name. Thread-safe; names are
/// case-sensitive, as director socket names are.
/// </summary>
public static class KernelDirectorRegistry
{
    private static readonly object Sync = new();
    private static readonly Dictionary<string, KernelDirector> Directors = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers <paramref name="director"/> under its name. A director already registered under that name is
    /// replaced and disposed (its SSH session is closed).
    /// </summary>
    public static void Register(KernelDirector director)
    {
        ArgumentNullException.ThrowIfNull(director);
        KernelDirector? old;
        lock (Sync)
        {
            Directors.TryGetValue(director.Name, out old);
            Directors[director.Name] = director;
        }
        if (old is not null && !ReferenceEquals(old, director)) old.Dispose();
    }

    public static bool TryGet(string name, [NotNullWhen(true)] out KernelDirector? director)
    {
        lock (Sync) return Directors.TryGetValue(name, out director);
    }

    public static bool Contains(string name)
    {
        lock (Sync) return Directors.ContainsKey(name);
    }

    /// <summary>The SSH target a director was connected with, or null.</summary>
    public static SshTarget? TargetOf(string name)
    {
        lock (Sync) return Directors.TryGetValue(name, out var d) ? d.Target : null;
    }

    /// <summary>Removes and disposes the director registered as <paramref name="name"/>; false when there is none.</summary>
    public static bool Remove(string name)
    {
        KernelDirector? d;
        lock (Sync)
        {
            if (!Directors.Remove(name, out d)) return false;
        }
        d.Dispose();
        return true;
    }

    /// <summary>The registered names, sorted ordinally.</summary>
    public static IReadOnlyList<string> Names
    {
        get { lock (Sync) return Directors.Keys.OrderBy(n => n, StringComparer.Ordinal).ToList(); }
    }

    /// <summary>The registered directors, sorted by name.</summary>
    public static IReadOnlyList<KernelDirector> All
    {
        get { lock (Sync) return Directors.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList(); }
    }
}
