namespace LvsPS.Commands;

/// <summary>Stops every process of a lab (its director too) and deletes its namespaces and files.</summary>
[Cmdlet(VerbsCommon.Remove, "LvsLab", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = LvsHelpUri.Base + "Remove-LvsLab.md")]
public sealed class RemoveLvsLabCommand : LvsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>Do not ask for confirmation (-WhatIf still only shows; an explicit -Confirm still asks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcessUnlessForced($"lab '{Name}' (namespaces lvs-{Name}-*, its director and files)", "Remove LvsPS lab", Force)) return;
        try
        {
            // The lab's directors are named after the lab (<lab>-director1/2 in a pair): stop each engine director
            // cleanly, then forget its state; a kernel director's session (New-LvsLab registered it) is closed.
            var manager = new LabManager();
            var lab = manager.Get(Name);
            var names = lab is null ? new List<string> { Name } : lab.Directors.Select(lab.DirectorNameOf).ToList();
            foreach (var n in names.Where(DirectorPaths.IsValidName))
            {
                if (DirectorClient.IsRunning(n))
                {
                    try { DirectorLauncher.Stop(n); } catch (LvsException) { }
                }
                KernelDirectorRegistry.Remove(n);
            }
            // the lab's namespaces go, and every process in them (an lvsd that did not stop, the QEMU guests)
            manager.Remove(Name);
            foreach (var n in names.Where(DirectorPaths.IsValidName))
            {
                DirectorLauncher.Forget(n);
                if (SessionDirector == n) SessionDirector = null;
            }
        }
        catch (LvsException e) { WriteLvsError(e, Name); }
    }
}
