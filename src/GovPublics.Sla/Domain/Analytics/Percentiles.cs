namespace GovPublics.Sla.Domain.Analytics;

/// <summary>Order statistics of a sample.</summary>
public static class Percentiles
{
    /// <summary>
    /// The <paramref name="p"/>-quantile (0 to 1) by linear interpolation between closest ranks (Hyndman and Fan's
    /// type 7, the default of numpy, R and Excel's PERCENTILE.INC): with the values sorted ascending, position
    /// h = (n − 1)·p, result x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). Null for an empty sample.
    /// </summary>
    public static double? Of(IEnumerable<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(p is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The quantile must be between 0 and 1.");
        }

        var sorted = values.ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        Array.Sort(sorted);
        var h = (sorted.Length - 1) * p;
        var lower = (int)Math.Floor(h);
        return lower + 1 < sorted.Length
            ? sorted[lower] + ((h - lower) * (sorted[lower + 1] - sorted[lower]))
            : sorted[lower];
    }

    /// <summary>The median (the 0.5-quantile of <see cref="Of"/>: the mean of the two middle values of an even sample).</summary>
    public static double? Median(IEnumerable<double> values) => Of(values, 0.5);
}
