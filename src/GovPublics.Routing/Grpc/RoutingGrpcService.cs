using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Registry;
using GovPublics.Contracts.Routing.V1;
using GovPublics.Routing.Domain;
using GovPublics.Routing.Pipeline;
using GovPublics.Routing.Storage;
using Grpc.Core;
using RoutingDecisionPb = GovPublics.Contracts.Routing.V1.RoutingDecision;

namespace GovPublics.Routing.Grpc;

/// <summary>Previews of routing decisions and reads of the stored ones.</summary>
public sealed class RoutingGrpcService(
    MessageClassifier classifier,
    CatalogCache catalog,
    DecisionStore decisions,
    TimeProvider time) : RoutingService.RoutingServiceBase
{
    public const int MaxTextLength = 16_384;

    public override Task<RoutingDecisionPb> Classify(ClassifyRequest request, ServerCallContext context)
    {
        new Validator().Require("text", request.Text).MaxLength("text", request.Text, MaxTextLength).ThrowIfInvalid();
        if (!catalog.IsLoaded)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The registry catalogue is still loading; retry shortly."));
        }

        var snapshot = catalog.Current;
        string? owner = null;
        if (request.Platform != Contracts.Common.V1.Platform.Unspecified && request.PageExternalId.Length > 0)
        {
            owner = snapshot.FindPage(request.Platform.ToDomain(), request.PageExternalId.Trim())?.OwnerAuthorityId;
        }

        var decision = classifier.Classify(new ClassificationInput(request.Text, owner), snapshot);
        return Task.FromResult(ToProto(MessageRouter.ToPipeline(decision, time.GetUtcNow()), ""));
    }

    public override async Task<RoutingDecisionPb> GetDecision(GetDecisionRequest request, ServerCallContext context)
    {
        new Validator().Require("message_id", request.MessageId).ThrowIfInvalid();
        var decision = await decisions.GetAsync(request.MessageId)
            ?? throw new EntityNotFoundException("routing decision for message", request.MessageId);
        return ToProto(decision, request.MessageId);
    }

    private static RoutingDecisionPb ToProto(RoutedDecision d, string messageId) => new()
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
        Evidence = { d.Evidence.Select(e => new Evidence { Kind = e.Kind, Detail = e.Detail, Weight = e.Weight }) },
        MessageId = messageId,
        NeedsModeration = d.NeedsModeration,
    };
}
