namespace LvsPS.Commands;

/// <summary>
/// Watches the frames a director handles, live: client, VIP, the real server chosen, what was done (forwarded with
/// the rewritten MAC or outer header, dropped and why, ARP answered). Starts a filtered trace in the director, streams
/// its records as they come, and always stops it; bounded by -Count and -Duration (60 s when not given).
/// </summary>
[Cmdlet(VerbsCommon.Watch, "LvsTraffic", HelpUri = LvsHelpUri.Base + "Watch-LvsTraffic.md")]
[OutputType(typeof(LvsTrafficRecord))]
public sealed class WatchLvsTrafficCommand : LvsDirectorCmdlet
{
    /// <summary>The bound when -Duration is not given.</summary>
    public const int DefaultDurationSec = 60;

    private readonly ManualResetEventSlim _stopping = new();

    [Parameter] public LvsProtocol? Protocol { get; set; }

    /// <summary>The client's address (or network, with -ClientPrefixLength).</summary>
    [Parameter] public IPAddress? ClientAddress { get; set; }

    [Parameter] [ValidateRange(0, 32)] public int ClientPrefixLength { get; set; } = 32;

    [Parameter] [ArgumentCompleter(typeof(VirtualAddressCompleter))] public IPAddress? VirtualAddress { get; set; }

    [Parameter] [ValidateRange(0, 65535)] public int? Port { get; set; }

    [Parameter] [ArgumentCompleter(typeof(RealAddressCompleter))] public IPAddress? RealAddress { get; set; }

    [Parameter] public LvsTrafficAction? Action { get; set; }

    /// <summary>Stops after this many records.</summary>
    [Parameter] [ValidateRange(1, int.MaxValue)] public int? Count { get; set; }

    /// <summary>Stops after this many seconds (at most an hour).</summary>
    [Parameter] [ValidateRange(1, TrafficTraceSpec.MaxDurationLimitSec)] public int? Duration { get; set; }

    /// <summary>Records the director keeps between two reads; when full the oldest go (a warning counts them).</summary>
    [Parameter] [ValidateRange(1, TrafficTraceSpec.MaxCapacity)] public int BufferSize { get; set; } = 4096;

    protected override void ProcessRecord()
    {
        var client = GetClient();
        int duration = Duration ?? DefaultDurationSec;
        var spec = new TrafficTraceSpec
        {
            Protocol = Protocol, ClientAddress = ClientAddress, ClientPrefixLength = ClientPrefixLength,
            VirtualAddress = VirtualAddress, Port = Port, RealAddress = RealAddress, Action = Action,
            Capacity = BufferSize, MaxDurationSec = duration + 5, MaxRecords = Count,
        };
        var trace = Read(client, c => c.StartTrafficTrace(spec));
        try
        {
            var until = DateTime.UtcNow.AddSeconds(duration);
            long cursor = trace.Cursor, written = 0, lost = 0;
            while (!_stopping.IsSet && DateTime.UtcNow < until)
            {
                var page = Read(client, c => c.ReadTrafficTrace(trace.TraceId, cursor, 1000));
                cursor = page.NextCursor;
                lost += page.Lost;
                if (page.Lost > 0) WriteWarning($"{page.Lost} records were overwritten before they were read ({lost} in all); filter more or raise -BufferSize.");
                foreach (var r in page.Records)
                {
                    WriteObject(r);
                    if (Count is { } n && ++written >= n) return;
                }
                if (!page.Active)
                {
                    WriteWarning($"The director ended the trace ({page.StopReason}).");
                    return;
                }
                if (page.Records.Count < 1000) _stopping.Wait(TimeSpan.FromMilliseconds(200));
            }
        }
        finally
        {
            try { client.StopTrafficTrace(trace.TraceId); }
            catch (LvsException) { /* the director ends it by itself after TrafficTraceSpec.IdleTimeoutSec */ }
        }
    }

    protected override void StopProcessing() { base.StopProcessing(); _stopping.Set(); }
}
