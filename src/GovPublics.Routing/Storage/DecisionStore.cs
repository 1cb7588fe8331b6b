using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using StackExchange.Redis;

namespace GovPublics.Routing.Storage;

/// <summary>
/// Routing decisions in Redis. Storing a decision and appending it to the <c>routed</c> stream is one script,
/// and a decision that exists already is not appended again: a redelivered message routes exactly once.
/// </summary>
public sealed class DecisionStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    private const string StoreScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('SET', KEYS[1], ARGV[2])
        redis.call('XADD', KEYS[2], '*', 'id', ARGV[1], 'data', ARGV[3], 'tp', ARGV[4])
        return 1
        """;

    /// <summary>Stores the decision and routes the message on. False when it had been routed before.</summary>
    public async Task<bool> StoreAndRouteAsync(RoutedMessage routed)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(StoreScript,
            [keys.Decision(routed.Message.MessageId), keys.RoutedStream],
            [routed.Message.MessageId, PipelineJson.Serialize(routed.Decision), PipelineJson.Serialize(routed), PipelineTelemetry.CurrentTraceParent()]);
        return (int)result == 1;
    }

    public async Task<RoutedDecision?> GetAsync(string messageId)
    {
        var value = await redis.GetDatabase().StringGetAsync(keys.Decision(messageId));
        return value.IsNullOrEmpty ? null : PipelineJson.Deserialize<RoutedDecision>(value.ToString());
    }
}
