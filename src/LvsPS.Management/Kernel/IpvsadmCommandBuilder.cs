using System.Net.Sockets;
using System.Numerics;
using System.Text.RegularExpressions;
using LvsPS.Ipvs.Connections;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Management.Remote;
using LvsPS.Ipvs.Scheduling;
using LvsPS.Management.Text;


namespace LvsPS.Management.Kernel;

/// <summary>What an ipvsadm invocation prints, so its output can be given to the right parser.</summary>
public enum IpvsadmOutputKind
{
    /// <summary>Nothing worth reading (a change: -A, -E, -D, -a, -e, -d, -Z, -C, --set).</summary>
    None,
    /// <summary><c>-L -n</c> listings (plain, --stats, --rate, --thresholds, --persistent-conn).</summary>
    Listing,
    /// <summary><c>-L -n -c</c>.</summary>
    Connections,
    /// <summary><c>-L --timeout</c>.</summary>
    Timeout,
    /// <summary><c>--version</c>.</summary>
    Version,
}

/// <summary>One ipvsadm invocation: its argument list and the remote command line that runs it.</summary>
public sealed class IpvsadmCommand
{
    public IpvsadmCommand(string program, IReadOnlyList<string> arguments, IpvsadmOutputKind output)
    {
        Program = program;
        Arguments = arguments;
        Output = output;
        CommandLine = IpvsadmCommandBuilder.ToCommandLine(program, arguments);
    }

    /// <summary>"ipvsadm" or an absolute path such as /usr/sbin/ipvsadm.</summary>
    public string Program { get; }
    /// <summary>The arguments, unquoted, exactly as ipvsadm receives them.</summary>
    public IReadOnlyList<string> Arguments { get; }
    /// <summary>The POSIX shell command line: the program, then each argument single-quoted.</summary>
    public string CommandLine { get; }
    public IpvsadmOutputKind Output { get; }

    public override string ToString() => CommandLine;
}

/// <summary>
/// Turns director operations into ipvsadm (1.26 .. 1.31) invocations. Every value is validated first by
/// <see cref="SpecValidator"/>, with the ErrorIds the LvsPS engine uses (InvalidAddress, InvalidPort, InvalidWeight, InvalidScheduler,
/// InvalidSchedulerFlags, InvalidPersistence, InvalidThreshold, InvalidTimeout, InvalidProtocol), so bad input never
/// reaches the kernel; every argument is then single-quoted (<see cref="ShellQuote"/>) into one command line.
/// A service with <see cref="ServiceSpec.FirewallMark"/> not 0 is a firewall-mark service: it is named
/// <c>-f N</c> (<c>-f N -6</c> when its Address is an IPv6 address, which then only gives the address family) and
/// its protocol, address and port are not used; its real servers keep their own port whatever the forwarding method
/// (ipvsadm forces the service port only for -t/-u services), port 0 meaning "the port the packet was sent to".
/// </summary>
public static class IpvsadmCommandBuilder
{
    /// <summary>The program name used when none is given: ipvsadm found through the login PATH.</summary>
    public const string DefaultProgram = "ipvsadm";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly Regex ProgramPattern = new("^(ipvsadm|/[A-Za-z0-9_./+-]*/ipvsadm)$", RegexOptions.CultureInvariant);

    /// <summary>
    /// <c>ipvsadm -A</c> followed by one <c>-a</c> per real server of <paramref name="service"/>, oldest first, so the
    /// kernel's list matches the spec's newest-first order. The real-server list is validated whole first.
    /// </summary>
    public static IReadOnlyList<IpvsadmCommand> AddServiceWithRealServers(ServiceSpec service, string program = DefaultProgram)
    {
        SpecValidator.Service(service);
        var list = new List<IpvsadmCommand> { AddService(service, program) };
        for (int i = service.RealServers.Count - 1; i >= 0; i--)
            list.Add(AddRealServer(service, service.RealServers[i], program));
        return list;
    }

    /// <summary>Why a kernel director takes no firewall-mark rule from LvsPS.</summary>
    public static LvsException MarkRulesNotManaged() =>
        new(LvsErrorIds.DirectorProtocolError, LvsErrorKind.InvalidOperation,
            "Kernel IPVS takes firewall marks from the director's netfilter rules (iptables -t mangle ... -j MARK, or nftables meta mark set); LvsPS does not manage those rules on a kernel director.");

    /// <summary>Why a kernel director cannot be shut down.</summary>
    public static LvsException NoProcessToShutDown() =>
        new(LvsErrorIds.DirectorProtocolError, LvsErrorKind.InvalidOperation,
            "Kernel IPVS has no process to shut down; Disconnect-LvsDirector ends the SSH session (the kernel table stays as it is).");

    // ------------------------------------------------------------------ one builder per ipvsadm command

    /// <summary><c>ipvsadm -A -t|-u|--sctp-service VIP:PORT -s SCHED [-p N [-M MASK]] [-b FLAGS]</c> (or <c>-A -f MARK ...</c>).</summary>
    public static IpvsadmCommand AddService(ServiceSpec service, string program = DefaultProgram) => ServiceCommand("-A", service, program);

    /// <summary><c>ipvsadm -E ...</c> with the service's full settings (what is left out is reset, as ipvsadm does).</summary>
    public static IpvsadmCommand EditService(ServiceSpec service, string program = DefaultProgram) => ServiceCommand("-E", service, program);

    /// <summary><c>ipvsadm -D -t|-u|--sctp-service VIP:PORT</c> or <c>ipvsadm -D -f MARK</c>.</summary>
    public static IpvsadmCommand DeleteService(ServiceSpec service, string program = DefaultProgram)
    {
        var args = new List<string> { "-D" };
        args.AddRange(ServiceSelector(service));
        return Make(program, args, IpvsadmOutputKind.None);
    }

    /// <summary><c>ipvsadm -a -t|-u|--sctp-service VIP:PORT|-f MARK -r RIP:PORT -g|-m|-i -w W [-x N] [-y N]</c>.</summary>
    public static IpvsadmCommand AddRealServer(ServiceSpec service, RealServerSpec realServer, string program = DefaultProgram)
        => RealServerCommand("-a", service, realServer, program);

    /// <summary><c>ipvsadm -e ...</c> with the real server's full settings.</summary>
    public static IpvsadmCommand EditRealServer(ServiceSpec service, RealServerSpec realServer, string program = DefaultProgram)
        => RealServerCommand("-e", service, realServer, program);

    /// <summary>
    /// <c>ipvsadm -d -t|-u|--sctp-service VIP:PORT -r RIP:PORT</c> (port 0 = the service port), or <c>ipvsadm -d -f MARK -r RIP:PORT</c>
    /// (port 0 = port 0, as a fwmark service has no port).
    /// </summary>
    public static IpvsadmCommand DeleteRealServer(ServiceSpec service, RealServerSpec realServer, string program = DefaultProgram)
    {
        ArgumentNullException.ThrowIfNull(realServer);
        var args = new List<string> { "-d" };
        args.AddRange(ServiceSelector(service));
        SpecValidator.Address(realServer.Address, "real server address");
        ushort port = realServer.Port == 0 ? service.Port : realServer.Port;
        if (service.FirewallMark == 0 && service.Port != 0)
            SpecValidator.Port(port, "real server port");
        args.Add("-r");
        args.Add(AddressPort(realServer.Address, port));
        return Make(program, args, IpvsadmOutputKind.None);
    }

    /// <summary><c>ipvsadm -Z</c> (every service) or <c>ipvsadm -Z -t|-u|--sctp-service VIP:PORT</c> (<c>-Z -f MARK</c>).</summary>
    public static IpvsadmCommand Zero(ServiceSpec? service, string program = DefaultProgram)
    {
        var args = new List<string> { "-Z" };
        if (service is not null) args.AddRange(ServiceSelector(service));
        return Make(program, args, IpvsadmOutputKind.None);
    }

    /// <summary><c>ipvsadm -C</c>: removes every service.</summary>
    public static IpvsadmCommand Clear(string program = DefaultProgram) => Make(program, new[] { "-C" }, IpvsadmOutputKind.None);

    /// <summary><c>ipvsadm --set TCP TCPFIN UDP</c> (seconds, 0 = unchanged, at most 31 days).</summary>
    public static IpvsadmCommand SetTimeouts(TimeoutSpec timeouts, string program = DefaultProgram)
    {
        SpecValidator.Timeouts(timeouts);
        return Make(program, new[] { "--set", Num(timeouts.Tcp), Num(timeouts.TcpFin), Num(timeouts.Udp) }, IpvsadmOutputKind.None);
    }

    /// <summary>
    /// The five listings list-services reads: -L -n --exact, -L -n --stats --exact, -L -n --rate --exact,
    /// -L -n --thresholds, -L -n --persistent-conn.
    /// </summary>
    public static IReadOnlyList<IpvsadmCommand> ListServices(string program = DefaultProgram) => new[]
    {
        Make(program, new[] { "-L", "-n", "--exact" }, IpvsadmOutputKind.Listing),
        Make(program, new[] { "-L", "-n", "--stats", "--exact" }, IpvsadmOutputKind.Listing),
        Make(program, new[] { "-L", "-n", "--rate", "--exact" }, IpvsadmOutputKind.Listing),
        Make(program, new[] { "-L", "-n", "--thresholds" }, IpvsadmOutputKind.Listing),
        Make(program, new[] { "-L", "-n", "--persistent-conn" }, IpvsadmOutputKind.Listing),
    };

    /// <summary><c>ipvsadm -L -n -c</c>.</summary>
    public static IpvsadmCommand ListConnections(string program = DefaultProgram) => Make(program, new[] { "-L", "-n", "-c" }, IpvsadmOutputKind.Connections);

    /// <summary><c>ipvsadm -L --timeout</c>.</summary>
    public static IpvsadmCommand GetTimeouts(string program = DefaultProgram) => Make(program, new[] { "-L", "--timeout" }, IpvsadmOutputKind.Timeout);

    /// <summary><c>ipvsadm --version</c> (it also opens IPVS first, so it fails when the kernel has none).</summary>
    public static IpvsadmCommand Version(string program = DefaultProgram) => Make(program, new[] { "--version" }, IpvsadmOutputKind.Version);

    /// <summary>
    /// Joins commands into one remote command line with <c>&amp;&amp;</c>: the first failure stops the rest and its exit
    /// status and error output are what comes back.
    /// </summary>
    public static string JoinCommandLines(IEnumerable<IpvsadmCommand> commands)
        => string.Join(" && ", commands.Select(c => c.CommandLine));

    /// <summary>
    /// The shell command line for <paramref name="program"/> and <paramref name="arguments"/>: the program as it is
    /// (it must match "ipvsadm" or an absolute path ending in /ipvsadm, so it needs no quoting) and each argument
    /// single-quoted.
    /// </summary>
    public static string ToCommandLine(string program, IEnumerable<string> arguments)
    {
        ValidateProgram(program);
        ArgumentNullException.ThrowIfNull(arguments);
        var parts = new List<string> { program };
        parts.AddRange(arguments.Select(ShellQuote.Quote));
        return string.Join(' ', parts);
    }

    /// <summary>Refuses anything but "ipvsadm" or an absolute path such as /usr/sbin/ipvsadm (no shell characters).</summary>
    public static void ValidateProgram(string? program)
    {
        if (program is null || !ProgramPattern.IsMatch(program) || program.Contains("/../", StringComparison.Ordinal))
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                $"'{program}' is not a usable ipvsadm program: use ipvsadm or an absolute path ending in /ipvsadm.", program);
    }

    // ------------------------------------------------------------------ pieces

    private static IpvsadmCommand ServiceCommand(string command, ServiceSpec service, string program)
    {
        SpecValidator.ServiceIdentity(service);
        SpecValidator.Scheduler(service.Scheduler, service.SchedulerFlags);
        int prefix = SpecValidator.Persistence(service);
        SpecValidator.PortZero(service);
        var args = new List<string> { command };
        args.AddRange(ServiceSelector(service));
        args.Add("-s");
        args.Add(SchedulerFactory.Name(service.Scheduler));
        if (service.PersistentTimeout > 0)
        {
            args.Add("-p");
            args.Add(service.PersistentTimeout.ToString(Inv));
            // -M: IPv4 a dotted netmask unless /32 (or none); IPv6 the prefix length unless /128.
            bool v6 = SpecValidator.FamilyOf(service) == AddressFamily.InterNetworkV6;
            if (service.PersistenceNetmask is { } mask && prefix != (v6 ? 128 : 32))
            {
                args.Add("-M");
                args.Add(v6 ? prefix.ToString(Inv) : mask.ToString());
            }
        }
        if (service.SchedulerFlags != LvsSchedulerFlags.None)
        {
            args.Add("-b");
            args.Add(SchedulerFactory.FlagsArgument(service.Scheduler, service.SchedulerFlags));
        }
        return Make(program, args, IpvsadmOutputKind.None);
    }

    private static IpvsadmCommand RealServerCommand(string command, ServiceSpec service, RealServerSpec rs, string program)
    {
        SpecValidator.ServiceIdentity(service);
        var (forward, port) = CheckRealServer(service, rs);
        var args = new List<string> { command };
        args.AddRange(ServiceSelector(service));
        args.Add("-r");
        args.Add(AddressPort(rs.Address, port));
        args.Add(forward);
        args.Add("-w");
        args.Add(rs.Weight.ToString(Inv));
        if (rs.UpperThreshold != 0)
        {
            args.Add("-x");
            args.Add(rs.UpperThreshold.ToString(Inv));
        }
        if (rs.LowerThreshold != 0)
        {
            args.Add("-y");
            args.Add(rs.LowerThreshold.ToString(Inv));
        }
        return Make(program, args, IpvsadmOutputKind.None);
    }

    /// <summary>Validates a real server of <paramref name="service"/>; returns its forwarding switch and the port the kernel will use.</summary>
    private static (string Forward, ushort Port) CheckRealServer(ServiceSpec service, RealServerSpec? rs)
    {
        // ipvsadm forces the service port for -g and -i (and Local is added as -g), so say so in the command.
        ushort port = SpecValidator.RealServer(service, rs);
        return (IpvsadmFormatter.ForwardSwitch(rs!.Forwarding), port);
    }

    private static IEnumerable<string> ServiceSelector(ServiceSpec service)
    {
        SpecValidator.ServiceIdentity(service);
        if (service.FirewallMark != 0)
            return SpecValidator.FamilyOf(service) == AddressFamily.InterNetworkV6
                ? new[] { "-f", service.FirewallMark.ToString(Inv), "-6" }
                : new[] { "-f", service.FirewallMark.ToString(Inv) };
        // ipvsadm has no short option for SCTP services: --sctp-service.
        string option = service.Protocol switch
        {
            LvsProtocol.Udp => "-u",
            LvsProtocol.Sctp => "--sctp-service",
            _ => "-t",
        };
        return new[] { option, AddressPort(service.Address, service.Port) };
    }

    /// <summary>"10.0.0.1:80" or "[2001:db8::1]:80", as ipvsadm reads and prints them.</summary>
    public static string AddressPort(IPAddress address, int port) => SpecValidator.AddressPort(address, port);

    private static string Num(int v) => v.ToString(Inv);

    private static IpvsadmCommand Make(string program, IReadOnlyList<string> args, IpvsadmOutputKind output)
    {
        ValidateProgram(program);
        return new IpvsadmCommand(program, args, output);
    }
}
