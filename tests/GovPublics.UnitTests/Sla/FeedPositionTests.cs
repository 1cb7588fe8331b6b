using GovPublics.Sla.Storage;

namespace GovPublics.UnitTests.Sla;

public sealed class FeedPositionTests
{
    [Theory]
    [InlineData("0-0", 0UL, 0UL)]
    [InlineData("1767254400000-3", 1767254400000UL, 3UL)]
    [InlineData("18446744073709551615-18446744073709551615", ulong.MaxValue, ulong.MaxValue)]
    public void Stream_entry_ids_parse_and_print_back(string text, ulong ms, ulong seq)
    {
        Assert.True(FeedPosition.TryParse(text, out var position));
        Assert.Equal(new FeedPosition(ms, seq), position);
        Assert.Equal(text, position.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("12")]
    [InlineData("12-")]
    [InlineData("-3")]
    [InlineData("1-2-3")]
    [InlineData("+1-2")]
    [InlineData("1 -2")]
    [InlineData("$")]
    [InlineData("18446744073709551616-0")]
    public void Anything_else_is_refused(string text) => Assert.False(FeedPosition.TryParse(text, out _));

    [Fact]
    public void Positions_order_by_time_then_sequence()
    {
        Assert.True(new FeedPosition(5, 9) < new FeedPosition(6, 0));
        Assert.True(new FeedPosition(6, 1) > new FeedPosition(6, 0));
        Assert.True(FeedPosition.Start <= new FeedPosition(0, 0));
    }

    [Fact]
    public void A_position_is_lost_when_ahead_of_the_feed_or_behind_a_trim()
    {
        var untrimmed = new IncidentFeedBounds(new FeedPosition(100, 0), new FeedPosition(10, 0), Trimmed: false);
        Assert.False(untrimmed.Lost(FeedPosition.Start));
        Assert.False(untrimmed.Lost(new FeedPosition(100, 0)));
        Assert.True(untrimmed.Lost(new FeedPosition(100, 1)));

        var trimmed = untrimmed with { Trimmed = true };
        Assert.True(trimmed.Lost(FeedPosition.Start));
        Assert.True(trimmed.Lost(new FeedPosition(9, 5)));
        Assert.False(trimmed.Lost(new FeedPosition(10, 0)));
        Assert.False(trimmed.Lost(new FeedPosition(50, 0)));

        var emptied = new IncidentFeedBounds(new FeedPosition(100, 0), null, Trimmed: true);
        Assert.False(emptied.Lost(new FeedPosition(100, 0)));
        Assert.True(emptied.Lost(new FeedPosition(99, 0)));
    }
}
