using GovPublics.Catalog;
using GovPublics.Common.Grpc;
using GovPublics.Common.Registry;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Sla.Domain.Clock;
using GovPublics.Sla.Domain.Deadlines;
using GovPublics.Sla.Domain.Lifecycle;
using WorkingClocks = GovPublics.Sla.Domain.Incidents.WorkingClocks;
using GovPublics.Sla.Storage;
using GovPublics.Sla.Workflow;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using DomainAnswerKind = GovPublics.Sla.Domain.Lifecycle.AnswerKind;
using DomainHistoryEntry = GovPublics.Sla.Domain.Incidents.IncidentHistoryEntry;
using DomainIncident = GovPublics.Sla.Domain.Incidents.Incident;
using DomainStatus = GovPublics.Sla.Domain.Incidents.IncidentStatus;

namespace GovPublics.Sla.Grpc;

/// <summary>Reads of incidents and the lifecycle actions: validate, call the store or the workflow, map.</summary>
public sealed class SlaGrpcService(
    IncidentStore store,
    IncidentWorkflow workflow,
    CatalogCache catalog,
    DeadlineCalculator deadlines,
    WorkingClocks clocks,
    TimeProvider time) : SlaService.SlaServiceBase
{
    public override async Task<Incident> GetIncident(GetIncidentRequest request, ServerCallContext context)
    {
        new Validator().Require("id", request.Id).ThrowIfInvalid();
        var incident = await store.GetAsync(IncidentId(request.Id)) ?? throw new EntityNotFoundException("incident", request.Id);
        return ToProto(incident, time.GetUtcNow());
    }

    public override async Task<Incident> GetIncidentByMessage(GetIncidentByMessageRequest request, ServerCallContext context)
    {
        new Validator().Require("message_id", request.MessageId).ThrowIfInvalid();
        var incident = await workflow.FindByMessageAsync(request.MessageId.Trim())
            ?? throw new EntityNotFoundException("incident for message", request.MessageId);
        return ToProto(incident, time.GetUtcNow());
    }

    public override async Task<Incident> AssignIncident(AssignIncidentRequest request, ServerCallContext context)
    {
        var command = Command(request.Actor, request.Comment, context);
        Validate(request.Id, request.ExpectedVersion, LifecycleAction.Assign, command, request.AssigneeId);
        return ToProto(await workflow.AssignAsync(IncidentId(request.Id), request.ExpectedVersion, command, request.AssigneeId, context.CancellationToken), command.At);
    }

    public override async Task<Incident> TakeIncident(TakeIncidentRequest request, ServerCallContext context)
    {
        var command = Command(request.Actor, request.Comment, context);
        Validate(request.Id, request.ExpectedVersion, LifecycleAction.Take, command);
        return ToProto(await workflow.TakeAsync(IncidentId(request.Id), request.ExpectedVersion, command, context.CancellationToken), command.At);
    }

    public override async Task<Incident> AnswerIncident(AnswerIncidentRequest request, ServerCallContext context)
    {
        var command = Command(request.Actor, request.Text, context);
        var kind = request.Kind switch
        {
            GovPublics.Contracts.Sla.V1.AnswerKind.Intermediate => DomainAnswerKind.Intermediate,
            GovPublics.Contracts.Sla.V1.AnswerKind.Final => DomainAnswerKind.Final,
            _ => (DomainAnswerKind?)null,
        };
        var v = Check(new Validator(), request.Id, request.ExpectedVersion);
        if (kind is null)
        {
            v.Add("kind", "must be ANSWER_KIND_INTERMEDIATE or ANSWER_KIND_FINAL");
        }

        IncidentLifecycle.Check(v, (kind ?? DomainAnswerKind.Final).Action(), command).ThrowIfInvalid();
        return ToProto(await workflow.AnswerAsync(IncidentId(request.Id), request.ExpectedVersion, command, kind!.Value, context.CancellationToken), command.At);
    }

    public override async Task<Incident> ResolveIncident(ResolveIncidentRequest request, ServerCallContext context)
    {
        var command = Command(request.Actor, request.Comment, context);
        Validate(request.Id, request.ExpectedVersion, LifecycleAction.Resolve, command);
        return ToProto(await workflow.ResolveAsync(IncidentId(request.Id), request.ExpectedVersion, command, context.CancellationToken), command.At);
    }

    public override async Task<Incident> RejectIncident(RejectIncidentRequest request, ServerCallContext context)
    {
        var command = Command(request.Actor, request.Reason, context);
        Validate(request.Id, request.ExpectedVersion, LifecycleAction.Reject, command);
        return ToProto(await workflow.RejectAsync(IncidentId(request.Id), request.ExpectedVersion, command, context.CancellationToken), command.At);
    }

    public override async Task<Incident> ReopenIncident(ReopenIncidentRequest request, ServerCallContext context)
    {
        var command = Command(request.Actor, request.Reason, context);
        Validate(request.Id, request.ExpectedVersion, LifecycleAction.Reopen, command);
        return ToProto(await workflow.ReopenAsync(IncidentId(request.Id), request.ExpectedVersion, command, context.CancellationToken), command.At);
    }

    public override async Task<Incident> CloseIncident(CloseIncidentRequest request, ServerCallContext context)
    {
        var command = Command(request.Actor, request.Comment, context);
        Validate(request.Id, request.ExpectedVersion, LifecycleAction.Close, command);
        return ToProto(await workflow.CloseAsync(IncidentId(request.Id), request.ExpectedVersion, command, context.CancellationToken), command.At);
    }

    public override async Task<ListIncidentsResponse> ListIncidents(ListIncidentsRequest request, ServerCallContext context)
    {
        var v = new Validator();
        if (request.PageSize < 0)
        {
            v.Add("page_size", "must not be negative");
        }

        if (!System.Enum.IsDefined(request.Status))
        {
            v.Add("status", $"unknown status {(int)request.Status}");
        }

        var createdFrom = RequestTimestamps.Optional(v, "created_from", request.CreatedFrom);
        var createdTo = RequestTimestamps.Optional(v, "created_to", request.CreatedTo);
        if (createdFrom > createdTo)
        {
            v.Add("created_to", "must not be before created_from");
        }

        long? before = null;
        if (request.PageToken.Length > 0)
        {
            if (long.TryParse(request.PageToken, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq) && seq > 0)
            {
                before = seq;
            }
            else
            {
                v.Add("page_token", "is not a token this service issued");
            }
        }

        v.ThrowIfInvalid();
        var size = request.PageSize == 0 ? 50 : Math.Min(request.PageSize, 500);
        var filter = new IncidentFilter(
            request.AuthorityId.Trim(),
            request.Status == IncidentStatus.Unspecified ? null : (DomainStatus)(int)request.Status,
            request.Category.Trim(),
            request.HasOverdue ? request.Overdue : null,
            TerritoryScope(request.TerritoryId.Trim()),
            createdFrom,
            createdTo);
        var now = time.GetUtcNow();
        var (items, next) = await store.ListAsync(filter, size, before, now, context.CancellationToken);
        return new ListIncidentsResponse
        {
            Incidents = { items.Select(i => ToProto(i, now)) },
            NextPageToken = next?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
    }

    public override Task WatchIncidents(WatchIncidentsRequest request, IServerStreamWriter<IncidentEvent> responseStream, ServerCallContext context) =>
        IncidentWatch.RunAsync(store, request, responseStream, i => ToProto(i, time.GetUtcNow()), context.CancellationToken);

    /// <summary>
    /// The territories an incident may lie on to match <paramref name="territoryId"/>: it and those under it; null (no
    /// filter) for none or for the region, which holds every incident.
    /// </summary>
    private IReadOnlySet<string>? TerritoryScope(string territoryId)
    {
        if (territoryId.Length == 0)
        {
            return null;
        }

        var snapshot = catalog.Current;
        var territory = snapshot.FindTerritory(territoryId) ?? throw new EntityNotFoundException("territory", territoryId);
        return territory.Kind == TerritoryKind.Region ? null : snapshot.Subtree(territory.Id);
    }

    public override Task<PreviewDeadlinesResponse> PreviewDeadlines(PreviewDeadlinesRequest request, ServerCallContext context)
    {
        var v = new Validator().Require("authority_id", request.AuthorityId).Require("topic", request.Topic);
        var receivedAt = RequestTimestamps.Required(v, "received_at", request.ReceivedAt);
        var kind = request.Kind.Length == 0 ? DeadlineKinds.Comment : request.Kind;
        if (!DeadlineKinds.All.Contains(kind))
        {
            v.Add("kind", $"must be one of {string.Join(", ", DeadlineKinds.All)}");
        }

        var intermediateAnswerAt = RequestTimestamps.Optional(v, "intermediate_answer_at", request.IntermediateAnswerAt);
        if (intermediateAnswerAt < receivedAt)
        {
            v.Add("intermediate_answer_at", "must not be before received_at");
        }

        v.ThrowIfInvalid();
        var authority = catalog.Current.FindAuthority(request.AuthorityId.Trim()) ?? throw new EntityNotFoundException("authority", request.AuthorityId);
        var clock = clocks.For(authority);
        DeadlineResult result;
        try
        {
            result = deadlines.Compute(new DeadlineRequest(request.Topic, request.Urgent, kind,
                receivedAt!.Value, intermediateAnswerAt, clock));
        }
        catch (CalendarYearNotLoadedException ex)
        {
            throw new ValidationFailedException("received_at", ex.Message);
        }

        return Task.FromResult(new PreviewDeadlinesResponse
        {
            FirstResponseDueAt = Timestamp.FromDateTimeOffset(result.FirstResponseDue),
            FinalAnswerDueAt = result.FinalAnswerDue is { } final ? Timestamp.FromDateTimeOffset(final) : null,
            Policy = result.PolicyDescription,
            TimeZone = clock.TimeZone.Id,
        });
    }

    /// <summary>The caller's command; an executor's (as the gateway says, <see cref="CallerIdentity"/>) is bound to its authority.</summary>
    private StaffCommand Command(string actor, string text, ServerCallContext context)
    {
        var caller = CallerIdentity.From(context.RequestHeaders);
        return new(actor, time.GetUtcNow(), text, caller.ScopedAuthority, caller.Client);
    }

    private static string IncidentId(string id) => id.Trim().ToUpperInvariant();

    private static Validator Check(Validator v, string id, long expectedVersion)
    {
        v.Require("id", id);
        if (expectedVersion < 0)
        {
            v.Add("expected_version", "must not be negative");
        }

        return v;
    }

    private static void Validate(string id, long expectedVersion, LifecycleAction action, StaffCommand command, string assigneeId = "") =>
        IncidentLifecycle.Check(Check(new Validator(), id, expectedVersion), action, command, assigneeId).ThrowIfInvalid();

    private static Timestamp? At(DateTimeOffset? at) => at is { } value ? Timestamp.FromDateTimeOffset(value) : null;

    private static IncidentHistoryEntry ToProto(DomainHistoryEntry h) => new()
    {
        At = Timestamp.FromDateTimeOffset(h.At),
        Actor = h.Actor,
        Action = h.Action,
        FromStatus = (IncidentStatus)(int)h.FromStatus,
        ToStatus = (IncidentStatus)(int)h.ToStatus,
        Comment = h.Comment,
        MessageId = h.MessageId,
        Client = h.Client,
        Count = h.Count,
        LastAt = At(h.LastAt),
    };

    private static Incident ToProto(DomainIncident i, DateTimeOffset now) => new()
    {
        Id = i.Id,
        MessageId = i.MessageId,
        Status = (IncidentStatus)(int)i.Status,
        Category = i.Category,
        Subcategory = i.Subcategory,
        Urgent = i.Urgent,
        AuthorityId = i.AuthorityId,
        AuthorityName = i.AuthorityName,
        MunicipalityId = i.MunicipalityId,
        MunicipalityName = i.MunicipalityName,
        DistrictId = i.DistrictId,
        DistrictName = i.DistrictName,
        Platform = i.Platform.ToProto(),
        PageExternalId = i.PageExternalId,
        ThreadId = i.ThreadId,
        Text = i.Text,
        ReceivedAt = Timestamp.FromDateTimeOffset(i.ReceivedAt),
        CreatedAt = Timestamp.FromDateTimeOffset(i.CreatedAt),
        FirstResponseDueAt = Timestamp.FromDateTimeOffset(i.FirstResponseDue),
        FirstResponseAt = i.FirstResponseAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        Overdue = i.IsOverdue(now),
        Escalations = { TimerMapping.Escalations(i) },
        FiredTimers = { TimerMapping.FiredTimers(i) },
        WarningAt = TimerMapping.WarningAt(i),
        BreachedAt = TimerMapping.BreachedAt(i),
        NextTimerAt = TimerMapping.NextTimerAt(i),
        RoutingConfidence = i.RoutingConfidence,
        RoutingExplanation = i.RoutingExplanation,
        DeadlinePolicy = i.DeadlinePolicy,
        Version = i.Version,
        UpdatedAt = Timestamp.FromDateTimeOffset(i.UpdatedAt),
        AssigneeId = i.AssigneeId,
        IntermediateAnswerAt = At(i.IntermediateAnswerAt),
        FinalAnswerDueAt = At(i.FinalAnswerDue),
        FinalAnswerAt = At(i.FinalAnswerAt),
        ResolvedAt = At(i.ResolvedAt),
        ClosedAt = At(i.ClosedAt),
        ReopenCount = i.ReopenCount,
        FollowUpCount = i.FollowUpCount,
        EditCount = i.EditCount,
        OriginalText = i.OriginalText ?? "",
        RoutingRevision = i.RoutingRevision,
        History = { i.History.Select(ToProto) },
        AuthorId = i.AuthorId,
        Kind = (GovPublics.Contracts.Common.V1.MessageKind)(int)i.Kind,
        MessageDeleted = i.MessageDeleted,
        AllowedActions = { IncidentTransitions.AllowedToStaff(i).Select(a => a.Name()) },
    };
}
