using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Sla.Domain.Deadlines;
using GovPublics.Sla.Domain.Incidents;

namespace GovPublics.Sla.Domain.Lifecycle;

/// <summary>A person's action on an incident: who, when, and the text it carries (answer, reason or comment).</summary>
/// <param name="Actor">The login of who acts.</param>
/// <param name="At">When.</param>
/// <param name="Text">The answer (answers), the reason (reject, reopen) or an optional comment (the others).</param>
/// <param name="ActingFor">
/// The only authority whose incidents the caller may act on (an executor's); empty for the ЦУР, who may act on any.
/// </param>
/// <param name="Client">The gateway client the command came through (the actor is what the caller says; this is who
/// the token says called); empty for a call that did not come through the gateway.</param>
public sealed record StaffCommand(string Actor, DateTimeOffset At, string Text = "", string ActingFor = "", string Client = "")
{
    /// <summary><paramref name="after"/> with <see cref="Client"/> on every history entry the command added to <paramref name="before"/>.</summary>
    public Incidents.Incident Stamped(Incidents.Incident before, Incidents.Incident after) =>
        Client.Length == 0 || after.History.Count <= before.History.Count ? after
        : after with
        {
            History = [.. after.History.Take(before.History.Count), .. after.History.Skip(before.History.Count).Select(h => h with { Client = Client })],
        };

    /// <summary>Refuses the command on an incident of another authority than the one the caller acts for.</summary>
    public void CheckScope(Incidents.Incident incident)
    {
        if (ActingFor.Length > 0 && !string.Equals(incident.AuthorityId, ActingFor, StringComparison.Ordinal))
        {
            throw new AccessDeniedException(
                $"Incident {incident.Id} is with {incident.AuthorityId}; a client of {ActingFor} may act only on its own authority's incidents.");
        }
    }
}

/// <summary>How a citizen's new message in a thread relates to an earlier incident of the same citizen there.</summary>
public enum ThreadMatch
{
    /// <summary>Unrelated: the message is a new incident.</summary>
    None = 0,

    /// <summary>The incident is still being handled: the message joins its history, no new incident.</summary>
    FollowUp = 1,

    /// <summary>The incident was answered, resolved or closed within the reopen period: the message reopens it.</summary>
    Reopen = 2,
}

/// <summary>
/// The incident lifecycle as functions: each takes an incident and a command and returns the changed incident with
/// one more history entry (who, when, what, from which status to which, why), or throws
/// <see cref="InvalidStateTransitionException"/> when <see cref="IncidentTransitions"/> does not allow the action in
/// the incident's status, or <see cref="ValidationFailedException"/> for a missing actor, text or reason. Functions
/// driven by the pipeline return null when there is nothing to do (the message was applied before, or does not
/// concern the incident), so a redelivered stream entry changes nothing twice. Deadlines are computed with the
/// <see cref="DeadlineCalculator"/> on the responsible authority's working clock.
/// </summary>
public sealed class IncidentLifecycle(DeadlineCalculator deadlines, WorkingClocks clocks, LifecycleOptions options)
{
    private readonly LifecycleOptions _options = options.Validated();

    public LifecycleOptions Options => _options;

    /// <summary>
    /// The field violations of a person's command: actor (required, not a reserved <c>system:</c> or <c>citizen:</c>
    /// actor), text for answers, reason for reject and reopen (required), comment otherwise (optional), assignee for
    /// assign. Added to <paramref name="validator"/> so the transport can report its own fields with them.
    /// </summary>
    public static Validator Check(Validator validator, LifecycleAction action, StaffCommand command, string assigneeId = "")
    {
        CheckActor(validator, "actor", command.Actor);
        switch (action)
        {
            case LifecycleAction.AnswerIntermediate or LifecycleAction.AnswerFinal:
                validator.Require("text", command.Text).MaxLength("text", command.Text, LifecycleLimits.MaxAnswerLength);
                break;
            case LifecycleAction.Reject or LifecycleAction.Reopen:
                validator.Require("reason", command.Text).MaxLength("reason", command.Text, LifecycleLimits.MaxReasonLength);
                break;
            default:
                validator.MaxLength("comment", command.Text, LifecycleLimits.MaxReasonLength);
                break;
        }

        if (action == LifecycleAction.Assign)
        {
            CheckActor(validator, "assignee_id", assigneeId);
        }

        return validator;
    }

    public Incident Assign(Incident incident, StaffCommand command, string assigneeId)
    {
        Check(new Validator(), LifecycleAction.Assign, command, assigneeId).ThrowIfInvalid();
        var to = IncidentTransitions.Require(incident, LifecycleAction.Assign);
        var assignee = assigneeId.Trim();
        return Record(incident, incident with { Status = to, AssigneeId = assignee }, command, LifecycleAction.Assign,
            Join($"assigned to {assignee}", command.Text));
    }

    public Incident Take(Incident incident, StaffCommand command)
    {
        Check(new Validator(), LifecycleAction.Take, command).ThrowIfInvalid();
        var to = IncidentTransitions.Require(incident, LifecycleAction.Take);
        return Record(incident, incident with { Status = to, AssigneeId = command.Actor.Trim() }, command, LifecycleAction.Take, command.Text.Trim());
    }

    /// <summary>
    /// An answer: the first answer is the first response. An intermediate answer starts the final answer's deadline
    /// (the end of the policy's N-th working day after the local day of the answer, on the authority's clock). Who
    /// answers an incident nobody took becomes its assignee.
    /// </summary>
    public Incident Answer(Incident incident, StaffCommand command, AnswerKind kind, CatalogSnapshot catalog)
    {
        var action = kind.Action();
        Check(new Validator(), action, command).ThrowIfInvalid();
        var to = IncidentTransitions.Require(incident, action);
        var at = command.At;
        var next = incident with
        {
            Status = to,
            FirstResponseAt = incident.FirstResponseAt ?? at,
            AssigneeId = incident.AssigneeId.Length > 0 ? incident.AssigneeId : command.Actor.Trim(),
        };
        next = kind == AnswerKind.Intermediate
            ? next with { IntermediateAnswerAt = at, FinalAnswerDue = FinalAnswerDue(incident, at, catalog) }
            : next with { FinalAnswerAt = at };
        return Record(incident, next, command, action, command.Text.Trim());
    }

    public Incident Resolve(Incident incident, StaffCommand command)
    {
        Check(new Validator(), LifecycleAction.Resolve, command).ThrowIfInvalid();
        var to = IncidentTransitions.Require(incident, LifecycleAction.Resolve);
        return Record(incident, incident with { Status = to, ResolvedAt = command.At }, command, LifecycleAction.Resolve, command.Text.Trim());
    }

    public Incident Close(Incident incident, StaffCommand command)
    {
        Check(new Validator(), LifecycleAction.Close, command).ThrowIfInvalid();
        var to = IncidentTransitions.Require(incident, LifecycleAction.Close);
        return Record(incident, incident with { Status = to, ClosedAt = command.At }, command, LifecycleAction.Close, command.Text.Trim());
    }

    /// <summary>"Not ours", with the reason: the incident waits for ЦУР's moderation to route it again.</summary>
    public Incident Reject(Incident incident, StaffCommand command)
    {
        Check(new Validator(), LifecycleAction.Reject, command).ThrowIfInvalid();
        var to = IncidentTransitions.Require(incident, LifecycleAction.Reject);
        return Record(incident, incident with { Status = to }, command, LifecycleAction.Reject, command.Text.Trim());
    }

    /// <summary>A person reopens the incident: a new first-response deadline from now, the answers of the last round cleared.</summary>
    public Incident Reopen(Incident incident, StaffCommand command, CatalogSnapshot catalog)
    {
        Check(new Validator(), LifecycleAction.Reopen, command).ThrowIfInvalid();
        return Reopened(incident, command.At, command.At, command.Actor.Trim(), command.Text.Trim(), "", catalog);
    }

    /// <summary>
    /// How <paramref name="message"/>, routed as an incident, relates to <paramref name="candidate"/>, an earlier
    /// incident in the same thread: the same citizen (author id known and equal), the same topic, not the page itself.
    /// Still being handled (new, assigned, in progress, answered with only an intermediate answer, rejected): a
    /// follow-up. Done (final answer, resolved, closed) and written within <see cref="LifecycleOptions.ReopenPeriod"/>
    /// after that: reopen; written before it: a follow-up; later: unrelated.
    /// </summary>
    public ThreadMatch Match(Incident candidate, CitizenMessage message, RoutedDecision decision)
    {
        if (message.FromPage || message.ThreadId.Length == 0 || candidate.MessageId == message.MessageId
            || candidate.AuthorId.Length == 0 || candidate.AuthorId != message.AuthorId
            || candidate.Platform != message.Platform || candidate.PageExternalId != message.PageExternalId
            || candidate.ThreadId != message.ThreadId || candidate.Category != decision.Category)
        {
            return ThreadMatch.None;
        }

        if (DoneAt(candidate) is not { } done)
        {
            return ThreadMatch.FollowUp;
        }

        if (message.CreatedAt < done)
        {
            return ThreadMatch.FollowUp;
        }

        return message.CreatedAt - done <= _options.ReopenPeriod ? ThreadMatch.Reopen : ThreadMatch.None;
    }

    /// <summary>
    /// The citizen wrote again within the reopen period: the incident is reopened by the citizen, the new first-response
    /// deadline counting from when the message was received. Null when this message was applied before.
    /// </summary>
    public Incident? ReopenByCitizen(Incident incident, CitizenMessage message, CatalogSnapshot catalog, DateTimeOffset now)
    {
        if (Applied(incident, message.MessageId))
        {
            return null;
        }

        return Reopened(incident, message.ReceivedAt, now, SystemActors.Citizen(message.AuthorId), message.Text, message.MessageId, catalog);
    }

    /// <summary>The citizen wrote again about an incident still being handled: recorded, no status change.</summary>
    public Incident? FollowUp(Incident incident, CitizenMessage message, DateTimeOffset now)
    {
        if (Applied(incident, message.MessageId))
        {
            return null;
        }

        var counted = incident with { FollowUpCount = incident.FollowUpCount + 1, UpdatedAt = now };
        return incident.FollowUpCount < _options.FollowUpsKept
            ? Note(counted, message.ReceivedAt, now, SystemActors.Citizen(message.AuthorId), IncidentActions.FollowUp, message.Text, message.MessageId)
            : counted;
    }

    /// <summary>
    /// Routing's newer decision makes the incident another authority's (or topic's): back to new, nobody assigned,
    /// answers cleared, a new first-response deadline from now on the new authority's clock. Null for a decision not
    /// newer than the one the incident follows.
    /// </summary>
    public Incident? Reroute(Incident incident, RoutedDecision decision, CatalogSnapshot catalog, DateTimeOffset now)
    {
        if (!decision.IsIncident)
        {
            throw new ArgumentException("A decision that is not an incident dismisses; it does not reroute.", nameof(decision));
        }

        if (decision.Revision <= incident.RoutingRevision)
        {
            return null;
        }

        var to = IncidentTransitions.Require(incident, LifecycleAction.Reroute);
        var authority = catalog.FindAuthority(decision.ResponsibleAuthorityId);
        var authorityName = authority?.Name ?? decision.ResponsibleAuthorityName;
        var result = deadlines.Compute(new DeadlineRequest(decision.Category, decision.Urgent, DeadlineKind(incident), now, null, clocks.For(authority)));
        var next = Cleared(incident) with
        {
            Status = to,
            Category = decision.Category,
            Subcategory = decision.Subcategory,
            Urgent = decision.Urgent,
            AuthorityId = decision.ResponsibleAuthorityId,
            AuthorityName = authorityName,
            MunicipalityId = decision.MunicipalityId,
            MunicipalityName = decision.MunicipalityName,
            DistrictId = decision.DistrictId,
            DistrictName = decision.DistrictName,
            RoutingConfidence = decision.Confidence,
            RoutingExplanation = decision.Explanation,
            RoutingRevision = decision.Revision,
            AssigneeId = "",
            FirstResponseDue = result.FirstResponseDue,
            DeadlinePolicy = result.PolicyDescription,
        };
        var (actor, why) = Why(decision);
        var comment = $"rerouted by {actor}: {why}; {incident.AuthorityName} ({incident.AuthorityId}), {incident.Category} → "
            + $"{authorityName} ({decision.ResponsibleAuthorityId}), {decision.Category}";
        return Record(incident, next, now, now, actor, LifecycleAction.Reroute.Name(), comment, "");
    }

    /// <summary>
    /// Routing's newer decision says the message needs no action: the incident is closed with the reason. Null for a
    /// decision not newer than the one the incident follows.
    /// </summary>
    public Incident? Dismiss(Incident incident, RoutedDecision decision, DateTimeOffset now)
    {
        if (decision.IsIncident)
        {
            throw new ArgumentException("A decision that is an incident reroutes; it does not dismiss.", nameof(decision));
        }

        if (decision.Revision <= incident.RoutingRevision)
        {
            return null;
        }

        var to = IncidentTransitions.Require(incident, LifecycleAction.Dismiss);
        var (actor, why) = Why(decision);
        var next = incident with { Status = to, ClosedAt = incident.ClosedAt ?? now, RoutingRevision = decision.Revision };
        return Record(incident, next, now, now, actor, LifecycleAction.Dismiss.Name(), $"not an incident ({actor}): {why}", "");
    }

    /// <summary>
    /// The official page replied in the incident's thread: that is the first response, at the reply's time, and
    /// counts as an intermediate answer (the final answer's deadline starts). Null when the reply was applied before,
    /// or was written before the incident was (re)opened (it answers something else).
    /// </summary>
    public Incident? PlatformReply(Incident incident, CitizenMessage reply, CatalogSnapshot catalog, DateTimeOffset now)
    {
        if (Applied(incident, reply.MessageId) || IncidentTransitions.Target(incident, LifecycleAction.PlatformReply) is not { } to)
        {
            return null;
        }

        // Platform clocks and ours differ a little, and VK dates have whole seconds: a reply stamped a moment before
        // the incident's message arrived still answers it, at the message's time.
        var since = WaitingSince(incident);
        if (reply.CreatedAt < since - ClockTolerance)
        {
            return null;
        }

        var at = reply.CreatedAt < since ? since : reply.CreatedAt;
        var next = incident with
        {
            Status = to,
            FirstResponseAt = at,
            IntermediateAnswerAt = at,
            FinalAnswerDue = FinalAnswerDue(incident, at, catalog),
        };
        return Record(incident, next, at, now, SystemActors.Platform, LifecycleAction.PlatformReply.Name(), reply.Text, reply.MessageId);
    }

    /// <summary>How far a platform's clock may be behind ours for a reply to still count.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The citizen edited or restored the message (<paramref name="action"/> <see cref="IncidentActions.Edited"/> or
    /// <see cref="IncidentActions.Restored"/>), or deleted it (<see cref="IncidentActions.Deleted"/>). For the
    /// incident's own message the text follows the edit (<see cref="Incident.EditCount"/> + 1; the text it was created
    /// from is kept as <see cref="Incident.OriginalText"/>) and
    /// <see cref="Incident.MessageDeleted"/> the deletion; for a follow-up message the history kept only the history
    /// records it, and a follow-up beyond <see cref="LifecycleOptions.FollowUpsKept"/> not at all. The change is dated
    /// by when ingestion received it (<see cref="CitizenMessage.ReceivedAt"/>, the same on every delivery of one
    /// event) and merged into an earlier entry of the same message and kind when no lifecycle step came between
    /// (<see cref="Recorded"/>). Null when the incident already reflects it: the same event again, an event older
    /// than a change already applied to the message, or no change.
    /// </summary>
    public Incident? MessageChanged(Incident incident, string action, CitizenMessage message, DateTimeOffset now)
    {
        if (!IncidentActions.IsMessageChange(action))
        {
            throw new ArgumentException($"Unknown message change '{action}'.", nameof(action));
        }

        var own = message.MessageId == incident.MessageId;
        if (!own && !incident.History.Any(h => h.MessageId == message.MessageId && !IncidentActions.IsMessageChange(h.Action)))
        {
            return null;
        }

        var actor = SystemActors.Citizen(message.AuthorId.Length > 0 ? message.AuthorId : incident.AuthorId);
        var text = action == IncidentActions.Deleted ? "" : message.Text;
        var at = message.ReceivedAt;
        var changes = incident.History.Where(h => h.MessageId == message.MessageId && IncidentActions.IsMessageChange(h.Action)).ToList();
        // Entries of one message arrive in order, but a redelivered older one may come after a newer one: the record
        // already shows a later state of the message, which an older event must neither undo nor count again.
        if (changes.Any(h => h.LastAt > at || (h.LastAt == at && h.Action == action && h.Comment == text)))
        {
            return null;
        }

        var next = incident;
        if (own)
        {
            next = action switch
            {
                IncidentActions.Deleted => incident with { MessageDeleted = true },
                IncidentActions.Restored => incident with { MessageDeleted = false, Text = text.Length > 0 ? text : incident.Text },
                _ => incident with { Text = text, EditCount = incident.EditCount + 1 },
            };
            if (next.Text == incident.Text && next.MessageDeleted == incident.MessageDeleted)
            {
                return null;
            }

            if (next.Text != incident.Text && incident.OriginalText is null)
            {
                next = next with { OriginalText = incident.Text };
            }
        }
        else if (changes.Count > 0 && changes.MaxBy(h => h.LastAt ?? h.At) is { } latest && latest.Action == action && latest.Comment == text)
        {
            return null;
        }

        var entry = new IncidentHistoryEntry(at, actor, action, incident.Status, incident.Status, text, message.MessageId, LastAt: at);
        return next with { UpdatedAt = now, History = Recorded(incident.History, entry) };
    }

    /// <summary>
    /// <paramref name="history"/> with a citizen's message change: merged into the entry of the same message and kind
    /// in the trailing run of the citizen's entries (changes and follow-ups after the last lifecycle step), so a
    /// message edited a thousand times between two staff actions is one entry (first time, last time, count, latest
    /// text); when the history already holds <see cref="LifecycleOptions.MessageChangesKept"/> change entries, merged
    /// into that message's latest entry of the kind wherever it is. Appended otherwise: at most one entry per message
    /// and kind then, and the messages are the incident's own and the follow-ups kept.
    /// </summary>
    private IReadOnlyList<IncidentHistoryEntry> Recorded(IReadOnlyList<IncidentHistoryEntry> history, IncidentHistoryEntry change)
    {
        bool Same(IncidentHistoryEntry h) => h.MessageId == change.MessageId && h.Action == change.Action;

        int? target = null;
        for (var i = history.Count - 1; i >= 0 && (IncidentActions.IsMessageChange(history[i].Action) || history[i].Action == IncidentActions.FollowUp); i--)
        {
            if (Same(history[i]))
            {
                target = i;
                break;
            }
        }

        if (target is null && history.Count(h => IncidentActions.IsMessageChange(h.Action)) >= _options.MessageChangesKept)
        {
            var last = history.Select((h, i) => (h, i)).LastOrDefault(x => Same(x.h));
            target = last.h is null ? null : last.i;
        }

        if (target is not { } at)
        {
            return [.. history, change];
        }

        var merged = history[at] with
        {
            Actor = change.Actor,
            Comment = change.Comment,
            Count = history[at].Count + 1,
            LastAt = change.LastAt,
        };
        return [.. history.Take(at), merged, .. history.Skip(at + 1)];
    }

    /// <summary>When the incident was last done with: its final answer, resolution or closure; null while it is being handled.</summary>
    public static DateTimeOffset? DoneAt(Incident incident) => incident.Status switch
    {
        IncidentStatus.Answered => incident.FinalAnswerAt,
        IncidentStatus.Resolved => incident.ResolvedAt,
        IncidentStatus.Closed => incident.ClosedAt,
        _ => null,
    };

    /// <summary>When the incident's current round began: its message, or its last reopening or rerouting.</summary>
    public static DateTimeOffset WaitingSince(Incident incident)
    {
        var reopen = LifecycleAction.Reopen.Name();
        var reroute = LifecycleAction.Reroute.Name();
        var last = incident.History.LastOrDefault(h => h.Action == reopen || h.Action == reroute);
        return last is null || last.At < incident.ReceivedAt ? incident.ReceivedAt : last.At;
    }

    private Incident Reopened(
        Incident incident, DateTimeOffset start, DateTimeOffset now, string actor, string reason, string messageId, CatalogSnapshot catalog)
    {
        var to = IncidentTransitions.Require(incident, LifecycleAction.Reopen);
        var clock = clocks.For(catalog.FindAuthority(incident.AuthorityId));
        var result = deadlines.Compute(new DeadlineRequest(incident.Category, incident.Urgent, DeadlineKind(incident), start, null, clock));
        var next = Cleared(incident) with
        {
            Status = to,
            ReopenCount = incident.ReopenCount + 1,
            FirstRoundResponseDue = incident.ReopenCount == 0 ? incident.FirstResponseDue : incident.FirstRoundResponseDue,
            FirstRoundResponseAt = incident.ReopenCount == 0 ? incident.FirstResponseAt : incident.FirstRoundResponseAt,
            FirstResponseDue = result.FirstResponseDue,
            DeadlinePolicy = result.PolicyDescription,
        };
        return Record(incident, next, start, now, actor, LifecycleAction.Reopen.Name(), reason, messageId);
    }

    private DateTimeOffset FinalAnswerDue(Incident incident, DateTimeOffset intermediateAt, CatalogSnapshot catalog)
    {
        var clock = clocks.For(catalog.FindAuthority(incident.AuthorityId));
        // The calculator refuses an intermediate answer before the message; only the final answer's deadline is used here.
        var received = incident.ReceivedAt < intermediateAt ? incident.ReceivedAt : intermediateAt;
        var result = deadlines.Compute(new DeadlineRequest(incident.Category, incident.Urgent, DeadlineKind(incident), received, intermediateAt, clock));
        return result.FinalAnswerDue ?? throw new InvalidOperationException("The calculator gave no final answer deadline for an intermediate answer.");
    }

    /// <summary>The answers and outcomes of the last round, cleared for a new one (they stay in the history).</summary>
    private static Incident Cleared(Incident incident) => incident with
    {
        FirstResponseAt = null,
        IntermediateAnswerAt = null,
        FinalAnswerDue = null,
        FinalAnswerAt = null,
        ResolvedAt = null,
        ClosedAt = null,
    };

    private static string DeadlineKind(Incident incident) =>
        incident.Kind == MessageKind.PrivateMessage ? DeadlineKinds.PrivateMessage : DeadlineKinds.Comment;

    private static (string Actor, string Why) Why(RoutedDecision decision) =>
        decision.Reroute is { } r && r.By.Trim().Length > 0
            ? (r.By.Trim(), r.Reason.Trim().Length > 0 ? r.Reason.Trim() : decision.Explanation)
            : (SystemActors.Routing, $"routing revision {decision.Revision}: {decision.Explanation}");

    private static bool Applied(Incident incident, string messageId) =>
        messageId.Length > 0 && incident.History.Any(h => h.MessageId == messageId);

    private static void CheckActor(Validator validator, string field, string value)
    {
        validator.Require(field, value).MaxLength(field, value, LifecycleLimits.MaxActorLength);
        if (!string.IsNullOrWhiteSpace(value) && SystemActors.IsReserved(value.Trim()))
        {
            validator.Add(field, "system: and citizen: actors are reserved for the pipeline");
        }
    }

    private static string Join(string what, string comment) =>
        comment.Trim().Length == 0 ? what : $"{what}: {comment.Trim()}";

    private static Incident Record(Incident before, Incident after, StaffCommand command, LifecycleAction action, string comment) =>
        Record(before, after, command.At, command.At, command.Actor.Trim(), action.Name(), comment, "");

    private static Incident Note(Incident incident, DateTimeOffset at, DateTimeOffset now, string actor, string action, string comment, string messageId) =>
        Record(incident, incident, at, now, actor, action, comment, messageId);

    private static Incident Record(
        Incident before, Incident after, DateTimeOffset at, DateTimeOffset now, string actor, string action, string comment, string messageId) =>
        after with
        {
            UpdatedAt = now,
            History = [.. before.History, new IncidentHistoryEntry(at, actor, action, before.Status, after.Status, comment, messageId)],
        };
}
