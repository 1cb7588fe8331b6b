namespace GovPublics.Sla.Domain.Lifecycle;

/// <summary>Settings of the incident lifecycle (section <c>Sla:Lifecycle</c>).</summary>
public sealed class LifecycleOptions
{
    public const string Section = "Sla:Lifecycle";

    /// <summary>
    /// A citizen who writes again in the thread of an incident within this period after its final answer, resolution
    /// or closure reopens it; later, the new message is a new incident.
    /// </summary>
    public TimeSpan ReopenPeriod { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// A citizen's later messages kept in the history with their text; beyond these only
    /// <see cref="Incidents.Incident.FollowUpCount"/> grows (and their edits are not recorded), so one person writing
    /// hundreds of times in a thread cannot make the record (read and written whole on every change) grow without bound.
    /// </summary>
    public int FollowUpsKept { get; set; } = 20;

    /// <summary>
    /// The history entries of citizens' message changes (edited, deleted, restored) an incident keeps apart. Repeated
    /// changes of one message with no lifecycle step between them are always merged into one entry (with a count);
    /// past this many change entries a change merges into its message's latest entry of the same kind wherever it
    /// is, so edits between staff actions cannot grow the record without bound either.
    /// </summary>
    public int MessageChangesKept { get; set; } = 20;

    /// <summary>Throws <see cref="ArgumentException"/> for settings the lifecycle cannot work with.</summary>
    public LifecycleOptions Validated()
    {
        if (ReopenPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{Section}:ReopenPeriod must be positive, got {ReopenPeriod}.");
        }

        if (FollowUpsKept < 0)
        {
            throw new ArgumentException($"{Section}:FollowUpsKept may not be negative, got {FollowUpsKept}.");
        }

        if (MessageChangesKept < 1)
        {
            throw new ArgumentException($"{Section}:MessageChangesKept must be at least 1, got {MessageChangesKept}.");
        }

        return this;
    }
}

/// <summary>Bounds of what people type into lifecycle actions.</summary>
public static class LifecycleLimits
{
    /// <summary>An actor's or assignee's login.</summary>
    public const int MaxActorLength = 200;

    /// <summary>An answer's text (intermediate or final).</summary>
    public const int MaxAnswerLength = 8_000;

    /// <summary>A reason (reject, reopen) or a comment (take, assign, resolve, close).</summary>
    public const int MaxReasonLength = 2_000;
}
