using GovPublics.Sla.Domain.Clock;

namespace GovPublics.Sla.Domain.Analytics;

/// <summary>A post's engagement counts as last observed on the platform.</summary>
public sealed record PostEngagement(long Likes, long Comments, long Reposts, long Views, DateTimeOffset ObservedAt);

/// <summary>A post of the page: when, whether it carries visuals, and its latest engagement (null: none reported).</summary>
public sealed record PostFacts(string PostId, DateTimeOffset PublishedAt, bool HasVisuals, PostEngagement? Engagement);

/// <summary>A citizen's comment on the page and when the page first answered in its thread after it (null: not yet).</summary>
public sealed record CommentFacts(DateTimeOffset WrittenAt, DateTimeOffset? AnsweredAt);

/// <summary>One component of a page's rating: its value and score (both null when the page has no data for it).</summary>
public sealed record RatedComponent(string Code, double? Value, double? Score, double Weight);

/// <summary>The counts behind a page's components.</summary>
public sealed record ActivityCounts(int Posts, int PostsWithVisuals, int PostsWithStats, double Interactions, int CitizenComments, int AnsweredComments);

/// <summary>A page's rating for a period.</summary>
public sealed record PageScore(string PageId, IReadOnlyList<RatedComponent> Components, double TotalScore, PageClassRule Class, ActivityCounts Counts);

/// <summary>A page's place among the rated pages.</summary>
public sealed record RankedPage(int Rank, PageScore Score);

/// <summary>
/// Rates official pages: five components, each a value scaled to 0–100 by the policy, a total that is their
/// weighted mean over the components with data, and a class from the posting rate and the total.
/// </summary>
public static class PageRatingCalculator
{
    /// <summary>
    /// Rates one page for the period [<paramref name="from"/>, <paramref name="to"/>): posts and comments count
    /// by the time they were written (facts outside the period are ignored); answers count whenever they came.
    /// </summary>
    /// <param name="pageId">The page's registry id.</param>
    /// <param name="subscribers">The page's subscribers (0 or less: engagement has no value).</param>
    /// <param name="from">Start of the period (inclusive).</param>
    /// <param name="to">End of the period (exclusive).</param>
    /// <param name="posts">The page's posts (at least those of the period).</param>
    /// <param name="comments">Citizens' comments on the page (at least those of the period).</param>
    /// <param name="clock">The owner authority's working clock, for response times in working hours.</param>
    /// <param name="policy">Weights, scales and classes.</param>
    public static PageScore Score(
        string pageId,
        long subscribers,
        DateTimeOffset from,
        DateTimeOffset to,
        IEnumerable<PostFacts> posts,
        IEnumerable<CommentFacts> comments,
        WorkingClock clock,
        RatingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(posts);
        ArgumentNullException.ThrowIfNull(comments);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(policy);
        if (to <= from)
        {
            throw new ArgumentException("The period must end after it starts.", nameof(to));
        }

        var inPeriod = posts.Where(p => p.PublishedAt >= from && p.PublishedAt < to).DistinctBy(p => p.PostId).ToList();
        var written = comments.Where(c => c.WrittenAt >= from && c.WrittenAt < to).ToList();
        var withStats = inPeriod.Where(p => p.Engagement is not null).ToList();
        var interactions = withStats.Sum(p => policy.Engagement.Of(p.Engagement!));
        var answered = written.Where(c => c.AnsweredAt is not null).ToList();
        var counts = new ActivityCounts(
            inPeriod.Count,
            inPeriod.Count(p => p.HasVisuals),
            withStats.Count,
            interactions,
            written.Count,
            answered.Count);

        var postsPerWeek = inPeriod.Count / ((to - from).TotalDays / 7);
        var values = new Dictionary<string, double?>
        {
            [RatingComponents.PostsPerWeek] = postsPerWeek,
            [RatingComponents.VisualShare] = counts.Posts == 0 ? null : (double)counts.PostsWithVisuals / counts.Posts,
            [RatingComponents.EngagementPerPostPer1000] = counts.PostsWithStats == 0 || subscribers <= 0
                ? null
                : interactions / counts.PostsWithStats / subscribers * 1000,
            [RatingComponents.CommentsAnsweredShare] = counts.CitizenComments == 0 ? null : (double)counts.AnsweredComments / counts.CitizenComments,
            [RatingComponents.MedianResponseWorkingHours] = Percentiles.Median(answered.Select(c =>
                clock.WorkingTimeBetween(c.WrittenAt, c.AnsweredAt!.Value) is var t && t > TimeSpan.Zero ? t.TotalHours : 0)),
        };

        var components = policy.Components
            .Select(c => values[c.Code] is { } value
                ? new RatedComponent(c.Code, value, c.Scale.Score(value), c.Scale.Weight)
                : new RatedComponent(c.Code, null, null, c.Scale.Weight))
            .ToList();
        var weight = components.Where(c => c.Score is not null).Sum(c => c.Weight);
        var total = weight > 0 ? components.Where(c => c.Score is not null).Sum(c => c.Weight * c.Score!.Value) / weight : 0;
        return new PageScore(pageId, components, total, policy.ClassOf(postsPerWeek, total), counts);
    }

    /// <summary>Best total first (ties by page id); equal totals share a rank and the next rank skips (1, 2, 2, 4).</summary>
    public static IReadOnlyList<RankedPage> Rank(IEnumerable<PageScore> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var ordered = scores.OrderByDescending(s => s.TotalScore).ThenBy(s => s.PageId, StringComparer.Ordinal).ToList();
        var ranked = new List<RankedPage>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var rank = i > 0 && ordered[i].TotalScore == ordered[i - 1].TotalScore ? ranked[i - 1].Rank : i + 1;
            ranked.Add(new RankedPage(rank, ordered[i]));
        }

        return ranked;
    }
}
