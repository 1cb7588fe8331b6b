using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Sla.Domain.Deadlines;
using GovPublics.Sla.Domain.Timers;

namespace GovPublics.Sla.Domain.Incidents;

/// <summary>
/// Creates the incident for a routed message: the responsible authority from the decision, and the first-response
/// deadline by the deadline policy on that authority's working-hours clock (its time zone and calendar).
/// </summary>
public sealed class IncidentFactory(DeadlineCalculator deadlines, WorkingClocks clocks)
{
    public Incident Create(RoutedMessage routed, CatalogSnapshot catalog, DateTimeOffset now)
    {
        var (message, decision) = routed;
        if (!decision.IsIncident)
        {
            throw new ArgumentException($"Message {message.MessageId} is not an incident.", nameof(routed));
        }

        var authority = catalog.FindAuthority(decision.ResponsibleAuthorityId);
        var clock = clocks.For(authority);
        // The clock starts when GovPublics received the message: the authority cannot answer before it could
        // see it (a platform's late retry or an integrator's backfill must not arrive already overdue). For the
        // same reason a decision that came out of ЦУР moderation (revision above 0) starts it when it was decided,
        // as a reroute does: the message sat in the queue, unseen by the authority, until then. The incident keeps
        // the citizen's time as its receipt.
        var start = decision.Revision > 0 && decision.DecidedAt > message.ReceivedAt ? decision.DecidedAt : message.ReceivedAt;
        var result = deadlines.Compute(new DeadlineRequest(
            decision.Category,
            decision.Urgent,
            message.Kind == MessageKind.PrivateMessage ? DeadlineKinds.PrivateMessage : DeadlineKinds.Comment,
            start,
            IntermediateAnswerAt: null,
            clock));
        return new Incident
        {
            MessageId = message.MessageId,
            Category = decision.Category,
            Subcategory = decision.Subcategory,
            Urgent = decision.Urgent,
            AuthorityId = decision.ResponsibleAuthorityId,
            AuthorityName = authority?.Name ?? decision.ResponsibleAuthorityName,
            MunicipalityId = decision.MunicipalityId,
            MunicipalityName = decision.MunicipalityName,
            DistrictId = decision.DistrictId,
            DistrictName = decision.DistrictName,
            Platform = message.Platform,
            PageExternalId = message.PageExternalId,
            ThreadId = message.ThreadId,
            AuthorId = message.AuthorId,
            Kind = message.Kind,
            Text = message.Text,
            ReceivedAt = message.ReceivedAt,
            CreatedAt = now,
            FirstResponseDue = result.FirstResponseDue,

            // The timers warn at a share of the time the authority had, not of the time since the citizen wrote.
            TimerWindow = new TimerWindow(TimerPlan.GenerationOf(TimerDeadlines.FirstResponse, decision.ResponsibleAuthorityId, result.FirstResponseDue), start),
            RoutingConfidence = decision.Confidence,
            RoutingExplanation = decision.Explanation,
            DeadlinePolicy = result.PolicyDescription,
            RoutingRevision = decision.Revision,
            UpdatedAt = now,
            History =
            [
                new IncidentHistoryEntry(now, SystemActors.Routing, IncidentActions.Created, IncidentStatus.New, IncidentStatus.New,
                    $"routed to {authority?.Name ?? decision.ResponsibleAuthorityName} ({decision.ResponsibleAuthorityId}): {decision.Explanation}"),
            ],
        };
    }
}
