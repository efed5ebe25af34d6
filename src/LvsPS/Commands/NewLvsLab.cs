namespace LvsPS.Commands;

/// <summary>
/// Builds a lab: a client, a director and N real servers in network namespaces on one bridge. Each real
/// server runs nginx (test.html says "real server #i"), an OpenSSH sshd with a lab host key and key-only root
/// login, and a telnet-like service on port 23. Addresses exist only inside the namespaces.
/// </summary>
[Cmdlet(VerbsCommon.New, "LvsLab", SupportsShouldProcess = true)]
[OutputType(typeof(LvsLab))]
public sealed class NewLvsLabCommand : LvsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, 16)]
    public int RealServerCount { get; set; } = 2;

    /// <summary>IPv4 subnet in CIDR form; director .1, real servers .3, .4 ..., VIP .101, client .200.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Subnet { get; set; } = "10.250.0.0/24";

    /// <summary>Route (DR: all nodes on one segment) or Masq (NAT: real servers on an internal network behind the director).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsForwarding Forwarding { get; set; } = LvsForwarding.Route;

    /// <summary>Engine (lvsd, started with Start-LvsDirector -Lab) or Kernel (Linux IPVS, managed over SSH as -Director NAME).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsLabDirectorKind DirectorKind { get; set; } = LvsLabDirectorKind.Engine;

    /// <summary>Kernel labs: Namespace (this host's IPVS) or VirtualMachine (a QEMU guest); by default a namespace when this host's kernel has ip_vs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsLabNodeHost? DirectorHost { get; set; }

    protected override void ProcessRecord()
    {
        var kind = DirectorKind == LvsLabDirectorKind.Kernel
            ? " and a kernel IPVS director" + (DirectorHost is { } h ? $" ({h})" : "") : "";
        if (!ShouldProcess($"lab '{Name}' with {RealServerCount} real server(s) on {Subnet}{kind}" + (Forwarding == LvsForwarding.Masq ? " (NAT: real servers on the next block behind the director)" : ""), "New LvsPS lab")) return;
        var progress = new Progress(this, Name);
        try
        {
            var manager = new LabManager();
            var lab = manager.Create(Name, RealServerCount, Subnet, progress, Forwarding, DirectorKind, DirectorHost);
            if (lab.DirectorKind == LvsLabDirectorKind.Kernel)
            {
                // registered as Connect-LvsDirector would, under the lab's name
                try
                {
                    progress.Report(("Connecting to the kernel director over SSH", 99));
                    ConnectKernelLab(lab);
                    SessionDirector = lab.Name;
                    WriteVerbose($"Kernel director '{lab.Name}': {lab.KernelGuest}.");
                }
                catch (LvsException)
                {
                    manager.Remove(lab.Name);
                    throw;
                }
            }
            if (Forwarding == LvsForwarding.Tunnel)
            {
                try { manager.StartTunnelEndpoints(lab, DirectorLauncher.FindDotnet(), EnginePath); }
                catch (LvsException)
                {
                    manager.Remove(lab.Name);
                    throw;
                }
            }
            WriteObject(lab);
        }
        catch (LvsException e) { ThrowLvsError(e, Name); }
        finally
        {
            WriteProgress(new ProgressRecord(2, "New-LvsLab", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    /// <summary>Relays the lab builder's steps to Write-Progress (on the pipeline thread only).</summary>
    private sealed class Progress : IProgress<(string Activity, int Percent)>
    {
        private readonly NewLvsLabCommand _cmd;
        private readonly string _name;
        private readonly int _thread = Environment.CurrentManagedThreadId;

        public Progress(NewLvsLabCommand cmd, string name) { _cmd = cmd; _name = name; }

        public void Report((string Activity, int Percent) value)
        {
            if (Environment.CurrentManagedThreadId != _thread) return;
            _cmd.WriteProgress(new ProgressRecord(2, $"New-LvsLab {_name}", value.Activity) { PercentComplete = Math.Clamp(value.Percent, 0, 100) });
        }
    }
}
