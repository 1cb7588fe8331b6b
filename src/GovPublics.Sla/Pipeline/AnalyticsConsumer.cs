using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Sla.Domain.Analytics;
using GovPublics.Sla.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GovPublics.Sla.Pipeline;

/// <summary>
/// The analytics consumer group on the <c>routed</c> stream: every message, incident or not, updates the page,
/// thread and day facts the metrics, ratings and points of tension are computed from. Its own group, so it reads
/// the whole stream independently of incident creation; every update is idempotent per message id (and per
/// decision revision), so a redelivered entry counts nothing twice.
/// </summary>
public sealed class AnalyticsConsumer(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    AnalyticsStore store,
    RatingPolicy ratings,
    AnalyticsInstruments instruments,
    IOptions<AnalyticsOptions> analytics,
    IOptionsMonitor<StreamConsumerOptions> options,
    ILogger<AnalyticsConsumer> logger,
    TimeProvider time)
    : RedisStreamConsumer(redis, options.Get(GroupName), logger, time)
{
    public const string GroupName = "sla-analytics";

    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(analytics.Value.TimeZone);

    protected override string Stream => keys.RoutedStream;

    protected override string Group => GroupName;

    /// <summary>Entries of one message in order; different messages concurrently.</summary>
    protected override string? OrderingKey(StreamEntry entry) => entry["id"].ToString();

    // Its own dead-letter stream: an entry analytics could not record may well have become an incident.
    protected override string DeadLetterStream => keys.DeadLetter(keys.RoutedStream + ":analytics");

    protected override async Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        var routed = PipelineJson.Deserialize<RoutedMessage>(entry["data"].ToString());
        var facts = MessageFacts.From(routed, ratings, _zone);
        var outcome = await store.RecordAsync(facts, Time.GetUtcNow());
        if (outcome == IncidentRecordOutcome.Counted)
        {
            instruments.IncidentCreated(facts.Incident!.AuthorityId);
        }

        Logger.LogDebug("Analytics of message {MessageId}: {Role}, incident {Outcome}", facts.MessageId, facts.Role, outcome);
    }
}
