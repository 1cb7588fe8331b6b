using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Sla.Domain.Analytics;
using GovPublics.Sla.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GovPublics.Sla.Pipeline;

/// <summary>
/// The analytics consumer group on the <c>routed</c> stream: every message, incident or not, updates the page and
/// thread facts the page ratings are computed from. Its own group, so it reads the whole stream independently of
/// incident handling; every update is idempotent per message id, so a redelivered entry counts nothing twice. It
/// counts no incidents: whether a message is a new incident, a follow-up or a reopening is the SLA's to decide, so
/// the SLA consumer counts them where it creates them (<see cref="Workflow.IncidentCounts"/>).
/// </summary>
public sealed class AnalyticsConsumer(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    AnalyticsStore store,
    RatingPolicy ratings,
    IOptionsMonitor<StreamConsumerOptions> options,
    ILogger<AnalyticsConsumer> logger,
    TimeProvider time)
    : RedisStreamConsumer(redis, options.Get(GroupName), logger, time)
{
    public const string GroupName = "sla-analytics";

    protected override string Stream => keys.RoutedStream;

    protected override string Group => GroupName;

    /// <summary>Entries of one message in order; different messages concurrently.</summary>
    protected override string? OrderingKey(StreamEntry entry) => entry["id"].ToString();

    // Its own dead-letter stream: the SLA's entries are another group's, with their own fate.
    protected override string DeadLetterStream => keys.DeadLetter(keys.RoutedStream + ":analytics");

    protected override async Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        var routed = PipelineJson.Deserialize<RoutedMessage>(entry["data"].ToString());
        var facts = MessageFacts.From(routed, ratings);
        await store.RecordAsync(facts, Time.GetUtcNow());
        Logger.LogDebug("Analytics of message {MessageId}: {Role}", facts.MessageId, facts.Role);
    }
}
