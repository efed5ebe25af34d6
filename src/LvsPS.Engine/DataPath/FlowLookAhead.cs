namespace LvsPS.Engine.DataPath;

/// <summary>
/// Look-ahead over a run of received frames, for a receive loop that sees frames still waiting in its ring.
/// </summary>
/// <remarks>
/// With many connections (a million entries are about 120 MB) a frame's lookup waits for memory twice, one read
/// after the other: its bucket, then the entry the bucket points to. A loop that already holds the frames to come
/// can ask for both early, as DPDK's bulk hash lookups do: <see cref="BucketAhead"/> frames before a frame's turn,
/// its bucket (<see cref="IFrameProcessor.PrefetchFlow"/>); <see cref="EntryAhead"/> frames before, the entry at
/// the head of that bucket, read by then (<see cref="IFrameProcessor.PrefetchConnection"/>); <see cref="NextAhead"/>
/// frames before, the entry after it (<see cref="IFrameProcessor.PrefetchNextConnection"/>). All are hints: a
/// token that no longer fits its frame costs one useless prefetch, never a wrong answer. Frames are numbered by a
/// sequence that rises by one per frame; the token of frame <c>seq</c> is kept in slot <c>seq</c> mod 8.
/// </remarks>
internal unsafe struct FlowLookAhead
{
    /// <summary>How many frames ahead a frame's bucket, its first entry and the next are asked for (docs/PERFORMANCE.md).</summary>
    public const int BucketAhead = 8, EntryAhead = 4, NextAhead = 2;

    private fixed int _tokens[BucketAhead];

    /// <summary>Frame <paramref name="seq"/> is <see cref="BucketAhead"/> places ahead: ask for its bucket.</summary>
    public void Far(IFrameProcessor p, long seq, ReadOnlySpan<byte> frame, int link) =>
        _tokens[seq & (BucketAhead - 1)] = p.PrefetchFlow(frame, link);

    /// <summary>Nothing is known of frame <paramref name="seq"/> (not ready, or not to be delivered).</summary>
    public void Forget(long seq) => _tokens[seq & (BucketAhead - 1)] = -1;

    /// <summary>
    /// Frame <paramref name="seq"/>'s turn has come: asks for the entry after the head of the frame
    /// <see cref="NextAhead"/> places ahead, then for the head entry of the frame <see cref="EntryAhead"/> places
    /// ahead, each only if that frame is before <paramref name="end"/> (the run's end, when the loop knows it).
    /// </summary>
    public void Step(IFrameProcessor p, long seq, long end)
    {
        int t;
        if (seq + NextAhead < end && (t = _tokens[(seq + NextAhead) & (BucketAhead - 1)]) >= 0) p.PrefetchNextConnection(t);
        if (seq + EntryAhead < end && (t = _tokens[(seq + EntryAhead) & (BucketAhead - 1)]) >= 0) p.PrefetchConnection(t);
    }
}
