using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Common.Registry;
using GovPublics.Routing.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GovPublics.Routing.Pipeline;

/// <summary>
/// The routing consumer group on the <c>messages</c> stream: decides each message, stores the decision and
/// appends it to <c>routed</c> in one step, then acknowledges.
/// </summary>
public sealed class RoutingConsumer(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    CatalogCache catalog,
    MessageRouter router,
    DecisionStore decisions,
    IOptionsMonitor<StreamConsumerOptions> options,
    ILogger<RoutingConsumer> logger,
    TimeProvider time)
    : RedisStreamConsumer(redis, options.Get(GroupName), logger, time)
{
    public const string GroupName = "routing";

    protected override string Stream => keys.MessagesStream;

    protected override string Group => GroupName;

    protected override string DeadLetterStream => keys.DeadLetter(keys.MessagesStream);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Routing without the catalogue would send everything to the fallback: wait for it.
        await catalog.WaitLoadedAsync(stoppingToken);
        await base.ExecuteAsync(stoppingToken);
    }

    protected override async Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        var message = PipelineJson.Deserialize<CitizenMessage>(entry["data"].ToString());
        var decision = router.Decide(message, catalog.Current);
        var routed = await decisions.StoreAndRouteAsync(new RoutedMessage(message, decision));
        Logger.LogDebug("Message {MessageId} routed: incident={IsIncident} {Category}/{Subcategory} → {Authority} (confidence {Confidence:F2}){Repeat}",
            message.MessageId, decision.IsIncident, decision.Category, decision.Subcategory, decision.ResponsibleAuthorityId,
            decision.Confidence, routed ? "" : " (already routed before)");
    }
}
