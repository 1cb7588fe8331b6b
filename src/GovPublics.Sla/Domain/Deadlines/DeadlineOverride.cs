namespace GovPublics.Sla.Domain.Deadlines;

/// <summary>
/// Deadline settings for a topic, a message kind, or both. Null settings are inherited from a less specific
/// override or from the defaults. Specificity: topic and kind, then topic, then kind.
/// </summary>
/// <param name="Topic">Topic code (e.g. "healthcare"), or null for any topic.</param>
/// <param name="Kind">Message kind (<see cref="DeadlineKinds"/>), or null for any kind.</param>
/// <param name="FirstResponseWorkingTime">Overrides <see cref="DeadlineRule.FirstResponseWorkingTime"/>.</param>
/// <param name="UrgentFirstResponseTime">Overrides <see cref="DeadlineRule.UrgentFirstResponseTime"/>.</param>
/// <param name="FinalAnswerWorkingDays">Overrides <see cref="DeadlineRule.FinalAnswerWorkingDays"/>.</param>
public sealed record DeadlineOverride(
    string? Topic,
    string? Kind,
    TimeSpan? FirstResponseWorkingTime = null,
    TimeSpan? UrgentFirstResponseTime = null,
    int? FinalAnswerWorkingDays = null)
{
    /// <summary>3 for topic and kind, 2 for topic only, 1 for kind only.</summary>
    public int Specificity => (Topic is null ? 0 : 2) + (Kind is null ? 0 : 1);

    /// <summary>Human-readable scope, e.g. "topic healthcare, kind comment".</summary>
    public string Scope => (Topic, Kind) switch
    {
        ({ } topic, { } kind) => $"topic {topic}, kind {kind}",
        ({ } topic, null) => $"topic {topic}",
        (null, { } kind) => $"kind {kind}",
        _ => "everything",
    };

    /// <summary>Whether this override applies to a message of <paramref name="topic"/> and <paramref name="kind"/>.</summary>
    public bool Matches(string topic, string kind) =>
        (Topic is null || string.Equals(Topic, topic, StringComparison.OrdinalIgnoreCase))
        && (Kind is null || string.Equals(Kind, kind, StringComparison.OrdinalIgnoreCase));
}
