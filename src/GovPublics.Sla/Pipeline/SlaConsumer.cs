using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Common.Registry;
using GovPublics.Sla.Domain.Clock;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.Sla.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GovPublics.Sla.Pipeline;

/// <summary>
/// The SLA consumer group on the <c>routed</c> stream: every decision that is an incident becomes exactly one
/// incident with its deadlines; the entry is acknowledged after the incident is stored.
/// </summary>
public sealed class SlaConsumer(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    CatalogCache catalog,
    IncidentFactory factory,
    IncidentStore incidents,
    IOptionsMonitor<StreamConsumerOptions> options,
    ILogger<SlaConsumer> logger,
    TimeProvider time)
    : RedisStreamConsumer(redis, options.Get(GroupName), logger, time)
{
    public const string GroupName = "sla";

    protected override string Stream => keys.RoutedStream;

    protected override string Group => GroupName;

    protected override string DeadLetterStream => keys.DeadLetter(keys.RoutedStream);

    /// <summary>
    /// A deadline that needs a calendar year with no data is the system's fault, not the message's: the entry waits
    /// (retried every second, logged) until the year's calendar is added, instead of being dead-lettered.
    /// </summary>
    protected override bool IsTransient(Exception ex) => base.IsTransient(ex) || ex is CalendarYearNotLoadedException;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Deadlines need each authority's time zone and calendar from the catalogue.
        await catalog.WaitLoadedAsync(stoppingToken);
        await base.ExecuteAsync(stoppingToken);
    }

    protected override async Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        var routed = PipelineJson.Deserialize<RoutedMessage>(entry["data"].ToString());
        if (!routed.Decision.IsIncident)
        {
            return;
        }

        var incident = factory.Create(routed, catalog.Current, Time.GetUtcNow());
        var (id, created) = await incidents.CreateAsync(incident);
        Logger.LogDebug("Incident {IncidentId} for message {MessageId}: {Authority}, first response due {Due:O}{Repeat}",
            id, incident.MessageId, incident.AuthorityId, incident.FirstResponseDue, created ? "" : " (existed)");
    }
}
