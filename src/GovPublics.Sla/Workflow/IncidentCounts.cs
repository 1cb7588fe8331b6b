using GovPublics.Common.Pipeline;
using GovPublics.Sla.Domain.Analytics;
using GovPublics.Sla.Pipeline;
using GovPublics.Sla.Storage;
using Microsoft.Extensions.Options;

namespace GovPublics.Sla.Workflow;

/// <summary>
/// Counts for the analytics what the SLA did with a routed message, not what routing said of it: the incident the SLA
/// created for the message (or re-routed, or dismissed) is placed for the authority metrics and the points of tension,
/// once per decision revision (<see cref="AnalyticsStore.PlaceIncidentAsync"/>), and its first placement is counted by
/// <c>govpublics.sla.incidents.created</c>. A message that joined an incident as a follow-up, or reopened it, is no
/// new incident and is never counted. Nor is a reopening a new signal of tension: it is the same citizen about the same
/// problem, counted on the day it was first raised, and counting it again would let one persistent writer make a
/// spike of a cell (reopenings show in the authority metrics' reopened share instead).
/// <see cref="IncidentWorkflow"/> counts after the incident's change is stored and before the routed entry is
/// acknowledged: a failure in between is repaired by the entry's redelivery, which finds the incident at the entry's
/// revision and counts again, and the revision marker makes that repeat count nothing twice.
/// </summary>
public sealed class IncidentCounts(
    AnalyticsStore store, AnalyticsInstruments instruments, IOptions<AnalyticsOptions> options, TimeProvider time, ILogger<IncidentCounts> logger)
{
    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);

    /// <summary>Counts the message's own incident as <paramref name="routed"/>'s decision places it (or takes it out).</summary>
    public async Task CountAsync(RoutedMessage routed)
    {
        ArgumentNullException.ThrowIfNull(routed);
        var placement = IncidentPlacement.From(routed, _zone);
        var outcome = await store.PlaceIncidentAsync(routed.Message.MessageId, routed.Decision.Revision, placement, time.GetUtcNow());
        if (outcome == IncidentRecordOutcome.Counted)
        {
            instruments.IncidentCreated(placement!.AuthorityId);
        }

        logger.LogDebug("Incident of message {MessageId} (revision {Revision}) in the analytics: {Outcome}",
            routed.Message.MessageId, routed.Decision.Revision, outcome);
    }
}
