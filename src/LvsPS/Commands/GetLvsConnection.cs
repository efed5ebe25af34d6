using System.Management.Automation;
using System.Net;
using LvsPS.Ipvs.Director;
using LvsPS.Management.Lvsd;
using LvsPS.Ipvs.Model;
using LvsPS.Management.Text;

namespace LvsPS.Commands;

/// <summary>Gets the director's connection table (ipvsadm -L -n -c); -AsText returns that exact text.</summary>
[Cmdlet(VerbsCommon.Get, "LvsConnection", DefaultParameterSetName = "Objects")]
[OutputType(typeof(LvsConnection), ParameterSetName = new[] { "Objects" })]
[OutputType(typeof(string), ParameterSetName = new[] { "Text" })]
public sealed class GetLvsConnectionCommand : LvsDirectorCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("VIP")]
    public IPAddress? VirtualAddress { get; set; }

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    public int? Port { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public LvsProtocol? Protocol { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("RIP")]
    public IPAddress? RealAddress { get; set; }

    [Parameter]
    public LvsConnectionState? State { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = "Text")]
    public SwitchParameter AsText { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        List<LvsConnection> conns;
        try { conns = client.ListConnections(); }
        catch (LvsException e) { ThrowLvsError(e, client.Name); return; }
        var selected = conns.Where(c => (VirtualAddress is null || c.VirtualAddress.Equals(VirtualAddress))
                                        && (Port is null || c.Port == Port) && (Protocol is null || c.Protocol == Protocol)
                                        && (RealAddress is null || c.RealAddress.Equals(RealAddress)) && (State is null || c.State == State)).ToList();
        if (AsText) WriteObject(IpvsadmFormatter.FormatConnections(selected));
        else WriteObject(selected, true);
    }
}
