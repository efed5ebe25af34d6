namespace LvsPS.Commands;

/// <summary>
/// Builds a lab: a client, a director and N real servers in network namespaces on one bridge. Each real
/// server runs nginx (test.html says "real server #i"), an OpenSSH sshd with a lab host key and key-only root
/// login, and a telnet-like service on port 23. Addresses exist only inside the namespaces.
/// </summary>
[Cmdlet(VerbsCommon.New, "LvsLab", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "New-LvsLab.md")]
[OutputType(typeof(LvsLab))]
public sealed class NewLvsLabCommand : LvsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, LabManager.MaxRealServers)]
    public int RealServerCount { get; set; } = 2;

    /// <summary>IPv4 subnet in CIDR form; director .1, real servers .3, .4 ..., VIP .101, client .200.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Subnet { get; set; } = "10.250.0.0/24";

    /// <summary>Route (DR: all nodes on one segment) or Masq (NAT: real servers on an internal network behind the director).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateChosenForwarding]
    [ValidateRange(LvsForwarding.Route, LvsForwarding.Tunnel)]
    public LvsForwarding Forwarding { get; set; } = LvsForwarding.Route;

    /// <summary>
    /// Engine (lvsd, started with Start-LvsDirector -Lab) or Kernel (Linux IPVS, managed over SSH as -Director NAME):
    /// one kind for every director, or one per director of a pair (Engine,Kernel: director1 lvsd, director2 IPVS).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ValidateCount(1, LabManager.MaxDirectors)]
    public LvsLabDirectorKind[] DirectorKind { get; set; } = { LvsLabDirectorKind.Engine };

    /// <summary>1 (director, .1) or 2 (a pair for failover: director1 .1 and director2 .2; DR or Tunnel labs).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, LabManager.MaxDirectors)]
    public int DirectorCount { get; set; } = 1;

    /// <summary>Kernel labs: Namespace (this host's IPVS) or VirtualMachine (a QEMU guest); by default a namespace when this host's kernel has ip_vs.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsLabNodeHost? DirectorHost { get; set; }

    protected override void ProcessRecord()
    {
        // Everything the real run checks is checked first, also under -WhatIf (name, count, kinds, subnet, root, the
        // programs, the name and subnet free): -WhatIf reports the same error as the run would, and creates nothing.
        var manager = new LabManager();
        LvsLabDirectorKind[] kinds;
        try { kinds = manager.CheckCreate(Name, RealServerCount, Subnet, Forwarding, DirectorKind[0], DirectorHost, DirectorCount, DirectorKind).Kinds; }
        catch (LvsException e) { ThrowLvsError(e, e.Target); return; }
        string kind;
        if (kinds.Length == 1)
            kind = kinds[0] == LvsLabDirectorKind.Kernel ? " and a kernel IPVS director" + (DirectorHost is { } h ? $" ({h})" : "") : "";
        else
            kind = $" and two directors (director1 {kinds[0]}, director2 {kinds[1]}" + (DirectorHost is { } h2 && kinds.Contains(LvsLabDirectorKind.Kernel) ? $", kernel on {h2}" : "") + ")";
        if (!ShouldProcess($"lab '{Name}' with {RealServerCount} real server(s) on {Subnet}{kind}" + (Forwarding == LvsForwarding.Masq ? " (NAT: real servers on the next block behind the director)" : ""), "New LvsPS lab")) return;
        var progress = new Progress(this, Name);
        try
        {
            var lab = manager.Create(Name, RealServerCount, Subnet, progress, Forwarding, kinds[0], DirectorHost, kinds.Length, kinds);
            var kernels = lab.Directors.Where(d => lab.KindOf(d) == LvsLabDirectorKind.Kernel).ToList();
            if (kernels.Count > 0)
            {
                // registered as Connect-LvsDirector would, under their director names
                try
                {
                    progress.Report(("Connecting to the kernel director over SSH", 99));
                    foreach (var d in kernels) ConnectKernelLab(lab, d);
                    SessionDirector = lab.DirectorNameOf(kernels[0]);
                    WriteVerbose($"Kernel director(s) {string.Join(", ", kernels.Select(lab.DirectorNameOf))}: {lab.KernelGuest}.");
                }
                catch (LvsException)
                {
                    foreach (var d in kernels) KernelDirectorRegistry.Remove(lab.DirectorNameOf(d));
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
