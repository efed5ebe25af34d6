using LvsPS.Management.Checks;

namespace LvsPS.Commands;

/// <summary>
/// Runs the real server checks of Test-LvsCluster on servers that are not (yet) in a service: logs in over SSH
/// (as Get-LvsRealServerHidden does) and probes them from the director. Validate a node before Add-LvsRealServer.
/// The hosts are checked at once, -ThrottleLimit at a time; the results keep the hosts' order.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LvsRealServer", DefaultParameterSetName = ComputerSet, HelpUri = LvsHelpUri.Base + "Test-LvsRealServer.md")]
[OutputType(typeof(LvsCheckResult), typeof(bool))]
public sealed class TestLvsRealServerCommand : LvsRealServerRemoteCmdlet
{
    /// <summary>The service's port on the real server (0: every port; the port checks are then NotApplicable).</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; } = 80;

    [Parameter]
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;

    /// <summary>How the director will forward to it: Route (DR, the default), Tunnel or Masq.</summary>
    [Parameter]
    [ValidateChosenForwarding]
    [ValidateRange(LvsForwarding.Route, LvsForwarding.Tunnel)]
    public LvsForwarding Forwarding { get; set; } = LvsForwarding.Route;

    /// <summary>The director the reachability and HTTP probes run on (default with -Lab: the lab's; else the only one running).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(DirectorNameCompleter))]
    public string? Director { get; set; }

    /// <summary>Return $true when no check failed, else $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    private readonly List<(SshTarget Target, IPAddress Vip, string Interface)> _jobs = new();

    protected override void ProcessRecord()
    {
        IPAddress vip;
        List<SshTarget> targets;
        LvsLab? lab;
        try
        {
            vip = ResolveVip();
            targets = Targets().ToList();
            lab = LoadLab();
        }
        catch (LvsException e) { ThrowLvsError(e); return; }
        var iface = Forwarding == LvsForwarding.Tunnel && !Given(nameof(Interface)) && lab?.Forwarding == LvsForwarding.Tunnel ? LabManager.TunnelDevice : Interface;
        _jobs.AddRange(targets.Select(t => (t, vip, iface)));
    }

    protected override void EndProcessing()
    {
        if (_jobs.Count == 0) return;
        var lab = LoadLab();
        var director = DirectorHost(lab);
        bool failed = false;
        try
        {
            // The director's shell is shared by the hosts' probes: a lab node (a process per command), a kernel
            // director's session (its calls serialised) or this machine.
            if (!RunFleet(5, _jobs, j => j.Target.HostName,
                (j, ct) => ClusterChecks.CheckOneRealServer(j.Target, director, lab, j.Vip, Port, Protocol, Forwarding, j.Interface, ct).ToList(),
                (_, results) =>
                {
                    foreach (var r in results)
                    {
                        failed |= r.Result == LvsCheckResultKind.Failed;
                        if (!Quiet) WriteObject(r);
                    }
                })) failed = true;
        }
        finally { (director as IDisposable)?.Dispose(); }
        if (Quiet && !Stopping) WriteObject(!failed);
    }

    /// <summary>The lab's director, else -Director or the only running one (an lvsd here, or a kernel director's session); null without one.</summary>
    private ICheckHost? DirectorHost(LvsLab? lab)
    {
        if (lab is not null && Director is null) return new LabCheckHost(new LabManager(), lab, lab.Director);
        try
        {
            // A lab's director (lvsd in its namespace, or its kernel guest): the probes run in the lab's network.
            var labs = new LabManager();
            if (labs.FindDirector(ResolveDirector(Director)) is { } found) return new LabCheckHost(labs, found.Lab, found.Node);
            var client = Client(Director);
            return client is KernelDirector k ? new KernelDirectorCheckHost(k) : new LocalCheckHost();
        }
        catch (LvsException e) when (Director is null && e.ErrorId is LvsErrorIds.DirectorNotRunning or LvsErrorIds.DirectorAmbiguous)
        {
            WriteVerbose($"No director to probe from ({e.Message}); the reachability and HTTP checks are NotApplicable.");
            return null;
        }
        catch (LvsException e) { ThrowLvsError(e); return null; }
    }
}
