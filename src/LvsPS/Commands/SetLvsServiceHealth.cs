using System.Globalization;

namespace LvsPS.Commands;

/// <summary>
/// Sets a virtual service's health settings, as keepalived's virtual_server block has them: delay_loop, alpha,
/// omega, quorum with hysteresis and its commands, the sorry server, inhibit_on_failure, virtualhost. Settings not
/// named keep their values.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsServiceHealth", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Set-LvsServiceHealth.md")]
[OutputType(typeof(LvsService))]
public sealed class SetLvsServiceHealthCommand : LvsServiceCmdlet
{
    /// <summary>delay_loop: the interval of the checkers that set none, in seconds.</summary>
    [Parameter]
    [Alias("delay_loop")]
    public double? DelayLoopSec { get; set; }

    /// <summary>alpha: every real server starts down until its checks pass.</summary>
    [Parameter]
    public SwitchParameter Alpha { get; set; }

    /// <summary>omega: on shutdown, run the down notifiers and quorum_down.</summary>
    [Parameter]
    public SwitchParameter Omega { get; set; }

    /// <summary>quorum: the least total weight of live real servers.</summary>
    [Parameter]
    public int? Quorum { get; set; }

    /// <summary>hysteresis of the quorum.</summary>
    [Parameter]
    public int? Hysteresis { get; set; }

    /// <summary>quorum_up: a command run on the director when quorum is gained.</summary>
    [Parameter]
    [Alias("quorum_up")]
    public string? QuorumUpCommand { get; set; }

    /// <summary>quorum_down: a command run on the director when quorum is lost.</summary>
    [Parameter]
    [Alias("quorum_down")]
    public string? QuorumDownCommand { get; set; }

    /// <summary>sorry_server: the server put in when quorum is lost; $null removes it.</summary>
    [Parameter]
    [Alias("sorry_server")]
    public IPAddress? SorryServer { get; set; }

    /// <summary>The sorry server's port; 0 = the service's.</summary>
    [Parameter]
    public int? SorryServerPort { get; set; }

    /// <summary>sorry_server_inhibit.</summary>
    [Parameter]
    [Alias("sorry_server_inhibit")]
    public SwitchParameter SorryServerInhibit { get; set; }

    /// <summary>sorry_server_lvs_method.</summary>
    [Parameter]
    [Alias("sorry_server_lvs_method")]
    [ValidateChosenForwarding]
    [ValidateRange(LvsForwarding.Route, LvsForwarding.Tunnel)]
    public LvsForwarding? SorryServerForwarding { get; set; }

    /// <summary>inhibit_on_failure for every real server of the service.</summary>
    [Parameter]
    [Alias("inhibit_on_failure")]
    public SwitchParameter InhibitOnFailure { get; set; }

    /// <summary>virtualhost of the HTTP_GET and SSL_GET checks that set none.</summary>
    [Parameter]
    public string? VirtualHost { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Directors worked on at once when the input names several (default 32, as Invoke-Command; LvsCmdlet.RunFleet).</summary>
    [Parameter, ValidateRange(1, BoundedParallel.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = BoundedParallel.DefaultThrottleLimit;

    /// <summary>The service's settings (or keepalived's defaults) with the parameters given applied, validated.</summary>
    internal ServiceHealthSpec Apply(ServiceHealthSpec? current)
    {
        var h = current?.Clone() ?? new ServiceHealthSpec();
        if (Given(nameof(DelayLoopSec)))
            h.DelayLoopSec = DelayLoopSec ?? throw HealthText.Bad("The delay_loop cannot be empty; give a number of seconds above 0.", null);
        if (Given(nameof(Alpha))) h.Alpha = Alpha.IsPresent;
        if (Given(nameof(Omega))) h.Omega = Omega.IsPresent;
        if (Given(nameof(Quorum))) h.Quorum = Quorum ?? 1;
        if (Given(nameof(Hysteresis))) h.Hysteresis = Hysteresis ?? 0;
        if (Given(nameof(QuorumUpCommand))) h.QuorumUp = string.IsNullOrEmpty(QuorumUpCommand) ? null : QuorumUpCommand;
        if (Given(nameof(QuorumDownCommand))) h.QuorumDown = string.IsNullOrEmpty(QuorumDownCommand) ? null : QuorumDownCommand;
        if (Given(nameof(SorryServer))) h.SorryServer = SorryServer;
        if (Given(nameof(SorryServerPort)))
            h.SorryServerPort = SorryServerPort is null or 0 ? (ushort)0 : SpecValidator.Port(SorryServerPort.Value, "sorry server port");
        if (Given(nameof(SorryServerInhibit))) h.SorryServerInhibit = SorryServerInhibit.IsPresent;
        if (Given(nameof(SorryServerForwarding))) h.SorryServerForwarding = SorryServerForwarding;
        if (Given(nameof(InhibitOnFailure))) h.InhibitOnFailure = InhibitOnFailure.IsPresent;
        if (Given(nameof(VirtualHost)))
        {
            if (VirtualHost is { Length: > 0 } vh && vh.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                throw HealthText.Bad($"The virtual host '{vh}' is not a host name.", vh);
            h.VirtualHost = string.IsNullOrEmpty(VirtualHost) ? null : VirtualHost;
        }
        SpecValidator.ServiceHealth(h);
        return h;
    }

    /// <summary>"delay_loop 6 s, quorum 1, hysteresis 0, sorry server 10.0.0.9:80".</summary>
    internal static string Describe(ServiceHealthSpec h)
    {
        var parts = new List<string> { $"delay_loop {HealthText.Seconds(h.DelayLoopSec)}", $"quorum {h.Quorum.ToString(CultureInfo.InvariantCulture)}", $"hysteresis {h.Hysteresis.ToString(CultureInfo.InvariantCulture)}" };
        if (h.Alpha) parts.Add("alpha");
        if (h.Omega) parts.Add("omega");
        if (h.InhibitOnFailure) parts.Add("inhibit_on_failure");
        if (h.SorryServer is not null)
            parts.Add($"sorry server {h.SorryServer}{(h.SorryServerPort != 0 ? ":" + h.SorryServerPort.ToString(CultureInfo.InvariantCulture) : "")}{(h.SorryServerInhibit ? " (inhibit)" : "")}");
        if (h.VirtualHost is not null) parts.Add($"virtualhost {h.VirtualHost}");
        return string.Join(", ", parts);
    }

    protected override void ProcessRecord()
    {
        if (!TryServiceIdentity(out var svc)) return;
        // Values that are wrong whatever the service has are refused before the director is asked.
        if (!Try(() => Apply(null), out _)) return;
        var frozen = Frozen<SetLvsServiceHealthCommand>();
        OnDirector((client, output) => frozen.Change(client, svc, output));
    }

    /// <summary>The change on one director, from this record's parameters (run on a frozen copy).</summary>
    private void Change(IDirector client, ServiceSpec svc, DirectorOutput output)
    {
        if (!output.Try(() => RequireService(client, svc), out var current, svc.ToString())) return;
        if (!output.Try(() => Apply(current.Health), out var health)) return;
        if (!output.ShouldProcess(ShouldProcessTarget(svc, client), $"Set service health: {Describe(health)}")) return;
        output.Try(() =>
        {
            client.SetServiceHealth(svc, health);
            if (PassThru && FindService(client, svc) is { } after) output.WriteObject(LvsViews.As(after, LvsViews.ServiceTable));
        }, svc.ToString());
    }
}
