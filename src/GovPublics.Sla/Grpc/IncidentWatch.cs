using System.Diagnostics;
using GovPublics.Catalog;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Sla.Storage;
using Grpc.Core;
using DomainIncident = GovPublics.Sla.Domain.Incidents.Incident;
using DomainStatus = GovPublics.Sla.Domain.Incidents.IncidentStatus;

namespace GovPublics.Sla.Grpc;

/// <summary>
/// One <c>WatchIncidents</c> call: validates the request, checks the resume position against the kept feed, then
/// follows the incident feed (polled, like the registry's change feed) and writes the matching events.
/// </summary>
internal static class IncidentWatch
{
    /// <summary>The pause between reads of a feed with nothing new. Pacing of I/O, real time, not SLA time.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>After this long without a written item, a position-only item tells the client where the feed is.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    /// <summary>A stream ends after this long (the client resumes from its last position), so none lives forever.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);

    private const int BatchSize = 200;
    private const int MaxFilterValues = 100;

    public static async Task RunAsync(
        IncidentStore store,
        WatchIncidentsRequest request,
        IServerStreamWriter<IncidentEvent> responseStream,
        Func<DomainIncident, Incident> map,
        CancellationToken cancellationToken)
    {
        var (from, filter) = Validate(request);
        var bounds = await store.FeedBoundsAsync();
        var position = from ?? bounds.Last;
        if (bounds.Lost(position))
        {
            await responseStream.WriteAsync(new IncidentEvent { Position = bounds.Last.ToString(), ResetRequired = true }, cancellationToken);
            return;
        }

        await responseStream.WriteAsync(new IncidentEvent { Position = position.ToString() }, cancellationToken);
        var lifetime = Stopwatch.StartNew();
        var sinceWrite = Stopwatch.StartNew();
        var behind = false;
        while (!cancellationToken.IsCancellationRequested && lifetime.Elapsed < MaxDuration)
        {
            // Only a reader a whole batch behind can fall out of the kept feed while it reads.
            if (behind)
            {
                var current = await store.FeedBoundsAsync();
                if (current.Lost(position))
                {
                    await responseStream.WriteAsync(new IncidentEvent { Position = current.Last.ToString(), ResetRequired = true }, cancellationToken);
                    return;
                }
            }

            var events = await store.ReadFeedAsync(position, BatchSize);
            behind = events.Count == BatchSize;
            foreach (var item in events)
            {
                position = item.Position;
                if (filter.Matches(item))
                {
                    await responseStream.WriteAsync(new IncidentEvent
                    {
                        Position = item.Position.ToString(),
                        Event = item.Event,
                        Version = item.Version,
                        Incident = map(item.Incident),
                    }, cancellationToken);
                    sinceWrite.Restart();
                }
            }

            if (sinceWrite.Elapsed >= Heartbeat)
            {
                await responseStream.WriteAsync(new IncidentEvent { Position = position.ToString() }, cancellationToken);
                sinceWrite.Restart();
            }

            if (events.Count == 0)
            {
                await Task.Delay(Poll, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static (FeedPosition? From, WatchFilter Filter) Validate(WatchIncidentsRequest request)
    {
        var v = new Validator();
        FeedPosition? from = null;
        if (request.FromPosition.Length > 0)
        {
            if (FeedPosition.TryParse(request.FromPosition.Trim(), out var parsed))
            {
                from = parsed;
            }
            else
            {
                v.Add("from_position", "is not a position this service issued");
            }
        }

        if (request.AuthorityIds.Count > MaxFilterValues)
        {
            v.Add("authority_ids", $"at most {MaxFilterValues} values");
        }
        else if (request.AuthorityIds.Any(string.IsNullOrWhiteSpace))
        {
            v.Add("authority_ids", "must not contain blank values");
        }

        if (request.Statuses.Any(s => s == IncidentStatus.Unspecified || !System.Enum.IsDefined(s)))
        {
            v.Add("statuses", "must contain known statuses only");
        }

        if (request.Events.Count > MaxFilterValues)
        {
            v.Add("events", $"at most {MaxFilterValues} values");
        }
        else if (request.Events.Any(e => string.IsNullOrWhiteSpace(e) || e.Length > 64))
        {
            v.Add("events", "must contain event names of 1 to 64 characters");
        }

        v.ThrowIfInvalid();
        return (from, new WatchFilter(
            request.AuthorityIds.Select(a => a.Trim()).ToHashSet(StringComparer.Ordinal),
            request.Statuses.Select(s => (DomainStatus)(int)s).ToHashSet(),
            request.Events.Select(e => e.Trim()).ToHashSet(StringComparer.Ordinal)));
    }

    /// <summary>Empty sets match everything. An authority matches the responsible one and every one escalated to.</summary>
    private sealed record WatchFilter(HashSet<string> Authorities, HashSet<DomainStatus> Statuses, HashSet<string> Events)
    {
        public bool Matches(IncidentFeedEvent item) =>
            (Events.Count == 0 || Events.Contains(item.Event))
            && (Statuses.Count == 0 || Statuses.Contains(item.Incident.Status))
            && (Authorities.Count == 0 || Authorities.Contains(item.Incident.AuthorityId)
                || item.Incident.Escalations.Any(e => Authorities.Contains(e.AuthorityId)));
    }
}
