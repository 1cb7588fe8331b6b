using System.Diagnostics.Metrics;
using System.Text.Json;
using GovPublics.Catalog;
using GovPublics.Common.Redis;
using GovPublics.Common.Registry;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.Sla.Domain.Timers;
using GovPublics.Sla.Storage;
using Microsoft.Extensions.Options;

namespace GovPublics.Sla.Pipeline;

/// <summary>Settings of the timer worker (section <c>Sla:Timers</c>).</summary>
public sealed class SlaTimerOptions
{
    public const string Section = "Sla:Timers";

    /// <summary>How often the timer index is polled for due steps.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Incidents taken from the timer index per read.</summary>
    public int BatchSize { get; set; } = 100;
}

/// <summary>
/// Fires the incidents' timers (warnings, breaches, escalations). Every replica runs one: it polls the timer index for
/// incidents whose next step is due and fires each step with <see cref="IncidentStore.UpdateAsync"/>, whose
/// compare-and-set on the incident's version lets exactly one replica store a step: the others re-read, find the
/// step fired, and change nothing. Everything lives in Redis, so a restart or a replica's death loses no timer; a
/// step whose time passed while no replica ran fires on the next poll. Time comes from the injected
/// <see cref="TimeProvider"/>, the poll's pace too.
/// </summary>
public sealed class SlaTimerWorker(
    IncidentStore store,
    TimerPlan plan,
    CatalogCache catalog,
    IOptions<SlaTimerOptions> options,
    TimeProvider time,
    ILogger<SlaTimerWorker> logger) : BackgroundService
{
    /// <summary>The meter of the timers: <c>govpublics.sla.timers.fired</c>, tagged <c>step</c> = warning | breach | escalation.</summary>
    public static readonly Meter Meter = new("GovPublics.Sla.Timers");

    private static readonly Counter<long> _fired = Meter.CreateCounter<long>(
        "govpublics.sla.timers.fired", description: "Timer steps fired (stored by this replica)");

    /// <summary>Reads of the index per run: a backlog larger than this many batches continues on the next tick.</summary>
    private const int MaxBatchesPerRun = 20;

    /// <summary>Steps one incident may fire in one run (a long outage leaves warning, breach and every escalation due).</summary>
    private const int MaxStepsPerIncident = TimerPlan.MaxEscalationLevels + 4;

    /// <summary>A record that cannot be read is looked at again after this long instead of on every poll.</summary>
    private static readonly TimeSpan _unreadableRetry = TimeSpan.FromMinutes(1);

    /// <summary>When the last run completed (null before the first).</summary>
    public DateTimeOffset? LastRunCompleted { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Escalations need the authority chain from the catalogue.
        await catalog.WaitLoadedAsync(stoppingToken);
        var migrated = false;
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        do
        {
            try
            {
                if (!migrated)
                {
                    var moved = await store.MigrateLegacyTimerIndexAsync(stoppingToken);
                    if (moved > 0)
                    {
                        logger.LogInformation("Moved {Count} incidents from the first-response index into the timer index", moved);
                    }

                    migrated = true;
                }

                await RunDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (RedisFailures.IsStoreFailure(ex))
            {
                // Nothing is lost: due steps stay due in the index and fire on a later tick.
                logger.LogWarning(ex, "Firing timers failed; retrying on the next tick");
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A bug must not end the loop (the host would stop, and the SLA's API with it): the due steps stay
                // due, the next tick tries again, and the health check reports runs that stop completing.
                logger.LogError(ex, "Firing timers failed unexpectedly; retrying on the next tick");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>
    /// Fires every step due now (bounded per run). Returns how many steps this replica stored. Public so tests and
    /// tools can run the timers once without waiting for the next tick.
    /// </summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var fired = 0;
        for (var batch = 0; batch < MaxBatchesPerRun; batch++)
        {
            var ids = await store.DueTimersAsync(now, options.Value.BatchSize);
            // Replicas read the same due ids; a different order each makes them mostly work on different incidents.
            Random.Shared.Shuffle(ids);
            foreach (var id in ids)
            {
                cancellationToken.ThrowIfCancellationRequested();
                fired += await FireDueAsync(id, now, cancellationToken);
            }

            if (ids.Length < options.Value.BatchSize)
            {
                break;
            }
        }

        LastRunCompleted = time.GetUtcNow();
        return fired;
    }

    /// <summary>Fires one incident's due steps in order, each as its own change and feed event.</summary>
    private async Task<int> FireDueAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var fired = 0;
        try
        {
            for (var round = 0; round < MaxStepsPerIncident; round++)
            {
                var current = await store.GetAsync(id);
                if (current is null || plan.NextDue(current, now) is not { } step)
                {
                    if (fired == 0)
                    {
                        // The index said due but nothing is (another replica fired it, or the clock's data changed):
                        // make the index agree with the record again.
                        await store.RescheduleAsync(id, cancellationToken);
                    }

                    return fired;
                }

                var (incident, changed) = await store.UpdateAsync(id, step.EventName, latest =>
                    plan.NextDue(latest, now) is { } again && again.Key == step.Key
                        ? plan.Fire(latest, again, now, plan.EscalationTargets(catalog.Current, latest.AuthorityId))
                        : null,
                    cancellationToken);
                if (changed)
                {
                    fired++;
                    _fired.Add(1, new KeyValuePair<string, object?>("step", step.Kind switch
                    {
                        TimerStepKind.Warning => "warning",
                        TimerStepKind.Breach => "breach",
                        _ => "escalation",
                    }));
                    logger.LogInformation("Incident {IncidentId}: {Step} {Key} fired{Escalation}",
                        id, step.EventName, step.Key, step.Kind == TimerStepKind.Escalation ? $" to {incident.Escalations[^1].AuthorityId}" : "");
                }

                // Not changed: another replica stored this step, or the incident changed; look again.
            }
        }
        catch (EntityNotFoundException)
        {
            await store.RescheduleAsync(id, cancellationToken);
        }
        catch (ContentionException ex)
        {
            logger.LogWarning("Incident {IncidentId}: {Reason}; its timers are retried on the next tick", id, ex.Message);
        }
        catch (JsonException ex)
        {
            logger.LogError(ex, "Incident {IncidentId} cannot be read; its timers are retried in {Delay}", id, _unreadableRetry);
            await store.PostponeTimerAsync(id, now + _unreadableRetry);
        }

        return fired;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
