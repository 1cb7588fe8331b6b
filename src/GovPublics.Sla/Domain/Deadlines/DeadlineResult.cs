namespace GovPublics.Sla.Domain.Deadlines;

/// <summary>Computed deadlines, in UTC.</summary>
/// <param name="FirstResponseDue">The first response is due by this moment.</param>
/// <param name="FinalAnswerDue">The final answer is due by this moment; null without an intermediate answer.</param>
/// <param name="PolicyDescription">Human-readable rule, e.g. "first response: 8 working hours (Europe/Samara, ru calendar)".</param>
public sealed record DeadlineResult(
    DateTimeOffset FirstResponseDue,
    DateTimeOffset? FinalAnswerDue,
    string PolicyDescription);
