using System.Collections.Concurrent;

namespace LvsPS.Management.Util;

/// <summary>What one item of a <see cref="BoundedParallel"/> run gave: its result, or the exception it threw.</summary>
public sealed class ParallelOutcome<TItem, TResult>
{
    internal ParallelOutcome(int index, TItem item, TResult? result, Exception? error)
    {
        Index = index;
        Item = item;
        Result = result;
        Error = error;
    }

    /// <summary>The item's position in the input.</summary>
    public int Index { get; }
    public TItem Item { get; }
    /// <summary>The work's result (default when it threw).</summary>
    public TResult? Result { get; }
    /// <summary>What the work threw for this item, or null.</summary>
    public Exception? Error { get; }
    public bool Succeeded => Error is null;
}

/// <summary>
/// Runs one piece of blocking work per item (an SSH login and its commands, typically) on at most ThrottleLimit
/// threads at a time, and hands the outcomes back on the thread that enumerates the run, in input order whatever
/// the order they finished in. A failing item is an outcome with its exception; the others go on.
/// </summary>
/// <remarks>
/// <para>The workers are dedicated threads, not thread-pool ones: the work blocks (SSH.NET's calls are synchronous)
/// and 32 blocked pool threads would starve the pool the SSH library and the namespace relay continue on.</para>
/// <para>Everything a caller must do on its own thread happens in the enumeration: <c>completed</c> is called
/// there, once per item as each finishes (progress), and the outcomes are yielded there (output). This is how
/// cmdlets keep WriteObject, WriteError and WriteProgress on the pipeline thread.</para>
/// <para>Cancelling the token (Ctrl+C: the cmdlet's StopProcessing), or abandoning the enumeration, starts no
/// further item and cancels the token the running items were given; the enumeration waits for the running items
/// to end, then throws <see cref="OperationCanceledException"/> (cancelled) or simply ends (abandoned).</para>
/// </remarks>
public static class BoundedParallel
{
    /// <summary>
    /// The default throttle limit: as Invoke-Command's (32). A real server's preparation is a few SSH round trips,
    /// mostly waiting for the network and the far side, so 32 logins at once cost little even on two cores, and a
    /// fleet of up to 32 is one wave.
    /// </summary>
    public const int DefaultThrottleLimit = 32;

    /// <summary>The largest throttle limit accepted (each running item holds a thread and, for SSH, a connection).</summary>
    public const int MaxThrottleLimit = 1024;

    /// <summary>
    /// Runs <paramref name="work"/> for every item, at most <paramref name="throttleLimit"/> at a time, and yields the
    /// outcomes in input order. <paramref name="completed"/> is called on the enumerating thread as each item
    /// finishes (in completion order), before the outcomes it lets out are yielded.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">throttleLimit below 1 or above <see cref="MaxThrottleLimit"/>.</exception>
    public static IEnumerable<ParallelOutcome<TItem, TResult>> Run<TItem, TResult>(IReadOnlyList<TItem> items, int throttleLimit,
        Func<TItem, CancellationToken, TResult> work, CancellationToken cancellation = default,
        Action<ParallelOutcome<TItem, TResult>>? completed = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(work);
        ValidateThrottleLimit(throttleLimit);
        return RunIterator(items.ToArray(), throttleLimit, work, cancellation, completed);
    }

    /// <summary>Refuses a throttle limit below 1 or above <see cref="MaxThrottleLimit"/>, naming the value.</summary>
    public static void ValidateThrottleLimit(int throttleLimit)
    {
        if (throttleLimit < 1 || throttleLimit > MaxThrottleLimit)
            throw new ArgumentOutOfRangeException(nameof(throttleLimit), throttleLimit,
                $"The throttle limit {throttleLimit} is not valid: use 1 to {MaxThrottleLimit}.");
    }

    private static IEnumerable<ParallelOutcome<TItem, TResult>> RunIterator<TItem, TResult>(TItem[] items, int throttleLimit,
        Func<TItem, CancellationToken, TResult> work, CancellationToken cancellation,
        Action<ParallelOutcome<TItem, TResult>>? completed)
    {
        if (items.Length == 0) yield break;
        cancellation.ThrowIfCancellationRequested();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var done = new BlockingCollection<ParallelOutcome<TItem, TResult>>();
        int next = -1;
        var threads = new Thread[Math.Min(throttleLimit, items.Length)];
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    int i = Interlocked.Increment(ref next);
                    if (i >= items.Length) return;
                    TResult? result = default;
                    Exception? error = null;
                    try { result = work(items[i], stop.Token); }
                    catch (Exception e) { error = e; }
                    done.Add(new ParallelOutcome<TItem, TResult>(i, items[i], result, error));
                }
            })
            { IsBackground = true, Name = $"lvsps-parallel-{t + 1}" };
        }
        try
        {
            foreach (var thread in threads) thread.Start();
            var ready = new ParallelOutcome<TItem, TResult>?[items.Length];
            int yielded = 0;
            while (yielded < items.Length)
            {
                // Ends with OperationCanceledException on the caller's cancellation.
                var outcome = done.Take(cancellation);
                // Once cancelled, nothing more is handed back, even an outcome that was already in.
                cancellation.ThrowIfCancellationRequested();
                ready[outcome.Index] = outcome;
                completed?.Invoke(outcome);
                while (yielded < items.Length && ready[yielded] is { } first)
                {
                    ready[yielded++] = null;
                    yield return first;
                }
            }
        }
        finally
        {
            // Cancelled, abandoned, or a caller's callback threw: start nothing more, tell the running items,
            // and wait for them, so that no work goes on once the enumeration is over.
            stop.Cancel();
            foreach (var thread in threads)
                if (thread.ThreadState != ThreadState.Unstarted) thread.Join();
        }
    }
}
