using LvsPS.Management.Text;

namespace LvsPS.Commands;

/// <summary>
/// Gets the director's virtual services with their real servers; the default view is laid out as
/// ipvsadm -L -n prints it. -AsText returns exactly that text (with -Stats: ipvsadm -L -n --stats).
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsService", DefaultParameterSetName = "Objects", HelpUri = LvsHelpUri.Base + "Get-LvsService.md")]
[OutputType(typeof(LvsService), ParameterSetName = new[] { "Objects" })]
[OutputType(typeof(string), ParameterSetName = new[] { "Text" })]
public sealed class GetLvsServiceCommand : LvsServiceMarkFilterCmdlet
{
    /// <summary>Return the table as ipvsadm -L -n text.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Text")]
    public SwitchParameter AsText { get; set; }

    /// <summary>With -AsText: the --stats listing.</summary>
    [Parameter(ParameterSetName = "Text")]
    public SwitchParameter Stats { get; set; }

    /// <summary>With -AsText: the --rate listing (the kernel estimator's smoothed rates).</summary>
    [Parameter(ParameterSetName = "Text")]
    public SwitchParameter Rate { get; set; }

    /// <summary>With -AsText: the --thresholds listing.</summary>
    [Parameter(ParameterSetName = "Text")]
    public SwitchParameter Thresholds { get; set; }

    /// <summary>With -AsText: the --persistent-conn listing.</summary>
    [Parameter(ParameterSetName = "Text")]
    public SwitchParameter PersistentConn { get; set; }

    /// <summary>With -AsText: full numbers instead of K/M/G/T (--exact).</summary>
    [Parameter(ParameterSetName = "Text")]
    public SwitchParameter Exact { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        var services = Read(client, ListServices);
        int size = services.Count > 0 ? services[0].TableSize : Read(client, c => c.GetStatus().TableSize);
        var selected = services.Where(Selects).ToList();
        if (AsText)
        {
            int views = (Stats ? 1 : 0) + (Rate ? 1 : 0) + (Thresholds ? 1 : 0) + (PersistentConn ? 1 : 0);
            if (views > 1)
            {
                ThrowLvsError(new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                    "Choose one of -Stats, -Rate, -Thresholds and -PersistentConn (ipvsadm does not combine them)."));
                return;
            }
            WriteObject(Stats ? IpvsadmFormatter.FormatStats(selected, size, exact: Exact)
                : Rate ? IpvsadmFormatter.FormatRate(selected, size, exact: Exact)
                : Thresholds ? IpvsadmFormatter.FormatThresholds(selected, size)
                : PersistentConn ? IpvsadmFormatter.FormatPersistentConn(selected, size)
                : IpvsadmFormatter.FormatList(selected, size));
            return;
        }
        foreach (var s in InTableOrder(selected))
        {
            s.TableSize = size;
            WriteObject(s);
        }
        if (selected.Count == 0 && (VirtualAddress is not null || Port is not null))
            WriteLvsError(new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound,
                $"No virtual service matches {Protocol?.ToString().ToUpperInvariant() ?? "any protocol"} {VirtualAddress?.ToString() ?? "*"}:{Port?.ToString() ?? "*"} on director '{client.Name}'."));
    }
}
