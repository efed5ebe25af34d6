// lvsd's long fuzz run: `dotnet out/fuzz/LvsPS.Fuzz.dll [frames] [seed]` (default 1,000,000 frames, seed 1) feeds
// fuzzed frames into fresh directors (a new one every 5,000 frames, after all its entries expired) and checks every
// frame as the CI suite does (FrameFuzz.cs). Prints the counts and the time; exit code 1 and the frame at the first
// broken rule. The heap after the last director is compared with that after the first (no growth).
// `... inject ...` sends the same frames onto a lab segment instead (Injector.cs).
using System.Diagnostics;
using System.Globalization;
using LvsPS.Engine.Tests.Fuzz;

if (args.Length > 0 && args[0] == "inject") return Injector.Run(args);

long frames = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
int seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
const int Chunk = 100_000;

var run = new FuzzRun { FramesPerDirector = 5_000 };
var watch = Stopwatch.StartNew();
long firstHeap = -1, lastHeap = 0;
try
{
    for (long done = 0; done < frames; done += Chunk)
    {
        run.Run(seed + (int)(done / Chunk), Math.Min(Chunk, frames - done));
        lastHeap = GC.GetTotalMemory(true);
        if (firstHeap < 0) firstHeap = lastHeap;
        Console.WriteLine(FormattableString.Invariant(
            $"{run.Frames,10:N0} frames  {run.Forwarded,9:N0} forwarded  {run.Sent,9:N0} sent  {run.Directors,5} directors  heap {lastHeap / 1024,6:N0} KB  {watch.Elapsed.TotalSeconds,6:F1} s"));
    }
}
catch (FuzzFailure e)
{
    Console.Error.WriteLine($"FAILED after {run.Frames:N0} frames (seed {seed}): {e.Message}");
    if (e.InnerException is not null) Console.Error.WriteLine(e.InnerException);
    return 1;
}
double s = watch.Elapsed.TotalSeconds;
Console.WriteLine(FormattableString.Invariant(
    $"OK: {run.Frames:N0} frames ({run.Forwarded:N0} forwarded, {run.Sent:N0} sent) into {run.Directors} directors in {s:F1} s ({run.Frames / s:N0} frames/s); heap {firstHeap / 1024:N0} KB after the first 100,000, {lastHeap / 1024:N0} KB at the end"));
return lastHeap - firstHeap > 1024 * 1024 ? 2 : 0;
