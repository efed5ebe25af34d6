using System.Management.Automation;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Ipvs.Model;

using LvsPS.Ipvs.Specs;

namespace LvsPS.Commands;

/// <summary>Gets the director's connection timeouts (ipvsadm -L --timeout).</summary>
[Cmdlet(VerbsCommon.Get, "LvsTimeout", DefaultParameterSetName = "Object")]
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
        try
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
        }
        catch (LvsException e) { WriteLvsError(e, client.Name); }
    }
}

/// <summary>Sets the director's TCP, TCP FIN and UDP timeouts (ipvsadm --set tcp tcpfin udp); 0 leaves one as it is.</summary>
[Cmdlet(VerbsCommon.Set, "LvsTimeout", SupportsShouldProcess = true)]
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
        try
        {
            client.SetTimeouts(t);
            if (PassThru) WriteObject(client.GetTimeouts());
        }
        catch (LvsException e) { WriteLvsError(e, client.Name); }
    }
}

/// <summary>Zeroes the packet, byte and connection counters of one service or of all (ipvsadm -Z).</summary>
[Cmdlet(VerbsCommon.Clear, "LvsCounter", SupportsShouldProcess = true)]
[OutputType(typeof(LvsService))]
public sealed class ClearLvsCounterCommand : LvsDirectorCmdlet
{
    /// <summary>The service's VIP; without it every service is zeroed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("VIP")]
    public System.Net.IPAddress? VirtualAddress { get; set; }

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public int? Port { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsProtocol Protocol { get; set; } = LvsProtocol.Tcp;

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        ServiceSpec? svc = null;
        if (VirtualAddress is not null || Port is not null)
        {
            if (VirtualAddress is null || Port is null)
            {
                WriteLvsError(new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.InvalidArgument, "Name a service with both -VirtualAddress and -Port, or neither for all services."));
                return;
            }
            try { svc = new ServiceSpec { Protocol = Protocol, Address = VirtualAddress, Port = LvsServiceCmdlet.ToPort(Port.Value, "port") }; }
            catch (LvsException e) { WriteLvsError(e); return; }
        }
        if (!ShouldProcess(svc is null ? $"every service on director '{client.Name}'" : $"{svc} on director '{client.Name}'", "Zero counters")) return;
        try
        {
            client.Zero(svc);
            if (PassThru)
            {
                var all = client.ListServices();
                WriteObject(all.Where(s => svc is null || (s.Protocol == svc.Protocol && s.VirtualAddress.Equals(svc.Address) && s.Port == svc.Port)), true);
            }
        }
        catch (LvsException e) { WriteLvsError(e, svc?.ToString() ?? client.Name); }
    }
}
