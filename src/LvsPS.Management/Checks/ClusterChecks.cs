using System.Diagnostics;
using LvsPS.Ipvs.Director;

namespace LvsPS.Management.Checks;

/// <summary>
/// The cluster checks: read the director's table, the real servers' state over SSH and probe the wire (who
/// answers ARP for the VIP, do new connections reach the real servers as promised). One file per stage
/// (Director, Services, RealServers, Arp, Traffic, Failover); each contributes its part of the catalogue and a
/// stage method over the run's <see cref="CheckContext"/>.
/// </summary>
public static partial class ClusterChecks
{
    private static readonly Lazy<IReadOnlyList<LvsCheckInfo>> _catalogue = new(() =>
        DirectorCatalogue.Concat(ServiceCatalogue).Concat(RealServerCatalogue).Concat(ArpCatalogue)
            .Concat(TrafficCatalogue).Concat(FailoverCatalogue).Concat(SshCatalogue).ToList());

    /// <summary>Every check, in the order a run performs them.</summary>
    public static IReadOnlyList<LvsCheckInfo> Catalogue => _catalogue.Value;

    /// <summary>The names Include and Exclude take: every check, then every category, as the catalogue spells them.</summary>
    public static IEnumerable<string> SelectionNames =>
        Catalogue.Select(c => c.Check).Concat(Catalogue.Select(c => c.Category).Distinct());

    /// <summary>
    /// Refuses an Include or Exclude entry that names no check and no category (case-insensitive), with
    /// <see cref="LvsErrorIds.UnknownClusterCheck"/>: a misspelt name would otherwise select nothing, silently.
    /// </summary>
    public static void ValidateSelection(string[]? include, string[]? exclude)
    {
        foreach (var (list, what) in new[] { (include, "Include"), (exclude, "Exclude") })
            foreach (var name in list ?? Array.Empty<string>())
                if (!SelectionNames.Contains(name, StringComparer.OrdinalIgnoreCase))
                    throw new LvsException(LvsErrorIds.UnknownClusterCheck, LvsErrorKind.InvalidArgument,
                        $"Unknown check or category '{name}' in {what}; the checks are {string.Join(", ", Catalogue.Select(c => c.Check))}; "
                        + $"the categories are {string.Join(", ", Catalogue.Select(c => c.Category).Distinct())}.", name);
    }

    private static bool Selected(ClusterCheckOptions o, LvsCheckInfo c)
    {
        bool Match(string[]? list) => list is not null && list.Any(x =>
            string.Equals(x, c.Check, StringComparison.OrdinalIgnoreCase) || string.Equals(x, c.Category, StringComparison.OrdinalIgnoreCase));
        if (o.Include is { Length: > 0 } && !Match(o.Include)) return false;
        return !Match(o.Exclude);
    }

    private static LvsCheckResult R(string check, string target, LvsCheckResultKind kind, string message, string? remedy = null)
    {
        var info = Catalogue.First(c => c.Check == check);
        return new LvsCheckResult { Check = check, Category = info.Category, Target = target, Result = kind, Message = message, Remedy = remedy };
    }


    /// <summary>
    /// Runs the selected checks against <paramref name="client"/>, whichever director it is (lvsd or kernel IPVS):
    /// the checks ask the director only through <see cref="IDirector"/>, and hosts only through <see cref="ICheckHost"/>.
    /// Every result carries the time its check took (a check that measures itself keeps its own figure).
    /// </summary>
    public static IEnumerable<LvsCheckResult> Run(IDirector client, ClusterCheckOptions o, IProgress<(string Activity, int Percent)>? progress = null)
    {
        ValidateSelection(o.Include, o.Exclude);
        var clock = Stopwatch.StartNew();
        using var c = new CheckContext(client, o, check => Selected(o, Catalogue.First(x => x.Check == check))) { Progress = progress };
        var stages = new (string Activity, int Percent, Func<CheckContext, IEnumerable<LvsCheckResult>> Stage)[]
        {
            ("Director", 5, DirectorChecks),
            ("Services", 20, ServiceChecks),
            ("Real servers", 40, RealServerChecks),
            ("ARP on the wire", 60, ArpChecks),
            ("Traffic through the VIP", 80, TrafficChecks),
            ("Failover", 95, FailoverChecks),
            ("SSH host keys", 97, SshChecks),
        };
        foreach (var (activity, percent, stage) in stages)
        {
            o.Cancellation.ThrowIfCancellationRequested();
            progress?.Report((activity, percent));
            c.Say($"Checks: {activity}");
            using var results = stage(c).GetEnumerator();
            while (true)
            {
                clock.Restart();
                if (!results.MoveNext()) break;
                var r = results.Current;
                if (r.Duration == TimeSpan.Zero) r.Duration = clock.Elapsed;
                c.Say($"{r.Check} {r.Target}: {r.Result} ({r.Duration.TotalSeconds:0.##} s)");
                yield return r;
            }
        }
        progress?.Report(("Done", 100));
    }
}
