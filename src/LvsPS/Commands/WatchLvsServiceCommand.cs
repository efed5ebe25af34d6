using LvsPS.Management.Watch;

namespace LvsPS.Commands;

/// <summary>
/// A refreshing view of the director's rates per service and real server (ipvsadm --rate's CPS, InPPS, OutPPS,
/// InBPS, OutBPS), each real server's share of its service's connections as a bar, weight 0, Down and Draining
/// marked in $PSStyle colours. Redraws in place on an interactive host, prints successive frames when the output
/// is redirected; -PassThru emits the snapshots instead. Ends after -Count frames or on Ctrl+C.
/// </summary>
[Cmdlet(VerbsCommon.Watch, "LvsService", HelpUri = LvsHelpUri.Base + "Watch-LvsService.md")]
[OutputType(typeof(string))]
[OutputType(typeof(LvsServiceWatchSnapshot))]
public sealed class WatchLvsServiceCommand : LvsServiceMarkFilterCmdlet
{
    private readonly ManualResetEventSlim _stop = new();

    /// <summary>Seconds between two frames.</summary>
    [Parameter]
    [ValidateRange(0.2, 3600)]
    public double Interval { get; set; } = 2;

    /// <summary>Frames to show, then stop (default: until Ctrl+C).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Count { get; set; }

    /// <summary>Emit the snapshot objects instead of drawing.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Columns to fit (default: the host's window width, 80 when unknown).</summary>
    [Parameter]
    [ValidateRange(ServiceWatchRenderer.MinimumWidth, 1000)]
    public int? Width { get; set; }

    protected override void ProcessRecord()
    {
        var client = GetClient();
        bool interactive = !PassThru && Interactive();
        var colors = PassThru ? ServiceWatchColors.Plain : ColorsFromPSStyle(interactive);
        int width = Width ?? HostWidth();
        int count = Count ?? 0;
        for (int frame = 1; count == 0 || frame <= count; frame++)
        {
            var snapshot = new LvsServiceWatchSnapshot
            {
                Time = DateTime.UtcNow, Director = client.Name, Frame = frame,
                Services = InTableOrder(SelectedServices(client)).ToList(),
            };
            if (PassThru) WriteObject(snapshot);
            else
            {
                // in place: cursor home and clear through the host UI (not into the pipeline)
                if (interactive) Host.UI.Write("\u001b[H\u001b[2J");
                WriteObject(ServiceWatchRenderer.Render(snapshot, width, colors), true);
                if (!interactive && (count == 0 || frame < count)) WriteObject("");
            }
            if ((count == 0 || frame < count) && _stop.Wait(TimeSpan.FromSeconds(Interval))) break;
        }
    }

    protected override void StopProcessing() { base.StopProcessing(); _stop.Set(); }

    /// <summary>An interactive host: the console is not redirected and the host speaks ANSI.</summary>
    private bool Interactive()
    {
        try { return !Console.IsOutputRedirected && Host.UI.SupportsVirtualTerminal && Host.Name == "ConsoleHost"; }
        catch (Exception) { return false; }
    }

    private int HostWidth()
    {
        try { var w = Host.UI.RawUI.WindowSize.Width; return w >= ServiceWatchRenderer.MinimumWidth ? w : ServiceWatchRenderer.DefaultWidth; }
        catch (Exception) { return ServiceWatchRenderer.DefaultWidth; }
    }

    /// <summary>
    /// The session's $PSStyle colours; none with $PSStyle.OutputRendering = PlainText, with NO_COLOR set, or
    /// (OutputRendering = Host) when the output is redirected.
    /// </summary>
    private ServiceWatchColors ColorsFromPSStyle(bool interactive)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))) return ServiceWatchColors.Plain;
        // read by name (the module builds against a System.Management.Automation without the PSStyle type)
        if (SessionState.PSVariable.GetValue("PSStyle") is not { } value) return ServiceWatchColors.Plain;
        var style = PSObject.AsPSObject(value);
        string rendering = Property(style, "OutputRendering")?.ToString() ?? "";
        if (rendering == "PlainText") return ServiceWatchColors.Plain;
        if (rendering == "Host" && !interactive) return ServiceWatchColors.Plain;
        string Text(string group, string name) =>
            Property(group.Length == 0 ? style : PSObject.AsPSObject(Property(style, group) ?? new object()), name) as string ?? "";
        var reset = Text("", "Reset");
        if (reset.Length == 0) return ServiceWatchColors.Plain;
        return new ServiceWatchColors
        {
            Header = Text("Formatting", "TableHeader"),
            Quiesced = Text("Foreground", "Yellow"),
            Down = Text("Foreground", "Red"),
            Draining = Text("Foreground", "Cyan"),
            Bar = Text("Foreground", "Green"),
            Reset = reset,
        };
    }

    private static object? Property(PSObject o, string name) => o.Properties[name]?.Value;
}
