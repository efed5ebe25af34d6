// The packet path's two ports, all that the I/O layer (IO/PcapLink.cs) knows of it: received frames go in through
// an IFrameProcessor (the engine), frames to send come out through an IFrameSink (the pcap device; a recorder in
// tests and benchmarks).
namespace LvsPS.Engine.DataPath;

/// <summary>Where the engine sends frames. The pcap device in production, a recorder in tests and benchmarks.</summary>
internal interface IFrameSink
{
    void Send(ReadOnlySpan<byte> frame);
}

/// <summary>What a link hands each received frame to: the engine (<see cref="DirectorEngine"/>) in lvsd.</summary>
internal interface IFrameProcessor
{
    /// <summary>
    /// Handles a frame received on link <paramref name="link"/> (0 outside, 1 inside). The frame may be rewritten in
    /// place and re-sent; it is not kept after the call returns.
    /// </summary>
    void ProcessFrame(Span<byte> frame, int link);
}
