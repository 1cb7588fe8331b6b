using System.Diagnostics.Metrics;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using StackExchange.Redis;

namespace GovPublics.Ingestion.Storage;

/// <summary>The outcome of storing one message.</summary>
public sealed record StoreResult(string MessageId, bool Duplicate);

/// <summary>
/// Stores accepted messages: the duplicate check, the message record and the append to the <c>messages</c>
/// stream are one Lua script, so a platform retry or two concurrent repeats give exactly one stream entry.
/// The caller is answered only after Redis confirmed the write.
/// </summary>
public sealed class MessageStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    private static readonly Counter<long> _stored = PipelineTelemetry.Meter.CreateCounter<long>(
        "govpublics.ingestion.messages", description: "Messages accepted by ingestion, by outcome");

    private const string StoreScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'data', ARGV[2], 'received_at', ARGV[4])
        redis.call('XADD', KEYS[2], '*', 'id', ARGV[1], 'data', ARGV[2], 'tp', ARGV[3])
        return 1
        """;

    public async Task<StoreResult> StoreAsync(CitizenMessage message)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(StoreScript,
            [keys.Message(message.MessageId), keys.MessagesStream],
            [message.MessageId, PipelineJson.Serialize(message), PipelineTelemetry.CurrentTraceParent(), message.ReceivedAt.ToUnixTimeMilliseconds()]);
        var duplicate = (int)result == 0;
        _stored.Add(1, new KeyValuePair<string, object?>("outcome", duplicate ? "duplicate" : "stored"));
        return new StoreResult(message.MessageId, duplicate);
    }
}
