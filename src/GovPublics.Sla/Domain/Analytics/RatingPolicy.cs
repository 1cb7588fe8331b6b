using GovPublics.Sla.Domain.Clock;

namespace GovPublics.Sla.Domain.Analytics;

/// <summary>The codes of the rating's components, in the order they are reported.</summary>
public static class RatingComponents
{
    public const string PostsPerWeek = "posts_per_week";
    public const string VisualShare = "visual_share";
    public const string EngagementPerPostPer1000 = "engagement_per_post_per_1000";
    public const string CommentsAnsweredShare = "comments_answered_share";
    public const string MedianResponseWorkingHours = "median_response_working_hours";

    public static IReadOnlyList<string> All { get; } =
        [PostsPerWeek, VisualShare, EngagementPerPostPer1000, CommentsAnsweredShare, MedianResponseWorkingHours];
}

/// <summary>
/// How a component's value becomes a 0–100 score: linear from <see cref="ZeroAt"/> (score 0) to
/// <see cref="FullAt"/> (score 100), clamped. <see cref="FullAt"/> below <see cref="ZeroAt"/> means lower is better.
/// </summary>
public sealed record RatingScale(double Weight, double ZeroAt, double FullAt)
{
    public double Score(double value) => Math.Clamp((value - ZeroAt) / (FullAt - ZeroAt), 0, 1) * 100;
}

/// <summary>
/// A page class. A page gets the first class in policy order whose conditions it meets: more than
/// <see cref="PostsPerWeekAbove"/> posts a week and a total score of at least <see cref="MinTotalScore"/> (a null
/// condition always holds). The last class has no conditions.
/// </summary>
public sealed record PageClassRule(string Code, string Name, double? PostsPerWeekAbove, double? MinTotalScore)
{
    public bool Matches(double postsPerWeek, double totalScore) =>
        (PostsPerWeekAbove is not { } above || postsPerWeek > above)
        && (MinTotalScore is not { } min || totalScore >= min);
}

/// <summary>Weights of a post's interactions in its engagement.</summary>
public sealed record EngagementWeights(double Likes, double Comments, double Reposts, double Views)
{
    public double Of(PostEngagement e) => (Likes * e.Likes) + (Comments * e.Comments) + (Reposts * e.Reposts) + (Views * e.Views);
}

/// <summary>
/// The rating of official pages as data (<c>Policies/ratings.json</c>, format in Policies/README.md): which
/// attachments are visuals, how interactions weigh, each component's weight and scale, and the page classes.
/// </summary>
public sealed class RatingPolicy
{
    /// <summary>Creates a validated policy; throws <see cref="ArgumentException"/> when it is inconsistent.</summary>
    public RatingPolicy(
        string version,
        IEnumerable<string> visualAttachmentTypes,
        EngagementWeights engagement,
        IReadOnlyDictionary<string, RatingScale> components,
        IEnumerable<PageClassRule> classes)
    {
        ArgumentNullException.ThrowIfNull(visualAttachmentTypes);
        ArgumentNullException.ThrowIfNull(engagement);
        ArgumentNullException.ThrowIfNull(components);
        ArgumentNullException.ThrowIfNull(classes);
        if (string.IsNullOrWhiteSpace(version))
        {
            throw new ArgumentException("The rating policy needs a version.");
        }

        Version = version;
        VisualAttachmentTypes = new HashSet<string>(visualAttachmentTypes.Select(t => t.Trim()), StringComparer.OrdinalIgnoreCase);
        if (VisualAttachmentTypes.Count == 0 || VisualAttachmentTypes.Contains(""))
        {
            throw new ArgumentException("visual_attachment_types must list at least one non-empty type.");
        }

        if (new[] { engagement.Likes, engagement.Comments, engagement.Reposts, engagement.Views }.Any(w => !double.IsFinite(w) || w < 0)
            || engagement.Likes + engagement.Comments + engagement.Reposts + engagement.Views <= 0)
        {
            throw new ArgumentException("engagement_weights must be non-negative and not all zero.");
        }

        Engagement = engagement;
        foreach (var code in components.Keys.Where(c => !RatingComponents.All.Contains(c)))
        {
            throw new ArgumentException($"Unknown rating component '{code}' (known: {string.Join(", ", RatingComponents.All)}).");
        }

        var scales = new List<(string, RatingScale)>();
        foreach (var code in RatingComponents.All)
        {
            if (!components.TryGetValue(code, out var scale))
            {
                throw new ArgumentException($"The rating component '{code}' is missing.");
            }

            if (!double.IsFinite(scale.Weight) || scale.Weight < 0 || !double.IsFinite(scale.ZeroAt) || !double.IsFinite(scale.FullAt)
                || scale.ZeroAt == scale.FullAt)
            {
                throw new ArgumentException($"Rating component '{code}': the weight must be non-negative and zero_at must differ from full_at.");
            }

            scales.Add((code, scale));
        }

        if (scales.All(s => s.Item2.Weight == 0))
        {
            throw new ArgumentException("At least one rating component needs a positive weight.");
        }

        Components = scales;
        Classes = [.. classes];
        if (Classes.Count == 0 || Classes[^1].PostsPerWeekAbove is not null || Classes[^1].MinTotalScore is not null)
        {
            throw new ArgumentException("The last page class must have no conditions: every page gets a class.");
        }

        if (Classes.Any(c => string.IsNullOrWhiteSpace(c.Code) || string.IsNullOrWhiteSpace(c.Name))
            || Classes.Select(c => c.Code).Distinct(StringComparer.Ordinal).Count() != Classes.Count)
        {
            throw new ArgumentException("Every page class needs a unique code and a name.");
        }
    }

    /// <summary>The policy's version, reported with every ranking.</summary>
    public string Version { get; }

    /// <summary>Attachment types that make a post visual (photo, video, cards), compared case-insensitively.</summary>
    public IReadOnlySet<string> VisualAttachmentTypes { get; }

    public EngagementWeights Engagement { get; }

    /// <summary>Every component with its scale, in <see cref="RatingComponents.All"/> order.</summary>
    public IReadOnlyList<(string Code, RatingScale Scale)> Components { get; }

    public IReadOnlyList<PageClassRule> Classes { get; }

    public bool IsVisual(string attachmentType) => VisualAttachmentTypes.Contains(attachmentType);

    public PageClassRule ClassOf(double postsPerWeek, double totalScore) =>
        Classes.First(c => c.Matches(postsPerWeek, totalScore));

    public static RatingPolicy LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Loads a policy from JSON; <paramref name="origin"/> names the source in error messages.</summary>
    public static RatingPolicy Load(Stream json, string origin = "rating policy")
    {
        var d = PolicyJson.Read<Document>(json, origin);
        try
        {
            return new RatingPolicy(
                d.Version,
                d.VisualAttachmentTypes,
                new EngagementWeights(d.EngagementWeights.Likes, d.EngagementWeights.Comments, d.EngagementWeights.Reposts, d.EngagementWeights.Views),
                d.Components.ToDictionary(c => c.Key, c => new RatingScale(c.Value.Weight, c.Value.ZeroAt, c.Value.FullAt), StringComparer.Ordinal),
                d.Classes.Select(c => new PageClassRule(c.Code, c.Name, c.PostsPerWeekAbove, c.MinTotalScore)));
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{origin}: {ex.Message}", ex);
        }
    }

    private sealed class Document
    {
        public required string Version { get; init; }

        public required List<string> VisualAttachmentTypes { get; init; }

        public required WeightsDocument EngagementWeights { get; init; }

        public required Dictionary<string, ScaleDocument> Components { get; init; }

        public required List<ClassDocument> Classes { get; init; }
    }

    private sealed class WeightsDocument
    {
        public required double Likes { get; init; }

        public required double Comments { get; init; }

        public required double Reposts { get; init; }

        public required double Views { get; init; }
    }

    private sealed class ScaleDocument
    {
        public required double Weight { get; init; }

        public required double ZeroAt { get; init; }

        public required double FullAt { get; init; }
    }

    private sealed class ClassDocument
    {
        public required string Code { get; init; }

        public required string Name { get; init; }

        public double? PostsPerWeekAbove { get; init; }

        public double? MinTotalScore { get; init; }
    }
}
