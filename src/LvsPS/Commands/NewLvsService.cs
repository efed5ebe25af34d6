namespace LvsPS.Commands;

/// <summary>
/// Creates a virtual service on the director (ipvsadm -A), optionally with its real servers in one step
/// (as Import-LvsConfiguration objects carry them).
/// </summary>
[Cmdlet(VerbsCommon.New, "LvsService", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "New-LvsService.md")]
[OutputType(typeof(LvsService))]
public sealed class NewLvsServiceCommand : LvsServiceCmdlet
{
    #region Parameters

    /// <summary>The scheduling algorithm (ipvsadm's default is wlc).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsScheduler Scheduler { get; set; } = LvsScheduler.Wlc;

    /// <summary>Scheduler flags (ipvsadm -b): Fallback (sh-fallback, mh-fallback) and Port (sh-port, mh-port).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsSchedulerFlags SchedulerFlags { get; set; }

    /// <summary>Persistence timeout in seconds (ipvsadm -p; 360 is ipvsadm's value for a bare -p); 0 = not persistent.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("PersistentTimeout")]
    public uint Persistent { get; set; }

    /// <summary>Persistence granularity (ipvsadm -M), e.g. 255.255.255.0 to keep a whole /24 on one real server.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public IPAddress? PersistenceNetmask { get; set; }

    /// <summary>Real servers to add with the service: objects (or hashtables) with RealAddress (or Address), optional RealPort, Weight and Forwarding. PSObjects, so a list's items keep their note properties.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("RealServers")]
    public PSObject[]? RealServer { get; set; }

    #endregion

    protected override void ProcessRecord()
    {
        if (!Try(() =>
            {
                var s = ServiceIdentity();
                s.Scheduler = Scheduler;
                s.SchedulerFlags = SchedulerFlags;
                s.PersistentTimeout = Persistent;
                s.PersistenceNetmask = Persistent == 0 ? null : PersistenceNetmask;
                SpecValidator.PortZero(s);
                // Listed in the order given; the kernel puts each new one first, so the spec (newest first) is reversed.
                s.RealServers = (RealServer ?? Array.Empty<PSObject>()).Select(o => RealServerConverter.From(o, s)).Reverse().ToList();
                return s;
            }, out var spec)) return;

        var what = $"{spec} scheduler {Scheduler.ToString().ToLowerInvariant()}" + (PersistenceText(spec) is { } persistence ? " " + persistence : "")
                   + (spec.RealServers.Count > 0 ? " with real servers " + string.Join(", ", spec.RealServers.AsEnumerable().Reverse().Select(r => $"{r} w{r.Weight}")) : "");
        var client = GetClient();
        if (!ShouldProcess($"{what} on director '{client.Name}'", "New LVS service")) return;
        Try(() =>
        {
            client.AddService(spec);
            if (FindService(client, spec) is { } created) WriteObject(LvsViews.As(created, LvsViews.ServiceTable));
        }, spec.ToString());
    }
}

/// <summary>Reads real-server definitions from any object with the right property names.</summary>
internal static class RealServerConverter
{
    public static RealServerSpec From(object o, ServiceSpec service)
    {
        var ps = PSObject.AsPSObject(o);
        object? Get(params string[] names)
        {
            foreach (var n in names)
            {
                if (ps.BaseObject is System.Collections.IDictionary d && d.Contains(n) && d[n] is { } v) return v;
                var p = ps.Properties[n];
                if (p?.Value is not null) return p.Value;
            }
            return null;
        }
        int Int(string name, int fallback) =>
            Convert.ToInt32(PSObject.AsPSObject(Get(name) ?? fallback).BaseObject, System.Globalization.CultureInfo.InvariantCulture);

        var addrObj = Get("RealAddress", "Address", "IPAddress");
        if (addrObj is null || !IPAddress.TryParse(PSObject.AsPSObject(addrObj).BaseObject.ToString(), out var addr))
            throw new LvsException(LvsErrorIds.InvalidAddress, LvsErrorKind.InvalidArgument,
                $"The real server '{o}' has no valid RealAddress.", o);
        int port = Int("RealPort", service.Port);
        int weight = Int("Weight", 1);
        int upper = Int("UpperThreshold", 0);
        int lower = Int("LowerThreshold", 0);
        var fwdObj = Get("Forwarding");
        var fwd = fwdObj is null ? LvsForwarding.Route : (LvsForwarding)LanguagePrimitives.ConvertTo(fwdObj, typeof(LvsForwarding), System.Globalization.CultureInfo.InvariantCulture);
        SpecValidator.Weight(weight);
        return new RealServerSpec
        {
            Address = addr,
            Port = (service.FirewallMark != 0 || service.Port == 0) && port == 0 ? (ushort)0 : SpecValidator.Port(port, "real server port"),
            Weight = weight,
            Forwarding = fwd,
            UpperThreshold = upper,
            LowerThreshold = lower,
        };
    }
}
