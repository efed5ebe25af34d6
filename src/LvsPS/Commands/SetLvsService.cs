namespace LvsPS.Commands;

/// <summary>Changes a virtual service's scheduler (ipvsadm -E).</summary>
[Cmdlet(VerbsCommon.Set, "LvsService", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Set-LvsService.md")]
[OutputType(typeof(LvsService))]
public sealed class SetLvsServiceCommand : LvsServiceCmdlet
{
    // The scheduler, persistence and netmask also bind by property name (rows of Import-Csv, objects of ConvertFrom-Json).

    /// <summary>The new scheduler (ipvsadm -E -s).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsScheduler? Scheduler { get; set; }

    /// <summary>New scheduler flags (ipvsadm -E -b).</summary>
    [Parameter]
    public LvsSchedulerFlags? SchedulerFlags { get; set; }

    /// <summary>Persistence timeout in seconds (ipvsadm -E -p); 0 turns persistence off.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("PersistentTimeout")]
    public uint? Persistent { get; set; }

    /// <summary>Persistence granularity (ipvsadm -E -M).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [EmptyAsNull]
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
            if (PassThru && FindService(client, spec) is { } after) WriteObject(LvsViews.As(after, LvsViews.ServiceTable));
        }, spec.ToString());
    }
}
