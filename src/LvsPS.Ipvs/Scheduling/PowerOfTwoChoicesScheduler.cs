namespace LvsPS.Ipvs.Scheduling;

/// <summary>
/// twos (net/netfilter/ipvs/ip_vs_twos.c, Linux 6.2+), power of two choices. Over the destinations that are not
/// overloaded and have weight &gt; 0: total = sum of their weights + 1; two random numbers r1, r2 are drawn in
/// [0, total) (get_random_u32_below); walking the list in kernel order, each such destination's weight is
/// subtracted from both, and the first destination at which r1 drops to 0 or below is choice 1, likewise r2 for
/// choice 2. Choice 2 wins when weight2 * overhead1 &gt; weight1 * overhead2 (overhead = active * 256 + inactive;
/// 32-bit int products, as in the kernel), else choice 1.
/// </summary>
public sealed class PowerOfTwoChoicesScheduler : IIpvsScheduler
{
    private readonly Func<uint, uint> _below;

    /// <summary>A scheduler drawing from <see cref="Random.Shared"/>.</summary>
    public PowerOfTwoChoicesScheduler() : this(static ceiling => (uint)Random.Shared.NextInt64(ceiling)) { }

    /// <summary>A scheduler drawing from <paramref name="random"/> (a seeded <see cref="Random"/> repeats its choices).</summary>
    public PowerOfTwoChoicesScheduler(Random random)
        : this(ceiling => (uint)(random ?? throw new ArgumentNullException(nameof(random))).NextInt64(ceiling)) { }

    /// <summary>
    /// A scheduler drawing from <paramref name="below"/>, which must return a value in [0, ceiling) for the ceiling
    /// it is given (the kernel's get_random_u32_below); it is called twice per new connection, for r1 then r2.
    /// </summary>
    public PowerOfTwoChoicesScheduler(Func<uint, uint> below) => _below = below ?? throw new ArgumentNullException(nameof(below));

    public LvsScheduler Kind => LvsScheduler.Twos;

    public void OnDestinationsChanged(IReadOnlyList<Destination> destinations, Destination? removed) { }

    public Destination? Schedule(IReadOnlyList<Destination> destinations, in SchedulingContext packet)
    {
        int n = destinations.Count;
        int total = 0;
        Destination? choice1 = null, choice2 = null;
        for (int i = 0; i < n; i++)
        {
            var d = destinations[i];
            if (!d.Overloaded && d.Weight > 0)
            {
                total += d.Weight;
                choice1 = d;
            }
        }
        if (choice1 is null)
            return null; // "no destination available"

        total += 1;
        int r1 = (int)_below((uint)total);
        int r2 = (int)_below((uint)total);

        int w1 = -1, w2 = -1, oh1 = 0, oh2 = 0;
        for (int i = 0; i < n; i++)
        {
            var d = destinations[i];
            if (d.Overloaded)
                continue;
            int w = d.Weight;
            if (w <= 0)
                continue;
            r1 -= w;
            r2 -= w;
            if (r1 <= 0 && w1 == -1)
            {
                choice1 = d;
                w1 = w;
                oh1 = unchecked((int)d.Overhead);
            }
            if (r2 <= 0 && w2 == -1)
            {
                choice2 = d;
                w2 = w;
                oh2 = unchecked((int)d.Overhead);
            }
            if (w1 != -1 && w2 != -1)
                break;
        }

        if (choice2 is not null && unchecked(w2 * oh1) > unchecked(w1 * oh2))
            choice1 = choice2;
        return choice1;
    }
}
