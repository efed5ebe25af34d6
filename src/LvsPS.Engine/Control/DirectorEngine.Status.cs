// DirectorEngine, control plane (namespace LvsPS.Engine.DataPath): IDirector's GetStatus (the engine's identity and
// counters, then the host's part) and Shutdown.

namespace LvsPS.Engine.DataPath;

internal sealed partial class DirectorEngine
{
    /// <summary>Fills what only the hosting process knows (pid, interfaces, paths, capture counters) into a status.</summary>
    public Action<DirectorStatus>? DescribeHost { get; set; }

    /// <summary>Raised when a client asks the director to stop (<see cref="IDirector.Shutdown"/>).</summary>
    public event Action? ShutdownRequested;

    /// <summary>The engine's own identity and counters, then the host's part (<see cref="DescribeHost"/>).</summary>
    public DirectorStatus GetStatus()
    {
        DirectorStatus status;
        lock (Sync)
        {
            int realServers = 0;
            foreach (var s in _serviceOrder) realServers += s.Destinations.Count;
            status = new DirectorStatus
            {
                Name = Name,
                MacAddress = Frames.MacToString(_mac),
                InterfaceAddress = InterfaceAddress == 0 ? null : Frames.ToAddress(InterfaceAddress),
                InsideAddress = HasInsideLink && InsideAddress != 0 ? Frames.ToAddress(InsideAddress) : null,
                TableSize = TableSize,
                ServiceCount = ServiceCount,
                RealServerCount = realServers,
                ConnectionCount = ConnectionCount,
                VirtualAddresses = _vips.Select(Frames.ToAddress).ToArray(),
                FramesReceived = FramesReceived,
                FramesForwarded = FramesForwarded,
                FramesDropped = FramesDropped,
                ArpRepliesSent = ArpRepliesSent,
                DropsByReason = DropsByReason(),
                DefenseLevel = DefenseLevel,
                ConnectionLimit = MaxConnections,
                EntriesDropped = EntriesDropped,
                ConnectionsRefused = ConnectionsRefused,
                ConnectionsRestored = ConnectionsRestored,
                ResetsSent = ResetsSent,
                SloppyConnections = SloppyConnections,
            };
        }
        DescribeHost?.Invoke(status);
        return status;
    }

    public void Shutdown() => ShutdownRequested?.Invoke();
}
