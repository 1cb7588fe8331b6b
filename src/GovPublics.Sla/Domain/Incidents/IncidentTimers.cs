namespace GovPublics.Sla.Domain.Incidents;

/// <summary>The kinds of timer step, in the order they fire for one deadline.</summary>
public enum TimerStepKind
{
    Warning = 1,
    Breach = 2,
    Escalation = 3,
}

/// <summary>The deadlines timers follow, as named in step keys, escalations and the API.</summary>
public static class TimerDeadlines
{
    public const string FirstResponse = "first_response";
    public const string FinalAnswer = "final_answer";
}

/// <summary>The events timers append to the incident feed (and their history actions).</summary>
public static class TimerEvents
{
    public const string Warning = "warning";
    public const string Breach = "breach";
    public const string Escalated = "escalated";
}

/// <summary>A timer step that fired; its <paramref name="Key"/> never fires again.</summary>
/// <param name="Key">Unique per incident: deadline, authority, due time and step (see <c>TimerPlan</c>).</param>
/// <param name="Step">Warning, breach or escalation.</param>
/// <param name="Deadline">The deadline it belongs to (<see cref="TimerDeadlines"/>).</param>
/// <param name="Level">The escalation level; 0 for warnings and breaches.</param>
/// <param name="Due">When the deadline was due.</param>
/// <param name="ScheduledAt">When the step was due to fire.</param>
/// <param name="FiredAt">When it fired (later than <paramref name="ScheduledAt"/> when no replica ran at the time).</param>
public sealed record FiredTimer(
    string Key,
    TimerStepKind Step,
    string Deadline,
    int Level,
    DateTimeOffset Due,
    DateTimeOffset ScheduledAt,
    DateTimeOffset FiredAt);

/// <summary>One step up the responsible authority's chain after a missed deadline.</summary>
/// <param name="Level">1 for the parent authority, 2 for its parent, and so on; the ЦУР is the last level.</param>
/// <param name="AuthorityId">Who it was escalated to.</param>
/// <param name="AuthorityName">Their name when it fired.</param>
/// <param name="At">When it fired.</param>
/// <param name="Deadline">The missed deadline (<see cref="TimerDeadlines"/>).</param>
/// <param name="Due">When that deadline was due.</param>
/// <param name="Reason">Why, in words.</param>
/// <param name="Final">The chain's last step (the ЦУР): nothing is escalated after it for this deadline.</param>
/// <param name="TimerKey">The <see cref="FiredTimer.Key"/> of the step that made it.</param>
public sealed record IncidentEscalation(
    int Level,
    string AuthorityId,
    string AuthorityName,
    DateTimeOffset At,
    string Deadline,
    DateTimeOffset Due,
    string Reason,
    bool Final,
    string TimerKey);

/// <summary>
/// When the clock of the deadline the timers follow started: the warning fires at a share of the time from
/// <paramref name="Start"/> to the due time. Kept with the deadline's generation it belongs to, so a record whose
/// deadline changed without it (written before timers existed) falls back to the natural start.
/// </summary>
/// <param name="Generation">The deadline generation (deadline, authority, due time) the start belongs to.</param>
/// <param name="Start">When that deadline's clock started.</param>
public sealed record TimerWindow(string Generation, DateTimeOffset Start);
