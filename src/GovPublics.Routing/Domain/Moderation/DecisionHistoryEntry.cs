using GovPublics.Common.Pipeline;

namespace GovPublics.Routing.Domain.Moderation;

/// <summary>
/// One decision of a message's history: the classifier's first one (revision 0), then every moderation decision
/// and re-route, each with who made it, why, and whether it went out on the <c>routed</c> stream.
/// </summary>
public sealed record DecisionHistoryEntry
{
    public required int Revision { get; init; }

    public required DecisionSource Source { get; init; }

    public required RoutedDecision Decision { get; init; }

    /// <summary>False only for a classifier decision held back for moderation.</summary>
    public required bool Published { get; init; }

    /// <summary>The moderator's or executor's login; empty for the classifier.</summary>
    public string By { get; init; } = "";

    public string Reason { get; init; } = "";

    public required DateTimeOffset At { get; init; }

    /// <summary>The moderation item the decision closed, for moderation decisions.</summary>
    public string ModerationItemId { get; init; } = "";

    /// <summary>True when the decision is held back for moderation and never went to an authority.</summary>
    public static bool IsHeldBack(RoutedDecision decision) => decision.Revision == 0 && decision.NeedsModeration;

    /// <summary>The entry for the classifier's decision.</summary>
    public static DecisionHistoryEntry First(RoutedDecision decision) => new()
    {
        Revision = decision.Revision,
        Source = DecisionSource.Classifier,
        Decision = decision,
        Published = !IsHeldBack(decision),
        Reason = decision.NeedsModeration ? "held back for moderation: low confidence" : "",
        At = decision.DecidedAt,
    };

    /// <summary>The entry for a moderator's or executor's decision (always published).</summary>
    public static DecisionHistoryEntry Revised(RoutedDecision decision, RevisionAuthor author, string moderationItemId = "") => new()
    {
        Revision = decision.Revision,
        Source = author.Source,
        Decision = decision,
        Published = true,
        By = author.By,
        Reason = author.Reason,
        At = author.At,
        ModerationItemId = moderationItemId,
    };
}
