using System.Globalization;
using System.Security;

namespace LvsPS.Commands;

/// <summary>
/// The keepalived vrrp_instance settings New- and Set-LvsVrrpInstance share; a parameter not given keeps its value
/// (Set) or takes keepalived's default (New).
/// </summary>
public abstract class LvsVrrpInstanceParameterCmdlet : LvsDirectorCmdlet
{
    /// <summary>priority: 1..255 (keepalived's default 100; 255 = the address owner).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int? Priority { get; set; }

    /// <summary>version: 2 (RFC 3768) or 3 (RFC 5798).</summary>
    [Parameter]
    public int? Version { get; set; }

    /// <summary>advert_int in seconds, fractions allowed (0.25): sent as centiseconds.</summary>
    [Parameter]
    [Alias("AdvertInt")]
    public double? AdvertInterval { get; set; }

    /// <summary>nopreempt: a higher priority backup does not take over from a running master.</summary>
    [Parameter]
    public SwitchParameter NoPreempt { get; set; }

    /// <summary>preempt_delay in seconds (0..1000).</summary>
    [Parameter]
    public double? PreemptDelay { get; set; }

    /// <summary>state MASTER|BACKUP: the state to start in.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public VrrpState? InitialState { get; set; }

    /// <summary>unicast_peer: adverts go to these instead of 224.0.0.18.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public IPAddress[]? UnicastPeer { get; set; }

    /// <summary>unicast_src_ip / mcast_src_ip.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public IPAddress? SourceAddress { get; set; }

    /// <summary>authentication { auth_type }: None or Pass (VRRPv2 only).</summary>
    [Parameter]
    public VrrpAuthType? AuthType { get; set; }

    /// <summary>authentication { auth_pass }: 1..8 characters, as a SecureString.</summary>
    [Parameter]
    public SecureString? AuthPassword { get; set; }

    /// <summary>garp_master_delay in seconds.</summary>
    [Parameter]
    public int? GarpMasterDelay { get; set; }

    /// <summary>garp_master_repeat.</summary>
    [Parameter]
    public int? GarpMasterRepeat { get; set; }

    [Parameter]
    public string? NotifyMaster { get; set; }

    [Parameter]
    public string? NotifyBackup { get; set; }

    [Parameter]
    public string? NotifyFault { get; set; }

    [Parameter]
    public string? Notify { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Directors worked on at once when the input names several (default 32, as Invoke-Command; LvsCmdlet.RunFleet).</summary>
    [Parameter, ValidateRange(1, BoundedParallel.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = BoundedParallel.DefaultThrottleLimit;

    /// <summary>
    /// Writes the given parameters into <paramref name="spec"/> and checks the whole instance (InvalidVrrpInstance
    /// naming the bad value); returns a description of what was given, for ShouldProcess.
    /// </summary>
    internal List<string> Apply(VrrpInstanceSpec spec)
    {
        var said = new List<string>();
        if (Priority is { } p) { spec.Priority = p; said.Add($"priority {p}"); }
        if (Version is { } v) { spec.Version = v; said.Add($"version {v}"); }
        if (AdvertInterval is { } a) { spec.AdvertIntervalCentiseconds = AdvertCentiseconds(a); said.Add($"advert {Seconds(spec.AdvertIntervalCentiseconds / 100.0)} s"); }
        if (Given(nameof(NoPreempt))) { spec.Preempt = !NoPreempt; said.Add(spec.Preempt ? "preempt" : "nopreempt"); }
        if (PreemptDelay is { } d) { spec.PreemptDelaySeconds = d; said.Add($"preempt delay {Seconds(d)} s"); }
        if (InitialState is { } st) { spec.InitialState = st; said.Add($"state {st}"); }
        if (UnicastPeer is { } peers) { spec.UnicastPeers = peers.ToList(); said.Add(peers.Length == 0 ? "multicast" : $"unicast peers {string.Join(", ", peers.Select(x => x?.ToString()))}"); }
        if (Given(nameof(SourceAddress))) { spec.SourceAddress = SourceAddress; said.Add($"source {SourceAddress?.ToString() ?? "the interface's"}"); }
        if (AuthPassword is { } pw)
        {
            spec.AuthPassword = new NetworkCredential("", pw).Password;
            // A password alone means auth_type PASS.
            if (AuthType is null) spec.AuthType = VrrpAuthType.Pass;
            said.Add("password");
        }
        if (AuthType is { } t)
        {
            spec.AuthType = t;
            if (t == VrrpAuthType.None && AuthPassword is null) spec.AuthPassword = null;
            said.Add($"auth {t}");
        }
        if (GarpMasterDelay is { } gd) { spec.GarpMasterDelaySeconds = gd; said.Add($"garp delay {gd} s"); }
        if (GarpMasterRepeat is { } gr) { spec.GarpMasterRepeat = gr; said.Add($"garp repeat {gr}"); }
        if (Given(nameof(NotifyMaster))) { spec.NotifyMaster = Empty(NotifyMaster); said.Add("notify_master"); }
        if (Given(nameof(NotifyBackup))) { spec.NotifyBackup = Empty(NotifyBackup); said.Add("notify_backup"); }
        if (Given(nameof(NotifyFault))) { spec.NotifyFault = Empty(NotifyFault); said.Add("notify_fault"); }
        if (Given(nameof(Notify))) { spec.Notify = Empty(Notify); said.Add("notify"); }
        VrrpValidator.Instance(spec);
        return said;
    }

    /// <summary>
    /// An advert interval in seconds (fractions allowed: 0.25) as centiseconds, the unit of VRRPv3's Max Adver Int;
    /// refuses one that is not a whole number of centiseconds or is outside 0.01..255 s (InvalidVrrpInstance naming it).
    /// </summary>
    internal static int AdvertCentiseconds(double seconds)
    {
        double cs = seconds * 100;
        double rounded = Math.Round(cs);
        if (double.IsNaN(cs) || Math.Abs(cs - rounded) > 1e-6 || rounded < 1 || rounded > 25500)
            throw new LvsException(LvsErrorIds.InvalidVrrpInstance, LvsErrorKind.InvalidArgument,
                $"The advert interval {seconds.ToString(CultureInfo.InvariantCulture)} s is not valid; use 0.01..40.95 s in steps of 0.01 s (VRRPv3) or whole seconds 1..255 (VRRPv2).", seconds);
        return (int)rounded;
    }

    /// <summary>"" clears a notify command (Set-LvsVrrpInstance -Notify '').</summary>
    private static string? Empty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    internal static string Seconds(double s) => s.ToString("0.##", CultureInfo.InvariantCulture);

    internal static string Describe(VrrpInstanceSpec s) =>
        $"VRRP instance {s.Name} (vrid {s.VirtualRouterId}, priority {s.Priority}, v{s.Version}, advert {Seconds(s.AdvertIntervalCentiseconds / 100.0)} s, " +
        $"{string.Join(", ", s.VirtualAddresses)} on {s.Interface})";

    internal static string Target(string what, IDirector client) => $"{what} on director '{client.Name}'";

    /// <summary>The instances the director lists now, their passwords left out.</summary>
    internal static List<VrrpInstanceStatus> ListShown(IDirector client) =>
        client.ListVrrpInstances().Select(Shown).ToList();

    /// <summary>A status whose configuration carries no password (Get-LvsVrrpInstance never shows one).</summary>
    internal static VrrpInstanceStatus Shown(VrrpInstanceStatus s)
    {
        if (s.Configuration?.AuthPassword is not null)
        {
            s.Configuration = s.Configuration.Clone();
            s.Configuration.AuthPassword = null;
        }
        return s;
    }

    internal static void WriteInstance(IDirector client, string name, DirectorOutput output) =>
        output.WriteObjects(ListShown(client).Where(s => s.Name == name));

    internal static LvsException NotFound(string name, IDirector client) =>
        new(LvsErrorIds.VrrpInstanceNotFound, LvsErrorKind.ObjectNotFound, $"The director '{client.Name}' has no VRRP instance named '{name}'.", name);

    /// <summary>
    /// The instance's configuration as the director reports it, or, where it reports only its status, rebuilt from
    /// that (the settings the status does not carry then take keepalived's defaults).
    /// </summary>
    internal static VrrpInstanceSpec SpecOf(VrrpInstanceStatus s) => s.Configuration?.Clone() ?? new VrrpInstanceSpec
    {
        Name = s.Name,
        Interface = s.Interface,
        VirtualRouterId = s.VirtualRouterId,
        Priority = s.Priority,
        Version = s.Version,
        AdvertIntervalCentiseconds = s.AdvertIntervalCentiseconds,
        Preempt = s.Preempt,
        PreemptDelaySeconds = s.PreemptDelaySeconds,
        VirtualAddresses = s.VirtualAddresses.ToList(),
        UnicastPeers = s.UnicastPeers.ToList(),
    };
}

/// <summary>
/// Adds a VRRP instance to a director (keepalived's vrrp_instance): while it is master it owns the virtual
/// addresses, answers ARP for them and forwards their traffic; as backup it is silent.
/// </summary>
[Cmdlet(VerbsCommon.New, "LvsVrrpInstance", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "New-LvsVrrpInstance.md")]
[OutputType(typeof(VrrpInstanceStatus))]
public sealed class NewLvsVrrpInstanceCommand : LvsVrrpInstanceParameterCmdlet
{
    /// <summary>vrrp_instance NAME.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    /// <summary>interface: the link the adverts go out on and the VIPs live on.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DirectorInterfaceCompleter))]
    public string Interface { get; set; } = "";

    /// <summary>virtual_router_id: 1..255.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Vrid")]
    public int VirtualRouterId { get; set; }

    /// <summary>virtual_ipaddress: the VIPs the master owns.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("VirtualAddresses", "VIP")]
    [ArgumentCompleter(typeof(VirtualAddressCompleter))]
    public IPAddress[] VirtualAddress { get; set; } = Array.Empty<IPAddress>();

    protected override void ProcessRecord()
    {
        var spec = new VrrpInstanceSpec { Name = Name, Interface = Interface, VirtualRouterId = VirtualRouterId, VirtualAddresses = VirtualAddress.ToList() };
        if (!Try(() => Apply(spec), out _)) return;
        string name = Name;
        bool passThru = PassThru;
        OnDirector((client, output) =>
        {
            if (!output.ShouldProcess(Target(Describe(spec), client), "New VRRP instance")) return;
            if (output.Try(() => client.AddVrrpInstance(spec), name) && passThru) output.Try(() => WriteInstance(client, name, output), name);
        });
    }
}

/// <summary>Gets a director's VRRP instances with their state, the master heard and counters.</summary>
[Cmdlet(VerbsCommon.Get, "LvsVrrpInstance", HelpUri = LvsHelpUri.Base + "Get-LvsVrrpInstance.md")]
[OutputType(typeof(VrrpInstanceStatus))]
public sealed class GetLvsVrrpInstanceCommand : LvsDirectorCmdlet
{
    /// <summary>Instance names (wildcards allowed); by default all.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(VrrpInstanceNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only instances in these states.</summary>
    [Parameter]
    public VrrpState[]? State { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        var all = Read(client, LvsVrrpInstanceParameterCmdlet.ListShown);
        var patterns = (Name ?? new[] { "*" }).Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        foreach (var s in all.Where(s => patterns.Any(p => p.IsMatch(s.Name)) && (State is null || State.Contains(s.State))))
            WriteObject(s);
        foreach (var n in (Name ?? Array.Empty<string>()).Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && !all.Any(s => string.Equals(s.Name, n, StringComparison.OrdinalIgnoreCase))))
            WriteLvsError(LvsVrrpInstanceParameterCmdlet.NotFound(n, client));
    }
}

/// <summary>Changes the named settings of a VRRP instance; the others keep their values.</summary>
[Cmdlet(VerbsCommon.Set, "LvsVrrpInstance", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Set-LvsVrrpInstance.md")]
[OutputType(typeof(VrrpInstanceStatus))]
public sealed class SetLvsVrrpInstanceCommand : LvsVrrpInstanceParameterCmdlet
{
    /// <summary>The instance to change (from Get-LvsVrrpInstance by property name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VrrpInstanceNameCompleter))]
    public string Name { get; set; } = "";

    [Parameter]
    [ArgumentCompleter(typeof(DirectorInterfaceCompleter))]
    public string? Interface { get; set; }

    [Parameter]
    [Alias("Vrid")]
    public int? VirtualRouterId { get; set; }

    /// <summary>The new list of VIPs (replaces the old one).</summary>
    [Parameter]
    [Alias("VIP")]
    [ArgumentCompleter(typeof(VirtualAddressCompleter))]
    public IPAddress[]? VirtualAddress { get; set; }

    protected override void ProcessRecord()
    {
        var frozen = Frozen<SetLvsVrrpInstanceCommand>();
        OnDirector((client, output) => frozen.Change(client, output));
    }

    /// <summary>The change on one director, from this record's parameters (run on a frozen copy).</summary>
    private void Change(IDirector client, DirectorOutput output)
    {
        if (!output.Try(() => client.ListVrrpInstances().FirstOrDefault(s => s.Name == Name) ?? throw NotFound(Name, client), out var current, Name)) return;
        var spec = SpecOf(current);
        if (!output.Try(() =>
            {
                var s = new List<string>();
                if (Interface is not null) { spec.Interface = Interface; s.Add($"interface {Interface}"); }
                if (VirtualRouterId is { } id) { spec.VirtualRouterId = id; s.Add($"vrid {id}"); }
                if (VirtualAddress is not null) { spec.VirtualAddresses = VirtualAddress.ToList(); s.Add($"virtual addresses {string.Join(", ", VirtualAddress.Select(a => a?.ToString()))}"); }
                s.AddRange(Apply(spec));
                return s;
            }, out var said)) return;
        if (!output.ShouldProcess(Target($"VRRP instance {Name}", client), said.Count == 0 ? "Set VRRP instance (no change)" : "Set " + string.Join(", ", said))) return;
        if (output.Try(() => client.EditVrrpInstance(spec), Name) && PassThru) output.Try(() => WriteInstance(client, Name, output), Name);
    }
}

/// <summary>
/// Removes a VRRP instance from a director; a master gives its VIPs up first (an advert with priority 0 lets the
/// backup take over at once).
/// </summary>
[Cmdlet(VerbsCommon.Remove, "LvsVrrpInstance", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = LvsHelpUri.Base + "Remove-LvsVrrpInstance.md")]
[OutputType(typeof(VrrpInstanceStatus))]
public sealed class RemoveLvsVrrpInstanceCommand : LvsDirectorCmdlet
{
    /// <summary>Do not ask for confirmation (-WhatIf still only shows; an explicit -Confirm still asks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The instances to remove (from Get-LvsVrrpInstance by property name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VrrpInstanceNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Returns each instance as it was just before it was removed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Directors worked on at once when the input names several (default 32, as Invoke-Command; LvsCmdlet.RunFleet).</summary>
    [Parameter, ValidateRange(1, BoundedParallel.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = BoundedParallel.DefaultThrottleLimit;

    protected override void ProcessRecord()
    {
        var names = Name;
        bool force = Force, passThru = PassThru;
        OnDirector((client, output) =>
        {
            if (!output.Try(() => LvsVrrpInstanceParameterCmdlet.ListShown(client), out var all, client.Name)) return;
            foreach (var n in names)
            {
                var s = all.FirstOrDefault(x => x.Name == n);
                if (s is null) { output.WriteError(LvsVrrpInstanceParameterCmdlet.NotFound(n, client)); continue; }
                var target = LvsVrrpInstanceParameterCmdlet.Target($"VRRP instance {n} (vrid {s.VirtualRouterId}, {s.State}, {string.Join(", ", s.VirtualAddresses.Select(a => a.ToString()))})", client);
                if (!output.ShouldProcessUnlessForced(target, "Remove VRRP instance", force)) continue;
                if (output.Try(() => client.DeleteVrrpInstance(n), n) && passThru) output.WriteObject(s);
            }
        });
    }
}
