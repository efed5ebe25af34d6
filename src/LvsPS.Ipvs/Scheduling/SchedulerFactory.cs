namespace LvsPS.Ipvs.Scheduling;

/// <summary>Creates scheduler instances (one per service) and maps scheduler names as ipvsadm spells them.</summary>
public static class SchedulerFactory
{
    private static readonly LvsScheduler[] Implemented = Enum.GetValues<LvsScheduler>();

    /// <summary>The schedulers the engine implements: all of IPVS's (rr, wrr, lc, wlc, sed, nq, fo, ovf, lblc, lblcr, dh, sh, mh, twos).</summary>
    public static IReadOnlyList<LvsScheduler> ImplementedSchedulers => Implemented;

    /// <summary>True for every defined scheduler.</summary>
    public static bool IsImplemented(LvsScheduler kind) => Enum.IsDefined(kind);

    /// <summary>The flag bits a service may carry (IP_VS_SVC_F_SCHED1..3).</summary>
    public const LvsSchedulerFlags AllFlags = LvsSchedulerFlags.Fallback | LvsSchedulerFlags.Port | LvsSchedulerFlags.Flag3;

    /// <summary>
    /// A new scheduler with fresh state for one service. Throws <see cref="LvsException"/>
    /// <see cref="LvsErrorIds.InvalidScheduler"/> for an undefined value, and
    /// <see cref="LvsErrorIds.InvalidSchedulerFlags"/> (<see cref="LvsErrorKind.InvalidArgument"/>) for bits outside
    /// flag-1..3. The three go with every scheduler, as the kernel keeps them on any service (ipvsadm -b flag-1 -s rr
    /// lists "rr (flag-1)"): sh and mh read Fallback (flag-1) and Port (flag-2) as sh-/mh-fallback and sh-/mh-port;
    /// the other schedulers, and Flag3 everywhere, leave them unused.
    /// </summary>
    public static IIpvsScheduler Create(LvsScheduler kind, LvsSchedulerFlags flags = LvsSchedulerFlags.None)
    {
        if (!Enum.IsDefined(kind))
            throw new LvsException(
                LvsErrorIds.InvalidScheduler, LvsErrorKind.InvalidArgument,
                $"Unknown scheduler value {(int)kind}; known: {string.Join(", ", Enum.GetValues<LvsScheduler>().Select(Name))}.",
                kind);
        ValidateFlags(kind, flags);
        return kind switch
        {
            LvsScheduler.Rr => new RoundRobinScheduler(),
            LvsScheduler.Wrr => new WeightedRoundRobinScheduler(),
            LvsScheduler.Lc => new LeastConnectionScheduler(),
            LvsScheduler.Wlc => new WeightedLeastConnectionScheduler(),
            LvsScheduler.Sed => new ShortestExpectedDelayScheduler(),
            LvsScheduler.Nq => new NeverQueueScheduler(),
            LvsScheduler.Fo => new WeightedFailoverScheduler(),
            LvsScheduler.Ovf => new WeightedOverflowScheduler(),
            LvsScheduler.Lblc => new LocalityBasedLeastConnectionScheduler(),
            LvsScheduler.Lblcr => new LocalityBasedLeastConnectionReplicationScheduler(),
            LvsScheduler.Dh => new DestinationHashingScheduler(),
            LvsScheduler.Sh => new SourceHashingScheduler(flags),
            LvsScheduler.Mh => new MaglevHashingScheduler(flags),
            LvsScheduler.Twos => new PowerOfTwoChoicesScheduler(),
            _ => throw new InvalidOperationException("unreachable"),
        };
    }

    /// <summary>
    /// Throws <see cref="LvsErrorIds.InvalidSchedulerFlags"/> unless <paramref name="flags"/> may be set on a service
    /// using <paramref name="kind"/> (see <see cref="Create"/>).
    /// </summary>
    public static void ValidateFlags(LvsScheduler kind, LvsSchedulerFlags flags)
    {
        var unknown = flags & ~AllFlags;
        if (unknown != 0)
            throw new LvsException(
                LvsErrorIds.InvalidSchedulerFlags, LvsErrorKind.InvalidArgument,
                $"Unknown scheduler flag bits 0x{(int)unknown:x4} for the scheduler '{Name(kind)}'; known: flag-1 (0x0008), flag-2 (0x0010), flag-3 (0x0020).",
                flags);
    }

    /// <summary>
    /// The flags as ipvsadm -L and -S list them: "sh-fallback,sh-port" for sh, "mh-..." for mh (ipvsadm names
    /// only those two there, so a Flag3 of sh or mh is not listed, though the kernel keeps it), else
    /// "flag-1,flag-2,flag-3"; empty for none.
    /// </summary>
    public static string FlagsText(LvsScheduler kind, LvsSchedulerFlags flags)
    {
        var parts = new List<string>(3);
        string? prefix = kind switch { LvsScheduler.Sh => "sh", LvsScheduler.Mh => "mh", _ => null };
        if ((flags & LvsSchedulerFlags.Fallback) != 0) parts.Add(prefix is null ? "flag-1" : prefix + "-fallback");
        if ((flags & LvsSchedulerFlags.Port) != 0) parts.Add(prefix is null ? "flag-2" : prefix + "-port");
        if ((flags & LvsSchedulerFlags.Flag3) != 0 && prefix is null) parts.Add("flag-3");
        return string.Join(",", parts);
    }

    /// <summary>
    /// The flags as an ipvsadm -b argument that sets all of them: <see cref="FlagsText"/>, with flag-3 also for sh
    /// and mh (ipvsadm takes it with any scheduler, but does not list it there).
    /// </summary>
    public static string FlagsArgument(LvsScheduler kind, LvsSchedulerFlags flags)
    {
        string text = FlagsText(kind, flags);
        if ((flags & LvsSchedulerFlags.Flag3) == 0 || kind is not (LvsScheduler.Sh or LvsScheduler.Mh)) return text;
        return text.Length == 0 ? "flag-3" : text + ",flag-3";
    }

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

}
