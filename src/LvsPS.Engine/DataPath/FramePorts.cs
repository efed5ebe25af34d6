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

    /// <summary>
    /// A hint for a frame still waiting in the ring (<see cref="FlowLookAhead"/>): the processor may ask memory for
    /// what that frame will need and return a token for <see cref="PrefetchConnection"/>, or -1. It changes nothing.
    /// </summary>
    int PrefetchFlow(ReadOnlySpan<byte> frame, int link) => -1;

    /// <summary>Whether hints pay now (read once per run of frames); false: the loop gives none.</summary>
    bool WantsLookAhead => false;

    /// <summary>The hint's second step, given the token <see cref="PrefetchFlow"/> returned a few frames before.</summary>
    void PrefetchConnection(int token) { }

    /// <summary>The hint's third step, a frame or two after the second (the next entry in line).</summary>
    void PrefetchNextConnection(int token) { }
}
