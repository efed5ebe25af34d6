namespace LvsPS.Ipvs.Tests;

/// <summary>The shared allocation probe the 0-bytes tests rely on: it must see an allocation in every window.</summary>
public class AllocationsHelperTests
{
    private static object? _kept;

    [Fact]
    public void AnAllocationInEveryWindow_IsReported_AndEveryWindowIsTried()
    {
        int ran = 0;
        long least = Allocations.Least(_ => { _kept = new byte[1000]; ran++; }, out int windows, attempts: 3);
        Assert.InRange(least, 1000, 1100);
        Assert.Equal(3, windows);
        Assert.Equal(3, ran);
        Assert.NotNull(_kept);
    }

    [Fact]
    public void AWindowThatAllocatesOnlyOnce_IsTheLeast_AndStopsTheProbe()
    {
        var prepared = new List<int>();
        var ran = new List<int>(4); // room enough: adding to it allocates nothing after the first window
        long least = Allocations.Least(a => { if (a == 0) _kept = new byte[4000]; ran.Add(a); }, attempts: 5,
            prepare: a => prepared.Add(a));
        Assert.Equal(0, least);
        Assert.Equal(new[] { 0, 1 }, prepared);
        Assert.Equal(new[] { 0, 1 }, ran);
    }

    [Fact]
    public void NoAttempt_IsRefused() =>
        Assert.Equal("attempts", Assert.Throws<ArgumentOutOfRangeException>(() => Allocations.Least(_ => { }, 0)).ParamName);
}
