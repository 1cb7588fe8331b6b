using GovPublics.Sla.Domain.Analytics;
using static GovPublics.UnitTests.Sla.SlaTestData;

namespace GovPublics.UnitTests.Sla.Analytics;

/// <summary>
/// Ratings for the week Mon 16 – Sun 22 March 2026 with the shipped Policies/ratings.json (weights 20/15/25/25/15;
/// full marks at 7 posts a week, 80% visuals, 10 interactions per post per 1,000 subscribers, 80% of comments
/// answered, a median answer within 1 working hour; zero at 8 working hours). Expected values by hand.
/// </summary>
public sealed class PageRatingTests
{
    private static readonly RatingPolicy _policy = RatingPolicy.LoadFile(Path.Combine(PoliciesDirectory, "ratings.json"));
    private static readonly DateTimeOffset _from = Samara(2026, 3, 16, 0);
    private static readonly DateTimeOffset _to = Samara(2026, 3, 23, 0);

    private static PostFacts Post(string id, DateTimeOffset at, bool visual, long? interactions = null) =>
        new(id, at, visual, interactions is { } n ? new PostEngagement(n / 2, n / 4, n - (n / 2) - (n / 4), 1_000_000, at.AddDays(1)) : null);

    private static CommentFacts Answered(DateTimeOffset written, DateTimeOffset answered) => new(written, answered);

    /// <summary>8 posts (6 with visuals, 4 with 400 interactions in all), 10 comments of which 8 answered.</summary>
    private static PageScore Flagship()
    {
        var tuesday = Samara(2026, 3, 17, 9);
        PostFacts[] posts =
        [
            Post("p1", Samara(2026, 3, 16, 10), true, 100), Post("p2", Samara(2026, 3, 16, 15), true, 60),
            Post("p3", Samara(2026, 3, 17, 10), true, 140), Post("p4", Samara(2026, 3, 18, 10), true, 100),
            Post("p5", Samara(2026, 3, 19, 10), true), Post("p6", Samara(2026, 3, 20, 10), true),
            Post("p7", Samara(2026, 3, 21, 10), false), Post("p8", Samara(2026, 3, 22, 10), false),
            // Outside the period: the end is exclusive, and the week before does not count.
            Post("p9", _to, true, 10_000), Post("p0", _from.AddTicks(-1), true, 10_000),
            // The same post twice counts once.
            Post("p1", Samara(2026, 3, 16, 10), true, 100),
        ];
        CommentFacts[] comments =
        [
            // Answered within 0.5, 1, 1, 1.5, 2, 2, 3 and 4 working hours on Tuesday morning: median 1.75.
            Answered(tuesday, tuesday.AddHours(0.5)), Answered(tuesday, tuesday.AddHours(1)), Answered(tuesday, tuesday.AddHours(1)),
            Answered(tuesday, tuesday.AddHours(1.5)), Answered(tuesday, tuesday.AddHours(2)), Answered(tuesday, tuesday.AddHours(2)),
            Answered(tuesday, tuesday.AddHours(3)), Answered(tuesday, tuesday.AddHours(4)),
            new(Samara(2026, 3, 18, 12), null), new(Samara(2026, 3, 22, 20), null),
            // Before the period: not this week's comment, however it was answered.
            new(_from.AddMinutes(-1), null),
        ];
        return PageRatingCalculator.Score("vk-a", 20_000, _from, _to, posts, comments, SamaraClock, _policy);
    }

    [Fact]
    public void Every_component_is_scaled_and_weighted_into_the_total()
    {
        var score = Flagship();

        Assert.Equal(new ActivityCounts(8, 6, 4, 400, 10, 8), score.Counts);
        var c = score.Components.ToDictionary(x => x.Code);
        Assert.Equal(RatingComponents.All, score.Components.Select(x => x.Code));
        Assert.Equal(8, c[RatingComponents.PostsPerWeek].Value!.Value, 9);
        Assert.Equal(100, c[RatingComponents.PostsPerWeek].Score!.Value, 9);
        Assert.Equal(0.75, c[RatingComponents.VisualShare].Value!.Value, 9);
        Assert.Equal(93.75, c[RatingComponents.VisualShare].Score!.Value, 9);
        // 400 interactions over 4 posts, per 20 thousand subscribers: 5.
        Assert.Equal(5, c[RatingComponents.EngagementPerPostPer1000].Value!.Value, 9);
        Assert.Equal(50, c[RatingComponents.EngagementPerPostPer1000].Score!.Value, 9);
        Assert.Equal(0.8, c[RatingComponents.CommentsAnsweredShare].Value!.Value, 9);
        Assert.Equal(100, c[RatingComponents.CommentsAnsweredShare].Score!.Value, 9);
        Assert.Equal(1.75, c[RatingComponents.MedianResponseWorkingHours].Value!.Value, 9);
        // (1.75 − 8) / (1 − 8) = 6.25 / 7.
        Assert.Equal(625.0 / 7, c[RatingComponents.MedianResponseWorkingHours].Score!.Value, 9);
        // (20·100 + 15·93.75 + 25·50 + 25·100 + 15·625/7) / 100.
        Assert.Equal((2000 + 1406.25 + 1250 + 2500 + (15 * 625.0 / 7)) / 100, score.TotalScore, 9);
        Assert.Equal("flagship", score.Class.Code);
        Assert.Equal("флагманский", score.Class.Name);
    }

    [Fact]
    public void Components_without_data_are_left_out_and_the_others_weigh_in_their_place()
    {
        // 3 posts without visuals or statistics, no comments: only posts per week (3/7 of full) and visuals (0).
        PostFacts[] posts = [Post("a", Samara(2026, 3, 16, 9), false), Post("b", Samara(2026, 3, 18, 9), false), Post("c", Samara(2026, 3, 20, 9), false)];
        var score = PageRatingCalculator.Score("ok-b", 5_000, _from, _to, posts, [], SamaraClock, _policy);

        var c = score.Components.ToDictionary(x => x.Code);
        Assert.Null(c[RatingComponents.EngagementPerPostPer1000].Value);
        Assert.Null(c[RatingComponents.CommentsAnsweredShare].Score);
        Assert.Null(c[RatingComponents.MedianResponseWorkingHours].Value);
        Assert.Equal(0, c[RatingComponents.VisualShare].Score);
        Assert.Equal(20 * (300.0 / 7) / 35, score.TotalScore, 9);
        // Exactly 3 posts a week is not "more than 3": a business card, whatever the score.
        Assert.Equal("business_card", score.Class.Code);
        Assert.Equal("визитка", score.Class.Name);
    }

    [Fact]
    public void An_active_page_between_the_thresholds()
    {
        var wednesday = Samara(2026, 3, 18, 9);
        PostFacts[] posts =
        [
            Post("a", Samara(2026, 3, 16, 9), true, 20), Post("b", Samara(2026, 3, 17, 9), true, 10),
            Post("c", Samara(2026, 3, 18, 9), false), Post("d", Samara(2026, 3, 19, 9), false),
        ];
        // One of four answered, after 09:00–13:00 and 14:00–16:00: 6 working hours.
        CommentFacts[] comments = [Answered(wednesday, Samara(2026, 3, 18, 16)), new(wednesday, null), new(wednesday, null), new(wednesday, null)];
        var score = PageRatingCalculator.Score("tg-d", 3_000, _from, _to, posts, comments, SamaraClock, _policy);

        var c = score.Components.ToDictionary(x => x.Code);
        Assert.Equal(6, c[RatingComponents.MedianResponseWorkingHours].Value!.Value, 9);
        Assert.Equal(5, c[RatingComponents.EngagementPerPostPer1000].Value!.Value, 9);
        // (20·400/7 + 15·62.5 + 25·50 + 25·31.25 + 15·200/7) / 100.
        Assert.Equal(((20 * 400.0 / 7) + 937.5 + 1250 + 781.25 + (15 * 200.0 / 7)) / 100, score.TotalScore, 9);
        Assert.Equal("active", score.Class.Code);
    }

    [Fact]
    public void An_answer_outside_working_hours_takes_no_working_time_and_engagement_needs_subscribers()
    {
        var saturday = Samara(2026, 3, 21, 11);
        PostFacts[] posts = [Post("a", saturday, true, 50)];
        var score = PageRatingCalculator.Score("vk-e", 0, _from, _to, posts, [Answered(saturday, saturday.AddHours(3))], SamaraClock, _policy);

        var c = score.Components.ToDictionary(x => x.Code);
        Assert.Equal(0, c[RatingComponents.MedianResponseWorkingHours].Value);
        Assert.Equal(100, c[RatingComponents.MedianResponseWorkingHours].Score);
        Assert.Null(c[RatingComponents.EngagementPerPostPer1000].Value);
    }

    [Fact]
    public void Ranks_go_by_total_with_shared_ranks_for_ties()
    {
        var flagship = Flagship();
        var empty = PageRatingCalculator.Score("vk-c", 100, _from, _to, [], [], SamaraClock, _policy);
        var twin = empty with { PageId = "vk-b" };

        var ranked = PageRatingCalculator.Rank([empty, flagship, twin]);

        Assert.Equal([("vk-a", 1), ("vk-b", 2), ("vk-c", 2)], ranked.Select(r => (r.Score.PageId, r.Rank)));
        Assert.Equal(0, empty.TotalScore);
        Assert.Equal("business_card", empty.Class.Code);
        var fourth = PageRatingCalculator.Rank([empty, flagship, twin, empty with { PageId = "vk-d", TotalScore = -1 }]);
        Assert.Equal(4, fourth[^1].Rank);
    }

    [Fact]
    public void A_period_must_end_after_it_starts() =>
        Assert.Throws<ArgumentException>(() => PageRatingCalculator.Score("x", 1, _to, _from, [], [], SamaraClock, _policy));
}
