using LvsPS.Core.Model;

namespace LvsPS.Core.Scheduling;

/// <summary>Creates scheduler instances (one per service) and maps scheduler names as ipvsadm spells them.</summary>
public static class SchedulerFactory
{
    private static readonly LvsScheduler[] Implemented =
    {
        LvsScheduler.Rr, LvsScheduler.Wrr, LvsScheduler.Lc, LvsScheduler.Wlc,
        LvsScheduler.Sed, LvsScheduler.Nq, LvsScheduler.Fo, LvsScheduler.Ovf,
    };

    /// <summary>The schedulers the engine implements, in ipvsadm's listing order.</summary>
    public static IReadOnlyList<LvsScheduler> ImplementedSchedulers => Implemented;

    /// <summary>True for rr, wrr, lc, wlc, sed, nq, fo and ovf.</summary>
    public static bool IsImplemented(LvsScheduler kind) => Array.IndexOf(Implemented, kind) >= 0;

    /// <summary>
    /// A new scheduler with fresh state for one service. Throws <see cref="LvsException"/>
    /// (<see cref="LvsErrorIds.SchedulerNotImplemented"/>, <see cref="LvsErrorKind.NotImplemented"/>) for
    /// lblc, lblcr, dh, sh, mh and twos, and <see cref="LvsErrorIds.InvalidScheduler"/> for an undefined value.
    /// </summary>
    public static IIpvsScheduler Create(LvsScheduler kind) => kind switch
    {
        LvsScheduler.Rr => new RoundRobinScheduler(),
        LvsScheduler.Wrr => new WeightedRoundRobinScheduler(),
        LvsScheduler.Lc => new LeastConnectionScheduler(),
        LvsScheduler.Wlc => new WeightedLeastConnectionScheduler(),
        LvsScheduler.Sed => new ShortestExpectedDelayScheduler(),
        LvsScheduler.Nq => new NeverQueueScheduler(),
        LvsScheduler.Fo => new WeightedFailoverScheduler(),
        LvsScheduler.Ovf => new WeightedOverflowScheduler(),
        _ when Enum.IsDefined(kind) => throw new LvsException(
            LvsErrorIds.SchedulerNotImplemented, LvsErrorKind.NotImplemented,
            $"The scheduler '{Name(kind)}' is not implemented yet by the LvsPS engine; implemented: {ImplementedList()}.",
            kind),
        _ => throw new LvsException(
            LvsErrorIds.InvalidScheduler, LvsErrorKind.InvalidArgument,
            $"Unknown scheduler value {(int)kind}; known: {string.Join(", ", Enum.GetValues<LvsScheduler>().Select(Name))}.",
            kind),
    };

    /// <summary>The name ipvsadm prints for the scheduler ("rr", "wlc", "twos" ...).</summary>
    public static string Name(LvsScheduler kind) => kind switch
    {
        LvsScheduler.Rr => "rr",
        LvsScheduler.Wrr => "wrr",
        LvsScheduler.Lc => "lc",
        LvsScheduler.Wlc => "wlc",
        LvsScheduler.Sed => "sed",
        LvsScheduler.Nq => "nq",
        LvsScheduler.Fo => "fo",
        LvsScheduler.Ovf => "ovf",
        LvsScheduler.Lblc => "lblc",
        LvsScheduler.Lblcr => "lblcr",
        LvsScheduler.Dh => "dh",
        LvsScheduler.Sh => "sh",
        LvsScheduler.Mh => "mh",
        LvsScheduler.Twos => "twos",
        _ => ((int)kind).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Parses a scheduler name as ipvsadm accepts it (case-insensitive: "rr", "WLC" ...).</summary>
    public static bool TryParse(string? name, out LvsScheduler kind)
    {
        if (name is not null)
        {
            foreach (var k in Enum.GetValues<LvsScheduler>())
            {
                if (string.Equals(Name(k), name.Trim(), StringComparison.OrdinalIgnoreCase))
                {
                    kind = k;
                    return true;
                }
            }
        }
        kind = default;
        return false;
    }

    private static string ImplementedList() => string.Join(", ", Implemented.Select(Name));
}
