using GovPublics.Sla.Domain.Incidents;

namespace GovPublics.Sla.Domain.Analytics;

/// <summary>
/// What the metrics need from an incident, independent of how the lifecycle stores it: who answers, when it came,
/// when the first response was due and given, where it is now, whether it was reopened.
/// </summary>
public sealed record IncidentFacts(
    string IncidentId,
    string MessageId,
    string AuthorityId,
    DateTimeOffset ReceivedAt,
    DateTimeOffset FirstResponseDue,
    DateTimeOffset? FirstResponseAt,
    IncidentStatus Status,
    bool Urgent,
    int ReopenCount)
{
    /// <summary>
    /// The facts of a stored incident. The incident record carries no reopen information yet, so
    /// <see cref="ReopenCount"/> is 0 until the lifecycle records reopenings.
    /// </summary>
    public static IncidentFacts From(Incident incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return new IncidentFacts(
            incident.Id,
            incident.MessageId,
            incident.AuthorityId,
            incident.ReceivedAt,
            incident.FirstResponseDue,
            incident.FirstResponseAt,
            incident.Status,
            incident.Urgent,
            ReopenCount: 0);
    }

    /// <summary>The first response, if it was given by <paramref name="asOf"/>.</summary>
    public DateTimeOffset? RespondedBy(DateTimeOffset asOf) => FirstResponseAt is { } at && at <= asOf ? at : null;

    /// <summary>Resolved, closed or handed back: no longer work on the authority's desk.</summary>
    public bool IsOffTheDesk => Status is IncidentStatus.Resolved or IncidentStatus.Closed or IncidentStatus.Rejected;
}
