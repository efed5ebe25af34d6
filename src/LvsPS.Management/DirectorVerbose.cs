using System.Collections;
using System.Globalization;
using LvsPS.Ipvs.Director;

namespace LvsPS.Management;

/// <summary>
/// A backend that says what it does (which socket, which host, which command) to a verbose sink: the cmdlets pass
/// their WriteVerbose in, and the management layer calls it. A sink never changes what happens: its failures are
/// swallowed.
/// </summary>
public interface IVerboseSource
{
    /// <summary>Where to say what happens; null says nothing.</summary>
    Action<string>? Verbose { get; set; }
}

/// <summary>Attaches verbose sinks to directors and words what their answers hold.</summary>
public static class DirectorVerbose
{
    /// <summary>Sets (or, with null, clears) the director's sink when it has one (lvsd's client, a kernel director).</summary>
    public static void Attach(IDirector? director, Action<string>? sink)
    {
        if (director is IVerboseSource v) v.Verbose = sink;
    }

    /// <summary>Calls the sink, never throwing.</summary>
    public static void Say(Action<string>? sink, string message)
    {
        if (sink is null) return;
        try { sink(message); }
        catch (Exception) { }
    }

    /// <summary>A command line cut to fit one verbose line.</summary>
    public static string Shorten(string text, int max = 120)
    {
        var oneLine = text.Replace('\n', ' ').Replace('\r', ' ');
        return oneLine.Length <= max ? oneLine : oneLine[..(max - 3)] + "...";
    }

    /// <summary>
    /// What an answer holds, in words: "3 services, 6 real servers, 120 connections (100 active, 20 inactive)" for
    /// a service listing, "42 connections" for a connection listing, "4 items" for another list; null for the rest.
    /// </summary>
    public static string? Describe(object? result)
    {
        switch (result)
        {
            case List<LvsService> services:
                int rs = services.Sum(s => s.RealServers.Count);
                long active = services.Sum(s => s.RealServers.Sum(r => (long)r.ActiveConnections));
                long inactive = services.Sum(s => s.RealServers.Sum(r => (long)r.InactiveConnections));
                return string.Create(CultureInfo.InvariantCulture,
                    $"{Count(services.Count, "service")}, {Count(rs, "real server")}, {Count(active + inactive, "connection")} ({active} active, {inactive} inactive)");
            case List<LvsConnection> connections:
                return Count(connections.Count, "connection");
            case DirectorStatus status:
                return string.Create(CultureInfo.InvariantCulture,
                    $"status of {status.Kind} director '{status.Name}': {Count(status.ServiceCount, "service")}, {Count(status.RealServerCount, "real server")}, {Count(status.ConnectionCount, "connection")}");
            case ICollection list:
                return Count(list.Count, "item");
            default:
                return null;
        }
    }

    private static string Count(long n, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"{n} {what}{(n == 1 ? "" : "s")}");
}
