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
/// The message's JSON is written once, in its stream entry (the log the pipeline reads, never trimmed); the record
/// keeps the entry's id, the received time and, after an edit, the edited JSON. Writing the payload twice cost
/// Redis half its time per message in a batch, and twice the append-only file.
/// </summary>
public sealed class MessageStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    private static readonly Counter<long> _stored = PipelineTelemetry.Meter.CreateCounter<long>(
        "govpublics.ingestion.messages", description: "Messages accepted by ingestion, by outcome");

    // KEYS: message record, messages stream, delivery key (a platform's event id; may be a never-set dummy).
    // ARGV: message id, JSON, traceparent, received (ms), delivery key TTL (s; 0 = no delivery key).
    private const string StoreScript = """
        if ARGV[5] ~= '0' and redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        local entry = redis.call('XADD', KEYS[2], '*', 'id', ARGV[1], 'data', ARGV[2], 'tp', ARGV[3])
        redis.call('HSET', KEYS[1], 'entry', entry, 'received_at', ARGV[4])
        if ARGV[5] ~= '0' then redis.call('SET', KEYS[3], '1', 'EX', ARGV[5]) end
        return 1
        """;

    // An edit, deletion or restoration of a message. KEYS: message record, message-events stream, messages stream,
    // delivery key. ARGV: message id, event kind, JSON, traceparent, received (ms), delivery key TTL (s).
    // An edit or restoration of a message never received is stored as a new message (we joined after it was
    // written); a deletion of one is only recorded.
    private const string EventScript = """
        if ARGV[6] ~= '0' and redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
        local known = redis.call('EXISTS', KEYS[1]) == 1
        if ARGV[2] == 'delete' then
          if known then redis.call('HSET', KEYS[1], 'deleted_at', ARGV[5]) end
        elseif known then
          redis.call('HSET', KEYS[1], 'data', ARGV[3], ARGV[2] .. '_at', ARGV[5])
          redis.call('HDEL', KEYS[1], 'deleted_at')
        else
          local entry = redis.call('XADD', KEYS[3], '*', 'id', ARGV[1], 'data', ARGV[3], 'tp', ARGV[4])
          redis.call('HSET', KEYS[1], 'entry', entry, 'received_at', ARGV[5])
        end
        redis.call('XADD', KEYS[2], '*', 'id', ARGV[1], 'event', ARGV[2], 'data', ARGV[3], 'tp', ARGV[4])
        if ARGV[6] ~= '0' then redis.call('SET', KEYS[4], '1', 'EX', ARGV[6]) end
        return known and 1 or 2
        """;

    // Many messages in one call (a batch): KEYS = one record key per message, then the messages stream.
    // ARGV = traceparent, received (ms), then (id, JSON) pairs. Returns 1 (stored) or 0 (duplicate) per message.
    private const string StoreManyScript = """
        local n = #KEYS - 1
        local stream = KEYS[#KEYS]
        local out = {}
        for i = 1, n do
          local id, json = ARGV[1 + 2 * i], ARGV[2 + 2 * i]
          if redis.call('EXISTS', KEYS[i]) == 1 then
            out[i] = 0
          else
            local entry = redis.call('XADD', stream, '*', 'id', id, 'data', json, 'tp', ARGV[1])
            redis.call('HSET', KEYS[i], 'entry', entry, 'received_at', ARGV[2])
            out[i] = 1
          end
        end
        return out
        """;

    /// <summary>At most this many messages go into one script call of <see cref="StoreManyAsync"/>.</summary>
    public const int MaxPerCall = 100;

    /// <summary>How long a platform's delivery id is remembered to drop re-sent deliveries.</summary>
    public static readonly TimeSpan DeliveryMemory = TimeSpan.FromDays(2);

    public async Task<StoreResult> StoreAsync(CitizenMessage message, string? deliveryKey = null)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(StoreScript,
            [keys.Message(message.MessageId), keys.MessagesStream, keys.Delivery(deliveryKey ?? "")],
            [message.MessageId, PipelineJson.Serialize(message), PipelineTelemetry.CurrentTraceParent(), message.ReceivedAt.ToUnixTimeMilliseconds(),
             deliveryKey is null ? 0 : (long)DeliveryMemory.TotalSeconds]);
        var duplicate = (int)result == 0;
        _stored.Add(1, new KeyValuePair<string, object?>("outcome", duplicate ? "duplicate" : "stored"));
        return new StoreResult(message.MessageId, duplicate);
    }

    /// <summary>
    /// Stores up to <see cref="MaxPerCall"/> messages in one atomic script call (the same check-record-append as
    /// <see cref="StoreAsync"/> for each, in order): a batch costs one round trip and one script run per chunk
    /// instead of per message.
    /// </summary>
    public async Task<IReadOnlyList<StoreResult>> StoreManyAsync(IReadOnlyList<CitizenMessage> batch)
    {
        if (batch.Count is 0 or > MaxPerCall)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch.Count, $"1 to {MaxPerCall} messages per call");
        }

        var scriptKeys = new RedisKey[batch.Count + 1];
        var args = new RedisValue[2 + 2 * batch.Count];
        args[0] = PipelineTelemetry.CurrentTraceParent();
        args[1] = batch[0].ReceivedAt.ToUnixTimeMilliseconds();
        for (var i = 0; i < batch.Count; i++)
        {
            scriptKeys[i] = keys.Message(batch[i].MessageId);
            args[2 + 2 * i] = batch[i].MessageId;
            args[3 + 2 * i] = PipelineJson.Serialize(batch[i]);
        }

        scriptKeys[^1] = keys.MessagesStream;
        var results = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(StoreManyScript, scriptKeys, args))!;
        var stored = new StoreResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            stored[i] = new StoreResult(batch[i].MessageId, (int)results[i] == 0);
            _stored.Add(1, new KeyValuePair<string, object?>("outcome", stored[i].Duplicate ? "duplicate" : "stored"));
        }

        return stored;
    }

    /// <summary>
    /// Records an edit, deletion or restoration of a message (<paramref name="kind"/>: edit, delete, restore): the
    /// stored message is updated, and the event goes to the <c>message-events</c> stream, never to a second incident.
    /// Returns false when the delivery was seen before.
    /// </summary>
    public async Task<bool> RecordEventAsync(string kind, CitizenMessage message, string? deliveryKey = null)
    {
        var result = (int)await redis.GetDatabase().ScriptEvaluateAsync(EventScript,
            [keys.Message(message.MessageId), keys.MessageEventsStream, keys.MessagesStream, keys.Delivery(deliveryKey ?? "")],
            [message.MessageId, kind, PipelineJson.Serialize(message), PipelineTelemetry.CurrentTraceParent(),
             message.ReceivedAt.ToUnixTimeMilliseconds(), deliveryKey is null ? 0 : (long)DeliveryMemory.TotalSeconds]);
        _stored.Add(1, new KeyValuePair<string, object?>("outcome", result == 0 ? "duplicate" : kind));
        return result != 0;
    }
}
