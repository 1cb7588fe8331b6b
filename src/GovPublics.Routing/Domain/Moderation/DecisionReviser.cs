using GovPublics.Catalog;
using GovPublics.Common.Pipeline;

namespace GovPublics.Routing.Domain.Moderation;

/// <summary>Who made a decision of a message's history.</summary>
public enum DecisionSource
{
    /// <summary>The classifier: revision 0.</summary>
    Classifier = 1,

    /// <summary>A ЦУР moderator deciding a moderation item.</summary>
    Moderation = 2,

    /// <summary>A moderator or an executor re-routing an incident.</summary>
    Reroute = 3,
}

/// <summary>
/// What a moderator or executor wants changed in a decision. A null member keeps the current value; an empty
/// string means "not given" (a required topic then fails validation, an empty subtopic takes the topic's
/// default).
/// </summary>
public sealed record DecisionChange
{
    /// <summary>Null keeps the current value; a re-route always makes (or keeps) an incident.</summary>
    public bool? IsIncident { get; init; }

    /// <summary>Topic code, for an incident; null keeps the current topic.</summary>
    public string? Topic { get; init; }

    /// <summary>
    /// Subtopic code (for a non-incident its subtype: gratitude, spam, …). Null keeps the current one while the
    /// topic stays, else takes the topic's default; empty takes the topic's default.
    /// </summary>
    public string? Subtopic { get; init; }

    public bool? Urgent { get; init; }

    /// <summary>The region, a municipality or an intra-city district; null keeps the current place.</summary>
    public string? TerritoryId { get; init; }

    /// <summary>The responsible authority; null (or empty) resolves it by the registry's jurisdiction rules.</summary>
    public string? AuthorityId { get; init; }

    /// <summary>
    /// When no authority is named: true resolves it by the rules every time (moderation); false keeps the
    /// current authority unless topic, subtopic or place change (re-route).
    /// </summary>
    public bool AlwaysResolveAuthority { get; init; }
}

/// <summary>Who revises a decision, why, and when.</summary>
public sealed record RevisionAuthor(DecisionSource Source, string By, string Reason, DateTimeOffset At);

/// <summary>
/// Builds the decision that replaces the current one when a moderator decides or someone re-routes: validates
/// the codes against the routing knowledge and the catalogue (every bad field named), places the problem,
/// resolves the responsible authority by the registry's jurisdiction rules unless one is named, and stamps the
/// next revision with who changed what and why.
/// </summary>
public static class DecisionReviser
{
    /// <summary>The evidence kind that carries the moderator's or executor's reason.</summary>
    public const string ModerationEvidence = "moderation";

    /// <summary>The evidence kind of a re-route.</summary>
    public const string RerouteEvidence = "reroute";

    public static RoutedDecision Revise(
        RoutedDecision current, DecisionChange change, RevisionAuthor author, IReadOnlyList<TopicInfo> topics, CatalogSnapshot catalog)
    {
        var v = new Validator();
        var isIncident = change.IsIncident ?? current.IsIncident;
        var topicCode = change.Topic?.Trim() ?? current.Category;
        var topicChanged = !string.Equals(topicCode, current.Category, StringComparison.Ordinal);
        var subtopicCode = change.Subtopic?.Trim();
        var urgent = change.Urgent ?? current.Urgent;
        TopicInfo? topic = null;

        if (isIncident)
        {
            if (topicCode.Length == 0 || topicCode == RoutingCodes.None)
            {
                v.Add("topic", "is required for an incident");
            }
            else
            {
                topic = topics.FirstOrDefault(t => t.Code == topicCode);
                if (topic is null)
                {
                    v.Add("topic", $"unknown topic '{topicCode}': one of {string.Join(", ", topics.Select(t => t.Code))}");
                }
            }

            if (topic is not null)
            {
                subtopicCode = subtopicCode is null
                    ? topicChanged || current.Subcategory.Length == 0 ? topic.DefaultSubtopic : current.Subcategory
                    : subtopicCode.Length == 0 ? topic.DefaultSubtopic : subtopicCode;
                if (topic.Subtopics.All(s => s.Code != subtopicCode))
                {
                    v.Add("subtopic", $"unknown subtopic '{subtopicCode}' of topic '{topic.Code}': one of {string.Join(", ", topic.Subtopics.Select(s => s.Code))}");
                }
            }
        }
        else
        {
            if (change.Topic is { Length: > 0 } t && t.Trim() != RoutingCodes.None)
            {
                v.Add("topic", "must be empty (or none) for a message that is not an incident");
            }

            // Kept only when the message was a non-incident already (its subtype); else it must be given.
            subtopicCode = subtopicCode ?? (current.IsIncident ? "" : current.Subcategory);
            if (!RoutingCodes.NonIncidentSubtypes.Contains(subtopicCode))
            {
                v.Add("subtopic", $"{(subtopicCode.Length == 0 ? "is required" : $"unknown subtype '{subtopicCode}'")} for a message that is not an incident: one of {string.Join(", ", RoutingCodes.NonIncidentSubtypes)}");
            }

            if (change.Urgent == true)
            {
                v.Add("urgent", "a message that is not an incident cannot be urgent");
            }

            if (!string.IsNullOrWhiteSpace(change.AuthorityId))
            {
                v.Add("responsible_authority_id", "must be empty for a message that is not an incident: nobody has to answer it");
            }

            urgent = false;
        }

        // The place: kept, or the territory given (a district brings its municipality).
        var (municipality, district) = (catalog.FindTerritory(current.MunicipalityId), catalog.FindTerritory(current.DistrictId));
        var (municipalityId, municipalityName, districtId, districtName) =
            (current.MunicipalityId, current.MunicipalityName, current.DistrictId, current.DistrictName);
        var placeChanged = false;
        if (change.TerritoryId?.Trim() is { Length: > 0 } territoryId)
        {
            var territory = catalog.FindTerritory(territoryId);
            if (territory is null)
            {
                v.Add("territory_id", $"unknown territory '{territoryId}'");
            }
            else
            {
                (municipality, district) = territory.Kind switch
                {
                    TerritoryKind.IntraCityDistrict => (catalog.MunicipalityOf(territory.Id), territory),
                    _ when territory.IsMunicipality => (territory, null),
                    _ => ((Territory?)null, (Territory?)null),
                };
                (municipalityId, municipalityName) = (municipality?.Id ?? "", municipality?.Name ?? "");
                (districtId, districtName) = (district?.Id ?? "", district?.Name ?? "");
                placeChanged = municipalityId != current.MunicipalityId || districtId != current.DistrictId;
            }
        }

        // The authority: named, resolved by the rules, or kept.
        Authority? authority = null;
        JurisdictionMatch? match = null;
        var authorityNote = "";
        var kept = false;
        var place = district ?? municipality;
        if (isIncident && change.AuthorityId?.Trim() is { Length: > 0 } authorityId)
        {
            authority = catalog.FindAuthority(authorityId);
            if (authority is null)
            {
                v.Add("responsible_authority_id", $"unknown authority '{authorityId}'");
            }

            authorityNote = $"named by {author.By}";
        }
        else if (isIncident && topic is not null && v.IsValid)
        {
            kept = !change.AlwaysResolveAuthority && !topicChanged && subtopicCode == current.Subcategory && !placeChanged
                && current.IsIncident && catalog.FindAuthority(current.ResponsibleAuthorityId) is not null;
            if (kept)
            {
                authority = catalog.FindAuthority(current.ResponsibleAuthorityId);
                authorityNote = "kept";
            }
            else
            {
                match = catalog.ResolveResponsible(topic.Code, subtopicCode, place?.Id);
                if (match is null)
                {
                    v.Add("responsible_authority_id",
                        $"no jurisdiction rule names an authority for {topic.Code}/{subtopicCode} on {place?.Name ?? "the region"}: name the authority");
                }
                else
                {
                    authority = match.Authority;
                    authorityNote = $"by jurisdiction rule {match.Rule.Id} for {topic.Code}/{subtopicCode} on {place?.Name ?? "the region"}";
                }
            }
        }

        v.ThrowIfInvalid();

        var reason = author.Reason.Trim();
        var verb = author.Source == DecisionSource.Reroute ? "re-routed" : "decided by moderator";
        var was = current.IsIncident
            ? $"{current.Category}/{current.Subcategory} → {(current.ResponsibleAuthorityName.Length > 0 ? current.ResponsibleAuthorityName : "no authority")}"
            : $"not an incident ({current.Subcategory})";
        var explanation = isIncident
            ? $"{verb} {author.By}: {reason}. Authority {authority!.Name}: {authorityNote}. Was: {was}."
            : $"{verb} {author.By}: {reason}. Not an incident ({subtopicCode}). Was: {was}.";
        List<DecisionEvidence> evidence =
        [
            new(author.Source == DecisionSource.Reroute ? RerouteEvidence : ModerationEvidence, $"{author.By}: {reason}", 1),
        ];
        if (match is not null)
        {
            evidence.Add(new DecisionEvidence(EvidenceKinds.Rule, $"{match.Rule.Id}: {authority!.Name}", 1));
        }

        return new RoutedDecision
        {
            IsIncident = isIncident,
            Category = isIncident ? topic!.Code : RoutingCodes.None,
            Subcategory = subtopicCode!,
            Urgent = urgent,
            MunicipalityId = municipalityId,
            MunicipalityName = municipalityName,
            DistrictId = districtId,
            DistrictName = districtName,
            ResponsibleAuthorityId = isIncident ? authority!.Id : "",
            ResponsibleAuthorityName = isIncident ? authority!.Name : "",
            Confidence = 1,
            Explanation = explanation,
            RuleId = match?.Rule.Id ?? (kept ? current.RuleId : ""),
            KnowledgeVersion = current.KnowledgeVersion, // people decided; the classifier's knowledge stays on record
            NeedsModeration = false,
            Evidence = evidence,
            DecidedAt = author.At,
            Revision = current.Revision + 1,
            Reroute = new RerouteInfo(reason, author.By, current.ResponsibleAuthorityId, current.Category),
        };
    }

    /// <summary>
    /// True when two decisions route a message the same way: incident or not, topic and subtopic, urgency,
    /// place and responsible authority. Explanations, confidence and revisions do not count.
    /// </summary>
    public static bool SameRouting(RoutedDecision a, RoutedDecision b) =>
        a.IsIncident == b.IsIncident
        && a.Category == b.Category
        && a.Subcategory == b.Subcategory
        && a.Urgent == b.Urgent
        && a.MunicipalityId == b.MunicipalityId
        && a.DistrictId == b.DistrictId
        && a.ResponsibleAuthorityId == b.ResponsibleAuthorityId;
}
