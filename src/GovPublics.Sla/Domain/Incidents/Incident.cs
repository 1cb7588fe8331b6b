using GovPublics.Catalog;

namespace GovPublics.Sla.Domain.Incidents;

/// <summary>Where an incident is in its lifecycle.</summary>
public enum IncidentStatus
{
    New = 1,
    Assigned = 2,
    InProgress = 3,
    Answered = 4,
    Resolved = 5,
    Closed = 6,
    Rejected = 7,
}

/// <summary>A citizen's message that asks for action, with who must answer it and by when.</summary>
public sealed record Incident
{
    /// <summary>"INC-000042"; assigned by the store.</summary>
    public string Id { get; init; } = "";

    /// <summary>The store's sequence number behind <see cref="Id"/>: orders incidents newest first.</summary>
    public long Sequence { get; init; }

    public required string MessageId { get; init; }
    public IncidentStatus Status { get; init; } = IncidentStatus.New;
    public required string Category { get; init; }
    public string Subcategory { get; init; } = "";
    public bool Urgent { get; init; }
    public required string AuthorityId { get; init; }
    public string AuthorityName { get; init; } = "";
    public string MunicipalityId { get; init; } = "";
    public string MunicipalityName { get; init; } = "";
    public string DistrictId { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public Platform Platform { get; init; }
    public string PageExternalId { get; init; } = "";
    public string ThreadId { get; init; } = "";
    public string Text { get; init; } = "";
    public required DateTimeOffset ReceivedAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset FirstResponseDue { get; init; }
    public DateTimeOffset? FirstResponseAt { get; init; }
    public double RoutingConfidence { get; init; }
    public string RoutingExplanation { get; init; } = "";
    public string DeadlinePolicy { get; init; } = "";

    /// <summary>Late: the first response came after its deadline, or has not come and the deadline passed.</summary>
    public bool IsOverdue(DateTimeOffset now) =>
        FirstResponseAt is { } answered ? answered > FirstResponseDue : now > FirstResponseDue;
}
