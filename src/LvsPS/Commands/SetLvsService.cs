using System.Management.Automation;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Ipvs.Model;

using LvsPS.Ipvs.Specs;

namespace LvsPS.Commands;

/// <summary>Changes a virtual service's scheduler (ipvsadm -E).</summary>
[Cmdlet(VerbsCommon.Set, "LvsService", SupportsShouldProcess = true)]
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
    public System.Net.IPAddress? PersistenceNetmask { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        ServiceSpec spec;
        try { spec = ServiceIdentity(); } catch (LvsException e) { WriteLvsError(e); return; }
        var client = GetClient();
        try
        {
            // Start from the service as it is, so unnamed settings keep their values.
            var current = FindService(client, spec)
                ?? throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound, $"No virtual service {spec} exists on director '{client.Name}'.", spec.ToString());
            spec.Scheduler = Scheduler ?? current.Scheduler;
            spec.SchedulerFlags = SchedulerFlags ?? (Scheduler is null ? current.SchedulerFlags : LvsSchedulerFlags.None);
            spec.PersistentTimeout = Persistent ?? current.PersistentTimeout;
            spec.PersistenceNetmask = spec.PersistentTimeout == 0 ? null : PersistenceNetmask ?? current.PersistenceNetmask;
            var change = $"scheduler {spec.Scheduler.ToString().ToLowerInvariant()}"
                         + (spec.PersistentTimeout > 0 ? $", persistent {spec.PersistentTimeout}" + (spec.PersistenceNetmask is null ? "" : $" mask {spec.PersistenceNetmask}") : ", not persistent");
            if (!ShouldProcess($"{spec} on director '{client.Name}'", $"Set {change}")) return;
            client.EditService(spec);
            if (PassThru) WriteObject(FindService(client, spec));
        }
        catch (LvsException e) { WriteLvsError(e, spec.ToString()); }
    }
}
