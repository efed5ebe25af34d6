namespace LvsPS.Commands;

/// <summary>Stops every process of a lab (its director too) and deletes its namespaces and files.</summary>
[Cmdlet(VerbsCommon.Remove, "LvsLab", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class RemoveLvsLabCommand : LvsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"lab '{Name}' (namespaces lvs-{Name}-*, its director and files)", "Remove LvsPS lab")) return;
        try
        {
            // The lab's director is named after the lab: stop it cleanly, then forget its state.
            if (DirectorClient.IsRunning(Name))
            {
                try { DirectorLauncher.Stop(Name); } catch (LvsException) { }
            }
            // a kernel lab's director session (New-LvsLab registered it under the lab's name)
            var manager = new LabManager();
            if (manager.Get(Name) is { DirectorKind: LvsLabDirectorKind.Kernel } kernelLab)
                KernelDirectorRegistry.Remove(kernelLab.Name);
            manager.Remove(Name);
            DirectorLauncher.Forget(Name);
            if (SessionDirector == Name) SessionDirector = null;
        }
        catch (LvsException e) { WriteLvsError(e, Name); }
    }
}
