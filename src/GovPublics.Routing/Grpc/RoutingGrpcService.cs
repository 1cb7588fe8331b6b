using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using GovPublics.Catalog;
using GovPublics.Common.Grpc;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Registry;
using GovPublics.Contracts.Routing.V1;
using GovPublics.Routing.Domain;
using GovPublics.Routing.Knowledge;
using GovPublics.Routing.Moderation;
using GovPublics.Routing.Pipeline;
using GovPublics.Routing.Storage;
using Grpc.Core;
using CorpusFormat = GovPublics.Routing.Domain.Moderation.CorpusFormat;
using DecisionChange = GovPublics.Routing.Domain.Moderation.DecisionChange;
using DomainHistoryEntry = GovPublics.Routing.Domain.Moderation.DecisionHistoryEntry;
using DomainItem = GovPublics.Routing.Domain.Moderation.ModerationItem;
using DomainReasonKind = GovPublics.Routing.Domain.Moderation.ModerationReasonKind;
using DomainState = GovPublics.Routing.Domain.Moderation.ModerationState;
using ModerationItemPb = GovPublics.Contracts.Routing.V1.ModerationItem;
using RoutingDecisionPb = GovPublics.Contracts.Routing.V1.RoutingDecision;

namespace GovPublics.Routing.Grpc;

/// <summary>
/// Previews and reads of routing decisions, their history, the ЦУР moderation queue, re-routes and the export of
/// corrections: validation and mapping around <see cref="ModerationService"/> and the stores.
/// </summary>
public sealed class RoutingGrpcService(
    ClassifierHolder classifiers,
    CatalogCache catalog,
    DecisionStore decisions,
    ModerationService moderation,
    CorrectionStore corrections,
    TimeProvider time) : RoutingService.RoutingServiceBase
{
    public const int MaxTextLength = 16_384;
    public const int MaxIdLength = 200;
    public const int MaxLoginLength = 200;
    public const int MaxReasonLength = 2_000;

    public override Task<RoutingDecisionPb> Classify(ClassifyRequest request, ServerCallContext context)
    {
        new Validator().Require("text", request.Text).MaxLength("text", request.Text, MaxTextLength).ThrowIfInvalid();
        var snapshot = LoadedCatalog();
        string? owner = null;
        if (request.Platform != Contracts.Common.V1.Platform.Unspecified && request.PageExternalId.Length > 0)
        {
            owner = snapshot.FindPage(request.Platform.ToDomain(), request.PageExternalId.Trim())?.OwnerAuthorityId;
        }

        var decision = LoadedClassifier().Classify(new ClassificationInput(request.Text, owner), snapshot);
        return Task.FromResult(ToProto(MessageRouter.ToPipeline(decision, time.GetUtcNow()), "", stored: false));
    }

    public override async Task<RoutingDecisionPb> GetDecision(GetDecisionRequest request, ServerCallContext context)
    {
        new Validator().Require("message_id", request.MessageId).MaxLength("message_id", request.MessageId, MaxIdLength).ThrowIfInvalid();
        var decision = await decisions.GetAsync(request.MessageId)
            ?? throw new EntityNotFoundException("routing decision for message", request.MessageId);
        return ToProto(decision, request.MessageId, stored: true);
    }

    public override async Task<DecisionHistory> GetDecisionHistory(GetDecisionHistoryRequest request, ServerCallContext context)
    {
        new Validator().Require("message_id", request.MessageId).MaxLength("message_id", request.MessageId, MaxIdLength).ThrowIfInvalid();
        var id = request.MessageId.Trim();
        var entries = await decisions.GetHistoryAsync(id);
        if (entries.Count == 0)
        {
            // Decisions stored before histories were kept have only their current decision.
            var current = await decisions.GetAsync(id) ?? throw new EntityNotFoundException("routing decision for message", id);
            entries = [DomainHistoryEntry.First(current)];
        }

        return new DecisionHistory
        {
            MessageId = id,
            Entries =
            {
                entries.Select(e => new DecisionHistoryEntry
                {
                    Revision = e.Revision,
                    Source = (DecisionSource)(int)e.Source,
                    Decision = ToProto(e.Decision, id, stored: true),
                    Published = e.Published,
                    By = e.By,
                    Reason = e.Reason,
                    At = Timestamp.FromDateTimeOffset(e.At),
                    ModerationItemId = e.ModerationItemId,
                }),
            },
        };
    }

    public override async Task<ListModerationResponse> ListModeration(ListModerationRequest request, ServerCallContext context)
    {
        var v = new Validator();
        if (!System.Enum.IsDefined(request.State))
        {
            v.Add("state", $"unknown state {(int)request.State}");
        }

        if (!System.Enum.IsDefined(request.ReasonKind))
        {
            v.Add("reason_kind", $"unknown reason kind {(int)request.ReasonKind}");
        }

        if (request.PageSize < 0)
        {
            v.Add("page_size", "must not be negative");
        }

        long after = 0;
        if (request.PageToken.Length > 0
            && !(long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out after) && after > 0))
        {
            v.Add("page_token", "is not a token this service issued");
        }

        v.ThrowIfInvalid();
        var size = request.PageSize == 0 ? 50 : Math.Min(request.PageSize, 500);
        var state = request.State == Contracts.Routing.V1.ModerationState.Unspecified ? (DomainState?)null : (DomainState)(int)request.State;
        var kind = request.ReasonKind == Contracts.Routing.V1.ModerationReasonKind.Unspecified ? (DomainReasonKind?)null : (DomainReasonKind)(int)request.ReasonKind;
        var (items, next) = await moderation.ListAsync(state, kind, size, after, context.CancellationToken);
        return new ListModerationResponse
        {
            Items = { items.Select(ToProto) },
            NextPageToken = next?.ToString(CultureInfo.InvariantCulture) ?? "",
        };
    }

    public override async Task<ModerationItemPb> TakeModeration(TakeModerationRequest request, ServerCallContext context)
    {
        new Validator()
            .Require("item_id", request.ItemId).MaxLength("item_id", request.ItemId, MaxIdLength)
            .Require("moderator", request.Moderator).MaxLength("moderator", request.Moderator, MaxLoginLength)
            .ThrowIfInvalid();
        return ToProto(await moderation.TakeAsync(request.ItemId.Trim(), request.Moderator.Trim()));
    }

    public override async Task<DecideModerationResponse> DecideModeration(DecideModerationRequest request, ServerCallContext context)
    {
        new Validator()
            .Require("item_id", request.ItemId).MaxLength("item_id", request.ItemId, MaxIdLength)
            .Require("moderator", request.Moderator).MaxLength("moderator", request.Moderator, MaxLoginLength)
            .MaxLength("topic", request.Topic, MaxIdLength).MaxLength("subtopic", request.Subtopic, MaxIdLength)
            .MaxLength("responsible_authority_id", request.ResponsibleAuthorityId, MaxIdLength)
            .MaxLength("territory_id", request.TerritoryId, MaxIdLength)
            .MaxLength("comment", request.Comment, MaxReasonLength)
            .ThrowIfInvalid();
        LoadedCatalog();
        LoadedClassifier();
        var change = new DecisionChange
        {
            IsIncident = request.IsIncident,
            Topic = request.Topic,
            Subtopic = request.Subtopic,
            Urgent = request.Urgent,
            TerritoryId = NullIfEmpty(request.TerritoryId),
            AuthorityId = NullIfEmpty(request.ResponsibleAuthorityId),
        };
        var outcome = await moderation.DecideAsync(request.ItemId.Trim(), request.Moderator.Trim(), change, request.Comment.Trim());
        return new DecideModerationResponse
        {
            Item = ToProto(outcome.Item),
            Decision = ToProto(outcome.Decision, outcome.Item.MessageId, stored: true),
            CorrectionRecorded = outcome.CorrectionRecorded,
        };
    }

    public override async Task<RoutingDecisionPb> RerouteIncident(RerouteIncidentRequest request, ServerCallContext context)
    {
        var v = new Validator()
            .Require("message_id", request.MessageId).MaxLength("message_id", request.MessageId, MaxIdLength)
            .Require("reason", request.Reason).MaxLength("reason", request.Reason, MaxReasonLength)
            .Require("by", request.By).MaxLength("by", request.By, MaxLoginLength)
            .MaxLength("topic", request.Topic, MaxIdLength).MaxLength("subtopic", request.Subtopic, MaxIdLength)
            .MaxLength("responsible_authority_id", request.ResponsibleAuthorityId, MaxIdLength)
            .MaxLength("territory_id", request.TerritoryId, MaxIdLength);
        if (request.HasExpectedRevision && request.ExpectedRevision < 0)
        {
            v.Add("expected_revision", "must not be negative");
        }

        v.ThrowIfInvalid();
        LoadedCatalog();
        LoadedClassifier();
        var change = new DecisionChange
        {
            Topic = NullIfEmpty(request.Topic),
            Subtopic = NullIfEmpty(request.Subtopic),
            Urgent = request.HasUrgent ? request.Urgent : null,
            TerritoryId = NullIfEmpty(request.TerritoryId),
            AuthorityId = NullIfEmpty(request.ResponsibleAuthorityId),
        };
        var id = request.MessageId.Trim();
        var decision = await moderation.RerouteAsync(id, change, request.By.Trim(), request.Reason.Trim(),
            request.HasExpectedRevision ? request.ExpectedRevision : null, CallerIdentity.From(context.RequestHeaders).ScopedAuthority);
        return ToProto(decision, id, stored: true);
    }

    public override async Task ExportCorrections(ExportCorrectionsRequest request, IServerStreamWriter<LabelledCorrection> responseStream, ServerCallContext context)
    {
        var v = new Validator();
        var since = RequestTimestamps.Optional(v, "since", request.Since);
        v.ThrowIfInvalid();

        await foreach (var c in corrections.ReadAllAsync(since, context.CancellationToken))
        {
            await responseStream.WriteAsync(new LabelledCorrection
            {
                Line = CorpusFormat.Serialize(c.ToCorpusLine()),
                MessageId = c.MessageId,
                Revision = c.Revision,
                Source = (DecisionSource)(int)c.Source,
                CorrectedBy = c.By,
                CorrectedAt = Timestamp.FromDateTimeOffset(c.At),
                Reason = c.Reason,
                Original = ToProto(c.Original, c.MessageId, stored: true),
                Corrected = ToProto(c.Corrected, c.MessageId, stored: true),
            }, context.CancellationToken);
        }
    }

    /// <summary>The catalogue, or UNAVAILABLE while it is still loading.</summary>
    private CatalogSnapshot LoadedCatalog() => catalog.IsLoaded
        ? catalog.Current
        : throw new RpcException(new Status(StatusCode.Unavailable, "The registry catalogue is still loading; retry shortly."));

    /// <summary>
    /// The classifier, or UNAVAILABLE while the routing knowledge is still loading: a decision or re-route is checked
    /// against its topics, and <see cref="ClassifierHolder.Current"/> would throw (INTERNAL) before the first load.
    /// </summary>
    private MessageClassifier LoadedClassifier() => classifiers.IsLoaded
        ? classifiers.Current
        : throw new RpcException(new Status(StatusCode.Unavailable, "The routing knowledge is still loading; retry shortly."));

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private ModerationItemPb ToProto(DomainItem item) => new()
    {
        Id = item.Id,
        MessageId = item.MessageId,
        State = (Contracts.Routing.V1.ModerationState)(int)moderation.StateOf(item),
        ReasonKind = (Contracts.Routing.V1.ModerationReasonKind)(int)item.ReasonKind,
        Reason = item.Reason,
        IncidentId = item.IncidentId,
        RejectedByAuthorityId = item.RejectedByAuthorityId,
        RejectedBy = item.RejectedBy,
        CreatedAt = Timestamp.FromDateTimeOffset(item.CreatedAt),
        Decision = ToProto(item.Decision, item.MessageId, stored: true),
        Text = item.Message.Text,
        Platform = item.Message.Platform.ToProto(),
        PageExternalId = item.Message.PageExternalId,
        Kind = (Contracts.Common.V1.MessageKind)(int)item.Message.Kind,
        PageOwnerAuthorityId = item.PageOwnerAuthorityId,
        ReceivedAt = Timestamp.FromDateTimeOffset(item.Message.ReceivedAt),
        AuthorName = item.Message.AuthorName,
        TakenBy = item.TakenBy,
        TakenAt = item.TakenAt is { } taken ? Timestamp.FromDateTimeOffset(taken) : null,
        LeaseEndsAt = moderation.LeaseEndsAt(item) is { } ends ? Timestamp.FromDateTimeOffset(ends) : null,
        DecidedBy = item.DecidedBy,
        DecidedAt = item.DecidedAt is { } decided ? Timestamp.FromDateTimeOffset(decided) : null,
        DecidedRevision = item.DecidedRevision,
        Comment = item.Comment,
    };

    private static RoutingDecisionPb ToProto(RoutedDecision d, string messageId, bool stored) => new()
    {
        IsIncident = d.IsIncident,
        Category = d.Category,
        Subcategory = d.Subcategory,
        Urgent = d.Urgent,
        MunicipalityId = d.MunicipalityId,
        MunicipalityName = d.MunicipalityName,
        DistrictId = d.DistrictId,
        DistrictName = d.DistrictName,
        ResponsibleAuthorityId = d.ResponsibleAuthorityId,
        ResponsibleAuthorityName = d.ResponsibleAuthorityName,
        Confidence = d.Confidence,
        Explanation = d.Explanation,
        RuleId = d.RuleId,
        KnowledgeVersion = d.KnowledgeVersion,
        Evidence = { d.Evidence.Select(e => new Evidence { Kind = e.Kind, Detail = e.Detail, Weight = e.Weight }) },
        MessageId = messageId,
        NeedsModeration = d.NeedsModeration,
        Revision = d.Revision,
        Reroute = d.Reroute is { } r
            ? new Reroute { Reason = r.Reason, By = r.By, PreviousAuthorityId = r.PreviousAuthorityId, PreviousCategory = r.PreviousCategory }
            : null,
        Published = stored && !DomainHistoryEntry.IsHeldBack(d),
        DecidedAt = stored && d.DecidedAt != default ? Timestamp.FromDateTimeOffset(d.DecidedAt) : null,
    };
}
