using GovPublics.Sla.Domain.Analytics;

namespace GovPublics.UnitTests.Sla.Analytics;

public sealed class PercentilesTests
{
    [Fact]
    public void Quantiles_interpolate_between_closest_ranks()
    {
        double[] values = [4, 1, 3, 2];

        Assert.Equal(2.5, Percentiles.Median(values));
        // h = 3 · 0.9 = 2.7: 3 + 0.7 · (4 − 3).
        Assert.Equal(3.7, Percentiles.Of(values, 0.9)!.Value, 12);
        Assert.Equal(1, Percentiles.Of(values, 0));
        Assert.Equal(4, Percentiles.Of(values, 1));
    }

    [Fact]
    public void An_odd_sample_has_its_middle_value_as_median_and_an_empty_one_none()
    {
        Assert.Equal(7, Percentiles.Median([9, 7, 1]));
        Assert.Equal(5, Percentiles.Of([5], 0.9));
        Assert.Null(Percentiles.Median([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1], 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1], double.NaN));
    }
}
