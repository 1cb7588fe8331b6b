using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Common.Registry;
using GovPublics.Routing.Moderation;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GovPublics.Routing.Pipeline;

/// <summary>
/// Routing's consumer group on the <c>rejections</c> stream (written by SLA when an authority rejects an
/// incident as "not ours"): each rejection becomes a ЦУР moderation item, once, before it is acknowledged.
/// Entries: <c>id</c> (message id), <c>data</c> (<see cref="IncidentRejection"/> JSON), <c>tp</c>.
/// </summary>
public sealed class RejectionConsumer(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    CatalogCache catalog,
    ModerationService moderation,
    IOptionsMonitor<StreamConsumerOptions> options,
    ILogger<RejectionConsumer> logger,
    TimeProvider time)
    : RedisStreamConsumer(redis, options.Get(GroupName), logger, time)
{
    public const string GroupName = "routing-rejections";

    protected override string Stream => keys.RejectionsStream;

    protected override string Group => GroupName;

    /// <summary>Entries of one message in order; different messages concurrently.</summary>
    protected override string? OrderingKey(StreamEntry entry) => entry["id"].ToString();

    protected override string DeadLetterStream => keys.DeadLetter(keys.RejectionsStream);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The item names the rejecting authority and the page owner from the catalogue.
        await catalog.WaitLoadedAsync(stoppingToken);
        await base.ExecuteAsync(stoppingToken);
    }

    protected override async Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        var rejection = PipelineJson.Deserialize<IncidentRejection>(entry["data"].ToString());
        var (itemId, created) = await moderation.AddRejectionAsync(rejection);
        Logger.LogInformation("Incident {IncidentId} (message {MessageId}) rejected by {Authority}: moderation item {ItemId}{Repeat}",
            rejection.IncidentId, rejection.MessageId, rejection.AuthorityId, itemId, created ? "" : " (existed)");
    }
}
