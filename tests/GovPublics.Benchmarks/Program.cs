using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using GovPublics.Benchmarks;
using GovPublics.Benchmarks.Classify;
using GovPublics.Benchmarks.Ingest;

// Speed targets are checked here, by numbers printed, never by timed unit tests. See docs/benchmarks.md.
//   lookups [BenchmarkDotNet args]  the full BenchmarkDotNet run of CatalogLookupBenchmarks
//   quick                           a plain Stopwatch loop, one thread, about 2 s per workload (best of 4 rounds)
//   ingest [--warmup=3 --duration=10 --batches=4 --ratio-rounds=3 --cores=split|shared --consumers=paused|running]
//                                   the real suite from the app host: Ingest vs a no-op call, IngestBatch and the
//                                   VK webhook through the gateway (the suite on core 1 and the load on core 0, or
//                                   both on both); then the routing and SLA consumers' own rates on the backlog
//   classify [--rounds=5 --round-ms=1000]
//                                   the routing classifier in process over the labelled corpus, one thread
const double Target = 1_000_000;

switch (args.FirstOrDefault())
{
    case "lookups":
        return RunBenchmarkDotNet(args[1..]);
    case "quick":
        return RunQuick();
    case "ingest":
        return await IngestBenchmark.RunAsync(args[1..]);
    case "classify":
        return ClassifyBenchmark.Run(args[1..]);
    default:
        Console.Error.WriteLine("usage: dotnet run -c Release --project tests/GovPublics.Benchmarks -- lookups|quick|ingest|classify");
        return 2;
}

static int RunBenchmarkDotNet(string[] benchmarkArgs)
{
    var config = DefaultConfig.Instance
        .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
    var summary = BenchmarkRunner.Run<CatalogLookupBenchmarks>(config, benchmarkArgs);

    Console.WriteLine();
    var below = 0;
    foreach (var report in summary.Reports)
    {
        var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
        if (report.ResultStatistics is not { } statistics)
        {
            Console.WriteLine($"{name}: no result (the benchmark failed)");
            below++;
            continue;
        }

        var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
        below += PrintLine(name, statistics.Mean, allocated);
    }

    return Verdict(summary.Reports.Length, below);
}

static int RunQuick()
{
    var workloads = LookupWorkloads.Load();
    var load = File.Exists("/proc/loadavg") ? $", load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}" : "";
    Console.WriteLine($"quick: Stopwatch loop on one thread, {Environment.ProcessorCount} usable core(s){load}");

    // Warm every workload before measuring any: they share FindPage and ResolveResponsible, which must reach
    // tier-1 code first (a short warm-up left the first workload measured on unoptimised code).
    foreach (var (_, run) in workloads.All)
    {
        Measure(run, TimeSpan.FromMilliseconds(500));
    }

    // About 2 s per workload: four rounds of 0.5 s, the fastest reported (the round least disturbed by other
    // processes on the core), with the allocations of all rounds.
    var below = 0;
    foreach (var (name, run) in workloads.All)
    {
        var best = double.MaxValue;
        var bytes = 0.0;
        for (var round = 0; round < 4; round++)
        {
            var (nanoseconds, allocated) = Measure(run, TimeSpan.FromMilliseconds(500));
            best = Math.Min(best, nanoseconds);
            bytes = Math.Max(bytes, allocated);
        }

        below += PrintLine(name, best, (long)Math.Round(bytes));
    }

    return Verdict(workloads.All.Count, below);
}

static (double NanosecondsPerLookup, double BytesPerLookup) Measure(Func<int> run, TimeSpan duration)
{
    var sink = 0;
    long runs = 0;
    var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    var stopwatch = Stopwatch.StartNew();
    while (stopwatch.Elapsed < duration)
    {
        for (var i = 0; i < 64; i++)
        {
            sink += run();
        }

        runs += 64;
    }

    stopwatch.Stop();
    var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
    GC.KeepAlive(sink);
    var lookups = (double)runs * LookupWorkloads.KeysPerRun;
    return (stopwatch.Elapsed.TotalNanoseconds / lookups, allocated / lookups);
}

static int PrintLine(string name, double nanosecondsPerLookup, long? bytesPerLookup)
{
    var perSecond = 1e9 / nanosecondsPerLookup;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}: {perSecond:N0} lookups/s per core (target ≥ 1,000,000)"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"    {nanosecondsPerLookup:F1} ns/lookup, {(bytesPerLookup is { } b ? $"{b} B" : "n/a")} allocated/lookup"));
    return perSecond >= Target ? 0 : 1;
}

static int Verdict(int workloads, int below)
{
    Console.WriteLine(below == 0
        ? $"All {workloads} workloads meet the target of 1,000,000 lookups/s per core."
        : $"{below} of {workloads} workloads are BELOW the target of 1,000,000 lookups/s per core.");
    return below == 0 ? 0 : 1;
}
