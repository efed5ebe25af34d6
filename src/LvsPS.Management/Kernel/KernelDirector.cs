using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Management.Remote;

using LvsPS.Management.Config;

namespace LvsPS.Management.Kernel;

/// <summary>A kernel IPVS director as Connect-LvsDirector reports it.</summary>
public sealed class KernelDirectorStatus
{
    /// <summary>The name the cmdlets select it by (-Director).</summary>
    public string Name { get; set; } = "";
    /// <summary>Always "KernelIpvs": the table is the director's kernel IPVS, driven by ipvsadm over SSH.</summary>
    public string Backend { get; set; } = "KernelIpvs";
    public string ComputerName { get; set; } = "";
    public int SshPort { get; set; } = 22;
    public string UserName { get; set; } = "";
    public string? NetworkNamespace { get; set; }
    /// <summary>SHA256 fingerprint of the host key the director presented (verified against known_hosts).</summary>
    public string? HostKeyFingerprint { get; set; }
    /// <summary>The ipvsadm that is run: "ipvsadm" (found through the login PATH) or an absolute path.</summary>
    public string IpvsadmPath { get; set; } = IpvsadmCommandBuilder.DefaultProgram;
    /// <summary>What ipvsadm --version printed.</summary>
    public string IpvsadmVersion { get; set; } = "";
    /// <summary>The kernel's IPVS version from the listing header ("1.2.1").</summary>
    public string IpvsVersion { get; set; } = "";
    /// <summary>The kernel's connection table size (the header's size=).</summary>
    public int TableSize { get; set; }
    public int ServiceCount { get; set; }
    public int RealServerCount { get; set; }
    [Newtonsoft.Json.JsonIgnore]
    public IPAddress[] VirtualAddresses { get; set; } = Array.Empty<IPAddress>();
    public DateTime ConnectedAt { get; set; }
    public bool Connected { get; set; }
}

/// <summary>
/// Kernel IPVS on a remote Linux director, managed by running ipvsadm over SSH: each <see cref="IDirector"/> operation becomes ipvsadm
/// command lines (<see cref="IpvsadmCommandBuilder"/>, every value validated first), listings are parsed back
/// (<see cref="IpvsadmOutputParser"/>), refusals become the engine's ErrorIds (<see cref="IpvsadmErrors"/>).
/// One SSH connection is kept open (host key verified against known_hosts) and reopened when it has dropped.
/// Operations are carried out one at a time.
/// </summary>
public sealed partial class KernelDirector : IDirector, IDisposable, IVerboseSource
{
    /// <summary>Where ipvsadm is looked for when the login PATH has none (non-root PATHs often lack the sbin folders).</summary>
    public static readonly IReadOnlyList<string> ProgramCandidates = new[] { IpvsadmCommandBuilder.DefaultProgram, "/usr/sbin/ipvsadm", "/sbin/ipvsadm" };

    private readonly object _sync = new();
    private readonly Func<string, RemoteResult>? _runner;
    private SshSession? _session;
    private bool _disposed;

    /// <summary>A director reached over SSH at <paramref name="target"/>; nothing is opened until <see cref="Connect"/> or the first request.</summary>
    public KernelDirector(string name, SshTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        DirectorLauncher.ValidateName(name);
        Name = name;
        Target = target;
        ComputerName = target.HostName;
    }

    /// <summary>
    /// A director whose commands are run by <paramref name="runner"/> (one shell command line in, its outcome out),
    /// for other transports and for tests.
    /// </summary>
    public KernelDirector(string name, string computerName, Func<string, RemoteResult> runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        DirectorLauncher.ValidateName(name);
        Name = name;
        ComputerName = computerName;
        _runner = runner;
    }

    public string Name { get; }
    public string ComputerName { get; }

    /// <summary>Told each command line run on the director (and over which SSH login) and what a listing holds.</summary>
    public Action<string>? Verbose { get; set; }
    public SshTarget? Target { get; }
    /// <summary>The ipvsadm program in use (set by <see cref="Connect"/>).</summary>
    public string Program { get; private set; } = IpvsadmCommandBuilder.DefaultProgram;
    public IpvsadmVersionInfo? Version { get; private set; }
    public DateTime ConnectedAt { get; private set; }
    public string? HostKeyFingerprint => _session?.HostKeyFingerprint;
    public bool IsConnected => !_disposed && (_runner != null || _session?.IsConnected == true);

    /// <summary>
    /// Opens the SSH session, finds ipvsadm (the login PATH, then /usr/sbin and /sbin) and checks that it works
    /// (<c>ipvsadm --version</c>, which also opens IPVS), then reads the table once (<c>ipvsadm -L -n --exact</c>).
    /// </summary>
    /// <exception cref="LvsException">SSH errors (HostKeyUnknown, HostKeyMismatch, SshConnectFailed,
    /// SshAuthenticationFailed), IpvsadmNotFound, NotRoot, IpvsNotAvailable (no kernel IPVS).</exception>
    public KernelDirectorStatus Connect()
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            EnsureSession();
            LvsException? notFound = null;
            foreach (var candidate in ProgramCandidates)
            {
                var r = RunRaw(IpvsadmCommandBuilder.Version(candidate).CommandLine);
                if (r.Succeeded)
                {
                    Program = candidate;
                    Version = IpvsadmOutputParser.ParseVersion(r.Output);
                    ConnectedAt = DateTime.UtcNow;
                    var listing = IpvsadmOutputParser.ParseListing(RunChecked(IpvsadmCommandBuilder.ListServices(Program)[0], null).Output);
                    return Status(listing.IpvsVersion, listing.TableSize, listing.Services);
                }
                // 127: the shell found no such program; anything else is ipvsadm's (or the kernel's) answer.
                if (r.ExitStatus != 127 || r.ExitSignal != null) throw IpvsadmErrors.FromResult(r, Name, ComputerName, null);
                notFound ??= IpvsadmErrors.NotFound(ComputerName,
                    "ipvsadm in the login PATH, " + string.Join(", ", ProgramCandidates.Skip(1)),
                    string.Join(" ", (r.Error ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
            }
            throw notFound!;
        }
    }

    /// <summary>The director as Connect-LvsDirector and Get-LvsDirector show it (reads the table).</summary>
    public KernelDirectorStatus Describe()
    {
        var (services, version, size) = Locked(ReadServices);
        return Status(version, size, services);
    }

    // ------------------------------------------------------------------ IDirector: each operation as ipvsadm commands
    // Every value is validated by the command builder before anything runs; the commands run one at a time.

    public DirectorStatus GetStatus() => Locked(() =>
    {
        var v = IpvsadmOutputParser.ParseVersion(RunChecked(IpvsadmCommandBuilder.Version(Program), null).Output);
        Version = v;
        var (services, ipvsVersion, size) = ReadServices();
        var table = Status(ipvsVersion, size, services);
        return new DirectorStatus
        {
            Name = Name,
            Kind = LvsDirectorKind.Kernel,
            Version = v.Text, // ipvsadm's own line, which names the kernel's IPVS version too
            TableSize = table.TableSize,
            StartTime = ConnectedAt,
            ServiceCount = table.ServiceCount,
            RealServerCount = table.RealServerCount,
            VirtualAddresses = table.VirtualAddresses,
            Running = true,
        };
    });

    public List<LvsService> ListServices() => Locked(() =>
    {
        var services = ReadServices().Services;
        if (Verbose is not null) DirectorVerbose.Say(Verbose, $"Got {DirectorVerbose.Describe(services)} from kernel director '{Name}'");
        return services;
    });

    public List<LvsConnection> ListConnections() => Locked(() =>
        IpvsadmOutputParser.ParseConnections(RunChecked(IpvsadmCommandBuilder.ListConnections(Program), null).Output, Name));

    private IpvsadmConnectionReader? _listing;
    private long _listingSerial;

    /// <summary>
    /// The kernel cannot filter or page its table, so the first page reads one <c>ipvsadm -L -n -c</c> (its text only,
    /// never the whole table as objects) and each page parses on from the cursor (listing serial, text offset, line),
    /// keeping the matching entries; the text is let go with the last page or when a new listing starts, which makes the
    /// older listing's cursors invalid.
    /// </summary>
    public ConnectionPage ListConnectionPage(ConnectionQuery query) => Locked(() =>
    {
        ArgumentNullException.ThrowIfNull(query);
        int pageSize = query.EffectivePageSize();
        if (query.Cursor is null)
        {
            _listing = new IpvsadmConnectionReader(RunChecked(IpvsadmCommandBuilder.ListConnections(Program), null).Output, Name);
            _listingSerial++;
        }
        else
        {
            var parts = query.Cursor.Split(':');
            if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long serial)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int offset)
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int line))
                throw query.BadCursor("expected listing:offset:line");
            if (_listing is null || serial != _listingSerial || offset > _listing.Length)
                throw query.BadCursor("its listing is over or a newer one started");
            _listing.Seek(offset, line);
        }
        var reader = _listing!;
        var page = new ConnectionPage();
        while (page.Connections.Count < pageSize && reader.Read() is { } c)
            if (query.Matches(c)) page.Connections.Add(c);
        if (reader.Offset >= reader.Length) _listing = null;
        else page.NextCursor = string.Create(CultureInfo.InvariantCulture, $"{_listingSerial}:{reader.Offset}:{reader.LineIndex}");
        return page;
    });

    public void AddService(ServiceSpec service) => Locked(() =>
    {
        foreach (var rs in service.RealServers ?? new List<RealServerSpec>()) RefuseStaticMac(rs);
        var commands = IpvsadmCommandBuilder.AddServiceWithRealServers(service, Program);
        RunChecked(commands[0], service.ToString());
        for (int i = 1; i < commands.Count; i++)
        {
            var r = Run(commands[i].CommandLine);
            if (r.Succeeded) continue;
            var error = IpvsadmErrors.FromResult(r, Name, ComputerName, RealServerSubject(service, commands[i]));
            // All or nothing, as the engine does it: take the half-made service away again.
            var undo = Run(IpvsadmCommandBuilder.DeleteService(service, Program).CommandLine);
            throw new LvsException(error.ErrorId, error.Kind,
                error.Message + (undo.Succeeded ? $" The service {service} was removed again." : $" Removing the half-made service {service} failed too: {undo.Error.Trim()}"),
                error.Target, error);
        }
    });

    // A service keepalived manages (it has health checks or settings) keeps keepalived.conf in step with each table
    // change made through LvsPS, so that keepalived's next reload does not undo it.

    public void EditService(ServiceSpec service) => Locked(() =>
    {
        RunChecked(IpvsadmCommandBuilder.EditService(service, Program), service.ToString());
        SyncManaged(service, (_, _) => { });
    });

    public void DeleteService(ServiceSpec service) => Locked(() =>
    {
        var command = IpvsadmCommandBuilder.DeleteService(service, Program);
        if (!IsManaged(service)) { RunChecked(command, service.ToString()); return; }
        // Out of keepalived first (its reload takes the service out of the table), then out of the table.
        SyncManaged(service, (specs, spec) => specs.Remove(spec!));
        var r = Run(command.CommandLine);
        if (!r.Succeeded && IpvsadmErrors.FromResult(r, Name, ComputerName, service.ToString()) is var e && e.ErrorId != LvsErrorIds.ServiceNotFound) throw e;
    });

    public void AddRealServer(ServiceSpec service, RealServerSpec realServer)
    {
        RefuseStaticMac(realServer);
        Locked(() =>
        {
            RunChecked(IpvsadmCommandBuilder.AddRealServer(service, realServer, Program), Subject(service, realServer));
            SyncManaged(service, (_, _) => { });
        });
    }

    public void EditRealServer(ServiceSpec service, RealServerSpec realServer)
    {
        RefuseStaticMac(realServer);
        Locked(() =>
        {
            RunChecked(IpvsadmCommandBuilder.EditRealServer(service, realServer, Program), Subject(service, realServer));
            SyncManaged(service, (_, _) => { });
        });
    }

    /// <summary>
    /// A static real-server MAC is lvsd's: kernel IPVS has none (the kernel's own neighbour table resolves the real
    /// server), and a permanent neighbour entry is the host's configuration, not the IPVS table's, so it is refused
    /// rather than set behind the admin's back.
    /// </summary>
    private void RefuseStaticMac(RealServerSpec? rs)
    {
        if (rs?.MacAddress is null) return;
        throw new LvsException(LvsErrorIds.NotSupportedByDirector, LvsErrorKind.NotImplemented,
            $"Kernel IPVS on '{Name}' has no static MAC for a real server ({rs.Address} at {rs.MacAddress}): the kernel resolves it by ARP. Pin it on the director with 'ip neigh replace {rs.Address} lladdr {rs.MacAddress} dev IFACE nud permanent'.",
            rs.MacAddress);
    }

    public void DeleteRealServer(ServiceSpec service, RealServerSpec realServer) => Locked(() =>
    {
        var command = IpvsadmCommandBuilder.DeleteRealServer(service, realServer, Program);
        bool managed = IsManaged(service);
        if (managed)
        {
            // Out of keepalived.conf first (a real server keepalived took out is in the file only), then the table.
            int port = realServer.Port == 0 ? service.Port : realServer.Port;
            bool found = false;
            SyncManaged(service, (_, spec) => found = spec!.RealServers.RemoveAll(r => r.Address.Equals(realServer.Address) && (r.Port == port || r.Port == service.Port)) > 0);
            if (found)
            {
                var gone = Run(command.CommandLine);
                if (gone.Succeeded) return;
                var again = IpvsadmCommandBuilder.DeleteRealServer(service, new RealServerSpec { Address = realServer.Address, Port = service.Port }, Program);
                Run(again.CommandLine);
                return;
            }
        }
        var r = Run(command.CommandLine);
        if (r.Succeeded) return;
        var error = IpvsadmErrors.FromResult(r, Name, ComputerName, Subject(service, realServer));
        // As the engine does: a direct-routing real server sits on the service port whatever port was named.
        if (error.ErrorId == LvsErrorIds.RealServerNotFound && realServer.Port != 0 && realServer.Port != service.Port)
        {
            var again = IpvsadmCommandBuilder.DeleteRealServer(service, new RealServerSpec { Address = realServer.Address, Port = service.Port }, Program);
            if (Run(again.CommandLine).Succeeded) return;
        }
        throw error;
    });

    public void Zero(ServiceSpec? service) => RunOne(IpvsadmCommandBuilder.Zero(service, Program), service?.ToString());

    public TimeoutSpec GetTimeouts() => Locked(() =>
        IpvsadmOutputParser.ParseTimeout(RunChecked(IpvsadmCommandBuilder.GetTimeouts(Program), null).Output));

    public void SetTimeouts(TimeoutSpec timeouts) => RunOne(IpvsadmCommandBuilder.SetTimeouts(timeouts, Program), null);

    /// <summary>sysctl -n net.ipv4.vs.amemthresh drop_entry drop_packet am_droprate secure_tcp.</summary>
    public LvsPS.Ipvs.Connections.DefenseSpec GetDefense() => Locked(() =>
        KernelDefense.Parse(RunChecked(KernelDefense.GetCommand(KernelDefense.SysctlProgram(Program)), null).Output));

    /// <summary>sysctl -w net.ipv4.vs.…=… for the values given (quoted); lvsd-only settings are refused first.</summary>
    public void SetDefense(LvsPS.Ipvs.Connections.DefenseSpec defense)
    {
        var command = KernelDefense.SetCommand(defense, KernelDefense.SysctlProgram(Program));
        if (command is not null) Locked(() => { RunChecked(command, defense.ToString()); });
    }

    /// <summary>None: the kernel takes its marks from iptables/nftables, and none of those rules are LvsPS's.</summary>
    public List<MarkRuleSpec> ListMarkRules() => new();

    public void AddMarkRule(MarkRuleSpec rule) => throw IpvsadmCommandBuilder.MarkRulesNotManaged();

    public void DeleteMarkRule(MarkRuleSpec rule) => throw IpvsadmCommandBuilder.MarkRulesNotManaged();

    /// <summary>ipvsadm -C; keepalived.conf (when LvsPS wrote one with services) is emptied and reloaded first.</summary>
    public void Clear() => Locked(() =>
    {
        if (ReadFile().Count > 0) Install(new List<ServiceSpec>());
        RunChecked(IpvsadmCommandBuilder.Clear(Program), null);
    });

    public void Shutdown() => throw IpvsadmCommandBuilder.NoProcessToShutDown();

    // ------------------------------------------------------------------ traffic trace: tcpdump (KernelDirector.Trace.cs)

    // ------------------------------------------------------------------ health checks: keepalived's (KernelKeepalived)
    // A service with health checks or health settings is kept in keepalived.conf on the director; keepalived checks
    // its real servers and takes them out of the table (or sets weight 0 with inhibit_on_failure).

    public void AddHealthCheck(ServiceSpec service, RealServerSpec realServer, HealthCheckSpec check)
    {
        SpecValidator.HealthCheck(check);
        ChangeManaged(service, realServer, rs =>
        {
            if (rs.HealthChecks.Any(c => c.Type == check.Type))
                throw new LvsException(LvsErrorIds.HealthCheckExists, LvsErrorKind.ResourceExists,
                    $"The real server {rs.Address}:{rs.Port} in {service} already has a {check.KeepalivedName} checker.", check.Type);
            rs.HealthChecks.Add(check.Clone());
        });
    }

    public void SetHealthCheck(ServiceSpec service, RealServerSpec realServer, HealthCheckSpec check)
    {
        SpecValidator.HealthCheck(check);
        ChangeManaged(service, realServer, rs =>
        {
            int i = rs.HealthChecks.FindIndex(c => c.Type == check.Type);
            if (i < 0) throw NoCheck(service, rs, check.Type);
            rs.HealthChecks[i] = check.Clone();
        });
    }

    public void RemoveHealthCheck(ServiceSpec service, RealServerSpec realServer, LvsHealthCheckType type) =>
        ChangeManaged(service, realServer, rs =>
        {
            if (rs.HealthChecks.RemoveAll(c => c.Type == type) == 0) throw NoCheck(service, rs, type);
        });

    public void SetServiceHealth(ServiceSpec service, ServiceHealthSpec health)
    {
        SpecValidator.ServiceHealth(health);
        ChangeManaged(service, null, _ => { }, spec =>
        {
            // Real servers that followed the service's inhibit_on_failure follow its new value.
            bool old = spec.Health?.InhibitOnFailure ?? false;
            spec.Health = health.Clone();
            foreach (var rs in spec.RealServers.Where(r => r.InhibitOnFailure == old)) rs.InhibitOnFailure = health.InhibitOnFailure;
        });
    }

    private static LvsException NoCheck(ServiceSpec service, RealServerSpec rs, LvsHealthCheckType type) =>
        new(LvsErrorIds.HealthCheckNotFound, LvsErrorKind.ObjectNotFound,
            $"The real server {rs.Address}:{rs.Port} in {service} has no {type} checker.", type);

    /// <summary>
    /// Each real server's health: its state from the table and keepalived.conf (Down when keepalived took it out or set
    /// weight 0), the checker's data dump (alive, failed checkers, has run) and keepalived's log (last change, reason,
    /// history). A real server of a service keepalived does not manage is Up or Quiesced by its weight.
    /// </summary>
    public List<LvsRealServerHealth> GetHealth() => Locked(() =>
    {
        var services = ReadServices().Services;
        bool managed = services.Any(s => s.Health is not null || s.RealServers.Any(r => r.HealthChecks.Count > 0));
        var dump = new Dictionary<string, KernelKeepalived.DumpedRealServer>(StringComparer.Ordinal);
        var changes = new List<KernelKeepalived.LoggedChange>();
        var results = new Dictionary<string, (DateTime Time, string Text)>(StringComparer.Ordinal);
        DateTime now = DateTime.UtcNow;
        if (managed)
        {
            var parts = RunChecked(KernelKeepalived.StatusCommand, null).Output.Split(KernelKeepalived.LogMarker);
            dump = KernelKeepalived.ParseDump(parts[0]);
            if (parts.Length > 2)
            {
                (changes, results) = KernelKeepalived.ParseLog(parts[1]);
                if (long.TryParse(parts[2].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long epoch))
                    now = DateTimeOffset.FromUnixTimeSeconds(epoch).UtcDateTime;
            }
        }
        var list = new List<LvsRealServerHealth>();
        foreach (var s in services)
        {
            string sk = KernelKeepalived.ServiceKey(s.FirewallMark, s.VirtualAddress, s.Port);
            foreach (var r in s.RealServers)
            {
                string key = KernelKeepalived.Key(sk, r.RealAddress, r.RealPort);
                var h = new LvsRealServerHealth
                {
                    Director = Name, Protocol = s.Protocol, VirtualAddress = s.VirtualAddress, Port = s.Port, FirewallMark = s.FirewallMark,
                    RealAddress = r.RealAddress, RealPort = r.RealPort, Weight = r.Weight, ConfiguredWeight = r.ConfiguredWeight,
                    ActiveConnections = r.ActiveConnections, InactiveConnections = r.InactiveConnections,
                    State = r.State, InTable = r.InTable,
                    Checks = string.Join(", ", r.HealthChecks.Select(c => c.ToString())),
                };
                if (r.HealthChecks.Count == 0)
                    h.Reason = "kernel IPVS: the weight in the table (no health check configured)";
                else
                {
                    if (dump.TryGetValue(key, out var d))
                    {
                        if (d.HasRun || !d.Alive) h.LastCheck = now;
                        h.LastResult = d.Alive ? "keepalived: alive" : $"keepalived: {d.FailedCheckers} checker(s) failing";
                        if (!d.Alive && r.State == LvsRealServerState.Up) h.State = LvsRealServerState.Down;
                    }
                    if (results.TryGetValue($"{r.RealAddress}:{r.RealPort}", out var lr)) h.LastResult = $"keepalived: {lr.Text}";
                    h.History = changes.Where(c => c.Key == key).TakeLast(LvsRealServerHealth.HistoryLength)
                        .Select(c => new LvsHealthEvent { Time = c.Time, State = c.State, Reason = c.Reason }).ToList();
                    if (h.History.LastOrDefault() is { } last) { h.LastChange = last.Time; h.Reason = last.Reason; }
                    else h.Reason = "keepalived: no state change logged";
                }
                list.Add(h);
            }
        }
        return list;
    });

    /// <summary>
    /// The services keepalived.conf holds, as specs taken from the table merged with the file (real servers keepalived
    /// took out included, with their configured weights).
    /// </summary>
    private List<ServiceSpec> ManagedSpecs(List<LvsService> services, List<ServiceSpec> inFile) =>
        services.Where(s => inFile.Any(f => f.Names(s))).Select(SpecOf).ToList();

    private static ServiceSpec SpecOf(LvsService s)
    {
        var spec = KeepalivedConfWriter.ToSpec(s);
        foreach (var rs in spec.RealServers)
        {
            var listed = s.RealServers.First(r => r.RealAddress.Equals(rs.Address) && r.RealPort == rs.Port);
            rs.Weight = listed.ConfiguredWeight;
        }
        return spec;
    }

    /// <summary>Changes one service's keepalived model (taking it under keepalived if it is not yet) and installs the file.</summary>
    private void ChangeManaged(ServiceSpec service, RealServerSpec? realServer, Action<RealServerSpec> changeRealServer, Action<ServiceSpec>? changeService = null) => Locked(() =>
    {
        SpecValidator.ServiceIdentity(service);
        var (services, inFile) = ReadWithFile();
        var listed = services.FirstOrDefault(s => service.Names(s))
            ?? throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, $"No virtual service {service} exists on director '{Name}'.", service.ToString());
        var specs = ManagedSpecs(services, inFile);
        var spec = specs.FirstOrDefault(s => service.SameServiceAs(s));
        if (spec is null) specs.Add(spec = SpecOf(listed));
        changeService?.Invoke(spec);
        if (realServer is not null)
        {
            SpecValidator.Address(realServer.Address, "real server address");
            int port = realServer.Port == 0 ? service.Port : realServer.Port;
            var rs = spec.RealServers.FirstOrDefault(r => r.Address.Equals(realServer.Address) && r.Port == port)
                     ?? spec.RealServers.FirstOrDefault(r => r.Address.Equals(realServer.Address) && r.Port == service.Port)
                     ?? throw new LvsException(LvsErrorIds.RealServerNotFound, LvsErrorKind.ObjectNotFound, $"The real server {realServer.Address}:{port} does not exist in {service} on director '{Name}'.", $"{realServer.Address}:{port}");
            changeRealServer(rs);
        }
        Install(specs);
    });

    /// <summary>Writes keepalived.conf for <paramref name="specs"/> on the director, tests it, starts or reloads keepalived.</summary>
    private void Install(List<ServiceSpec> specs) => Install(specs, _lastVrrp);

    /// <summary>Writes keepalived.conf with its VRRP instances too; keepalived runs its VRRP process while there are any.</summary>
    private void Install(List<ServiceSpec> specs, List<VrrpInstanceSpec> vrrp)
    {
        string conf = ConfigurationWriter.WriteKeepalived(specs, new ConfigurationWriterOptions
        {
            Comment = $"Director '{Name}': the services whose health checks keepalived runs and the VRRP instances (LvsPS manages this file; do not edit).",
            VrrpInstances = vrrp,
        });
        var r = Run(KernelKeepalived.InstallScript(conf, vrrp.Count > 0));
        if (KernelKeepalived.InstallError(r, Name) is { } error) throw error;
        _lastVrrp = vrrp;
    }

    /// <summary>The table (merged with keepalived.conf) and the file's services.</summary>
    private (List<LvsService> Services, List<ServiceSpec> InFile) ReadWithFile()
    {
        var services = ReadServices().Services;
        return (services, _lastFile);
    }

    private List<ServiceSpec> _lastFile = new();

    /// <summary>
    /// Merges keepalived.conf into the listing: the services it holds get their health settings, their real servers
    /// their checkers and configured weights; a real server keepalived took out (not in the table) is listed Down with
    /// InTable false, one at weight 0 with inhibit_on_failure is Down; a sorry server keepalived put in is marked.
    /// </summary>
    private void AttachKeepalived(List<LvsService> services)
    {
        foreach (var spec in ReadFile())
        {
            var svc = services.FirstOrDefault(s => spec.Names(s));
            if (svc is null) continue;
            svc.Health = spec.Health;
            bool serviceInhibit = spec.Health?.InhibitOnFailure ?? false;
            foreach (var rs in spec.RealServers)
            {
                ushort port = rs.Port == 0 ? svc.Port : rs.Port;
                var listed = svc.RealServers.FirstOrDefault(r => r.RealAddress.Equals(rs.Address) && r.RealPort == port);
                bool inhibit = rs.InhibitOnFailure || serviceInhibit;
                if (listed is null)
                {
                    svc.RealServers.Add(listed = new LvsRealServer(svc)
                    {
                        RealAddress = rs.Address, RealPort = port, Forwarding = rs.Forwarding, Weight = 0,
                        UpperThreshold = rs.UpperThreshold, LowerThreshold = rs.LowerThreshold,
                        InTable = false, State = LvsRealServerState.Down,
                    });
                }
                else if (rs.HealthChecks.Count > 0 && listed.Weight == 0 && rs.Weight > 0 && !listed.Suspended)
                    listed.State = LvsRealServerState.Down;
                listed.ConfiguredWeight = rs.Weight;
                listed.HealthChecks = rs.HealthChecks;
                listed.InhibitOnFailure = inhibit;
            }
            if (spec.Health?.SorryServer is { } sorry)
                foreach (var r in svc.RealServers.Where(r => r.RealAddress.Equals(sorry) && !spec.RealServers.Any(x => x.Address.Equals(sorry))))
                    r.IsSorryServer = true;
        }
    }

    /// <summary>For a table operation on a service keepalived manages: the file follows the table (null when not managed).</summary>
    private void SyncManaged(ServiceSpec service, Action<List<ServiceSpec>, ServiceSpec?> change)
    {
        if (!IsManaged(service)) return;
        var (services, inFile) = ReadWithFile();
        var specs = ManagedSpecs(services, inFile);
        change(specs, specs.FirstOrDefault(s => service.SameServiceAs(s)));
        Install(specs);
    }

    /// <summary>The services keepalived.conf holds (only the file is read).</summary>
    private List<ServiceSpec> ReadFile()
    {
        var conf = KernelKeepalived.ParseAll(RunChecked(KernelKeepalived.ReadCommand, null).Output, Name);
        _lastVrrp = conf.VrrpInstances;
        return _lastFile = conf.ToServiceSpecs();
    }

    private bool IsManaged(ServiceSpec service) => ReadFile().Any(service.SameServiceAs);

    private readonly Dictionary<string, int> _suspended = new(StringComparer.Ordinal);

    private static string SuspendKey(LvsProtocol p, System.Net.IPAddress vip, int port, uint mark, System.Net.IPAddress rip, int rport) =>
        $"{(mark != 0 ? "fwm" + mark : p + " " + vip + ":" + port)} {rip}:{rport}";

    /// <summary>ipvsadm -e with weight 0; the weight it had is remembered for Resume (in this session).</summary>
    public void SuspendRealServer(ServiceSpec service, RealServerSpec realServer) => Locked(() =>
    {
        var (svc, rs) = FindListed(service, realServer);
        var key = SuspendKey(svc.Protocol, svc.VirtualAddress, svc.Port, svc.FirewallMark, rs.RealAddress, rs.RealPort);
        if (_suspended.ContainsKey(key)) return;
        var edit = new RealServerSpec { Address = rs.RealAddress, Port = rs.RealPort, Forwarding = rs.Forwarding, Weight = 0, UpperThreshold = rs.UpperThreshold, LowerThreshold = rs.LowerThreshold };
        RunChecked(IpvsadmCommandBuilder.EditRealServer(service, edit, Program), Subject(service, edit));
        _suspended[key] = rs.Weight;
    });

    /// <summary>ipvsadm -e with the weight it had before Suspend.</summary>
    public void ResumeRealServer(ServiceSpec service, RealServerSpec realServer) => Locked(() =>
    {
        var (svc, rs) = FindListed(service, realServer);
        var key = SuspendKey(svc.Protocol, svc.VirtualAddress, svc.Port, svc.FirewallMark, rs.RealAddress, rs.RealPort);
        if (!_suspended.TryGetValue(key, out int weight))
            throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidOperation,
                $"The real server {rs.RealAddress}:{rs.RealPort} was not suspended through this connection to {Name}, so its weight is not known; give it one with Set-LvsRealServer -Weight.", rs.RealAddress);
        var edit = new RealServerSpec { Address = rs.RealAddress, Port = rs.RealPort, Forwarding = rs.Forwarding, Weight = weight, UpperThreshold = rs.UpperThreshold, LowerThreshold = rs.LowerThreshold };
        RunChecked(IpvsadmCommandBuilder.EditRealServer(service, edit, Program), Subject(service, edit));
        _suspended.Remove(key);
    });

    private (LvsService, LvsRealServer) FindListed(ServiceSpec service, RealServerSpec realServer)
    {
        SpecValidator.ServiceIdentity(service);
        SpecValidator.Address(realServer?.Address, "real server address");
        var services = ReadServices().Services;
        var svc = services.FirstOrDefault(s => service.FirewallMark != 0 ? s.FirewallMark == service.FirewallMark
                      : s.FirewallMark == 0 && s.Protocol == service.Protocol && s.VirtualAddress.Equals(service.Address) && s.Port == service.Port)
                  ?? throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, $"No virtual service {service} exists on director '{Name}'.", service.ToString());
        int port = realServer!.Port == 0 ? service.Port : realServer.Port;
        var rs = svc.RealServers.FirstOrDefault(r => r.RealAddress.Equals(realServer.Address) && r.RealPort == port)
                 ?? svc.RealServers.FirstOrDefault(r => r.RealAddress.Equals(realServer.Address) && r.RealPort == service.Port)
                 ?? throw new LvsException(LvsErrorIds.RealServerNotFound, LvsErrorKind.ObjectNotFound, $"The real server {realServer.Address}:{port} does not exist in {service} on director '{Name}'.", $"{realServer.Address}:{port}");
        return (svc, rs);
    }

    // ------------------------------------------------------------------ plumbing

    /// <summary>The five listings in one round trip, merged: services, the IPVS version and the table size.</summary>
    private (List<LvsService> Services, string Version, int TableSize) ReadServices()
    {
        var text = RunChecked(IpvsadmCommandBuilder.JoinCommandLines(IpvsadmCommandBuilder.ListServices(Program)), null).Output;
        var listings = IpvsadmOutputParser.ParseListings(text);
        var head = listings.First(l => l.Kind == IpvsadmListingKind.List);
        var services = IpvsadmOutputParser.Merge(listings, Name);
        // The kernel's table has no health verdict of LvsPS's: a real server takes new connections or is quiesced.
        foreach (var s in services)
            foreach (var r in s.RealServers)
            {
                bool suspended = _suspended.TryGetValue(SuspendKey(s.Protocol, s.VirtualAddress, s.Port, s.FirewallMark, r.RealAddress, r.RealPort), out int kept);
                r.Suspended = suspended;
                r.ConfiguredWeight = suspended ? kept : r.Weight;
                r.State = r.Weight > 0 ? LvsRealServerState.Up : suspended && r.ActiveConnections > 0 ? LvsRealServerState.Draining : LvsRealServerState.Quiesced;
            }
        AttachKeepalived(services);
        return (services, head.IpvsVersion, head.TableSize);
    }

    /// <summary>
    /// Runs a shell command line on the director over its session (the cluster checks read sysctls, addresses and
    /// offloads this way). The caller quotes every value with <see cref="Remote.ShellQuote"/>.
    /// </summary>
    public RemoteResult RunShell(string commandLine) => Locked(() => Run(commandLine));

    private void RunOne(IpvsadmCommand command, string? subject) => Locked(() => { RunChecked(command, subject); });

    private T Locked<T>(Func<T> action)
    {
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return action();
        }
    }

    private void Locked(Action action) => Locked<object?>(() => { action(); return null; });

    private RemoteResult RunChecked(IpvsadmCommand command, string? subject) => RunChecked(command.CommandLine, subject);

    private RemoteResult RunChecked(string commandLine, string? subject)
    {
        var r = Run(commandLine);
        if (!r.Succeeded) throw IpvsadmErrors.FromResult(r, Name, ComputerName, subject);
        return r;
    }

    private RemoteResult Run(string commandLine)
    {
        if (Verbose is not null)
            DirectorVerbose.Say(Verbose, _runner != null ? $"Running '{DirectorVerbose.Shorten(commandLine)}' on {ComputerName}"
                : $"Running '{DirectorVerbose.Shorten(commandLine)}' on {Target!.UserName}@{Target.HostName}:{Target.Port} over SSH{(Target.NetworkNamespace is { } ns ? $" (from namespace {ns})" : "")}");
        EnsureSession();
        return RunRaw(commandLine);
    }

    private RemoteResult RunRaw(string commandLine) => _runner != null ? _runner(commandLine) : _session!.Run(commandLine);

    /// <summary>Opens the SSH session, or opens it again when it has dropped.</summary>
    private void EnsureSession()
    {
        if (_runner != null || _session?.IsConnected == true) return;
        _session?.Dispose();
        _session = null;
        _session = SshSession.Open(Target!);
    }

    private KernelDirectorStatus Status(string ipvsVersion, int tableSize, List<LvsService> services) => new()
    {
        Name = Name,
        ComputerName = ComputerName,
        SshPort = Target?.Port ?? 0,
        UserName = Target?.UserName ?? "",
        NetworkNamespace = Target?.NetworkNamespace,
        HostKeyFingerprint = HostKeyFingerprint,
        IpvsadmPath = Program,
        IpvsadmVersion = Version?.Text ?? "",
        IpvsVersion = ipvsVersion,
        TableSize = tableSize,
        ServiceCount = services.Count,
        RealServerCount = services.Sum(s => s.RealServers.Count),
        VirtualAddresses = services.Select(s => s.VirtualAddress).Distinct().ToArray(),
        ConnectedAt = ConnectedAt,
        Connected = IsConnected,
    };

    private static string Subject(ServiceSpec service, RealServerSpec realServer)
    {
        int port = realServer.Port == 0 ? service.Port : realServer.Port;
        return $"{IpvsadmCommandBuilder.AddressPort(realServer.Address, port)} in {service}";
    }

    private static string RealServerSubject(ServiceSpec svc, IpvsadmCommand c)
    {
        int i = c.Arguments.ToList().IndexOf("-r");
        return i >= 0 && i + 1 < c.Arguments.Count ? $"{c.Arguments[i + 1]} in {svc}" : svc.ToString();
    }

    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed) return;
            _disposed = true;
            StopRunningTrace();
            _session?.Dispose();
            _session = null;
        }
    }

    public override string ToString() => $"{Name} (kernel IPVS on {ComputerName})";
}
