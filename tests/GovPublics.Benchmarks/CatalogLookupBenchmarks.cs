using BenchmarkDotNet.Attributes;

namespace GovPublics.Benchmarks;

/// <summary>
/// The registry's cached lookups as BenchmarkDotNet measures them. Each benchmark makes
/// <see cref="LookupWorkloads.KeysPerRun"/> lookups over prepared keys and declares them with OperationsPerInvoke,
/// so the reported mean is per lookup. Not sealed: BenchmarkDotNet derives from it.
/// </summary>
[MemoryDiagnoser]
public class CatalogLookupBenchmarks
{
    private const int Ops = LookupWorkloads.KeysPerRun;

    private LookupWorkloads _workloads = null!;

    [GlobalSetup]
    public void Setup() => _workloads = LookupWorkloads.Load();

    [Benchmark(OperationsPerInvoke = Ops)]
    public int FindPageHit() => _workloads.FindPageHit();

    [Benchmark(OperationsPerInvoke = Ops)]
    public int FindPageMiss() => _workloads.FindPageMiss();

    [Benchmark(OperationsPerInvoke = Ops)]
    public int ResolveMunicipalWalkUp() => _workloads.ResolveMunicipalWalkUp();

    [Benchmark(OperationsPerInvoke = Ops)]
    public int ResolveRegionalSubtopic() => _workloads.ResolveRegionalSubtopic();

    [Benchmark(OperationsPerInvoke = Ops)]
    public int ResolveRegionWide() => _workloads.ResolveRegionWide();

    [Benchmark(OperationsPerInvoke = Ops)]
    public int Mixed50x50() => _workloads.Mixed50x50();
}
