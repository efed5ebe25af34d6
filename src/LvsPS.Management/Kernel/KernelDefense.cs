using LvsPS.Ipvs.Connections;
using LvsPS.Management.Remote;

namespace LvsPS.Management.Kernel;

/// <summary>
/// The defence settings of kernel IPVS as sysctl command lines (net.ipv4.vs.amemthresh, drop_entry, drop_packet,
/// am_droprate, secure_tcp, and sloppy_tcp beside them): every value validated first and every argument single-quoted. lvsd's own settings
/// (MaxConnections, SynRecvTimeout) have no sysctl: a change naming one is refused before anything runs.
/// </summary>
public static class KernelDefense
{
    /// <summary>The sysctls read, in the order <see cref="Parse"/> expects them.</summary>
    public static readonly IReadOnlyList<string> Keys = new[]
    {
        "net.ipv4.vs.amemthresh", "net.ipv4.vs.drop_entry", "net.ipv4.vs.drop_packet", "net.ipv4.vs.am_droprate", "net.ipv4.vs.secure_tcp",
        "net.ipv4.vs.sloppy_tcp",
    };

    /// <summary>sysctl beside the ipvsadm in use (/usr/sbin, /sbin), or the login PATH's.</summary>
    public static string SysctlProgram(string ipvsadmProgram) =>
        ipvsadmProgram.StartsWith('/') ? Path.GetDirectoryName(ipvsadmProgram) + "/sysctl" : "sysctl";

    /// <summary><c>sysctl -n 'net.ipv4.vs.amemthresh' …</c>: one value a line.</summary>
    public static string GetCommand(string sysctl) =>
        ShellQuote.Quote(sysctl) + " -n " + string.Join(" ", Keys.Select(ShellQuote.Quote));

    /// <summary>
    /// <c>sysctl -w 'net.ipv4.vs.drop_entry=1' …</c> for the values <paramref name="change"/> sets; null when it sets none.
    /// </summary>
    public static string? SetCommand(DefenseSpec change, string sysctl)
    {
        DefensePolicy.Validate(change, int.MaxValue);
        if (change.MaxConnections is not null || change.SynRecvTimeout is not null)
            throw new LvsException(LvsErrorIds.NotSupportedByDirector, LvsErrorKind.NotImplemented,
                "Kernel IPVS has no hard limit of entries and no SYN_RECV lifetime of its own under attack (its limit is the machine's memory, amemthresh): MaxConnections and SynRecvTimeout are lvsd's settings.",
                change.MaxConnections is not null ? "MaxConnections" : "SynRecvTimeout");
        var args = new List<string>();
        void Add(string key, int? value)
        {
            if (value is { } v) args.Add(ShellQuote.Quote(key + "=" + v.ToString(CultureInfo.InvariantCulture)));
        }
        Add(Keys[0], change.AvailableThreshold);
        Add(Keys[1], (int?)change.DropEntry);
        Add(Keys[2], (int?)change.DropPacket);
        Add(Keys[3], change.DropRate);
        Add(Keys[4], (int?)change.SecureTcp);
        Add(Keys[5], change.SloppyTcp is { } sloppy ? (sloppy ? 1 : 0) : null);
        return args.Count == 0 ? null : ShellQuote.Quote(sysctl) + " -w " + string.Join(" ", args);
    }

    /// <summary>
    /// The values <see cref="GetCommand"/> printed, one a line in <see cref="Keys"/>' order; the level follows from the
    /// modes (2 and 3 are active); sloppy_tcp is on for any value but 0, as the kernel reads it.
    /// </summary>
    public static DefenseSpec Parse(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < Keys.Count)
            throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ParserError,
                $"sysctl printed {lines.Length} values for the {Keys.Count} IPVS defence settings: '{output.Trim()}'.");
        int V(int i) => int.TryParse(lines[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new LvsException(LvsErrorIds.DirectorProtocolError, LvsErrorKind.ParserError, $"sysctl {Keys[i]} printed '{lines[i]}', not a number.");
        var spec = new DefenseSpec
        {
            AvailableThreshold = V(0), DropEntry = (LvsDefenseMode)V(1), DropPacket = (LvsDefenseMode)V(2),
            DropRate = V(3), SecureTcp = (LvsDefenseMode)V(4), SloppyTcp = V(5) != 0,
        };
        if (spec.DropEntry >= LvsDefenseMode.AutoActive) spec.Level |= LvsDefenseLevel.DropEntry;
        if (spec.DropPacket >= LvsDefenseMode.AutoActive) spec.Level |= LvsDefenseLevel.DropPacket;
        if (spec.SecureTcp >= LvsDefenseMode.AutoActive) spec.Level |= LvsDefenseLevel.SecureTcp;
        return spec;
    }
}
