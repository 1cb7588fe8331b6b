using System.Globalization;
using GovPublics.Sla.Domain.Clock;

namespace GovPublics.Sla.Domain.Analytics;

/// <summary>A territory × topic cell of the incident counts.</summary>
public readonly record struct TensionCell(string TerritoryId, string Category)
{
    private const char Separator = '|';

    /// <summary>The cell as one string (a field of the per-day hash): <c>territory|category</c>.</summary>
    public string Key => TerritoryId + Separator + Category;

    public static TensionCell Parse(string key)
    {
        var at = key.IndexOf(Separator, StringComparison.Ordinal);
        return at <= 0 || at == key.Length - 1
            ? throw new FormatException($"'{key}' is not a tension cell (territory|category).")
            : new TensionCell(key[..at], key[(at + 1)..]);
    }
}

/// <summary>
/// When a cell's count counts as a rise (<c>Policies/tension.json</c>): at least <see cref="MinCount"/> incidents in
/// the window, at least <see cref="MinRatio"/> times the expected count, and at least <see cref="MinScore"/> Poisson
/// standard deviations above it. The expected count is floored at <see cref="RateFloorPerWeek"/> a week, so a
/// place with no history does not divide by zero and a single message in a quiet village is no spike.
/// </summary>
public sealed record TensionPolicy(int BaselineWeeks, int MinCount, double MinRatio, double MinScore, double RateFloorPerWeek)
{
    /// <summary>Throws <see cref="ArgumentException"/> unless the thresholds make sense.</summary>
    public void Validate()
    {
        if (BaselineWeeks is < 1 or > 12 || MinCount < 1 || !(MinRatio >= 1) || !double.IsFinite(MinRatio)
            || !double.IsFinite(MinScore) || MinScore < 0 || !(RateFloorPerWeek > 0) || !double.IsFinite(RateFloorPerWeek))
        {
            throw new ArgumentException(
                "Tension policy: baseline_weeks must be 1 to 12, min_count at least 1, min_ratio at least 1, min_score non-negative and rate_floor_per_week positive.");
        }
    }

    /// <summary>The method in one line, reported with the points.</summary>
    public string Describe(int windowDays, int baselineWeeks) => string.Create(CultureInfo.InvariantCulture,
        $"window {windowDays} d against the {baselineWeeks} weeks before it; expected = median weekly count / 7 x {windowDays} d, floored at {RateFloorPerWeek:0.###}/week; rising when count >= {MinCount}, ratio >= {MinRatio:0.###} and score = (count - expected) / sqrt(expected) >= {MinScore:0.###}");

    public static TensionPolicy LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    public static TensionPolicy Load(Stream json, string origin = "tension policy")
    {
        var d = PolicyJson.Read<Document>(json, origin);
        var policy = new TensionPolicy(d.BaselineWeeks, d.MinCount, d.MinRatio, d.MinScore, d.RateFloorPerWeek);
        try
        {
            policy.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{origin}: {ex.Message}", ex);
        }

        return policy;
    }

    private sealed class Document
    {
        public required int BaselineWeeks { get; init; }

        public required int MinCount { get; init; }

        public required double MinRatio { get; init; }

        public required double MinScore { get; init; }

        public required double RateFloorPerWeek { get; init; }
    }
}

/// <summary>A cell's count in the window against its usual level (meanings: analytics.proto, TensionPoint).</summary>
public sealed record TensionPoint(
    TensionCell Cell,
    long CurrentCount,
    IReadOnlyList<long> BaselineWeeklyCounts,
    double Expected,
    double Ratio,
    double Score,
    bool Rising);

/// <summary>
/// Finds the cells whose incident count in a window of days rises above their usual level. The usual level is
/// robust: the median of the weekly counts of the baseline weeks (one stormy week among four barely moves it),
/// divided by 7 for a daily rate and multiplied by the window's length. The rise is judged against a Poisson
/// count with that mean (floored): count, ratio and the standardized excess must all pass the policy.
/// </summary>
public static class TensionDetector
{
    /// <param name="window">Counts per cell for each day of the window.</param>
    /// <param name="baseline">Counts per cell for each baseline day, oldest first; a multiple of 7 days.</param>
    /// <param name="policy">The thresholds of a rise.</param>
    /// <param name="includeAll">false: only rising cells; true: every cell with a count in the window.</param>
    public static IReadOnlyList<TensionPoint> Evaluate(
        IReadOnlyList<IReadOnlyDictionary<TensionCell, long>> window,
        IReadOnlyList<IReadOnlyDictionary<TensionCell, long>> baseline,
        TensionPolicy policy,
        bool includeAll)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(policy);
        if (window.Count == 0 || baseline.Count == 0 || baseline.Count % 7 != 0)
        {
            throw new ArgumentException("The window needs at least one day and the baseline whole weeks.");
        }

        var current = new Dictionary<TensionCell, long>();
        foreach (var (cell, count) in window.SelectMany(d => d))
        {
            current[cell] = current.GetValueOrDefault(cell) + count;
        }

        var weeks = baseline.Count / 7;
        var floor = policy.RateFloorPerWeek / 7 * window.Count;
        var points = new List<TensionPoint>();
        foreach (var (cell, count) in current)
        {
            if (count <= 0)
            {
                continue;
            }

            var weekly = new long[weeks];
            for (var day = 0; day < baseline.Count; day++)
            {
                weekly[day / 7] += baseline[day].GetValueOrDefault(cell);
            }

            var expected = Percentiles.Median(weekly.Select(w => (double)w))!.Value / 7 * window.Count;
            var lambda = Math.Max(expected, floor);
            var ratio = count / lambda;
            var score = (count - lambda) / Math.Sqrt(lambda);
            var rising = count >= policy.MinCount && ratio >= policy.MinRatio && score >= policy.MinScore;
            if (rising || includeAll)
            {
                points.Add(new TensionPoint(cell, count, weekly, expected, ratio, score, rising));
            }
        }

        return [.. points
            .OrderByDescending(p => p.Score)
            .ThenByDescending(p => p.CurrentCount)
            .ThenBy(p => p.Cell.TerritoryId, StringComparer.Ordinal)
            .ThenBy(p => p.Cell.Category, StringComparer.Ordinal)];
    }
}
