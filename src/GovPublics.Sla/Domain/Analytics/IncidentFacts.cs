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
    /// The facts of a stored incident. The first response is the first round's: a reopening starts a new deadline on
    /// the record, but the authority is measured on how it answered the citizen the first time.
    /// </summary>
    public static IncidentFacts From(Incident incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return new IncidentFacts(
            incident.Id,
            incident.MessageId,
            incident.AuthorityId,
            incident.ReceivedAt,
            incident.ReopenCount > 0 && incident.FirstRoundResponseDue is { } due ? due : incident.FirstResponseDue,
            incident.ReopenCount > 0 ? incident.FirstRoundResponseAt : incident.FirstResponseAt,
            incident.Status,
            incident.Urgent,
            incident.ReopenCount);
    }

    /// <summary>The first response, if it was given by <paramref name="asOf"/>.</summary>
    public DateTimeOffset? RespondedBy(DateTimeOffset asOf) => FirstResponseAt is { } at && at <= asOf ? at : null;

    /// <summary>Resolved, closed or handed back: no longer work on the authority's desk.</summary>
    public bool IsOffTheDesk => Status is IncidentStatus.Resolved or IncidentStatus.Closed or IncidentStatus.Rejected;
}
