using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Common.Registry;
using GovPublics.Routing.Domain;
using GovPublics.Routing.Domain.Moderation;
using GovPublics.Routing.Knowledge;
using GovPublics.Routing.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace GovPublics.Routing.Pipeline;

/// <summary>
/// The routing consumer group on the <c>messages</c> stream: decides each message and, in one step, stores the
/// decision and either appends it to <c>routed</c> or, when the classifier is not sure enough, puts it in the ЦУР
/// moderation queue without routing it; then acknowledges.
/// </summary>
public sealed class RoutingConsumer(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    CatalogCache catalog,
    ClassifierHolder classifiers,
    MessageRouter router,
    DecisionStore decisions,
    IOptions<RoutingOptions> routing,
    IOptionsMonitor<StreamConsumerOptions> options,
    ILogger<RoutingConsumer> logger,
    TimeProvider time)
    : RedisStreamConsumer(redis, options.Get(GroupName), logger, time)
{
    public const string GroupName = "routing";

    protected override string Stream => keys.MessagesStream;

    protected override string Group => GroupName;

    /// <summary>Entries of one message in order; different messages concurrently.</summary>
    protected override string? OrderingKey(StreamEntry entry) => entry["id"].ToString();

    protected override string DeadLetterStream => keys.DeadLetter(keys.MessagesStream);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Routing without the catalogue would send everything to the fallback, and without knowledge it cannot
        // classify: wait for both.
        await catalog.WaitLoadedAsync(stoppingToken);
        await classifiers.WaitLoadedAsync(stoppingToken);
        await base.ExecuteAsync(stoppingToken);
    }

    protected override async Task HandleAsync(StreamEntry entry, CancellationToken cancellationToken)
    {
        var message = PipelineJson.Deserialize<CitizenMessage>(entry["data"].ToString());
        var snapshot = catalog.Current;
        var decision = router.Decide(message, snapshot);
        var item = decision.NeedsModeration
            ? ModerationItem.ForLowConfidence(message, decision,
                snapshot.FindPage(message.Platform, message.PageExternalId)?.OwnerAuthorityId ?? "",
                routing.Value.ModerationThreshold, Time.GetUtcNow())
            : null;
        var outcome = await decisions.StoreFirstAsync(message, decision, item, entry.Id.ToString());
        Logger.LogDebug("Message {MessageId} {Outcome}: incident={IsIncident} {Category}/{Subcategory} → {Authority} (confidence {Confidence:F2})",
            message.MessageId, outcome switch
            {
                FirstDecisionOutcome.Routed => "routed",
                FirstDecisionOutcome.Queued => "held for moderation",
                _ => "already decided before",
            },
            decision.IsIncident, decision.Category, decision.Subcategory, decision.ResponsibleAuthorityId, decision.Confidence);
    }
}
