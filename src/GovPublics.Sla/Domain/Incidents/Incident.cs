using GovPublics.Catalog;
using GovPublics.Common.Pipeline;

namespace GovPublics.Sla.Domain.Incidents;

/// <summary>Where an incident is in its lifecycle.</summary>
public enum IncidentStatus
{
    New = 1,
    Assigned = 2,
    InProgress = 3,
    Answered = 4,
    Resolved = 5,
    Closed = 6,
    Rejected = 7,
}

/// <summary>A citizen's message that asks for action, with who must answer it and by when.</summary>
public sealed record Incident
{
    /// <summary>"INC-000042"; assigned by the store.</summary>
    public string Id { get; init; } = "";

    /// <summary>The store's sequence number behind <see cref="Id"/>: orders incidents newest first.</summary>
    public long Sequence { get; init; }

    public required string MessageId { get; init; }
    public IncidentStatus Status { get; init; } = IncidentStatus.New;
    public required string Category { get; init; }
    public string Subcategory { get; init; } = "";
    public bool Urgent { get; init; }
    public required string AuthorityId { get; init; }
    public string AuthorityName { get; init; } = "";
    public string MunicipalityId { get; init; } = "";
    public string MunicipalityName { get; init; } = "";
    public string DistrictId { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public Platform Platform { get; init; }
    public string PageExternalId { get; init; } = "";
    public string ThreadId { get; init; } = "";

    /// <summary>The citizen's id on the platform; with the thread it recognises the citizen writing again.</summary>
    public string AuthorId { get; init; } = "";

    /// <summary>A comment or a private message: deadline overrides may differ by kind.</summary>
    public MessageKind Kind { get; init; } = MessageKind.Comment;

    /// <summary>The citizen deleted the message on the platform (the incident stays; staff decide).</summary>
    public bool MessageDeleted { get; init; }

    public string Text { get; init; } = "";
    public required DateTimeOffset ReceivedAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset FirstResponseDue { get; init; }
    public DateTimeOffset? FirstResponseAt { get; init; }
    public double RoutingConfidence { get; init; }
    public string RoutingExplanation { get; init; } = "";
    public string DeadlinePolicy { get; init; } = "";

    /// <summary>Who works on it (the executor's login) once taken; empty before.</summary>
    public string AssigneeId { get; init; } = "";

    /// <summary>When the intermediate answer was given, if one was.</summary>
    public DateTimeOffset? IntermediateAnswerAt { get; init; }

    /// <summary>The final answer's deadline: set by an intermediate answer.</summary>
    public DateTimeOffset? FinalAnswerDue { get; init; }

    /// <summary>When the final answer was given.</summary>
    public DateTimeOffset? FinalAnswerAt { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>How many later messages of the citizen in the thread joined the incident (all of them, also those
    /// beyond the ones the history keeps).</summary>
    public int FollowUpCount { get; init; }

    /// <summary>How many times the citizen edited the incident's own message (every edit that changed its text, also
    /// those merged into one history entry; see <see cref="IncidentHistoryEntry.Count"/>).</summary>
    public int EditCount { get; init; }

    /// <summary>
    /// The citizen's text as the incident was created from it, once an edit has changed <see cref="Text"/>; null
    /// before (then <see cref="Text"/> is the original, and the stored record carries no copy). What was asked, when the citizen later rewrites it, stays on
    /// the record (the history keeps the latest version of an edit only).
    /// </summary>
    public string? OriginalText { get; init; }

    /// <summary>How many times the incident was reopened.</summary>
    public int ReopenCount { get; init; }

    /// <summary>
    /// The first round's first-response deadline, kept when the incident is first reopened (a reopening starts a new
    /// deadline): what the authority's metrics measure. Null while it was never reopened.
    /// </summary>
    public DateTimeOffset? FirstRoundResponseDue { get; init; }

    /// <summary>The first round's first response, kept when the incident is first reopened; null before, or if none came.</summary>
    public DateTimeOffset? FirstRoundResponseAt { get; init; }

    /// <summary>The revision of the routing decision the incident follows (see RoutedDecision.Revision).</summary>
    public int RoutingRevision { get; init; }

    /// <summary>Incremented by the store on every change: updates are compare-and-set on it.</summary>
    public long Version { get; init; }

    /// <summary>When the incident last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Every change of the incident: who, when, what and why, oldest first.</summary>
    public IReadOnlyList<IncidentHistoryEntry> History { get; init; } = [];

    /// <summary>When the clock of the deadline the timers follow started; kept by the store (see TimerPlan).</summary>
    public TimerWindow? TimerWindow { get; init; }

    /// <summary>When the next timer step is due, or null when none is pending; computed by the store on every write.</summary>
    public DateTimeOffset? NextTimerAt { get; init; }

    /// <summary>Timer steps fired (warnings, breaches, escalations), oldest first; each key fires once.</summary>
    public IReadOnlyList<FiredTimer> FiredTimers { get; init; } = [];

    /// <summary>Escalations up the authority chain after missed deadlines, oldest first.</summary>
    public IReadOnlyList<IncidentEscalation> Escalations { get; init; } = [];

    /// <summary>Late: the first response came after its deadline, or has not come and the deadline passed.</summary>
    public bool IsOverdue(DateTimeOffset now) =>
        FirstResponseAt is { } answered ? answered > FirstResponseDue : now > FirstResponseDue;
}

/// <summary>One change of an incident: who did what, when and why.</summary>
/// <param name="At">When it happened.</param>
/// <param name="Actor">Who did it: a user's login, or <c>system:&lt;component&gt;</c> for the pipeline and timers.</param>
/// <param name="Action">What happened, e.g. <c>created</c>, <c>take</c>, <c>answer</c>, <c>escalated</c>.</param>
/// <param name="FromStatus">The status before.</param>
/// <param name="ToStatus">The status after (the same as before for changes that keep it).</param>
/// <param name="Comment">Why, or the answer's text; empty when there is nothing to say.</param>
/// <param name="MessageId">The platform message behind the change (an official reply, the citizen writing again, an
/// edit); empty for changes made by people or timers. Makes the pipeline's changes idempotent per message.</param>
/// <param name="Client">The gateway client a person's change came through (who the token says called, while
/// <paramref name="Actor"/> is who the caller says acted); empty otherwise.</param>
/// <param name="Count">How many changes the entry stands for: 1, or more when a citizen's repeated changes of one
/// message (<see cref="IncidentActions.IsMessageChange"/>) were merged into it; <paramref name="At"/> is then the first,
/// <paramref name="LastAt"/> the last, and <paramref name="Comment"/> the latest text.</param>
/// <param name="LastAt">For a citizen's message change: when ingestion received the last change merged into the entry
/// (the first one's time when it stands for one); null on every other entry, and on changes recorded before entries
/// were merged.</param>
public sealed record IncidentHistoryEntry(
    DateTimeOffset At,
    string Actor,
    string Action,
    IncidentStatus FromStatus,
    IncidentStatus ToStatus,
    string Comment,
    string MessageId = "",
    string Client = "",
    int Count = 1,
    DateTimeOffset? LastAt = null);

/// <summary>The actors of changes nobody typed: the pipeline and the timers.</summary>
public static class SystemActors
{
    public const string Routing = "system:routing";
    public const string Platform = "system:platform";
    public const string Timers = "system:timers";

    /// <summary>The prefix of actors that are citizens (<c>citizen:&lt;platform author id&gt;</c>).</summary>
    public const string CitizenPrefix = "citizen:";

    /// <summary>The citizen who wrote the incident's message, as an actor.</summary>
    public static string Citizen(string authorId) => CitizenPrefix + (authorId.Length == 0 ? "unknown" : authorId);

    /// <summary>True for the actors people may not claim: the pipeline, the timers and citizens.</summary>
    public static bool IsReserved(string actor) =>
        actor.StartsWith("system:", StringComparison.OrdinalIgnoreCase) || actor.StartsWith(CitizenPrefix, StringComparison.OrdinalIgnoreCase);
}

/// <summary>The names of incident changes, as they appear in the history and in the incident feed.</summary>
public static class IncidentActions
{
    public const string Created = "created";

    /// <summary>The citizen wrote again in the thread of an incident still being handled (no status change).</summary>
    public const string FollowUp = "follow_up";

    /// <summary>The citizen edited the message on the platform; the incident's text follows.</summary>
    public const string Edited = "edited";

    /// <summary>The citizen (or a moderator of the page) deleted the message on the platform.</summary>
    public const string Deleted = "deleted";

    /// <summary>A deleted message was restored on the platform.</summary>
    public const string Restored = "restored";

    /// <summary>
    /// A citizen's change of a message already taken in (edited, deleted, restored): repeated ones are merged into one
    /// history entry with a count (see <c>IncidentLifecycle.MessageChanged</c>), so they cannot grow the record without bound.
    /// </summary>
    public static bool IsMessageChange(string action) => action is Edited or Deleted or Restored;
}
