namespace LvsPS.Commands;

/// <summary>Stops a running director. Its configuration stays in its state file and returns at the next start.</summary>
[Cmdlet(VerbsLifecycle.Stop, "LvsDirector", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = LvsHelpUri.Base + "Stop-LvsDirector.md")]
[OutputType(typeof(DirectorStatus))]
public sealed class StopLvsDirectorCommand : LvsCmdlet
{
    #region Parameters

    /// <summary>
    /// The director to stop (default: the only one running). A lab's director is named after the lab; a
    /// two-director lab's name stops its engine directors (&lt;lab&gt;-director1, &lt;lab&gt;-director2).
    /// </summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Director", "Lab")]
    [ArgumentCompleter(typeof(DirectorNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Emit the director's last status.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Do not ask for confirmation (-WhatIf still only shows; an explicit -Confirm still asks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        if (Name is not null && LabDirectors(Name) is { Count: > 0 } pair)
        {
            foreach (var n in pair) StopOne(n);
            return;
        }
        string name;
        try { name = ResolveDirector(Name); }
        catch (LvsException e) { WriteLvsError(e, Name); return; }
        StopOne(name);
    }

    /// <summary>
    /// A two-director lab's engine directors when <paramref name="name"/> names such a lab and no director: the
    /// running ones, else all (so stopping says which is not running); null otherwise.
    /// </summary>
    private static List<string>? LabDirectors(string name)
    {
        if (DirectorPaths.SocketNames().Contains(name, StringComparer.Ordinal)) return null;
        LvsLab? lab;
        try { lab = new LabManager().Get(name); }
        catch (LvsException) { return null; }
        if (lab is null || lab.Directors.Count < 2) return null;
        var engines = lab.Directors.Where(d => lab.KindOf(d) == LvsLabDirectorKind.Engine).Select(lab.DirectorNameOf).ToList();
        var running = engines.Where(n => DirectorClient.IsRunning(n) || DirectorLauncher.LockHolder(n) is not null).ToList();
        return running.Count > 0 ? running : engines;
    }

    private void StopOne(string name)
    {
        if (LvsPS.Management.Kernel.KernelDirectorRegistry.Contains(name))
        {
            WriteLvsError(new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidOperation,
                $"'{name}' is a kernel IPVS director reached over SSH; LvsPS does not stop it. Use Disconnect-LvsDirector to end the session.", name));
            return;
        }
        if (!ShouldProcessUnlessForced($"director '{name}'", "Stop LvsPS director", Force)) return;
        try
        {
            // A director that does not answer (hung, stopped) but still holds its lock is stopped with signals.
            DirectorStatus? status = null;
            try { status = DirectorClient.Connect(name, TimeSpan.FromSeconds(3)).GetStatus(); }
            catch (LvsException e) when (DirectorLauncher.LockHolder(name) is int pid)
            {
                WriteWarning($"The director '{name}' ({(pid > 0 ? $"lvsd pid {pid}" : "its lvsd")}) does not answer on its socket ({e.Message}); " +
                             "stopping it with SIGTERM, then SIGKILL.");
            }
            var how = DirectorLauncher.Stop(name);
            WriteVerbose($"Director '{name}' stopped: {how}.");
            if (how == DirectorStopMethod.Killed)
                WriteWarning($"The director '{name}' ended only on SIGKILL: its shutdown commands (notify_down, quorum_down) did not run.");
            if (PassThru && status is not null)
            {
                status.Running = false;
                WriteObject(status);
            }
        }
        catch (LvsException e)
        {
            WriteLvsError(e, name);
        }
    }
}
