namespace LvsPS.Commands;

/// <summary>Changes a virtual service's scheduler (ipvsadm -E).</summary>
[Cmdlet(VerbsCommon.Set, "LvsService", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Set-LvsService.md")]
[OutputType(typeof(LvsService))]
public sealed class SetLvsServiceCommand : LvsServiceCmdlet
{
    /// <summary>The new scheduler (ipvsadm -E -s).</summary>
    [Parameter]
    public LvsScheduler? Scheduler { get; set; }

    /// <summary>New scheduler flags (ipvsadm -E -b).</summary>
    [Parameter]
    public LvsSchedulerFlags? SchedulerFlags { get; set; }

    /// <summary>Persistence timeout in seconds (ipvsadm -E -p); 0 turns persistence off.</summary>
    [Parameter]
    [Alias("PersistentTimeout")]
    public uint? Persistent { get; set; }

    /// <summary>Persistence granularity (ipvsadm -E -M).</summary>
    [Parameter]
    public IPAddress? PersistenceNetmask { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryServiceIdentity(out var spec)) return;
        var client = GetClient();
        Try(() =>
        {
            // Start from the service as it is, so unnamed settings keep their values.
            var current = RequireService(client, spec);
            spec.Scheduler = Scheduler ?? current.Scheduler;
            spec.SchedulerFlags = SchedulerFlags ?? (Scheduler is null ? current.SchedulerFlags : LvsSchedulerFlags.None);
            spec.PersistentTimeout = Persistent ?? current.PersistentTimeout;
            spec.PersistenceNetmask = spec.PersistentTimeout == 0 ? null : PersistenceNetmask ?? current.PersistenceNetmask;
            if (!ShouldProcess(ShouldProcessTarget(spec, client), $"Set scheduler {spec.Scheduler.ToString().ToLowerInvariant()}, {PersistenceText(spec) ?? "not persistent"}")) return;
            client.EditService(spec);
            if (PassThru) WriteObject(FindService(client, spec));
        }, spec.ToString());
    }
}
