namespace LvsPS.Commands;

/// <summary>
/// Connects to a Linux director's kernel IPVS over SSH: afterwards the LvsPS cmdlets given -Director NAME (or
/// resolving to it) run ipvsadm on that host instead of talking to a local lvsd. Only the session changes; the
/// director's table is read, not changed. Several directors (Name and ComputerName by property name from the
/// pipeline) are logged in to at once, -ThrottleLimit at a time: one error per host that fails, the others go on.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "LvsDirector", HelpUri = LvsHelpUri.Base + "Connect-LvsDirector.md")]
[OutputType(typeof(KernelDirectorStatus))]
public sealed class ConnectLvsDirectorCommand : LvsCmdlet
{
    /// <summary>The name the other cmdlets select this director by (-Director).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Director")]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The director to log in to (host name or address).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("HostName")]
    [ValidateNotNullOrEmpty]
    public string ComputerName { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 65535)]
    public int SshPort { get; set; } = 22;

    /// <summary>User name and password; with -KeyFile the password is the key's passphrase. Default user root.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsFile { get; set; }

    [Parameter]
    public SwitchParameter AcceptNewHostKey { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidatePattern("^[A-Za-z0-9_.-]{1,64}$")]
    [ArgumentCompleter(typeof(NetworkNamespaceCompleter))]
    public string? NetworkNamespace { get; set; }

    /// <summary>Hosts logged in to at once when the input names several (default 32, as Invoke-Command; LvsCmdlet.RunFleet).</summary>
    [Parameter, ValidateRange(1, BoundedParallel.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = BoundedParallel.DefaultThrottleLimit;

    private readonly List<KernelDirector> _directors = new();

    protected override void ProcessRecord()
    {
        // Every record is checked before any host is logged in to: a bad one ends the command with nothing connected.
        try
        {
            DirectorLauncher.ValidateName(Name);
            if (DirectorPaths.SocketNames().Contains(Name, StringComparer.Ordinal))
                throw new LvsException(LvsErrorIds.DirectorAlreadyRunning, LvsErrorKind.ResourceExists,
                    $"A local LvsPS director named '{Name}' is running; give the kernel director another -Name.", Name);
            if (_directors.Any(d => d.Name == Name))
                throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                    $"The director name '{Name}' is given twice; each kernel director needs a name of its own.", Name);
            _directors.Add(new KernelDirector(Name, SshLogin(ComputerName, SshPort, Credential, KeyFile, KnownHostsFile, AcceptNewHostKey, NetworkNamespace)));
        }
        catch (LvsException e)
        {
            DisposeUnconnected();
            ThrowLvsError(e, Name);
        }
    }

    protected override void EndProcessing()
    {
        if (_directors.Count == 1)
        {
            ConnectOne(_directors[0]);
            return;
        }
        // A fleet: one error per host that fails (its name the target), the others connect.
        var verbose = VerboseSink; // taken here: the sink learns the pipeline's thread on first use
        RunFleet(14, ThrottleLimit, _directors, d => d.Target!.HostName, (d, _) =>
        {
            verbose($"Connecting to {d.Target} as kernel director '{d.Name}'.");
            try { return d.Connect(); }
            catch { d.Dispose(); throw; }
        }, Connected);
    }

    /// <summary>One director, as this command always did: a failure ends the command (target: the host).</summary>
    private void ConnectOne(KernelDirector director)
    {
        WriteVerbose($"Connecting to {director.Target} as kernel director '{director.Name}'.");
        KernelDirectorStatus status;
        try { status = director.Connect(); }
        catch (LvsException e)
        {
            director.Dispose();
            ThrowLvsError(e, director.Target!.HostName);
            return;
        }
        Connected(director, status);
    }

    /// <summary>Registers a director that logged in and writes its status.</summary>
    private void Connected(KernelDirector director, KernelDirectorStatus status)
    {
        // Replaces (and closes) an earlier connection of the same name only once the new one works.
        KernelDirectorRegistry.Register(director);
        SessionDirector = director.Name;
        WriteVerbose($"{director.Target!.HostName}: {status.IpvsadmVersion}; IPVS {status.IpvsVersion} (size={status.TableSize}); host key {status.HostKeyFingerprint}.");
        WriteObject(status);
    }

    private void DisposeUnconnected()
    {
        foreach (var d in _directors) d.Dispose();
        _directors.Clear();
    }
}

/// <summary>Closes the SSH session of a kernel director connected with Connect-LvsDirector. The kernel table stays as it is.</summary>
[Cmdlet(VerbsCommunications.Disconnect, "LvsDirector", HelpUri = LvsHelpUri.Base + "Disconnect-LvsDirector.md")]
public sealed class DisconnectLvsDirectorCommand : LvsCmdlet
{
    /// <summary>Names of connected kernel directors (wildcards allowed).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Director")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ConnectedDirectorNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var n in Name)
        {
            var pattern = new WildcardPattern(n, WildcardOptions.None);
            var matches = KernelDirectorRegistry.Names.Where(pattern.IsMatch).ToList();
            if (matches.Count == 0)
            {
                if (!WildcardPattern.ContainsWildcardCharacters(n))
                    WriteLvsError(new LvsException(LvsErrorIds.DirectorNotRunning, LvsErrorKind.ObjectNotFound,
                        $"No kernel director named '{n}' is connected (Connect-LvsDirector connects one).", n));
                continue;
            }
            foreach (var m in matches)
            {
                if (KernelDirectorRegistry.Remove(m)) WriteVerbose($"Disconnected kernel director '{m}'.");
                if (SessionDirector == m) SessionDirector = null;
            }
        }
    }
}
