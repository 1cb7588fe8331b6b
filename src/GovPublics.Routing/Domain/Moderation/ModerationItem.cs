using System.Globalization;
using System.Text.Json.Serialization;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;

namespace GovPublics.Routing.Domain.Moderation;

/// <summary>Why a message is in the ЦУР moderation queue.</summary>
public enum ModerationReasonKind
{
    /// <summary>The classifier's confidence was below the threshold: the decision was never published.</summary>
    LowConfidence = 1,

    /// <summary>The responsible authority rejected the incident as "not ours".</summary>
    Rejected = 2,
}

/// <summary>Where a moderation item is, at a given moment.</summary>
public enum ModerationState
{
    /// <summary>Open, and nobody holds a live lease on it.</summary>
    Waiting = 1,

    /// <summary>Open, and a moderator took it less than the lease ago.</summary>
    Taken = 2,

    /// <summary>A moderator decided it; closed for good.</summary>
    Decided = 3,
}

/// <summary>
/// One item of the ЦУР moderation queue: a message whose decision a moderator must make or confirm, with the
/// reason it is here, the decision under review (explanation and evidence included) and the message itself.
/// Items are immutable: taking and deciding return a new item, and the store replaces the old one only if it
/// has not changed meanwhile. "Taken" is a lease, not a lock: once the lease has run out anyone may take it.
/// </summary>
public sealed record ModerationItem
{
    /// <summary>The moderation reason kinds as they appear in keys and filters.</summary>
    public static string KindCode(ModerationReasonKind kind) => kind switch
    {
        ModerationReasonKind.LowConfidence => "low_confidence",
        ModerationReasonKind.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown moderation reason kind"),
    };

    /// <summary><c>MOD-000042</c>; assigned by the store when the item is created, empty before.</summary>
    [JsonIgnore]
    public string Id { get; init; } = "";

    public required string MessageId { get; init; }

    public required ModerationReasonKind ReasonKind { get; init; }

    /// <summary>Readable: "confidence 0.31 below the threshold 0.50", "rejected by …: …".</summary>
    public required string Reason { get; init; }

    /// <summary>For a rejection: the incident that was rejected.</summary>
    public string IncidentId { get; init; } = "";

    /// <summary>For a rejection: the authority that rejected it.</summary>
    public string RejectedByAuthorityId { get; init; } = "";

    /// <summary>For a rejection: the executor who rejected it.</summary>
    public string RejectedBy { get; init; } = "";

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The message as routed: text, platform, page, kind.</summary>
    public required CitizenMessage Message { get; init; }

    /// <summary>The authority that owns the page the message was written on, when the registry knows the page.</summary>
    public string PageOwnerAuthorityId { get; init; } = "";

    /// <summary>The decision under review: the classifier's (low confidence) or the rejected one.</summary>
    public required RoutedDecision Decision { get; init; }

    /// <summary>The moderator who took the item last; empty when nobody did.</summary>
    public string TakenBy { get; init; } = "";

    public DateTimeOffset? TakenAt { get; init; }

    public bool Decided { get; init; }

    public string DecidedBy { get; init; } = "";

    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>The revision of the decision the moderator published.</summary>
    public int DecidedRevision { get; init; }

    /// <summary>The moderator's comment on the decision.</summary>
    public string Comment { get; init; } = "";

    /// <summary>The item's number: the digits of its id, its position in the queue.</summary>
    [JsonIgnore]
    public long Sequence => Id.StartsWith(IdPrefix, StringComparison.Ordinal)
        && long.TryParse(Id.AsSpan(IdPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>Item ids are <c>MOD-</c> and the item's number, zero-padded to six digits.</summary>
    public const string IdPrefix = "MOD-";

    /// <summary>The item for a decision the classifier was not sure enough about.</summary>
    public static ModerationItem ForLowConfidence(CitizenMessage message, RoutedDecision decision, string pageOwnerAuthorityId, double threshold, DateTimeOffset now) => new()
    {
        MessageId = message.MessageId,
        ReasonKind = ModerationReasonKind.LowConfidence,
        Reason = string.Create(CultureInfo.InvariantCulture, $"confidence {decision.Confidence:F2} below the threshold {threshold:F2}"),
        CreatedAt = now,
        Message = message,
        PageOwnerAuthorityId = pageOwnerAuthorityId,
        Decision = decision,
    };

    /// <summary>
    /// The item for an incident its authority rejected as "not ours". The reason names the authority (its
    /// name when the catalogue knows it) and quotes the executor's reason.
    /// </summary>
    public static ModerationItem ForRejection(IncidentRejection rejection, CitizenMessage message, RoutedDecision current, string pageOwnerAuthorityId, string authorityName, DateTimeOffset now) => new()
    {
        MessageId = message.MessageId,
        ReasonKind = ModerationReasonKind.Rejected,
        Reason = $"rejected by {(string.IsNullOrWhiteSpace(authorityName) ? rejection.AuthorityId : authorityName)}: {rejection.Reason}",
        IncidentId = rejection.IncidentId,
        RejectedByAuthorityId = rejection.AuthorityId,
        RejectedBy = rejection.By,
        CreatedAt = now,
        Message = message,
        PageOwnerAuthorityId = pageOwnerAuthorityId,
        Decision = current,
    };

    /// <summary>The item's state at <paramref name="now"/>: a lease older than <paramref name="lease"/> has run out.</summary>
    public ModerationState StateAt(DateTimeOffset now, TimeSpan lease) =>
        Decided ? ModerationState.Decided
        : TakenAt is { } since && TakenBy.Length > 0 && since + lease > now ? ModerationState.Taken
        : ModerationState.Waiting;

    /// <summary>When the current lease runs out; null when the item is not taken.</summary>
    public DateTimeOffset? LeaseEndsAt(TimeSpan lease) => TakenAt is { } since && TakenBy.Length > 0 && !Decided ? since + lease : null;

    /// <summary>
    /// The moderator takes the item (or renews the lease on it). Refused when it is decided, or when someone else
    /// holds a live lease: the message says who and until when.
    /// </summary>
    public ModerationItem Take(string moderator, DateTimeOffset now, TimeSpan lease)
    {
        EnsureOpenFor(moderator, now, lease);
        return this with { TakenBy = moderator, TakenAt = now };
    }

    /// <summary>
    /// The moderator decides the item, publishing decision <paramref name="revision"/>. Allowed to the moderator
    /// who holds the lease, and to anyone while nobody holds a live one.
    /// </summary>
    public ModerationItem Decide(string moderator, DateTimeOffset now, TimeSpan lease, int revision, string comment)
    {
        EnsureOpenFor(moderator, now, lease);
        return this with
        {
            TakenBy = moderator,
            TakenAt = TakenAt is not null && SameModerator(TakenBy, moderator) ? TakenAt : now,
            Decided = true,
            DecidedBy = moderator,
            DecidedAt = now,
            DecidedRevision = revision,
            Comment = comment,
        };
    }

    /// <summary>Throws <see cref="PreconditionFailedException"/> unless the moderator may act on the item now.</summary>
    public void EnsureOpenFor(string moderator, DateTimeOffset now, TimeSpan lease)
    {
        if (Decided)
        {
            throw new PreconditionFailedException(
                string.Create(CultureInfo.InvariantCulture, $"moderation item {Id} was already decided by {DecidedBy} at {DecidedAt:O} (decision revision {DecidedRevision})"), []);
        }

        if (StateAt(now, lease) == ModerationState.Taken && !SameModerator(TakenBy, moderator))
        {
            throw new PreconditionFailedException(
                string.Create(CultureInfo.InvariantCulture, $"moderation item {Id} is taken by {TakenBy} since {TakenAt:O}; the lease runs until {LeaseEndsAt(lease):O}"), []);
        }
    }

    /// <summary>Logins are compared without regard to case.</summary>
    public static bool SameModerator(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
