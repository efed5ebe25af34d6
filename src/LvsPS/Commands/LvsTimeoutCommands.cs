namespace LvsPS.Commands;

/// <summary>Gets the director's connection timeouts (ipvsadm -L --timeout).</summary>
[Cmdlet(VerbsCommon.Get, "LvsTimeout", DefaultParameterSetName = "Object", HelpUri = LvsHelpUri.Base + "Get-LvsTimeout.md")]
[OutputType(typeof(TimeoutSpec), ParameterSetName = new[] { "Object" })]
[OutputType(typeof(string), ParameterSetName = new[] { "Text" })]
public sealed class GetLvsTimeoutCommand : LvsDirectorCmdlet
{
    /// <summary>Return the line ipvsadm -L --timeout prints.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Text")]
    public SwitchParameter AsText { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        Try(() =>
        {
            var t = client.GetTimeouts();
            if (t is null) return;
            if (AsText)
            {
                var lt = new LvsPS.Ipvs.Connections.LvsTimeouts();
                lt.Set(t.Tcp, t.TcpFin, t.Udp);
                WriteObject(LvsPS.Management.Text.IpvsadmFormatter.FormatTimeout(lt));
            }
            else
            {
                WriteObject(t);
            }
        }, client.Name);
    }
}

/// <summary>Sets the director's TCP, TCP FIN and UDP timeouts (ipvsadm --set tcp tcpfin udp); 0 leaves one as it is.</summary>
[Cmdlet(VerbsCommon.Set, "LvsTimeout", SupportsShouldProcess = true, HelpUri = LvsHelpUri.Base + "Set-LvsTimeout.md")]
[OutputType(typeof(TimeoutSpec))]
public sealed class SetLvsTimeoutCommand : LvsDirectorCmdlet
{
    /// <summary>Timeout of ESTABLISHED TCP connections in seconds (default 900).</summary>
    [Parameter(Position = 0)]
    [ValidateRange(0, 2678400)]
    public int Tcp { get; set; }

    /// <summary>Timeout of TCP connections after the client's FIN (FIN_WAIT) in seconds (default 120).</summary>
    [Parameter(Position = 1)]
    [ValidateRange(0, 2678400)]
    public int TcpFin { get; set; }

    /// <summary>Timeout of UDP entries in seconds (default 300).</summary>
    [Parameter(Position = 2)]
    [ValidateRange(0, 2678400)]
    public int Udp { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        var t = new TimeoutSpec { Tcp = Tcp, TcpFin = TcpFin, Udp = Udp };
        if (!ShouldProcess($"director '{client.Name}'", $"Set timeouts (tcp tcpfin udp) {t}")) return;
        Try(() =>
        {
            client.SetTimeouts(t);
            if (PassThru) WriteObject(client.GetTimeouts());
        }, client.Name);
    }
}

/// <summary>Zeroes the packet, byte and connection counters of one service or of all (ipvsadm -Z).</summary>
[Cmdlet(VerbsCommon.Clear, "LvsCounter", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = LvsHelpUri.Base + "Clear-LvsCounter.md")]
[OutputType(typeof(LvsService))]
public sealed class ClearLvsCounterCommand : LvsServiceSelectorCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Do not ask for confirmation (-WhatIf still only shows; an explicit -Confirm still asks).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The service -VirtualAddress and -Port name, or null (every service) when neither is given.</summary>
    private ServiceSpec? ServiceOrAll()
    {
        if (VirtualAddress is null && Port is null) return null;
        if (VirtualAddress is null || Port is null)
            throw new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.InvalidArgument, "Name a service with both -VirtualAddress and -Port, or neither for all services.");
        return new ServiceSpec { Protocol = Protocol, Address = VirtualAddress, Port = SpecValidator.ServicePort(Port.Value) };
    }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        if (!Try(ServiceOrAll, out var svc)) return;
        if (!ShouldProcessUnlessForced(svc is null ? $"every service on director '{client.Name}'" : LvsServiceCmdlet.ShouldProcessTarget(svc, client), "Zero counters", Force)) return;
        Try(() =>
        {
            client.Zero(svc);
            if (PassThru) WriteObject(client.ListServices().Where(s => svc is null || svc.Names(s)), true);
        }, svc?.ToString() ?? client.Name);
    }
}
