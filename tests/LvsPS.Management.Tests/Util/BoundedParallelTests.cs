using LvsPS.Management.Util;

namespace LvsPS.Management.Tests.Util;

/// <summary>
/// The bounded runner behind the fleet cmdlets: never more items at once than the limit (and the limit reached),
/// outcomes in input order whatever the completion order, one outcome per item with its own exception, and
/// cancellation (or an abandoned enumeration) that starts nothing more and waits for the running items. No timing:
/// the waits below are only guards against a hang.
/// </summary>
public sealed class BoundedParallelTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(12, 4)]
    [InlineData(9, 3)]
    [InlineData(32, 32)]
    public void Runs_exactly_the_limit_at_once_never_more(int count, int limit)
    {
        // Every item waits at a barrier of `limit` participants: the run can only go on if `limit` items are in
        // flight together, and one item too many would make the barrier throw.
        using var barrier = new Barrier(limit);
        int running = 0, most = 0;
        var outcomes = BoundedParallel.Run(Enumerable.Range(0, count).ToList(), limit, (i, _) =>
        {
            int now = Interlocked.Increment(ref running);
            int seen;
            while ((seen = Volatile.Read(ref most)) < now && Interlocked.CompareExchange(ref most, now, seen) != seen) { }
            Assert.True(barrier.SignalAndWait(Guard), "the other items of the wave never came");
            Interlocked.Decrement(ref running);
            return i * 10;
        }).ToList();

        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.Equal(Enumerable.Range(0, count).Select(i => i * 10), outcomes.Select(o => o.Result));
        Assert.Equal(limit, most);
    }

    [Fact]
    public void A_limit_of_one_runs_the_items_one_after_another_in_order()
    {
        int running = 0, most = 0;
        var order = new List<int>();
        var outcomes = BoundedParallel.Run(Enumerable.Range(0, 8).ToList(), 1, (i, _) =>
        {
            most = Math.Max(most, Interlocked.Increment(ref running));
            lock (order) order.Add(i);
            Interlocked.Decrement(ref running);
            return i;
        }).ToList();
        Assert.Equal(1, most);
        Assert.Equal(Enumerable.Range(0, 8), order);
        Assert.Equal(Enumerable.Range(0, 8), outcomes.Select(o => o.Result));
    }

    [Fact]
    public void Outcomes_come_in_input_order_and_completions_on_the_enumerating_thread()
    {
        // Item i finishes only after item i+1 has: they complete last to first.
        const int n = 6;
        var finished = Enumerable.Range(0, n).Select(_ => new ManualResetEventSlim()).ToArray();
        var completedOrder = new List<int>();
        var completedThreads = new HashSet<int>();
        var yieldedOrder = new List<int>();
        int me = Environment.CurrentManagedThreadId;
        foreach (var o in BoundedParallel.Run(Enumerable.Range(0, n).ToList(), n, (i, _) =>
                 {
                     if (i < n - 1) Assert.True(finished[i + 1].Wait(Guard));
                     Assert.NotEqual(me, Environment.CurrentManagedThreadId);
                     return $"item {i}";
                 }, default, o =>
                 {
                     completedOrder.Add(o.Index);
                     completedThreads.Add(Environment.CurrentManagedThreadId);
                     finished[o.Index].Set();
                 }))
        {
            Assert.Equal(me, Environment.CurrentManagedThreadId);
            // Nothing could be let out before item 0, the last to finish.
            Assert.Equal(n, completedOrder.Count);
            yieldedOrder.Add(o.Index);
            Assert.Equal($"item {o.Index}", o.Result);
        }
        Assert.Equal(Enumerable.Range(0, n).Reverse(), completedOrder);
        Assert.Equal(new[] { me }, completedThreads);
        Assert.Equal(Enumerable.Range(0, n), yieldedOrder);
        foreach (var e in finished) e.Dispose();
    }

    [Fact]
    public void Each_failing_item_is_its_own_outcome_and_the_others_still_run()
    {
        int ran = 0;
        var outcomes = BoundedParallel.Run(Enumerable.Range(0, 10).ToList(), 4, (i, _) =>
        {
            Interlocked.Increment(ref ran);
            if (i is 3 or 7) throw new InvalidOperationException($"host {i} refused");
            return i;
        }).ToList();

        Assert.Equal(10, ran);
        Assert.Equal(Enumerable.Range(0, 10), outcomes.Select(o => o.Index));
        Assert.Equal(new[] { 3, 7 }, outcomes.Where(o => !o.Succeeded).Select(o => o.Index));
        Assert.Equal("host 3 refused", Assert.IsType<InvalidOperationException>(outcomes[3].Error).Message);
        Assert.Equal("host 7 refused", outcomes[7].Error!.Message);
        Assert.All(outcomes.Where(o => o.Succeeded), o => Assert.Equal(o.Index, o.Result));
        Assert.Equal(7, outcomes[7].Item);
    }

    [Fact]
    public async Task Cancelling_starts_no_further_item_cancels_the_running_ones_and_waits_for_them()
    {
        using var cts = new CancellationTokenSource();
        int started = 0, ended = 0, sawCancel = 0;
        using var threeStarted = new CountdownEvent(3);
        var run = BoundedParallel.Run(Enumerable.Range(0, 20).ToList(), 3, (i, ct) =>
        {
            Interlocked.Increment(ref started);
            threeStarted.Signal();
            try
            {
                if (ct.WaitHandle.WaitOne(Guard)) Interlocked.Increment(ref sawCancel);
                ct.ThrowIfCancellationRequested();
                return i;
            }
            finally { Interlocked.Increment(ref ended); }
        }, cts.Token);

        var canceller = Task.Run(() =>
        {
            Assert.True(threeStarted.Wait(Guard));
            cts.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() => run.ToList());
        await canceller;
        Assert.Equal(3, Volatile.Read(ref started));
        Assert.Equal(3, Volatile.Read(ref ended));   // the running items ended before the enumeration did
        Assert.Equal(3, Volatile.Read(ref sawCancel));
    }

    [Fact]
    public void An_already_cancelled_token_runs_nothing()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        int ran = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
            BoundedParallel.Run(new[] { 1, 2, 3 }, 2, (i, _) => Interlocked.Increment(ref ran), cts.Token).ToList());
        Assert.Equal(0, ran);
    }

    [Fact]
    public void Leaving_the_enumeration_early_cancels_the_rest_and_waits_for_the_running_items()
    {
        int started = 0, ended = 0;
        foreach (var o in BoundedParallel.Run(Enumerable.Range(0, 10).ToList(), 2, (i, ct) =>
                 {
                     Interlocked.Increment(ref started);
                     try
                     {
                         if (i > 0) ct.WaitHandle.WaitOne(Guard);
                         return i;
                     }
                     finally { Interlocked.Increment(ref ended); }
                 }))
        {
            Assert.Equal(0, o.Index);
            break;
        }
        Assert.InRange(Volatile.Read(ref started), 1, 3);
        Assert.Equal(Volatile.Read(ref started), Volatile.Read(ref ended));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(BoundedParallel.MaxThrottleLimit + 1)]
    public void A_bad_throttle_limit_is_refused_at_once_naming_the_value(int limit)
    {
        int ran = 0;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BoundedParallel.Run(new[] { 1 }, limit, (i, _) => ran++));
        Assert.Equal("throttleLimit", e.ParamName);
        Assert.Equal(limit, e.ActualValue);
        Assert.Contains($"throttle limit {limit} ", e.Message);
        Assert.Equal(0, ran);
    }

    [Fact]
    public void No_items_no_threads_no_outcomes()
    {
        Assert.Empty(BoundedParallel.Run(Array.Empty<int>(), 4, (i, _) => i));
    }
}
