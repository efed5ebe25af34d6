using LvsPS.Management.Text;

namespace LvsPS.Commands;

/// <summary>
/// Gets the director's virtual services with their real servers; the default view is laid out as
/// ipvsadm -L -n prints it, Format-Table gives one row per service. -Stats and -Rate give the services with their
/// counters or rates as the view, -Thresholds and -PersistentConn their real servers with those columns;
/// -AsText returns ipvsadm's text of the same listing.
/// </summary>
[Cmdlet(VerbsCommon.Get, "LvsService", DefaultParameterSetName = "Objects", HelpUri = LvsHelpUri.Base + "Get-LvsService.md")]
[OutputType(typeof(LvsService), ParameterSetName = new[] { "Objects" })]
[OutputType(typeof(LvsRealServer), ParameterSetName = new[] { "Objects" })]
[OutputType(typeof(string), ParameterSetName = new[] { "Text" })]
public sealed class GetLvsServiceCommand : LvsServiceMarkFilterCmdlet
{
    /// <summary>Return the table as ipvsadm -L -n text.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Text")]
    public SwitchParameter AsText { get; set; }

    /// <summary>The --stats listing: the services with their counters as the view (with -AsText: ipvsadm's text).</summary>
    [Parameter]
    public SwitchParameter Stats { get; set; }

    /// <summary>The --rate listing: the services with the kernel estimator's smoothed rates as the view (with -AsText: ipvsadm's text).</summary>
    [Parameter]
    public SwitchParameter Rate { get; set; }

    /// <summary>The --thresholds listing: the real servers with their thresholds as the view (with -AsText: ipvsadm's text).</summary>
    [Parameter]
    public SwitchParameter Thresholds { get; set; }

    /// <summary>The --persistent-conn listing: the real servers with their persistence templates as the view (with -AsText: ipvsadm's text).</summary>
    [Parameter]
    public SwitchParameter PersistentConn { get; set; }

    /// <summary>With -AsText: full numbers instead of K/M/G/T (--exact).</summary>
    [Parameter(ParameterSetName = "Text")]
    public SwitchParameter Exact { get; set; }

    protected override void ProcessRecord()
    {
        int views = (Stats ? 1 : 0) + (Rate ? 1 : 0) + (Thresholds ? 1 : 0) + (PersistentConn ? 1 : 0);
        if (views > 1)
        {
            ThrowLvsError(new LvsException(LvsErrorIds.InvalidArgument, LvsErrorKind.InvalidArgument,
                "Choose one of -Stats, -Rate, -Thresholds and -PersistentConn (ipvsadm does not combine them)."));
            return;
        }
        var client = GetClient();
        var services = Read(client, ListServices);
        int size = services.Count > 0 ? services[0].TableSize : Read(client, c => c.GetStatus().TableSize);
        var selected = services.Where(Selects).ToList();
        if (AsText)
        {
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
            if (Thresholds || PersistentConn)
            {
                // As ipvsadm lists them: the real servers in the table, by address and port.
                foreach (var r in s.RealServers.Where(r => r.InTable).OrderBy(r => AddressKey(r.RealAddress)).ThenBy(r => r.RealPort))
                    WriteObject(LvsViews.As(r, Thresholds ? LvsViews.RealServerThresholds : LvsViews.RealServerPersistentConn));
                continue;
            }
            WriteObject(LvsViews.As(s, Stats ? LvsViews.ServiceStats : Rate ? LvsViews.ServiceRate : LvsViews.ServiceTable));
        }
        if (selected.Count == 0 && (AddressFilter is not null || PortFilter is not null || GivenName is not null))
            WriteLvsError(new LvsException(LvsErrorIds.ServiceNotFound, LvsErrorKind.ObjectNotFound,
                GivenName is { } n
                    ? $"No virtual service matches '{n}' on director '{client.Name}'."
                    : $"No virtual service matches {Protocol?.ToString().ToUpperInvariant() ?? "any protocol"} {VirtualAddress?.ToString() ?? "*"}:{Port?.ToString() ?? "*"} on director '{client.Name}'."));
    }
}
