using GovPublics.Sla.Domain.Clock;

namespace GovPublics.Sla.Domain.Deadlines;

/// <summary>What a deadline is computed from.</summary>
/// <param name="Topic">Topic code, e.g. "roads".</param>
/// <param name="Urgent">Danger to life or health, or an outage hitting many people: the first response runs on calendar hours.</param>
/// <param name="Kind">Message kind, see <see cref="DeadlineKinds"/>.</param>
/// <param name="ReceivedAt">When the message arrived.</param>
/// <param name="IntermediateAnswerAt">When an intermediate answer was given, if any; it starts the final-answer deadline.</param>
/// <param name="Clock">The responsible authority's working clock.</param>
public sealed record DeadlineRequest(
    string Topic,
    bool Urgent,
    string Kind,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? IntermediateAnswerAt,
    WorkingClock Clock);
