using System.Collections.Frozen;
using System.Diagnostics.Metrics;

namespace GovPublics.Sla.Pipeline;

/// <summary>
/// The SLA's OpenTelemetry instruments on the meter <c>GovPublics.Sla</c> (exported by ServiceDefaults, which
/// adds every <c>GovPublics.*</c> meter), each tagged with <c>authority_id</c>: incidents created, first
/// responses (and whether in time), breached first-response deadlines, first-response working hours, and the
/// overdue backlog as last seen by the watcher.
/// </summary>
public sealed class AnalyticsInstruments
{
    public const string MeterName = "GovPublics.Sla";

    private const string AuthorityTag = "authority_id";

    private readonly Counter<long> _created;
    private readonly Counter<long> _firstResponses;
    private readonly Counter<long> _breaches;
    private readonly Histogram<double> _firstResponseHours;
    private volatile FrozenDictionary<string, long> _backlog = FrozenDictionary<string, long>.Empty;

    public AnalyticsInstruments(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _created = meter.CreateCounter<long>("govpublics.sla.incidents.created", "{incident}", "Incidents created, by responsible authority");
        _firstResponses = meter.CreateCounter<long>("govpublics.sla.first_responses", "{incident}",
            "First responses given, by authority and whether by the deadline (in_time)");
        _breaches = meter.CreateCounter<long>("govpublics.sla.first_response.breaches", "{incident}",
            "First-response deadlines passed without a response, by authority");
        _firstResponseHours = meter.CreateHistogram("govpublics.sla.first_response.working_hours", "h",
            "Working hours from receipt to the first response, on the authority's clock",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.25, 0.5, 1, 2, 4, 8, 16, 24, 40, 80] });
        meter.CreateObservableGauge("govpublics.sla.first_response.overdue_backlog", ObserveBacklog, "{incident}",
            "Incidents past their first-response deadline without a response, by authority (as of the watcher's last sweep)");
    }

    public void IncidentCreated(string authorityId) => _created.Add(1, Tag(authorityId));

    /// <summary>A first response; <paramref name="workingHours"/> is null when the clock could not measure it (no calendar).</summary>
    public void FirstResponse(string authorityId, bool inTime, double? workingHours)
    {
        _firstResponses.Add(1, Tag(authorityId), new KeyValuePair<string, object?>("in_time", inTime));
        if (workingHours is { } hours)
        {
            _firstResponseHours.Record(hours, Tag(authorityId));
        }
    }

    public void Breach(string authorityId) => _breaches.Add(1, Tag(authorityId));

    /// <summary>
    /// Replaces the backlog the gauge reports. An authority whose backlog emptied reports 0 once, so its series
    /// drops to 0 instead of staying at its last value, and is left out after that.
    /// </summary>
    public void SetBacklog(IReadOnlyDictionary<string, long> backlogByAuthority)
    {
        ArgumentNullException.ThrowIfNull(backlogByAuthority);
        var next = backlogByAuthority.Where(e => e.Value > 0).ToDictionary(e => e.Key, e => e.Value);
        foreach (var (authority, previous) in _backlog)
        {
            if (previous > 0)
            {
                next.TryAdd(authority, 0);
            }
        }

        _backlog = next.ToFrozenDictionary();
    }

    private IEnumerable<Measurement<long>> ObserveBacklog() =>
        _backlog.Select(e => new Measurement<long>(e.Value, Tag(e.Key)));

    private static KeyValuePair<string, object?> Tag(string authorityId) => new(AuthorityTag, authorityId);
}
