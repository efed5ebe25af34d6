namespace LvsPS.Commands;

/// <summary>
/// Connects to a Linux director's kernel IPVS over SSH: afterwards the LvsPS cmdlets given -Director NAME (or
/// resolving to it) run ipvsadm on that host instead of talking to a local lvsd. Only the session changes; the
/// director's table is read, not changed.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "LvsDirector", HelpUri = LvsHelpUri.Base + "Connect-LvsDirector.md")]
[OutputType(typeof(KernelDirectorStatus))]
public sealed class ConnectLvsDirectorCommand : LvsCmdlet
{
    /// <summary>The name the other cmdlets select this director by (-Director).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The director to log in to (host name or address).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("HostName")]
    [ValidateNotNullOrEmpty]
    public string ComputerName { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 65535)]
    public int SshPort { get; set; } = 22;

    /// <summary>User name and password; with -KeyFile the password is the key's passphrase. Default user root.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsFile { get; set; }

    [Parameter]
    public SwitchParameter AcceptNewHostKey { get; set; }

    [Parameter]
    [ValidatePattern("^[A-Za-z0-9_.-]{1,64}$")]
    [ArgumentCompleter(typeof(NetworkNamespaceCompleter))]
    public string? NetworkNamespace { get; set; }

    protected override void ProcessRecord()
    {
        KernelDirector director;
        try
        {
            DirectorLauncher.ValidateName(Name);
            if (DirectorPaths.SocketNames().Contains(Name, StringComparer.Ordinal))
                throw new LvsException(LvsErrorIds.DirectorAlreadyRunning, LvsErrorKind.ResourceExists,
                    $"A local LvsPS director named '{Name}' is running; give the kernel director another -Name.", Name);
            director = new KernelDirector(Name, SshLogin(ComputerName, SshPort, Credential, KeyFile, KnownHostsFile, AcceptNewHostKey, NetworkNamespace));
        }
        catch (LvsException e) { ThrowLvsError(e, Name); return; }

        WriteVerbose($"Connecting to {director.Target} as kernel director '{Name}'.");
        KernelDirectorStatus status;
        try { status = director.Connect(); }
        catch (LvsException e)
        {
            director.Dispose();
            ThrowLvsError(e, ComputerName);
            return;
        }
        // Replaces (and closes) an earlier connection of the same name only once the new one works.
        KernelDirectorRegistry.Register(director);
        SessionDirector = Name;
        WriteVerbose($"{ComputerName}: {status.IpvsadmVersion}; IPVS {status.IpvsVersion} (size={status.TableSize}); host key {status.HostKeyFingerprint}.");
        WriteObject(status);
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
