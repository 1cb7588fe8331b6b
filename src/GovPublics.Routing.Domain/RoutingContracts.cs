namespace GovPublics.Routing.Domain;

/// <summary>A citizen's message to classify and the authority that owns the page it was written on, if known.</summary>
public sealed record ClassificationInput(string Text, string? PageOwnerAuthorityId);

/// <summary>One reason behind a decision. <see cref="Kind"/> is one of <see cref="EvidenceKinds"/>.</summary>
public sealed record EvidenceItem(string Kind, string Detail, double Weight);

/// <summary>
/// What the classifier decided about one message: incident or not, topic, urgency, territory, the responsible
/// authority, how sure it is and why. Non-incidents have <see cref="Category"/> "none", a subtype in
/// <see cref="Subcategory"/> and no authority.
/// </summary>
public sealed record RoutingDecision(
    bool IsIncident,
    string Category,
    string Subcategory,
    bool Urgent,
    string MunicipalityId,
    string MunicipalityName,
    string DistrictId,
    string DistrictName,
    string ResponsibleAuthorityId,
    string ResponsibleAuthorityName,
    double Confidence,
    string Explanation,
    string RuleId,
    IReadOnlyList<EvidenceItem> Evidence,
    bool NeedsModeration)
{
    /// <summary>The knowledge that made the decision (<see cref="RoutingKnowledge.Version"/>).</summary>
    public string KnowledgeVersion { get; init; } = "";
}

/// <summary>Tunable settings of the classifier.</summary>
public sealed record RoutingOptions
{
    /// <summary>Decisions with a lower confidence go to the ЦУР moderation queue.</summary>
    public double ModerationThreshold { get; init; } = 0.5;
}

/// <summary>The kinds of <see cref="EvidenceItem"/>.</summary>
public static class EvidenceKinds
{
    public const string Topic = "topic";
    public const string Subtopic = "subtopic";
    public const string Urgency = "urgency";
    public const string Place = "place";
    public const string PageOwner = "page_owner";
    public const string Rule = "rule";
    public const string NonIncident = "non_incident";
    public const string Fallback = "fallback";
}

/// <summary>Category and subcategory codes that the classifier itself produces.</summary>
public static class RoutingCodes
{
    /// <summary>The category of every non-incident.</summary>
    public const string None = "none";

    /// <summary>The topic (and subtopic) of an incident whose subject is not recognised.</summary>
    public const string Other = "other";

    public const string Gratitude = "gratitude";
    public const string Spam = "spam";
    public const string Offtopic = "offtopic";
    public const string Toxic = "toxic";
    public const string Opinion = "opinion";

    /// <summary>The non-incident subtypes.</summary>
    public static IReadOnlyList<string> NonIncidentSubtypes { get; } = [Gratitude, Spam, Offtopic, Toxic, Opinion];
}
