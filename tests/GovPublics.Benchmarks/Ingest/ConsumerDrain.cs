using System.Diagnostics;
using System.Runtime.InteropServices;
using StackExchange.Redis;

namespace GovPublics.Benchmarks.Ingest;

/// <summary>How fast one consumer group worked off a backlog it had not yet read: <c>Entries</c> it worked off in <c>Elapsed</c> (after its warm-up).</summary>
public sealed record DrainResult(
    string Name,
    long Entries,
    TimeSpan Elapsed,
    bool Drained,
    IReadOnlyDictionary<string, double> CoreShareByProcess,
    IReadOnlyList<(double Busy, double SoftIrq, double Steal)> Cores)
{
    public double EntriesPerSecond => Elapsed.TotalSeconds == 0 ? 0 : Entries / Elapsed.TotalSeconds;

    /// <summary>From the continue to the end, warm-up included.</summary>
    public TimeSpan Total { get; init; }

    /// <summary>CPU time of the suite's processes per entry, in microseconds.</summary>
    public double MicrosecondsPerEntry(Func<string, bool>? include = null) =>
        Entries == 0 ? double.NaN : CoreShareByProcess.Where(s => include?.Invoke(s.Key) ?? true).Sum(s => s.Value) * Elapsed.TotalSeconds * 1e6 / Entries;
}

/// <summary>
/// Measures a stream consumer's own rate: the consumer's processes are stopped (<c>SIGSTOP</c>) while the backlog
/// builds up, then continued; after a warm-up the clock runs until the group has read and acknowledged every entry
/// (its lag and its pending count are both 0, from <c>XINFO GROUPS</c>).
/// </summary>
public static class ConsumerDrain
{
    private const int SigCont = 18;
    private const int SigStop = 19;

    /// <summary>Stops the processes (a stopped process keeps its connections, and reads nothing until continued).</summary>
    public static void Pause(IEnumerable<SuiteProcess> processes)
    {
        foreach (var process in processes)
        {
            if (kill(process.Pid, SigStop) != 0)
            {
                throw new InvalidOperationException($"SIGSTOP to {process.Pid} failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }

    /// <summary>Continues stopped processes; harmless for running or gone ones.</summary>
    public static void Resume(IEnumerable<SuiteProcess> processes)
    {
        foreach (var process in processes)
        {
            _ = kill(process.Pid, SigCont);
        }
    }

    /// <summary>The group's unread entries (lag) plus its read but unacknowledged ones.</summary>
    public static async Task<(long Lag, long Pending)> BacklogAsync(IDatabase db, string stream, string group)
    {
        var info = (await db.StreamGroupInfoAsync(stream)).FirstOrDefault(g => g.Name == group);
        if (info.Name is null)
        {
            throw new InvalidOperationException($"Stream {stream} has no consumer group {group}.");
        }

        return (info.Lag ?? throw new InvalidOperationException($"Redis cannot tell the lag of {group} on {stream} (entries were deleted)."),
            info.PendingMessageCount);
    }

    /// <summary>
    /// Continues <paramref name="consumers"/> and waits (at most <paramref name="limit"/>) until the group has no
    /// backlog. As with the load workloads, the first <paramref name="warmUp"/> is not measured: a consumer that was
    /// stopped since it started has its hot path still unoptimized (tiered JIT), and is measured from then on.
    /// </summary>
    public static async Task<DrainResult> RunAsync(
        string name, IDatabase db, string stream, string group, IReadOnlyList<SuiteProcess> consumers,
        IReadOnlyList<SuiteProcess> suite, TimeSpan warmUp, TimeSpan limit, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        EnsureRunning(name, consumers);
        Resume(consumers);
        await Task.Delay(warmUp, cancellationToken);
        var (lag, pending) = await BacklogAsync(db, stream, group);
        var cpu = new CpuPinning.Window(suite);
        var clock = Stopwatch.StartNew();
        var left = lag + pending;
        while (total.Elapsed < limit && left > 0)
        {
            await Task.Delay(50, cancellationToken);
            var (l, p) = await BacklogAsync(db, stream, group);
            left = l + p;
            EnsureRunning(name, consumers);
        }

        var elapsed = clock.Elapsed;
        var cores = cpu.Cores();
        var shares = cpu.SharesByProcess(elapsed);
        return new DrainResult(name, lag + pending - left, elapsed, left == 0, shares, cores) { Total = total.Elapsed };
    }

    /// <summary>A consumer that exited would leave its backlog forever: say so at once instead of waiting out the limit.</summary>
    private static void EnsureRunning(string name, IReadOnlyList<SuiteProcess> consumers)
    {
        if (!consumers.Any(c => Directory.Exists($"/proc/{c.Pid}")))
        {
            throw new ConsumerGoneException(
                $"the {name} process ({string.Join(", ", consumers.Select(c => c.Pid))}) is gone: it exited before or during its drain; see the app host's logs");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}

/// <summary>A consumer process the drain was to measure has exited.</summary>
public sealed class ConsumerGoneException(string message) : Exception(message);
