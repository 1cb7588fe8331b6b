using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Routing.Domain;
using GovPublics.Routing.Knowledge;

namespace GovPublics.Routing.Pipeline;

/// <summary>
/// Turns a pipeline message into a routing decision with the classifier and the local catalogue. A page's own
/// post or reply is not an incident: it is recorded and passed on so SLA can count it as the page's answer.
/// </summary>
public sealed class MessageRouter(ClassifierHolder classifiers, TimeProvider time)
{
    public RoutedDecision Decide(CitizenMessage message, CatalogSnapshot catalog)
    {
        var page = catalog.FindPage(message.Platform, message.PageExternalId);
        if (message.FromPage || message.Kind == MessageKind.PagePost)
        {
            return new RoutedDecision
            {
                IsIncident = false,
                Category = "none",
                Subcategory = "official",
                Confidence = 1,
                ResponsibleAuthorityId = page?.OwnerAuthorityId ?? "",
                ResponsibleAuthorityName = page is null ? "" : catalog.FindAuthority(page.OwnerAuthorityId)?.Name ?? "",
                Explanation = message.FromPage
                    ? "written by the page itself: an official answer in its thread, not an incident"
                    : "a post of the page: kept for ratings, not an incident",
                DecidedAt = time.GetUtcNow(),
            };
        }

        // One read of the holder: the whole message is classified with one knowledge version.
        var decision = classifiers.Current.Classify(new ClassificationInput(message.Text, page?.OwnerAuthorityId), catalog);
        return ToPipeline(decision, time.GetUtcNow());
    }

    public static RoutedDecision ToPipeline(RoutingDecision d, DateTimeOffset decidedAt) => new()
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
        NeedsModeration = d.NeedsModeration,
        KnowledgeVersion = d.KnowledgeVersion,
        Evidence = [.. d.Evidence.Select(e => new DecisionEvidence(e.Kind, e.Detail, e.Weight))],
        DecidedAt = decidedAt,
    };
}
