using System.Globalization;
using System.Runtime.InteropServices;

namespace GovPublics.Benchmarks.Ingest;

/// <summary>One process of the suite as found in <c>/proc</c>.</summary>
public sealed record SuiteProcess(int Pid, string Name, string CommandLine);

/// <summary>
/// Puts the suite and the load generator on different cores (Linux). <c>Process.ProcessorAffinity</c> calls
/// <c>sched_setaffinity(pid)</c>, which on Linux moves only the thread whose id is the pid; an already running .NET
/// or Go process keeps its other threads where they were. So every thread (<c>/proc/&lt;pid&gt;/task/*</c>) is
/// moved; threads created later inherit the mask of the thread that creates them.
/// </summary>
public static class CpuPinning
{
    /// <summary>
    /// The processes of the suite: every process below the app host's (this one), and DCP, which Aspire starts
    /// detached (<c>dcp start-apiserver --monitor &lt;app host pid&gt;</c>, re-parented to init) with everything
    /// below it: its controllers, redis-server, the <c>dotnet run</c> launchers, the five services.
    /// </summary>
    public static IReadOnlyList<SuiteProcess> SuiteProcesses(int appHostPid)
    {
        var parents = new Dictionary<int, int>();
        var commandLines = new Dictionary<int, string[]>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ReadParent(pid) is { } parent)
            {
                parents[pid] = parent;
                commandLines[pid] = ReadText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
        }

        var monitor = appHostPid.ToString(CultureInfo.InvariantCulture);
        var found = new List<int>();
        foreach (var (pid, args) in commandLines)
        {
            for (var i = 0; i + 1 < args.Length; i++)
            {
                if (args[i] == "--monitor" && args[i + 1] == monitor)
                {
                    found.Add(pid);
                    break;
                }
            }
        }

        var frontier = new Queue<int>(found.Append(appHostPid));
        while (frontier.Count > 0)
        {
            var current = frontier.Dequeue();
            foreach (var (pid, parent) in parents)
            {
                if (parent == current && !found.Contains(pid))
                {
                    found.Add(pid);
                    frontier.Enqueue(pid);
                }
            }
        }

        return found
            .Where(pid => pid != appHostPid)
            .Order()
            .Select(pid => new SuiteProcess(pid, ReadText($"/proc/{pid}/comm"), string.Join(' ', commandLines[pid])))
            .ToArray();
    }

    /// <summary>
    /// Sets the CPU mask of every thread of the process; twice over, for threads started while the first pass ran.
    /// Returns the threads moved and the threads that could not be moved (exited, or the mask is not allowed).
    /// </summary>
    public static (int Moved, int Failed) Pin(int pid, ulong mask)
    {
        int moved = 0, failed = 0;
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var tid in Threads(pid))
            {
                if (CurrentMask(tid) == mask)
                {
                    continue;
                }

                var value = mask;
                if (SchedSetAffinity(tid, sizeof(ulong), ref value) == 0)
                {
                    moved++;
                }
                else if (pass == 1)
                {
                    failed++;
                }
            }
        }

        return (moved, failed);
    }

    /// <summary>The threads of the process whose mask is not <paramref name="mask"/>, and all its threads.</summary>
    public static (int Off, int Total) Check(int pid, ulong mask)
    {
        int off = 0, total = 0;
        foreach (var tid in Threads(pid))
        {
            total++;
            if (CurrentMask(tid) is { } current && current != mask)
            {
                off++;
            }
        }

        return (off, total);
    }

    /// <summary>CPU time (user + system) of the process, all threads; zero when it is gone.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = ReadText($"/proc/{pid}/stat");
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return TimeSpan.Zero;
        }

        // After "pid (comm) ": state ppid ... utime is field 14 and stime field 15 of the whole line.
        var fields = stat[(close + 2)..].Split(' ');
        if (fields.Length < 13)
        {
            return TimeSpan.Zero;
        }

        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    /// <summary>
    /// Per core from <c>/proc/stat</c>: busy ticks (user, nice, system, irq, softirq), softirq ticks (loopback
    /// network work is done there and charged to no process), steal ticks, all ticks.
    /// </summary>
    public static (long Busy, long SoftIrq, long Steal, long Total)[] CoreTicks()
    {
        var cores = new List<(long, long, long, long)>();
        foreach (var line in File.ReadLines("/proc/stat"))
        {
            if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.Length < 4 || !char.IsAsciiDigit(line[3]))
            {
                continue;
            }

            var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            cores.Add((v[0] + v[1] + v[2] + v[5] + v[6], v[6], v[7], v.Sum()));
        }

        return cores.ToArray();
    }

    /// <summary>A CPU window: the suite's CPU time per process and the cores' ticks at its start.</summary>
    public sealed class Window(IReadOnlyList<SuiteProcess> suite)
    {
        private readonly Dictionary<int, TimeSpan> _startCpu = suite.ToDictionary(p => p.Pid, p => CpuTime(p.Pid));
        private readonly (long Busy, long SoftIrq, long Steal, long Total)[] _startCores = CoreTicks();

        /// <summary>Each core's busy, softirq and steal share since the start.</summary>
        public (double Busy, double SoftIrq, double Steal)[] Cores() => CoreTicks().Zip(_startCores, (e, b) => e.Total == b.Total
            ? (0.0, 0.0, 0.0)
            : ((double)(e.Busy - b.Busy) / (e.Total - b.Total), (double)(e.SoftIrq - b.SoftIrq) / (e.Total - b.Total), (double)(e.Steal - b.Steal) / (e.Total - b.Total))).ToArray();

        /// <summary>Each process name's CPU since the start, as a share of one core over <paramref name="elapsed"/>.</summary>
        public Dictionary<string, double> SharesByProcess(TimeSpan elapsed) => suite
            .GroupBy(p => p.Name)
            .ToDictionary(g => g.Key, g => g.Sum(p => (CpuTime(p.Pid) - _startCpu[p.Pid]).TotalSeconds) / elapsed.TotalSeconds);
    }

    private static IEnumerable<int> Threads(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            yield break;
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var task in tasks)
        {
            if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
            {
                yield return tid;
            }
        }
    }

    private static ulong? CurrentMask(int tid)
    {
        ulong mask = 0;
        return SchedGetAffinity(tid, sizeof(ulong), ref mask) == 0 ? mask : null;
    }

    private static int? ReadParent(int pid)
    {
        var stat = ReadText($"/proc/{pid}/stat");
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ', 3);
        return fields.Length >= 2 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : null;
    }

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    [DllImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static extern int SchedSetAffinity(int tid, nint cpuSetSize, ref ulong mask);

    [DllImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static extern int SchedGetAffinity(int tid, nint cpuSetSize, ref ulong mask);
}
