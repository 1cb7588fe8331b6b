using GovPublics.Sla.Domain.Analytics;
using static GovPublics.UnitTests.Sla.SlaTestData;

namespace GovPublics.UnitTests.Sla.Analytics;

/// <summary>Points of tension on synthetic day counts, with the shipped Policies/tension.json (3, ×2, 3σ, floor 1/week).</summary>
public sealed class TensionDetectorTests
{
    private static readonly TensionPolicy _policy = TensionPolicy.LoadFile(Path.Combine(PoliciesDirectory, "tension.json"));
    private static readonly TensionCell _roads = new("tolyatti", "roads");
    private static readonly TensionCell _samaraRoads = new("samara", "roads");
    private static readonly TensionCell _villageWaste = new("isaklinsky", "waste");

    /// <summary>Day counts: each day's dictionary from per-cell sequences of equal length.</summary>
    private static List<IReadOnlyDictionary<TensionCell, long>> Days(params (TensionCell Cell, long[] PerDay)[] series)
    {
        var days = series.Max(s => s.PerDay.Length);
        return [.. Enumerable.Range(0, days).Select(d => (IReadOnlyDictionary<TensionCell, long>)series
            .Where(s => s.PerDay[d] > 0).ToDictionary(s => s.Cell, s => s.PerDay[d]))];
    }

    /// <summary>A week of <paramref name="total"/> incidents spread over its days.</summary>
    private static long[] Week(long total) => [.. Enumerable.Range(0, 7).Select(d => (total / 7) + (d < total % 7 ? 1 : 0))];

    [Fact]
    public void A_spike_today_rises_above_a_median_that_one_stormy_week_does_not_move()
    {
        // Weekly 14, 21, 7 and a storm of 70: the median is 17.5 a week, 2.5 a day (the mean would be 4).
        var baseline = Days((_roads, [.. Week(14), .. Week(21), .. Week(7), .. Week(70)]));
        var today = Days((_roads, [9]));

        var point = Assert.Single(TensionDetector.Evaluate(today, baseline, _policy, includeAll: false));

        Assert.Equal(_roads, point.Cell);
        Assert.Equal(9, point.CurrentCount);
        Assert.Equal([14, 21, 7, 70], point.BaselineWeeklyCounts);
        Assert.Equal(2.5, point.Expected, 12);
        Assert.Equal(3.6, point.Ratio, 12);
        Assert.Equal(6.5 / Math.Sqrt(2.5), point.Score, 12);
        Assert.True(point.Rising);
    }

    [Fact]
    public void One_message_in_a_quiet_village_is_no_spike_but_three_in_a_day_are()
    {
        var baseline = Days((_villageWaste, new long[28]));
        var floor = 1.0 / 7;

        Assert.Empty(TensionDetector.Evaluate(Days((_villageWaste, [1])), baseline, _policy, includeAll: false));
        var one = Assert.Single(TensionDetector.Evaluate(Days((_villageWaste, [1])), baseline, _policy, includeAll: true));
        Assert.False(one.Rising);
        Assert.Equal(0, one.Expected);
        Assert.Equal(7, one.Ratio, 12);
        Assert.Equal((1 - floor) / Math.Sqrt(floor), one.Score, 12);

        var three = Assert.Single(TensionDetector.Evaluate(Days((_villageWaste, [3])), baseline, _policy, includeAll: false));
        Assert.Equal(21, three.Ratio, 12);
        Assert.Equal((3 - floor) / Math.Sqrt(floor), three.Score, 12);
    }

    [Fact]
    public void A_busy_city_needs_twice_its_usual_level()
    {
        // Weekly 70, 84, 77, 91: median 80.5, 11.5 a day.
        var baseline = Days((_samaraRoads, [.. Week(70), .. Week(84), .. Week(77), .. Week(91)]));

        var usual = Assert.Single(TensionDetector.Evaluate(Days((_samaraRoads, [20])), baseline, _policy, includeAll: true));
        Assert.Equal(11.5, usual.Expected, 12);
        Assert.False(usual.Rising);

        var spike = Assert.Single(TensionDetector.Evaluate(Days((_samaraRoads, [25])), baseline, _policy, includeAll: false));
        Assert.Equal(25 / 11.5, spike.Ratio, 12);
        Assert.Equal(13.5 / Math.Sqrt(11.5), spike.Score, 12);
    }

    [Fact]
    public void A_longer_window_expects_proportionally_more_and_points_come_strongest_first()
    {
        // Two weeks of baseline, one a week in Tolyatti; a 3-day window with 4 there and 30 in Samara (usual 14/day).
        var baseline = Days((_roads, [.. Week(1), .. Week(1)]), (_samaraRoads, [.. Week(98), .. Week(98)]));
        var window = Days((_roads, [1, 2, 1]), (_samaraRoads, [10, 10, 10]));

        var points = TensionDetector.Evaluate(window, baseline, _policy, includeAll: true);

        Assert.Equal([_roads, _samaraRoads], points.Select(p => p.Cell));
        Assert.Equal(3.0 / 7, points[0].Expected, 12);
        Assert.Equal(4 / (3.0 / 7), points[0].Ratio, 12);
        Assert.True(points[0].Rising);
        Assert.Equal(42, points[1].Expected, 12);
        Assert.False(points[1].Rising);
        Assert.True(points[1].Score < 0);
    }

    [Fact]
    public void The_baseline_must_be_whole_weeks_and_the_policy_sane()
    {
        Assert.Throws<ArgumentException>(() => TensionDetector.Evaluate(Days((_roads, [1])), Days((_roads, new long[10])), _policy, false));
        Assert.Throws<ArgumentException>(() => (_policy with { MinRatio = 0.5 }).Validate());
        Assert.Throws<ArgumentException>(() => (_policy with { RateFloorPerWeek = 0 }).Validate());
        Assert.Throws<InvalidDataException>(() => TensionPolicy.Load(
            new MemoryStream("""{"baseline_weeks": 4, "min_count": 0, "min_ratio": 2, "min_score": 3, "rate_floor_per_week": 1}"""u8.ToArray())));
    }

    [Fact]
    public void Cells_travel_as_territory_and_topic_keys()
    {
        Assert.Equal("samara-kirovsky|housing_utilities", new TensionCell("samara-kirovsky", "housing_utilities").Key);
        Assert.Equal(_roads, TensionCell.Parse(_roads.Key));
        Assert.Throws<FormatException>(() => TensionCell.Parse("roads"));
        Assert.Throws<FormatException>(() => TensionCell.Parse("|roads"));
    }
}
