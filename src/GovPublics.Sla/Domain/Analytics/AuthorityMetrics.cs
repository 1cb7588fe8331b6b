using GovPublics.Sla.Domain.Clock;

namespace GovPublics.Sla.Domain.Analytics;

/// <summary>First-response figures of one authority for a period (meanings: analytics.proto, AuthorityMetrics).</summary>
public sealed record AuthorityMetrics(
    string AuthorityId,
    int Incidents,
    int UrgentIncidents,
    int Answered,
    int AnsweredInTime,
    int AnsweredLate,
    int OverdueUnanswered,
    int Pending,
    double? MedianFirstResponseWorkingHours,
    double? P90FirstResponseWorkingHours,
    double? InTimeShare,
    int OverdueBacklog,
    int Reopened,
    double? ReopenedShare);

/// <summary>
/// Computes <see cref="AuthorityMetrics"/> from incident facts, evaluated at a moment: a first response after that
/// moment counts as not given, so a past period can be seen as it stood then.
/// </summary>
public static class AuthorityMetricsCalculator
{
    /// <param name="authorityId">Whose figures; facts of other authorities are ignored.</param>
    /// <param name="from">Start of the period (inclusive), by received time.</param>
    /// <param name="to">End of the period (exclusive).</param>
    /// <param name="asOf">The evaluation moment.</param>
    /// <param name="incidents">Facts of the incidents received in the period; more is harmless (filtered here).</param>
    /// <param name="backlogCandidates">
    /// Facts of every incident that may still be overdue and unanswered at <paramref name="asOf"/>, whenever received
    /// (it may overlap <paramref name="incidents"/>).
    /// </param>
    /// <param name="clock">The authority's working clock, for first-response times in working hours.</param>
    public static AuthorityMetrics Compute(
        string authorityId,
        DateTimeOffset from,
        DateTimeOffset to,
        DateTimeOffset asOf,
        IEnumerable<IncidentFacts> incidents,
        IEnumerable<IncidentFacts> backlogCandidates,
        WorkingClock clock)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        ArgumentNullException.ThrowIfNull(backlogCandidates);
        ArgumentNullException.ThrowIfNull(clock);
        var end = to < asOf ? to : asOf;
        var period = incidents
            .Where(f => f.AuthorityId == authorityId && f.ReceivedAt >= from && f.ReceivedAt < end)
            .DistinctBy(f => f.MessageId)
            .ToList();

        int answeredInTime = 0, answeredLate = 0, overdueUnanswered = 0, pending = 0;
        var hours = new List<double>(period.Count);
        foreach (var f in period)
        {
            if (f.RespondedBy(asOf) is { } responded)
            {
                if (responded <= f.FirstResponseDue)
                {
                    answeredInTime++;
                }
                else
                {
                    answeredLate++;
                }

                var working = clock.WorkingTimeBetween(f.ReceivedAt, responded);
                hours.Add(working > TimeSpan.Zero ? working.TotalHours : 0);
            }
            else if (asOf > f.FirstResponseDue)
            {
                overdueUnanswered++;
            }
            else
            {
                pending++;
            }
        }

        var answered = answeredInTime + answeredLate;
        var decided = answered + overdueUnanswered;
        var reopened = period.Count(f => f.ReopenCount > 0);
        var backlog = backlogCandidates
            .Where(f => f.AuthorityId == authorityId && f.ReceivedAt < asOf && f.FirstResponseDue < asOf
                && f.RespondedBy(asOf) is null && !f.IsOffTheDesk)
            .DistinctBy(f => f.MessageId)
            .Count();
        return new AuthorityMetrics(
            authorityId,
            period.Count,
            period.Count(f => f.Urgent),
            answered,
            answeredInTime,
            answeredLate,
            overdueUnanswered,
            pending,
            Percentiles.Median(hours),
            Percentiles.Of(hours, 0.9),
            decided == 0 ? null : (double)answeredInTime / decided,
            backlog,
            reopened,
            period.Count == 0 ? null : (double)reopened / period.Count);
    }
}
