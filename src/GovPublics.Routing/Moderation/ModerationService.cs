using System.Globalization;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Registry;
using GovPublics.Routing.Domain.Moderation;
using GovPublics.Routing.Knowledge;
using GovPublics.Routing.Storage;
using Microsoft.Extensions.Options;

namespace GovPublics.Routing.Moderation;

/// <summary>Settings of the ЦУР moderation queue (section <c>Routing:Moderation</c>).</summary>
public sealed class ModerationOptions
{
    public const string Section = "Routing:Moderation";

    /// <summary>How long a taken item stays with its moderator; after that anyone may take it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>A moderation decision as published.</summary>
public sealed record ModerationOutcome(ModerationItem Item, RoutedDecision Decision, bool CorrectionRecorded);

/// <summary>
/// The moderation queue and the re-route loop: takes, decides and re-routes with the domain rules
/// (<see cref="ModerationItem"/>, <see cref="DecisionReviser"/>) on the stored state, and writes with
/// compare-and-set scripts. A write that lost a race is computed again on the new state (a few times); a caller
/// who named the revision it saw gets <see cref="ConcurrencyConflictException"/> instead when it is no longer
/// current. Deciding and re-routing need the routing knowledge: callers check <see cref="ClassifierHolder.IsLoaded"/>
/// first (the gRPC service answers UNAVAILABLE until it is).
/// </summary>
public sealed class ModerationService(
    DecisionStore decisions,
    ModerationStore moderation,
    CatalogCache catalog,
    ClassifierHolder classifiers,
    IOptions<ModerationOptions> options,
    [FromKeyedServices(ModerationService.ClockKey)] TimeProvider clock,
    ILogger<ModerationService> logger)
{
    /// <summary>The key of the <see cref="TimeProvider"/> for leases and decision times (tests swap it).</summary>
    public const string ClockKey = "moderation";

    /// <summary>How often a write that lost a race is computed again before giving up with ABORTED.</summary>
    public const int MaxAttempts = 5;

    private TimeSpan Lease => options.Value.Lease;

    public Task<(IReadOnlyList<ModerationItem> Items, long? Next)> ListAsync(
        ModerationState? state, ModerationReasonKind? kind, int pageSize, long after, CancellationToken cancellationToken) =>
        moderation.ListAsync(state, kind, pageSize, after, clock.GetUtcNow(), Lease, cancellationToken);

    /// <summary>The item's lease end, for callers that show it.</summary>
    public DateTimeOffset? LeaseEndsAt(ModerationItem item) => item.LeaseEndsAt(Lease);

    /// <summary>The item's state now.</summary>
    public ModerationState StateOf(ModerationItem item) => item.StateAt(clock.GetUtcNow(), Lease);

    /// <summary>The moderator takes the item or renews the lease.</summary>
    public async Task<ModerationItem> TakeAsync(string itemId, string moderator)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = await moderation.GetAsync(itemId) ?? throw new EntityNotFoundException("moderation item", itemId);
            var taken = stored.Item.Take(moderator, clock.GetUtcNow(), Lease);
            if (await moderation.ReplaceAsync(stored, taken))
            {
                return taken;
            }

            if (attempt == MaxAttempts)
            {
                throw new ConcurrencyConflictException("moderation item", itemId, attempt, attempt + 1);
            }
        }
    }

    /// <summary>
    /// The moderator decides the item: the next revision of the message's decision, with the authority named or
    /// resolved by the jurisdiction rules, is stored, recorded, kept as a correction when it differs from the
    /// classifier, and routed; the item is closed. All in one script.
    /// </summary>
    public async Task<ModerationOutcome> DecideAsync(string itemId, string moderator, DecisionChange change, string comment)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = await moderation.GetAsync(itemId) ?? throw new EntityNotFoundException("moderation item", itemId);
            var item = stored.Item;
            var now = clock.GetUtcNow();
            item.EnsureOpenFor(moderator, now, Lease);
            var current = await decisions.GetCurrentAsync(item.MessageId)
                ?? throw new InvalidOperationException($"Moderation item {itemId} refers to message {item.MessageId}, which has no decision.");
            var reason = comment.Length > 0 ? comment : $"moderation of {itemId}: {item.Reason}";
            var author = new RevisionAuthor(DecisionSource.Moderation, moderator, reason, now);
            var next = DecisionReviser.Revise(current.Decision, change with { AlwaysResolveAuthority = true }, author, classifiers.Current.Knowledge.Topics, catalog.Current);
            var decided = item.Decide(moderator, now, Lease, next.Revision, comment);
            var original = await decisions.GetOriginalAsync(item.MessageId) ?? current.Decision;
            var correction = LabelledCorrection.Between(original, next, item.Message, item.PageOwnerAuthorityId, author);
            var outcome = await moderation.DecideAsync(stored, decided, current, next, DecisionHistoryEntry.Revised(next, author, itemId), correction);
            if (outcome == DecideOutcome.Done)
            {
                logger.LogInformation("Moderation item {ItemId} decided by {Moderator}: message {MessageId} revision {Revision} → {Category}/{Subcategory} {Authority}",
                    itemId, moderator, item.MessageId, next.Revision, next.Category, next.Subcategory, next.ResponsibleAuthorityId);
                return new ModerationOutcome(decided with { Id = itemId }, next, correction is not null);
            }

            if (attempt == MaxAttempts)
            {
                throw new ConcurrencyConflictException("routing decision of message", item.MessageId, current.Decision.Revision,
                    (await decisions.GetAsync(item.MessageId))?.Revision ?? current.Decision.Revision);
            }
        }
    }

    /// <summary>
    /// Re-routes an incident: the next revision with the changes asked for (the authority named, or resolved by
    /// the rules when topic, subtopic or place change), stored, recorded, kept as a correction when it differs
    /// from the classifier, and routed. With <paramref name="expectedRevision"/>, refused with
    /// <see cref="ConcurrencyConflictException"/> unless that is still the current revision.
    /// </summary>
    public async Task<RoutedDecision> RerouteAsync(string messageId, DecisionChange change, string by, string reason, int? expectedRevision, string actingFor = "")
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await decisions.GetCurrentAsync(messageId) ?? throw new EntityNotFoundException("routing decision for message", messageId);
            if (actingFor.Length > 0 && !string.Equals(current.Decision.ResponsibleAuthorityId, actingFor, StringComparison.Ordinal))
            {
                // Checked on the decision the write below compares against: a re-route in between makes it retry.
                throw new AccessDeniedException(
                    $"message {messageId} is with {current.Decision.ResponsibleAuthorityId}; a client of {actingFor} may re-route only its own authority's incidents");
            }

            if (expectedRevision is { } expected && expected != current.Decision.Revision)
            {
                throw new ConcurrencyConflictException("routing decision of message", messageId, expected, current.Decision.Revision);
            }

            if (await decisions.GetOpenModerationItemAsync(messageId) is { } openItem)
            {
                throw OpenItem(messageId, openItem);
            }

            var message = await decisions.GetMessageAsync(messageId)
                ?? throw new InvalidOperationException($"Message {messageId} has a decision but no stored message.");
            if (message.FromPage || message.Kind == MessageKind.PagePost)
            {
                throw new PreconditionFailedException(
                    $"message {messageId} is the page's own post or answer, not a citizen's message: it cannot be routed to an authority", []);
            }

            var now = clock.GetUtcNow();
            var author = new RevisionAuthor(DecisionSource.Reroute, by, reason, now);
            var snapshot = catalog.Current;
            var next = DecisionReviser.Revise(current.Decision, change with { IsIncident = true, AlwaysResolveAuthority = false }, author, classifiers.Current.Knowledge.Topics, snapshot);
            if (DecisionReviser.SameRouting(current.Decision, next))
            {
                throw new PreconditionFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"the re-route changes nothing: message {messageId} is already {next.Category}/{next.Subcategory}, urgent={next.Urgent}, at {next.ResponsibleAuthorityId} (revision {current.Decision.Revision})"), []);
            }

            var original = await decisions.GetOriginalAsync(messageId) ?? current.Decision;
            var pageOwner = snapshot.FindPage(message.Platform, message.PageExternalId)?.OwnerAuthorityId ?? "";
            var correction = LabelledCorrection.Between(original, next, message, pageOwner, author);
            var (outcome, itemId) = await decisions.RerouteAsync(current, message, next, DecisionHistoryEntry.Revised(next, author), correction);
            switch (outcome)
            {
                case RerouteOutcome.Done:
                    logger.LogInformation("Message {MessageId} re-routed by {By} to revision {Revision}: {Category}/{Subcategory} {Authority}",
                        messageId, by, next.Revision, next.Category, next.Subcategory, next.ResponsibleAuthorityId);
                    return next;
                case RerouteOutcome.OpenItem:
                    throw OpenItem(messageId, itemId);
                case RerouteOutcome.Stale when expectedRevision is not null || attempt == MaxAttempts:
                    throw new ConcurrencyConflictException("routing decision of message", messageId, current.Decision.Revision,
                        (await decisions.GetAsync(messageId))?.Revision ?? current.Decision.Revision);
                default:
                    continue; // computed on a decision that changed meanwhile: compute again on the new one
            }
        }
    }

    /// <summary>
    /// Turns an authority's rejection of an incident into a moderation item (once per rejection). Throws when the
    /// message has no decision: the entry is retried and, if it never appears, dead-lettered with the reason.
    /// </summary>
    public async Task<(string ItemId, bool Created)> AddRejectionAsync(IncidentRejection rejection)
    {
        var current = await decisions.GetAsync(rejection.MessageId)
            ?? throw new InvalidOperationException($"Rejection of incident {rejection.IncidentId}: message {rejection.MessageId} has no routing decision.");
        var message = await decisions.GetMessageAsync(rejection.MessageId)
            ?? throw new InvalidOperationException($"Rejection of incident {rejection.IncidentId}: message {rejection.MessageId} has no stored message.");
        var snapshot = catalog.Current;
        var item = ModerationItem.ForRejection(rejection, message, current,
            snapshot.FindPage(message.Platform, message.PageExternalId)?.OwnerAuthorityId ?? "",
            snapshot.FindAuthority(rejection.AuthorityId)?.Name ?? "", clock.GetUtcNow());
        var key = string.Create(CultureInfo.InvariantCulture, $"{rejection.IncidentId}|{rejection.AuthorityId}|{rejection.RejectedAt.ToUnixTimeMilliseconds()}");
        return await moderation.AddRejectionAsync(item, key);
    }

    private static PreconditionFailedException OpenItem(string messageId, string itemId) => new(
        $"message {messageId} waits in the ЦУР moderation queue as item {itemId}: decide it there (DecideModeration)", []);
}
