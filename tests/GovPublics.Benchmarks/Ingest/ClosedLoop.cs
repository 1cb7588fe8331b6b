using System.Collections.Concurrent;
using System.Diagnostics;

namespace GovPublics.Benchmarks.Ingest;

/// <summary>What one operation did: how many units it completed (a call, or the messages of a batch), or why it failed.</summary>
public readonly record struct Outcome(long Units, string? Error)
{
    public static Outcome Ok(long units) => new(units, null);

    public static Outcome Failed(string error) => new(0, error);
}

/// <summary>The figures of one workload's measured window.</summary>
public sealed record LoadResult(
    string Name,
    string Unit,
    int Concurrency,
    long Units,
    long Operations,
    TimeSpan Window,
    long Errors,
    long ErrorsInWindow,
    IReadOnlyList<string> SampleErrors,
    IReadOnlyDictionary<string, double> CoreShareByProcess,
    double ClientCoreShare,
    IReadOnlyList<(double Busy, double SoftIrq, double Steal)> Cores)
{
    public double UnitsPerSecond => Units / Window.TotalSeconds;

    /// <summary>CPU time of the suite's processes per unit, in microseconds.</summary>
    public double SuiteMicrosecondsPerUnit(Func<string, bool>? include = null) =>
        Units == 0 ? double.NaN : CoreShareByProcess.Where(s => include?.Invoke(s.Key) ?? true).Sum(s => s.Value) * Window.TotalSeconds * 1e6 / Units;
}

/// <summary>
/// A closed loop: <c>concurrency</c> workers each start their next operation as soon as the previous one ends.
/// Counters are read when the warm-up ends and when the measured window ends; workers then stop starting new
/// operations. Every operation carries its own deadline, and the whole run is bounded by <c>cancellationToken</c>.
/// Errors are counted over the whole run (warm-up included), never added to the rate. <c>windowStarts</c> runs when
/// the warm-up ends (to reset server-side statistics).
/// </summary>
public static class ClosedLoop
{
    private const int MaxSampleErrors = 5;

    public static async Task<LoadResult> RunAsync(
        string name,
        string unit,
        int concurrency,
        TimeSpan warmUp,
        TimeSpan window,
        IReadOnlyList<SuiteProcess> suite,
        Func<int, long, CancellationToken, Task<Outcome>> operation,
        CancellationToken cancellationToken,
        Func<Task>? windowStarts = null)
    {
        long units = 0, operations = 0, errors = 0;
        var samples = new ConcurrentQueue<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        async Task Worker(int worker)
        {
            long sequence = 0;
            while (!stop.IsCancellationRequested)
            {
                Outcome outcome;
                try
                {
                    // The loop's own token only ends the run early; a stop at the end of the window lets the
                    // operation in flight finish (each has its own deadline).
                    outcome = await operation(worker, sequence++, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    outcome = Outcome.Failed($"{ex.GetType().Name}: {ex.Message}");
                }

                if (outcome.Error is { } error)
                {
                    Interlocked.Increment(ref errors);
                    if (samples.Count < MaxSampleErrors)
                    {
                        samples.Enqueue(error.Length > 300 ? error[..300] : error);
                    }
                }
                else
                {
                    Interlocked.Add(ref units, outcome.Units);
                    Interlocked.Increment(ref operations);
                }
            }
        }

        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(() => Worker(w), CancellationToken.None)).ToArray();

        await Task.Delay(warmUp, cancellationToken);
        if (windowStarts is not null)
        {
            await windowStarts();
        }

        var startUnits = Interlocked.Read(ref units);
        var startOperations = Interlocked.Read(ref operations);
        var startErrors = Interlocked.Read(ref errors);
        var cpu = new CpuPinning.Window(suite);
        var startClientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();

        await Task.Delay(window, cancellationToken);
        var endUnits = Interlocked.Read(ref units);
        var endOperations = Interlocked.Read(ref operations);
        var endErrors = Interlocked.Read(ref errors);
        var elapsed = clock.Elapsed;
        var endClientCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var cores = cpu.Cores();
        var shares = cpu.SharesByProcess(elapsed);

        await stop.CancelAsync();
        // Every operation has a deadline, so this ends; the bound is a guard against a hung client.
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);

        return new LoadResult(
            name, unit, concurrency,
            endUnits - startUnits, endOperations - startOperations, elapsed,
            Interlocked.Read(ref errors), endErrors - startErrors, samples.ToArray(), shares,
            (endClientCpu - startClientCpu).TotalSeconds / elapsed.TotalSeconds, cores);
    }
}
