using GovPublics.Catalog;
using GovPublics.Common.Redis;
using GovPublics.Common.Registry;
using GovPublics.Sla.Domain.Analytics;
using GovPublics.Sla.Domain.Clock;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.Sla.Storage;
using Microsoft.Extensions.Options;

namespace GovPublics.Sla.Pipeline;

/// <summary>What one sweep saw.</summary>
/// <param name="Watched">Waiting incidents read.</param>
/// <param name="Responded">First responses counted.</param>
/// <param name="Breached">Breached deadlines counted.</param>
/// <param name="Dropped">Incidents no longer watched (closed without a response, or never created).</param>
/// <param name="BacklogByAuthority">The overdue backlog per authority when this sweep completed a walk of the waiting list, else null.</param>
public sealed record FirstResponseSweep(int Watched, int Responded, int Breached, int Dropped, IReadOnlyDictionary<string, long>? BacklogByAuthority);

/// <summary>
/// Turns changes of the incident records into metric events: the lifecycle sets an incident's first response, and
/// this sweep, reading the incidents still waiting for one, notices it once (the index move is atomic, so with
/// several replicas exactly one counts it), records its working hours, counts deadlines that passed unanswered
/// once, and publishes the overdue backlog per authority. A long waiting list is walked over several sweeps, at
/// most <see cref="AnalyticsOptions.WatchBatch"/> incidents each, oldest first; the backlog is published at the end
/// of each walk. One observer belongs to one watcher loop (it keeps the walk's position).
/// </summary>
public sealed class FirstResponseObserver(
    AnalyticsIncidents incidents,
    WorkingClocks clocks,
    AnalyticsInstruments instruments,
    IOptions<AnalyticsOptions> options,
    TimeProvider time,
    ILogger<FirstResponseObserver> logger)
{
    /// <summary>An incident whose record has not appeared this long after it was received is no longer watched.</summary>
    public static readonly TimeSpan MissingRecordGiveUp = TimeSpan.FromDays(7);

    private double _walkedPast = double.NegativeInfinity;
    private Dictionary<string, long> _backlog = [];

    public async Task<FirstResponseSweep> SweepAsync(CatalogSnapshot catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var now = time.GetUtcNow();
        var batch = Math.Max(1, options.Value.WatchBatch);
        var waiting = await incidents.AwaitingAsync(_walkedPast, batch);
        int responded = 0, breached = 0, dropped = 0;
        // A copy: a sweep that fails halfway leaves the walk's count as it was, to be redone.
        var backlog = new Dictionary<string, long>(_backlog);
        foreach (var chunk in waiting.Chunk(500))
        {
            var records = await incidents.ReadAsync([.. chunk.Select(c => c.MessageId)], cancellationToken);
            foreach (var (messageId, receivedAt) in chunk)
            {
                if (!records.TryGetValue(messageId, out var record))
                {
                    // The SLA consumer has not created it yet, or never will (its entry was dead-lettered).
                    if (now - receivedAt > MissingRecordGiveUp)
                    {
                        logger.LogWarning("Incident for message {MessageId} never appeared; no longer watched", messageId);
                        await incidents.StopWatchingAsync(messageId);
                        dropped++;
                    }

                    continue;
                }

                var f = IncidentFacts.From(record);
                if (f.FirstResponseAt is { } at)
                {
                    if (await incidents.MarkRespondedAsync(messageId, at))
                    {
                        responded++;
                        instruments.FirstResponse(f.AuthorityId, at <= f.FirstResponseDue, WorkingHours(catalog, f, at));
                        if (at > f.FirstResponseDue && await incidents.MarkBreachedAsync(messageId, f.AuthorityId, f.FirstResponseDue))
                        {
                            breached++;
                            instruments.Breach(f.AuthorityId);
                        }
                    }

                    continue;
                }

                // A rejection is no answer to the citizen: past due, it is the rejecting authority's miss, as in its
                // metrics. The next authority's deadline is its own, and so is its breach (one per authority and due).
                if (now > f.FirstResponseDue)
                {
                    if (await incidents.MarkBreachedAsync(messageId, f.AuthorityId, f.FirstResponseDue))
                    {
                        breached++;
                        instruments.Breach(f.AuthorityId);
                    }

                    if (!f.IsOffTheDesk)
                    {
                        backlog[f.AuthorityId] = backlog.GetValueOrDefault(f.AuthorityId) + 1;
                    }
                }

                if (f.Status is IncidentStatus.Resolved or IncidentStatus.Closed)
                {
                    await incidents.StopWatchingAsync(messageId);
                    dropped++;
                }
            }
        }

        if (waiting.Count == batch)
        {
            // More to walk: continue after the last one read (ties at that very millisecond wait for the next walk).
            _walkedPast = waiting[^1].ReceivedAt.ToUnixTimeMilliseconds();
            _backlog = backlog;
            return new FirstResponseSweep(waiting.Count, responded, breached, dropped, null);
        }

        _walkedPast = double.NegativeInfinity;
        _backlog = [];
        instruments.SetBacklog(backlog);
        await incidents.TrimAsync(now - options.Value.Retention);
        return new FirstResponseSweep(waiting.Count, responded, breached, dropped, backlog);
    }

    private double? WorkingHours(CatalogSnapshot catalog, IncidentFacts f, DateTimeOffset at)
    {
        try
        {
            var working = clocks.For(catalog.FindAuthority(f.AuthorityId)).WorkingTimeBetween(f.ReceivedAt, at);
            return working > TimeSpan.Zero ? working.TotalHours : 0;
        }
        catch (CalendarYearNotLoadedException ex)
        {
            logger.LogWarning("First response of {IncidentId} not measured in working hours: {Reason}", f.IncidentId, ex.Message);
            return null;
        }
    }
}

/// <summary>Runs <see cref="FirstResponseObserver"/> every <see cref="AnalyticsOptions.WatchInterval"/> once the catalogue is loaded.</summary>
public sealed class FirstResponseWatcher(
    FirstResponseObserver observer,
    CatalogCache catalog,
    IOptions<AnalyticsOptions> options,
    TimeProvider time,
    ILogger<FirstResponseWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Working hours need each authority's clock from the catalogue.
        await catalog.WaitLoadedAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sweep = await observer.SweepAsync(catalog.Current, stoppingToken);
                logger.LogDebug("First-response sweep: {Watched} watched, {Responded} responded, {Breached} breached, {Dropped} dropped",
                    sweep.Watched, sweep.Responded, sweep.Breached, sweep.Dropped);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (RedisFailures.IsStoreFailure(ex))
            {
                // Nothing is lost: the next sweep reads the same indexes again.
                logger.LogWarning(ex, "First-response sweep failed; retrying");
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "First-response sweep failed");
            }

            await Task.Delay(options.Value.WatchInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
