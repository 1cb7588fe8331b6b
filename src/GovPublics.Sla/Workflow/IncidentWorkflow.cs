using System.Diagnostics.Metrics;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Common.Registry;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.Sla.Domain.Lifecycle;
using GovPublics.Sla.Storage;

namespace GovPublics.Sla.Workflow;

/// <summary>What a routed entry did.</summary>
public enum RoutedOutcome
{
    /// <summary>Nothing: not an incident, a decision not newer than the incident's, or a message already handled.</summary>
    Ignored = 0,
    Created = 1,
    Rerouted = 2,
    Dismissed = 3,
    FollowUp = 4,
    Reopened = 5,
    OfficialReply = 6,
}

/// <summary>
/// Runs the lifecycle against the store: a person's action (gRPC) or the pipeline's (routed entries, message
/// events). Each change is one compare-and-set update of the incident (<see cref="IncidentStore.ApplyAsync"/>), its
/// history entry and feed event included; the domain functions decide, this class only reads, stores and links.
/// </summary>
public sealed class IncidentWorkflow(
    IncidentStore store,
    IncidentThreadIndex threads,
    MessageRecords messages,
    IncidentFactory factory,
    IncidentLifecycle lifecycle,
    IncidentCounts counts,
    CatalogCache catalog,
    RedisKeys keys,
    TimeProvider time,
    ILogger<IncidentWorkflow> logger)
{
    /// <summary>
    /// The meter of the workflow: <c>govpublics.sla.official_replies.to_others</c> counts the page's replies that name
    /// a message which is no waiting incident (another citizen's thanks, say) and so answer none.
    /// </summary>
    public static readonly Meter Meter = new("GovPublics.Sla.Workflow");

    private static readonly Counter<long> _repliesToOthers = Meter.CreateCounter<long>(
        "govpublics.sla.official_replies.to_others", "{reply}", "Page replies to a message that is no waiting incident: they answer none");

    public Task<Incident> AssignAsync(string id, long expectedVersion, StaffCommand command, string assigneeId, CancellationToken cancellationToken) =>
        ActAsync(id, expectedVersion, command, LifecycleAction.Assign, i => lifecycle.Assign(i, command, assigneeId), cancellationToken);

    public Task<Incident> TakeAsync(string id, long expectedVersion, StaffCommand command, CancellationToken cancellationToken) =>
        ActAsync(id, expectedVersion, command, LifecycleAction.Take, i => lifecycle.Take(i, command), cancellationToken);

    public Task<Incident> AnswerAsync(string id, long expectedVersion, StaffCommand command, AnswerKind kind, CancellationToken cancellationToken) =>
        ActAsync(id, expectedVersion, command, kind.Action(), i => lifecycle.Answer(i, command, kind, catalog.Current), cancellationToken);

    public Task<Incident> ResolveAsync(string id, long expectedVersion, StaffCommand command, CancellationToken cancellationToken) =>
        ActAsync(id, expectedVersion, command, LifecycleAction.Resolve, i => lifecycle.Resolve(i, command), cancellationToken);

    public Task<Incident> CloseAsync(string id, long expectedVersion, StaffCommand command, CancellationToken cancellationToken) =>
        ActAsync(id, expectedVersion, command, LifecycleAction.Close, i => lifecycle.Close(i, command), cancellationToken);

    public Task<Incident> ReopenAsync(string id, long expectedVersion, StaffCommand command, CancellationToken cancellationToken) =>
        ActAsync(id, expectedVersion, command, LifecycleAction.Reopen, i => lifecycle.Reopen(i, command, catalog.Current), cancellationToken);

    /// <summary>
    /// "Not ours": the incident becomes rejected and an <see cref="IncidentRejection"/> is appended to the
    /// rejections stream for routing's moderation queue, in the same script as the incident's update.
    /// </summary>
    public async Task<Incident> RejectAsync(string id, long expectedVersion, StaffCommand command, CancellationToken cancellationToken)
    {
        var (incident, _) = await store.ApplyAsync(id, LifecycleAction.Reject.Name(), current =>
        {
            CheckVersion(current, expectedVersion);
            command.CheckScope(current);
            var next = command.Stamped(current, lifecycle.Reject(current, command));
            var rejection = new IncidentRejection
            {
                IncidentId = current.Id,
                MessageId = current.MessageId,
                AuthorityId = current.AuthorityId,
                Reason = command.Text.Trim(),
                By = command.Actor.Trim(),
                RejectedAt = command.At,
            };
            return new IncidentChange(next, new IncidentOutboxEntry(keys.RejectionsStream, current.MessageId, PipelineJson.Serialize(rejection)));
        }, cancellationToken);
        return incident;
    }

    /// <summary>
    /// Applies one entry of the <c>routed</c> stream. In order: a page's own reply records the first response on the
    /// thread's incidents waiting for one; a message that has an incident applies a newer decision (reroute, or
    /// dismiss when it is not an incident any more; not newer: ignored); a new incident of a citizen who wrote in a
    /// thread where the same citizen has an incident on the same topic joins it (follow-up, or reopen within the
    /// period); otherwise an incident decision creates the incident. Creating, re-routing or dismissing a message's own
    /// incident counts it for the analytics (<see cref="IncidentCounts"/>); joining one counts nothing.
    /// </summary>
    public async Task<RoutedOutcome> ApplyRoutedAsync(RoutedMessage routed, CancellationToken cancellationToken)
    {
        var (message, decision) = routed;
        var now = time.GetUtcNow();
        if (message.FromPage && !decision.IsIncident)
        {
            return message.Kind == MessageKind.PagePost ? RoutedOutcome.Ignored : await OfficialReplyAsync(message, now, cancellationToken);
        }

        if (await store.GetByMessageAsync(message.MessageId) is { } existing)
        {
            return await NewDecisionAsync(existing, routed, now, cancellationToken);
        }

        if (!decision.IsIncident)
        {
            return RoutedOutcome.Ignored;
        }

        if (await threads.AttachedToAsync(message.MessageId) is { } joined)
        {
            // A follow-up belongs to the incident it joined: re-route that incident, not its follow-ups.
            logger.LogDebug("Message {MessageId} joined incident {IncidentId} before; decision revision {Revision} ignored",
                message.MessageId, joined, decision.Revision);
            return RoutedOutcome.Ignored;
        }

        if (await JoinThreadAsync(message, decision, now, cancellationToken) is { } outcome)
        {
            return outcome;
        }

        var incident = factory.Create(routed, catalog.Current, now);
        var (id, created) = await store.CreateAsync(incident);
        await CompleteCreationAsync(id, incident, routed, now, cancellationToken);
        logger.LogDebug("Incident {IncidentId} for message {MessageId}: {Authority}, first response due {Due:O}{Repeat}",
            id, incident.MessageId, incident.AuthorityId, incident.FirstResponseDue, created ? "" : " (existed)");
        return created ? RoutedOutcome.Created : RoutedOutcome.Ignored;
    }

    /// <summary>
    /// Applies one entry of the <c>message-events</c> stream (<paramref name="kind"/>: edit, delete or restore) to the
    /// incident of the message, or to the incident the message joined. A message with no incident is skipped: if it
    /// becomes one later, creation reads the stored message as it is then.
    /// </summary>
    public async Task<bool> ApplyMessageEventAsync(string kind, CitizenMessage message, CancellationToken cancellationToken)
    {
        var action = kind switch
        {
            "edit" => IncidentActions.Edited,
            "delete" => IncidentActions.Deleted,
            "restore" => IncidentActions.Restored,
            _ => null,
        };
        if (action is null)
        {
            logger.LogWarning("Message event {Kind} for {MessageId} is of an unknown kind; skipped", kind, message.MessageId);
            return false;
        }

        var id = (await store.GetByMessageAsync(message.MessageId))?.Id ?? await threads.AttachedToAsync(message.MessageId);
        if (id is null)
        {
            return false;
        }

        var now = time.GetUtcNow();
        var (_, changed) = await store.UpdateAsync(id, action, current => lifecycle.MessageChanged(current, action, message, now), cancellationToken);
        return changed;
    }

    /// <summary>The incident of a message, or the incident the message joined as a follow-up.</summary>
    public async Task<Incident?> FindByMessageAsync(string messageId) =>
        await store.GetByMessageAsync(messageId)
        ?? (await threads.AttachedToAsync(messageId) is { } id ? await store.GetAsync(id) : null);

    private async Task<Incident> ActAsync(
        string id, long expectedVersion, StaffCommand command, LifecycleAction action, Func<Incident, Incident> change, CancellationToken cancellationToken)
    {
        var (incident, _) = await store.UpdateAsync(id, action.Name(), current =>
        {
            // Checked on the record being changed, inside its compare-and-set: a re-route in between cannot slip by.
            CheckVersion(current, expectedVersion);
            command.CheckScope(current);
            return command.Stamped(current, change(current));
        }, cancellationToken);
        return incident;
    }

    /// <summary>A caller that read version N and sends it back must find N still current; 0 means "whatever it is".</summary>
    private static void CheckVersion(Incident current, long expectedVersion)
    {
        if (expectedVersion > 0 && current.Version != expectedVersion)
        {
            throw new ConcurrencyConflictException("incident", current.Id, expectedVersion, current.Version);
        }
    }

    private async Task<RoutedOutcome> NewDecisionAsync(Incident existing, RoutedMessage routed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var decision = routed.Decision;
        if (decision.Revision <= existing.RoutingRevision)
        {
            if (decision.Revision == existing.RoutingRevision)
            {
                // The entry that created (or last rerouted or dismissed) the incident, delivered again: the consumer
                // may have failed after the incident's script, before the steps after it.
                await CompleteCreationAsync(existing.Id, existing, routed, now, cancellationToken);
            }

            logger.LogDebug("Decision revision {Revision} for incident {IncidentId} is not newer than {Current}; ignored",
                decision.Revision, existing.Id, existing.RoutingRevision);
            return RoutedOutcome.Ignored;
        }

        if (decision.IsIncident)
        {
            var (_, rerouted) = await store.UpdateAsync(existing.Id, LifecycleAction.Reroute.Name(),
                current => lifecycle.Reroute(current, decision, catalog.Current, now), cancellationToken);
            return rerouted ? await CountedAsync(routed, RoutedOutcome.Rerouted) : RoutedOutcome.Ignored;
        }

        var (_, dismissed) = await store.UpdateAsync(existing.Id, LifecycleAction.Dismiss.Name(),
            current => lifecycle.Dismiss(current, decision, now), cancellationToken);
        return dismissed ? await CountedAsync(routed, RoutedOutcome.Dismissed) : RoutedOutcome.Ignored;
    }

    /// <summary>A re-route moves the incident's counts to its new authority and place; a dismissal takes them back.</summary>
    private async Task<RoutedOutcome> CountedAsync(RoutedMessage routed, RoutedOutcome outcome)
    {
        await counts.CountAsync(routed);
        return outcome;
    }

    /// <summary>
    /// A page's reply in a thread answers the incidents there that wait for a first response. When it replies to a
    /// particular message, it answers only the waiting incident that message is (or joined), and none when the
    /// message is neither: a reply to another citizen's thanks or question says nothing to the others.
    /// </summary>
    private async Task<RoutedOutcome> OfficialReplyAsync(CitizenMessage reply, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Kept first, for an incident that does not exist yet (see CatchUpWithRepliesAsync).
        await threads.AddReplyAsync(reply);
        var waiting = (await threads.InThreadAsync(reply.Platform, reply.PageExternalId, reply.ThreadId))
            .Where(i => IncidentTransitions.Target(i, LifecycleAction.PlatformReply) is not null)
            .ToList();
        if (waiting.Count > 0 && PageReplies.RepliedTo(reply) is { } repliedTo)
        {
            var joined = await threads.AttachedToAsync(repliedTo);
            waiting = [.. waiting.Where(i => i.MessageId == repliedTo || i.Id == joined)];
            if (waiting.Count == 0)
            {
                _repliesToOthers.Add(1);
                logger.LogDebug("Official reply {MessageId} in thread {ThreadId} replies to {RepliedTo}, no waiting incident: answers none",
                    reply.MessageId, reply.ThreadId, repliedTo);
                return RoutedOutcome.Ignored;
            }
        }

        var answered = 0;
        foreach (var incident in waiting)
        {
            var (_, changed) = await store.UpdateAsync(incident.Id, LifecycleAction.PlatformReply.Name(),
                current => lifecycle.PlatformReply(current, reply, catalog.Current, now), cancellationToken);
            answered += changed ? 1 : 0;
        }

        logger.LogDebug("Official reply {MessageId} in thread {ThreadId}: first response on {Count} incident(s)", reply.MessageId, reply.ThreadId, answered);
        return answered > 0 ? RoutedOutcome.OfficialReply : RoutedOutcome.Ignored;
    }

    /// <summary>
    /// The citizen wrote again in a thread where they have an incident on the same topic: the newest such incident
    /// gets the message as a follow-up or is reopened by it (<see cref="IncidentLifecycle.Match"/>). Null when the
    /// message is a new incident.
    /// </summary>
    private async Task<RoutedOutcome?> JoinThreadAsync(CitizenMessage message, RoutedDecision decision, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (message.ThreadId.Length == 0 || message.AuthorId.Length == 0)
        {
            return null;
        }

        var candidate = (await threads.ByAuthorInThreadAsync(message.Platform, message.PageExternalId, message.ThreadId, message.AuthorId))
            .FirstOrDefault(i => i.AuthorId == message.AuthorId && i.Category == decision.Category);
        var match = candidate is null ? ThreadMatch.None : lifecycle.Match(candidate, message, decision);
        if (candidate is null || match == ThreadMatch.None)
        {
            return null;
        }

        var outcome = RoutedOutcome.FollowUp;
        if (match == ThreadMatch.Reopen)
        {
            // Judged again on the incident as stored: another message may have reopened it in the meantime.
            var (_, reopened) = await store.UpdateAsync(candidate.Id, LifecycleAction.Reopen.Name(), current =>
                lifecycle.Match(current, message, decision) == ThreadMatch.Reopen ? lifecycle.ReopenByCitizen(current, message, catalog.Current, now) : null,
                cancellationToken);
            outcome = reopened ? RoutedOutcome.Reopened : RoutedOutcome.FollowUp;
        }

        if (outcome == RoutedOutcome.FollowUp)
        {
            await store.UpdateAsync(candidate.Id, IncidentActions.FollowUp, current => lifecycle.FollowUp(current, message, now), cancellationToken);
        }

        await threads.AttachAsync(message.MessageId, candidate.Id);
        logger.LogDebug("Message {MessageId} joined incident {IncidentId} ({Outcome})", message.MessageId, candidate.Id, outcome);
        return outcome;
    }

    /// <summary>
    /// What follows the create script: the incident's analytics counts, the thread index, the catch-up with the stored
    /// message, and the page's reply that came before the incident. Each step is idempotent (counts per decision
    /// revision; NX writes; changes judged on the record as stored), so the routed entry's redelivery runs them again
    /// and repairs what a failure between the script and them left undone.
    /// </summary>
    private async Task CompleteCreationAsync(string id, Incident incident, RoutedMessage routed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var message = routed.Message;
        await counts.CountAsync(routed);
        await threads.AddAsync(id, incident);
        await CatchUpWithMessageAsync(id, incident, now, cancellationToken);
        await CatchUpWithRepliesAsync(id, incident, message, now, cancellationToken);
    }

    /// <summary>
    /// The page may have answered in the thread before the incident existed (its message waited in ЦУР moderation
    /// while routing passed the reply on at once); that reply found no incident then. The first of the thread's kept
    /// replies that answers this message (<see cref="PageReplies.FirstAnswering"/>) is its first response now.
    /// Indexing the incident before reading the replies, as <see cref="OfficialReplyAsync"/> keeps a reply before
    /// reading the index, means a reply racing the creation is seen by one of the two (or both: it applies once).
    /// </summary>
    private async Task CatchUpWithRepliesAsync(string id, Incident incident, CitizenMessage message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var replies = await threads.RepliesSinceAsync(incident.Platform, incident.PageExternalId, incident.ThreadId, message.CreatedAt);
        if (PageReplies.FirstAnswering(incident.MessageId, message.CreatedAt, replies) is { } reply)
        {
            await store.UpdateAsync(id, LifecycleAction.PlatformReply.Name(),
                current => lifecycle.PlatformReply(current, reply, catalog.Current, now), cancellationToken);
        }
    }

    /// <summary>
    /// An edit or deletion may have reached ingestion before the incident existed (its message-events entry then found
    /// no incident): the incident takes the message as ingestion stores it now.
    /// </summary>
    private async Task CatchUpWithMessageAsync(string id, Incident incident, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await messages.GetAsync(incident.MessageId) is not { } stored)
        {
            return;
        }

        if (stored.Message.Text != incident.Text && stored.Message.Text.Length > 0)
        {
            await store.UpdateAsync(id, IncidentActions.Edited,
                current => lifecycle.MessageChanged(current, IncidentActions.Edited, stored.Message, now), cancellationToken);
        }

        if (stored.Deleted)
        {
            await store.UpdateAsync(id, IncidentActions.Deleted,
                current => lifecycle.MessageChanged(current, IncidentActions.Deleted, stored.Message, now), cancellationToken);
        }
    }
}
