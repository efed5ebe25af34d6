using System.Collections;
using System.Management.Automation.Language;
using LvsPS.Ipvs.Scheduling;

namespace LvsPS;

/// <summary>
/// Shared pieces of the completers that ask a director or a lab: a bounded, error-swallowing read, the values the
/// command line already holds, and the candidates with their tooltips. Tab completion never throws and never waits
/// longer than <see cref="Timeout"/> for a director, a namespace or an SSH session.
/// </summary>
internal static class Completion
{
    /// <summary>How long a completer waits for a director or a lab before it offers nothing.</summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Runs <paramref name="read"/> on the thread pool and returns its result, or <paramref name="fallback"/> on an error or a timeout.</summary>
    internal static T Bounded<T>(Func<T> read, T fallback)
    {
        try
        {
            var task = Task.Run(read);
            return task.Wait(Timeout) ? task.Result : fallback;
        }
        catch (Exception) { return fallback; }
    }

    /// <summary>The candidates starting with the word typed (quotes ignored), each once, with its tooltip.</summary>
    internal static IEnumerable<CompletionResult> Offer(IEnumerable<(string Value, string Tip)> values, string? word)
    {
        var typed = (word ?? "").Trim('\'', '"');
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (value, tip) in values)
            if (!string.IsNullOrEmpty(value) && value.StartsWith(typed, StringComparison.OrdinalIgnoreCase) && seen.Add(value))
                yield return new CompletionResult(value, value, CompletionResultType.ParameterValue, string.IsNullOrEmpty(tip) ? value : tip);
    }

    /// <summary>A parameter's value as typed on the command line (a bound constant or bareword), or null.</summary>
    internal static string? Text(IDictionary fake, string name)
    {
        try
        {
            var v = fake?[name];
            if (v is PSObject pso) v = pso.BaseObject;
            if (v is Array { Length: > 0 } a) v = a.GetValue(0);
            var s = v?.ToString()?.Trim('\'', '"');
            return string.IsNullOrEmpty(s) ? null : s;
        }
        catch (Exception) { return null; }
    }

    internal static IPAddress? Address(IDictionary fake, string name) =>
        Text(fake, name) is { } s && IPAddress.TryParse(s, out var a) ? a : null;

    internal static int? Number(IDictionary fake, string name) =>
        Text(fake, name) is { } s && int.TryParse(s, out var n) ? n : null;

    internal static LvsProtocol? Protocol(IDictionary fake, string name = "Protocol") =>
        Text(fake, name) is { } s && Enum.TryParse<LvsProtocol>(s, true, out var p) ? p : null;

    /// <summary>The services of the director named by -Director (else the default one); empty on any failure.</summary>
    internal static List<LvsService> Services(IDictionary fake) =>
        Bounded(() => LvsCmdlet.Client(Text(fake, "Director")).ListServices(), new List<LvsService>());

    /// <summary>The services that the -VirtualAddress, -Port, -Protocol and -FirewallMark already typed select.</summary>
    internal static IEnumerable<LvsService> SelectedServices(IDictionary fake)
    {
        var vip = Address(fake, "VirtualAddress");
        var port = Number(fake, "Port");
        var protocol = Protocol(fake);
        var mark = Text(fake, "FirewallMark") is { } m && uint.TryParse(m, out var mk) ? mk : 0u;
        return Services(fake).Where(s => mark != 0
            ? s.FirewallMark == mark
            : (vip is null || (s.FirewallMark == 0 && s.VirtualAddress.Equals(vip))) && (port is null || s.Port == port)
              && (protocol is null || s.Protocol == protocol));
    }

    /// <summary>The saved labs; empty on any failure.</summary>
    internal static List<LvsLab> Labs() => Bounded(() => new LabManager().List().ToList(), new List<LvsLab>());

    /// <summary>The lab named by -Lab, else the lab whose director -Director names (lab, lab-director1 ...), else null.</summary>
    internal static LvsLab? LabOf(IDictionary fake)
    {
        var labs = Labs();
        if (Text(fake, "Lab") is { } name) return labs.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));
        var director = Text(fake, "Director") ?? Bounded(() => LvsCmdlet.ResolveDirector(null), (string?)null);
        return director is null ? null : labs.FirstOrDefault(l => l.FindDirector(director) is not null || l.Name == director);
    }

    /// <summary>
    /// The network interfaces of a namespace (ip -n NS -o link, 2 s at most), or of this machine (/sys/class/net)
    /// when <paramref name="ns"/> is null; empty on any failure.
    /// </summary>
    internal static List<string> Interfaces(string? ns)
    {
        if (ns is null)
            return Bounded(() => Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).OfType<string>().OrderBy(n => n, StringComparer.Ordinal).ToList(), new List<string>());
        return Bounded(() =>
        {
            var psi = new System.Diagnostics.ProcessStartInfo("ip", new[] { "-n", ns, "-o", "link", "show" })
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = System.Diagnostics.Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            if (!p.WaitForExit(2000)) { try { p.Kill(); } catch (Exception) { } return new List<string>(); }
            // "2: eth0@if12: <BROADCAST,...": the name is the second field, without "@peer" and the colon.
            return output.Result.Split('\n').Select(l => l.Split(':', 3)).Where(f => f.Length >= 2)
                .Select(f => f[1].Trim().Split('@')[0]).Where(n => n.Length > 0).ToList();
        }, new List<string>());
    }

    /// <summary>Orders addresses numerically (IPv4 before IPv6), as ipvsadm lists them.</summary>
    internal static IEnumerable<T> ByAddress<T>(IEnumerable<T> items, Func<T, string> address) =>
        items.OrderBy(i => IPAddress.TryParse(address(i), out var a) ? a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 0 : 1 : 2)
             .ThenBy(i => IPAddress.TryParse(address(i), out var a) ? Convert.ToHexString(a.GetAddressBytes()) : address(i), StringComparer.Ordinal);

    /// <summary>The tooltip of a service: "TCP 10.0.0.1:80 rr, 2 real servers".</summary>
    internal static string Describe(LvsService s) =>
        $"{s.Protocol.ToString().ToUpperInvariant()} {s.VirtualAddress}:{s.Port} {SchedulerFactory.Name(s.Scheduler)}, {s.RealServers.Count} real server(s)";
}

/// <summary>Completes -VirtualAddress with the VIPs of the director's services (-Director, else the default one), filtered by -Port and -Protocol when typed.</summary>
public sealed class VirtualAddressCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var port = Completion.Number(fakeBoundParameters, "Port");
        var protocol = Completion.Protocol(fakeBoundParameters);
        var values = Completion.Services(fakeBoundParameters)
            .Where(s => s.FirewallMark == 0 && (port is null || s.Port == port) && (protocol is null || s.Protocol == protocol))
            .GroupBy(s => s.VirtualAddress.ToString())
            .Select(g => (g.Key, string.Join("; ", g.Select(Completion.Describe))))
            .ToList();
        values = Completion.ByAddress(values, v => v.Key).ToList();
        // A lab's VIP, for the cmdlets that work on a lab before any service exists (Set-LvsRealServerHidden -Lab).
        if (Completion.LabOf(fakeBoundParameters) is { } lab && !lab.VirtualAddress.Equals(IPAddress.None))
            values.Add((lab.VirtualAddress.ToString(), $"the VIP of lab '{lab.Name}'"));
        return Completion.Offer(values, wordToComplete);
    }
}

/// <summary>
/// Completes -RealAddress with the real servers of the services the -VirtualAddress, -Port, -Protocol and -FirewallMark
/// typed select (all services when none is typed); Add-LvsRealServer also gets the lab's real servers not yet in them.
/// </summary>
public sealed class RealAddressCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var services = Completion.SelectedServices(fakeBoundParameters).ToList();
        var values = services.SelectMany(s => s.RealServers.Select(r => (Rs: r, Svc: s)))
            .GroupBy(x => x.Rs.RealAddress.ToString())
            .Select(g => (g.Key, string.Join("; ", g.Select(x => $"{x.Rs.RealAddress}:{x.Rs.RealPort} {x.Rs.Forwarding} weight {x.Rs.Weight} in {Completion.Describe(x.Svc)}"))))
            .ToList();
        values = Completion.ByAddress(values, v => v.Key).ToList();
        if (string.Equals(commandName, "Add-LvsRealServer", StringComparison.OrdinalIgnoreCase) || values.Count == 0)
        {
            var present = new HashSet<string>(values.Select(v => v.Key));
            if (Completion.LabOf(fakeBoundParameters) is { } lab)
                values.AddRange(lab.RealServers.Where(n => !present.Contains(n.Address.ToString()))
                    .Select(n => (n.Address.ToString(), $"{n.Name} of lab '{lab.Name}'")));
        }
        return Completion.Offer(values, wordToComplete);
    }
}

/// <summary>
/// Refuses the forwarding method Local on a parameter that chooses one, naming it and saying why: no director takes
/// it as a choice (lvsd refuses it with ForwardingNotImplemented; ipvsadm has no switch for it, the kernel marks a
/// destination Local itself when its address is one of the director's own). The parameters also carry
/// [ValidateRange(Route, Tunnel)], which is what keeps Local out of tab completion: PowerShell completes an enum
/// parameter itself (before any argument completer) and leaves out the values a ValidateRange refuses. This attribute
/// comes first so that its message, not ValidateRange's, is the one a user sees.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateChosenForwardingAttribute : ValidateArgumentsAttribute
{
    internal const string LocalRefused =
        "The forwarding method 'Local' cannot be chosen: lvsd does not implement it (ForwardingNotImplemented), and "
        + "ipvsadm has no switch for it (kernel IPVS marks a real server Local by itself when its address is one of the "
        + "director's own). Use Route (direct routing), Masq (NAT) or Tunnel (IP-in-IP).";

    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var v = arguments is PSObject p ? p.BaseObject : arguments;
        if (v is LvsForwarding.Local) throw new ValidationMetadataException(LocalRefused);
    }
}

/// <summary>
/// Completes the interface an engine director serves (Start-LvsDirector -Interface, -InsideInterface): the interfaces
/// of -NetworkNamespace when it is typed, else this machine's (/sys/class/net); loopback left out.
/// </summary>
public sealed class HostInterfaceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var ns = Completion.Text(fakeBoundParameters, "NetworkNamespace");
        var where = ns is null ? "this machine" : $"namespace {ns}";
        return Completion.Offer(Completion.Interfaces(ns).Where(n => n != "lo").Select(n => (n, $"{n} in {where}")), wordToComplete);
    }
}

/// <summary>
/// Completes the interface that holds the VIP on a real server (-Interface of the real-server cmdlets, -VipInterface
/// of Test-LvsCluster): lo and dummy0, as LVS-DR uses them, and tunl0 for LVS-TUN.
/// </summary>
public sealed class VipInterfaceCompleter : IArgumentCompleter
{
    internal static readonly (string Value, string Tip)[] Choices =
    {
        ("lo", "loopback: the VIP as /32 on lo (LVS-DR, the default)"),
        ("dummy0", "a dummy interface, created when missing (LVS-DR, as the LVS-HOWTO walkthrough does)"),
        ("tunl0", "the IP-in-IP tunnel device (LVS-TUN real servers)"),
    };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) => Completion.Offer(Choices, wordToComplete);
}

/// <summary>Completes -NetInterface with the network interfaces of the lab's real servers (-Lab), else eth0.</summary>
public sealed class RealServerNetInterfaceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var lab = Completion.Text(fakeBoundParameters, "Lab") is null ? null : Completion.LabOf(fakeBoundParameters);
        IEnumerable<(string, string)> values = lab is null
            ? new[] { ("eth0", "the real server's network interface (SERVER_NET_DEVICE)") }
            : lab.RealServers.Select(n => (n.Interface, $"{n.Interface} of {n.Name} ({n.Address})"));
        return Completion.Offer(values, wordToComplete);
    }
}

/// <summary>Completes -Node of the real-server cmdlets with the lab's real servers (rs1, rs2 ...).</summary>
public sealed class LabRealServerNodeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var lab = Completion.LabOf(fakeBoundParameters) ?? Completion.Labs().FirstOrDefault();
        IEnumerable<(string, string)> values = lab is null
            ? new[] { ("rs1", "real server 1"), ("rs2", "real server 2") }
            : lab.RealServers.Select(n => (n.Name, $"{n.Name} {n.Address} in lab '{lab.Name}'"));
        return Completion.Offer(values, wordToComplete);
    }
}

/// <summary>Completes -Name of Disconnect-LvsDirector with the kernel directors this session connected.</summary>
public sealed class ConnectedDirectorNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Offer(Completion.Bounded(() => LvsPS.Management.Kernel.KernelDirectorRegistry.Names.ToList(), new List<string>())
            .Select(n => (n, $"kernel director '{n}' (SSH)")), wordToComplete);
}

/// <summary>Completes -NetworkNamespace with the named network namespaces of this machine (/run/netns, as ip netns lists them).</summary>
public sealed class NetworkNamespaceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Offer(Completion.Bounded(() => Directory.Exists("/run/netns")
                ? Directory.GetFiles("/run/netns").Select(Path.GetFileName).OfType<string>().OrderBy(n => n, StringComparer.Ordinal).ToList()
                : new List<string>(), new List<string>())
            .Select(n => (n, $"network namespace {n}")), wordToComplete);
}
