using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;

namespace LvsPS.Bench.Compare;

/// <summary>
/// Compares the per-packet path of two builds on a busy machine, where out-of-process BenchmarkDotNet runs of the same
/// build differ by 2x. Each build's LvsPS.Bench.dll (with its lvsd.dll) is loaded into its own AssemblyLoadContext,
/// PacketPathBenchmarks.Setup runs in each, then the builds' benchmark methods are called in alternating batches; the
/// fastest batch and the median per build are printed (other processes only ever make a batch slower).
/// NewConnectionBenchmarks' SynIntoNewTable and SynSteadyState run the same way, their IterationSetup (untimed) before
/// each batch of 50,000 new connections.
/// Usage: dotnet run -c Release --project bench/LvsPS.Bench.Compare -- BEFORE/out/bench/LvsPS.Bench.dll
///        AFTER/out/bench/LvsPS.Bench.dll [benchmark ...]
/// </summary>
public static class Program
{
    private sealed class BuildContext(string mainAssembly) : AssemblyLoadContext(mainAssembly, isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(mainAssembly);

        protected override Assembly Load(AssemblyName name) =>
            _resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>
    /// The benchmark methods of NewConnectionBenchmarks and their IterationSetup, run before each batch (a fresh engine,
    /// or the last batch's entries expired); the batch is the method's InvocationCount.
    /// </summary>
    private static readonly Dictionary<string, string> NewConnectionSetups = new()
    {
        ["SynIntoNewTable"] = "Fresh",
        ["SynSteadyState"] = "Expire",
    };

    private static (Action Run, Action? BeforeBatch, int? InvocationCount) Prepare(string benchDll, string method)
    {
        var asm = new BuildContext(benchDll).LoadFromAssemblyPath(benchDll);
        bool perBatch = NewConnectionSetups.TryGetValue(method, out var batchSetup);
        var type = asm.GetType(perBatch ? "LvsPS.Bench.NewConnectionBenchmarks" : "LvsPS.Bench.PacketPathBenchmarks", throwOnError: true)!;
        var bench = Activator.CreateInstance(type);
        type.GetMethod("Setup")!.Invoke(bench, null); // PacketPathBenchmarks: also checks that the frame really is forwarded
        var benchmark = type.GetMethod(method)!;
        var run = (Action)Delegate.CreateDelegate(typeof(Action), bench, benchmark);
        // [InvocationCount(n)], read by name: the attribute's type lives in the build's own load context.
        var invocations = benchmark.GetCustomAttributesData()
            .FirstOrDefault(a => a.AttributeType.Name == "InvocationCountAttribute")?.ConstructorArguments[0].Value as int?;
        return (run, perBatch ? (Action)Delegate.CreateDelegate(typeof(Action), bench, type.GetMethod(batchSetup!)!) : null, invocations);
    }

    private static double Batch(Action a, int n)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++) a();
        return (Stopwatch.GetTimestamp() - t0) * 1e9 / Stopwatch.Frequency / n;
    }

    public static int Main(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: LvsPS.Bench.Compare BEFORE/LvsPS.Bench.dll AFTER/LvsPS.Bench.dll [benchmark ...]");
            return 2;
        }
        string[] builds = { Path.GetFullPath(args[0]), Path.GetFullPath(args[1]) };
        string[] labels = { "before", "after" };
        var methods = args.Length > 2 ? args[2..] : new[] { "EstablishedSegment", "ArpRequestForVip", "NewConnectionSynAckRst" };
        foreach (var method in methods)
        {
            var actions = builds.Select(b => Prepare(b, method)).ToArray();
            bool perBatch = actions[0].BeforeBatch is not null;
            // A benchmark with an IterationSetup runs its InvocationCount a batch (NewConnectionBenchmarks: its table filled).
            int n = actions[0].InvocationCount ?? (method == "NewConnectionSynAckRst" ? 2_000 : 20_000);
            int rounds = perBatch ? 60 : 400;
            var warm = Stopwatch.StartNew(); // tier-up and PGO before measuring
            while (warm.ElapsedMilliseconds < 3000) foreach (var a in actions) { a.BeforeBatch?.Invoke(); Batch(a.Run, n); }
            var samples = actions.Select(_ => new List<double>(rounds)).ToArray();
            var allocated = new long[actions.Length];
            for (int r = 0; r < rounds; r++)
                for (int k = 0; k < actions.Length; k++)
                {
                    // alternate which build goes first, so neither always follows the other
                    int i = (r & 1) == 0 ? k : actions.Length - 1 - k;
                    actions[i].BeforeBatch?.Invoke(); // not timed, as BenchmarkDotNet's IterationSetup
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    samples[i].Add(Batch(actions[i].Run, n));
                    allocated[i] += GC.GetAllocatedBytesForCurrentThread() - before;
                }
            for (int k = 0; k < actions.Length; k++)
            {
                var s = samples[k].Order().ToArray();
                Console.WriteLine($"{method,-24} {labels[k],-6} fastest {s[0],7:F1} ns  median {s[s.Length / 2],7:F1} ns  " +
                    $"allocated {allocated[k] / ((double)rounds * n):F1} B/op");
            }
        }
        return 0;
    }
}
