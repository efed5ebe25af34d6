namespace LvsPS.Commands;

/// <summary>
/// Adds a health checker (keepalived's TCP_CHECK, HTTP_GET, SSL_GET or MISC_CHECK) to a real server; parameters not
/// given take keepalived's defaults.
/// </summary>
[Cmdlet(VerbsCommon.Add, "LvsHealthCheck", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Add-LvsHealthCheck.md")]
[OutputType(typeof(LvsHealthCheckInfo))]
public sealed class AddLvsHealthCheckCommand : LvsHealthCheckParameterCmdlet
{
    /// <summary>The checker: Tcp, Http, Ssl or Misc.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("CheckType")]
    [KeepalivedCheckType]
    public LvsHealthCheckType Type { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryServiceIdentity(out var svc)) return;
        if (!Try(() => Apply(new HealthCheckSpec { Type = Type }), out var check)) return;
        var frozen = Frozen<AddLvsHealthCheckCommand>();
        OnDirector((client, output) => output.Try(() =>
        {
            var (service, rs) = frozen.RequireListed(client, svc);
            if (rs.HealthChecks.Any(c => c.Type == check.Type))
                throw new LvsException(LvsErrorIds.HealthCheckExists, LvsErrorKind.ResourceExists,
                    $"The real server {rs} in {svc} already has a {check.KeepalivedName} checker; change it with Set-LvsHealthCheck or remove it with Remove-LvsHealthCheck.", check.Type);
            if (!output.ShouldProcess(Target(svc, client, rs), $"Add health check {HealthText.Describe(check, service.Health)}")) return;
            client.AddHealthCheck(svc, SpecOf(rs), check);
            if (frozen.PassThru) WriteHealthChecks(client, svc, rs, check.Type, output);
        }, frozen.RealAddress));
    }

    /// <summary>Writes the real server's checker of that type as the director now lists it.</summary>
    internal static void WriteHealthChecks(IDirector client, ServiceSpec svc, LvsRealServer rs, LvsHealthCheckType? type, DirectorOutput output)
    {
        var service = ListServices(client).FirstOrDefault(svc.Names);
        var now = RealServerOf(service, rs.RealAddress, rs.RealPort);
        if (service is null || now is null) return;
        foreach (var c in now.HealthChecks.Where(c => type is null || c.Type == type))
            output.WriteObject(LvsHealthCheckInfo.From(service, now, c));
    }
}

/// <summary>
/// Changes the named parameters of a real server's health checker of one type; the others keep their values.
/// </summary>
[Cmdlet(VerbsCommon.Set, "LvsHealthCheck", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Set-LvsHealthCheck.md")]
[OutputType(typeof(LvsHealthCheckInfo))]
public sealed class SetLvsHealthCheckCommand : LvsHealthCheckParameterCmdlet
{
    /// <summary>The checker to change; by default the real server's only one.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("CheckType")]
    [KeepalivedCheckType]
    public LvsHealthCheckType? Type { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryServiceIdentity(out var svc)) return;
        var frozen = Frozen<SetLvsHealthCheckCommand>();
        OnDirector((client, output) => frozen.Change(client, svc, output));
    }

    /// <summary>The change on one director, from this record's parameters (run on a frozen copy).</summary>
    private void Change(IDirector client, ServiceSpec svc, DirectorOutput output)
    {
        if (!output.Try(() =>
            {
                var (service, rs) = RequireListed(client, svc);
                return (service, rs, SelectCheck(rs, svc, Type));
            }, out var found, RealAddress)) return;
        var (service, rs, current) = found;
        // The changed checker is validated as a whole before anything is shown or sent (target: the bad value).
        if (!output.Try(() => Apply(current.Clone()), out var check)) return;
        if (!output.ShouldProcess(Target(svc, client, rs), $"Set health check {HealthText.Describe(check, service.Health)}")) return;
        output.Try(() =>
        {
            client.SetHealthCheck(svc, SpecOf(rs), check);
            if (PassThru) AddLvsHealthCheckCommand.WriteHealthChecks(client, svc, rs, check.Type, output);
        }, RealAddress);
    }

    /// <summary>The real server's checker of <paramref name="type"/>, or its only one; HealthCheckNotFound otherwise.</summary>
    internal static HealthCheckSpec SelectCheck(LvsRealServer rs, ServiceSpec svc, LvsHealthCheckType? type)
    {
        if (type is { } t)
            return rs.HealthChecks.FirstOrDefault(c => c.Type == t) ?? throw NotFound(rs, svc, t);
        return rs.HealthChecks.Count switch
        {
            1 => rs.HealthChecks[0],
            0 => throw new LvsException(LvsErrorIds.HealthCheckNotFound, LvsErrorKind.ObjectNotFound,
                $"The real server {rs} in {svc} has no health checker; add one with Add-LvsHealthCheck.", rs.RealAddress),
            _ => throw new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                $"The real server {rs} in {svc} has {rs.HealthChecks.Count} checkers ({string.Join(", ", rs.HealthChecks.Select(c => c.KeepalivedName))}); name one with -Type.", rs.RealAddress),
        };
    }

    internal static LvsException NotFound(LvsRealServer rs, ServiceSpec svc, LvsHealthCheckType type) =>
        new(LvsErrorIds.HealthCheckNotFound, LvsErrorKind.ObjectNotFound,
            $"The real server {rs} in {svc} has no {HealthText.NameOf(type)} checker.", type);
}

/// <summary>Removes a real server's health checker of one type (without -Type: all of them); with none left it is up.</summary>
[Cmdlet(VerbsCommon.Remove, "LvsHealthCheck", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = LvsHelpUri.Base + "Remove-LvsHealthCheck.md")]
[OutputType(typeof(LvsHealthCheckInfo))]
public sealed class RemoveLvsHealthCheckCommand : LvsRealServerStateCmdlet
{
    /// <summary>The checker to remove; by default every checker of the real server.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("CheckType")]
    [KeepalivedCheckType]
    public LvsHealthCheckType? Type { get; set; }

    /// <summary>Do not ask for confirmation (-WhatIf still only shows; an explicit -Confirm still asks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Directors worked on at once when the input names several (default 32, as Invoke-Command; LvsCmdlet.RunFleet).</summary>
    [Parameter, ValidateRange(1, BoundedParallel.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = BoundedParallel.DefaultThrottleLimit;

    protected override void ProcessRecord()
    {
        if (!TryServiceIdentity(out var svc)) return;
        var frozen = Frozen<RemoveLvsHealthCheckCommand>();
        OnDirector((client, output) => output.Try(() =>
        {
            var (service, rs) = frozen.RequireListed(client, svc);
            var checks = frozen.Type is { } t
                ? new List<HealthCheckSpec> { rs.HealthChecks.FirstOrDefault(c => c.Type == t) ?? throw SetLvsHealthCheckCommand.NotFound(rs, svc, t) }
                : rs.HealthChecks.ToList();
            foreach (var check in checks)
            {
                if (!output.ShouldProcessUnlessForced(Target(svc, client, rs), $"Remove health check {check}", frozen.Force)) continue;
                client.RemoveHealthCheck(svc, SpecOf(rs), check.Type);
                if (frozen.PassThru) output.WriteObject(LvsHealthCheckInfo.From(service, rs, check));
            }
        }, frozen.RealAddress));
    }
}

/// <summary>Gets the health checkers of the director's real servers, one object per checker.</summary>
[Cmdlet(VerbsCommon.Get, "LvsHealthCheck", HelpUri = LvsHelpUri.Base + "Get-LvsHealthCheck.md")]
[OutputType(typeof(LvsHealthCheckInfo))]
public sealed class GetLvsHealthCheckCommand : LvsRealServerFilterCmdlet
{
    /// <summary>Only checkers of these types.</summary>
    [Parameter]
    [Alias("CheckType")]
    [KeepalivedCheckType]
    public LvsHealthCheckType[]? Type { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var (s, r) in SelectedRealServers(InTableOrder(SelectedServices(GetClient()))))
            foreach (var c in r.HealthChecks)
                if (Type is null || Type.Contains(c.Type))
                    WriteObject(LvsHealthCheckInfo.From(s, r, c));
    }
}
