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
/// Single messages (unary <c>Ingest</c>, webhooks) are group-committed: concurrent callers' messages that are
/// waiting when the writer is free go to Redis in one script call (at most <see cref="MaxPerCall"/>), each with its
/// own delivery key and trace, and each caller is answered with its own result once that call returned. A lone
/// message goes at once; under load one round trip serves many callers instead of one each.
/// </summary>
public sealed class MessageStore : IAsyncDisposable
{
    private static readonly Counter<long> _stored = PipelineTelemetry.Meter.CreateCounter<long>(
        "govpublics.ingestion.messages", description: "Messages accepted by ingestion, by outcome");

    private static readonly Histogram<int> _groupSize = PipelineTelemetry.Meter.CreateHistogram<int>(
        "govpublics.ingestion.group_size", description: "Single messages stored together in one script call");

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly System.Threading.Channels.Channel<Pending> _queue =
        System.Threading.Channels.Channel.CreateBounded<Pending>(new System.Threading.Channels.BoundedChannelOptions(10_000)
        {
            SingleReader = true,
            FullMode = System.Threading.Channels.BoundedChannelFullMode.Wait,
        });

    private readonly Task _writer;

    public MessageStore(IConnectionMultiplexer redis, RedisKeys keys)
    {
        _redis = redis;
        _keys = keys;
        _writer = Task.Run(WriteGroupsAsync);
    }

    /// <summary>A message to store, with its JSON (UTF-8, as Redis stores it), the trace it continues and its delivery key (TTL 0: none).</summary>
    private sealed record Unstored(CitizenMessage Message, byte[] Json, string TraceParent, string DeliveryKey, long DeliveryTtl);

    /// <summary>A message waiting for the writer, with the caller's answer.</summary>
    private sealed record Pending(Unstored Message)
    {
        /// <summary>
        /// The caller's answer. Its continuation runs on the writer when the answer is set, up to the caller's next
        /// await (writing the gRPC or HTTP response), which saves each caller a hop through the thread pool.
        /// </summary>
        public TaskCompletionSource<StoreResult> Answer { get; } = new();

        /// <summary>How many messages the script call that stored this one carried.</summary>
        public int GroupSize { get; set; }
    }

    // New messages, in order: a group of single messages, or a chunk of a batch. KEYS: the messages stream, then per
    // message its record and its delivery key (a platform's event id; may be a never-set dummy). ARGV per message:
    // id, JSON, traceparent, received (ms), delivery key TTL (s; 0 = no delivery key). Returns 1 (stored) or 0
    // (duplicate) per message; a repeat within the call is a duplicate of the first.
    private const string StoreScript = """
        local out = {}
        for i = 1, (#KEYS - 1) / 2 do
          local record, delivery, a = KEYS[2 * i], KEYS[2 * i + 1], 5 * (i - 1)
          local ttl = ARGV[a + 5]
          if (ttl ~= '0' and redis.call('EXISTS', delivery) == 1) or redis.call('EXISTS', record) == 1 then
            out[i] = 0
          else
            local entry = redis.call('XADD', KEYS[1], '*', 'id', ARGV[a + 1], 'data', ARGV[a + 2], 'tp', ARGV[a + 3])
            redis.call('HSET', record, 'entry', entry, 'received_at', ARGV[a + 4])
            if ttl ~= '0' then redis.call('SET', delivery, '1', 'EX', ttl) end
            out[i] = 1
          end
        end
        return out
        """;

    // An edit, deletion or restoration of a message. KEYS: message record, message-events stream, messages stream,
    // delivery key. ARGV: message id, event kind, JSON, traceparent, received (ms), delivery key TTL (s).
    // An edit or restoration of a message never received is stored as a new message (we joined after it was
    // written). A deletion of one leaves a record without an entry (a tombstone): the platform's retry of the
    // message itself, arriving after the deletion, is then a duplicate (StoreScript), not an incident about a
    // comment that no longer exists; a restoration later brings it in as new.
    private const string EventScript = """
        if ARGV[6] ~= '0' and redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
        local known = redis.call('HEXISTS', KEYS[1], 'entry') == 1
        if ARGV[2] == 'delete' then
          redis.call('HSET', KEYS[1], 'deleted_at', ARGV[5])
        elseif known then
          redis.call('HSET', KEYS[1], 'data', ARGV[3], ARGV[2] .. '_at', ARGV[5])
          redis.call('HDEL', KEYS[1], 'deleted_at')
        else
          local entry = redis.call('XADD', KEYS[3], '*', 'id', ARGV[1], 'data', ARGV[3], 'tp', ARGV[4])
          redis.call('HSET', KEYS[1], 'entry', entry, 'received_at', ARGV[5])
          redis.call('HDEL', KEYS[1], 'deleted_at')
        end
        redis.call('XADD', KEYS[2], '*', 'id', ARGV[1], 'event', ARGV[2], 'data', ARGV[3], 'tp', ARGV[4])
        if ARGV[6] ~= '0' then redis.call('SET', KEYS[4], '1', 'EX', ARGV[6]) end
        return known and 1 or 2
        """;

    /// <summary>At most this many messages go into one script call of <see cref="StoreManyAsync"/>.</summary>
    public const int MaxPerCall = 100;

    /// <summary>How long a platform's delivery id is remembered to drop re-sent deliveries.</summary>
    public static readonly TimeSpan DeliveryMemory = TimeSpan.FromDays(2);

    /// <summary>
    /// Stores one message (group-committed with concurrent callers' messages) and answers once Redis confirmed it;
    /// a Redis failure is thrown to every caller of the group, none of whose messages was then stored.
    /// <paramref name="deliveryKey"/> is the platform's id of this delivery: a repeat of it within
    /// <see cref="DeliveryMemory"/> is a duplicate even if the message changed.
    /// </summary>
    public async Task<StoreResult> StoreAsync(CitizenMessage message, string? deliveryKey = null, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(new Unstored(message, PipelineJson.SerializeToUtf8(message), PipelineTelemetry.CurrentTraceParent(),
            deliveryKey ?? "", deliveryKey is null ? 0 : (long)DeliveryMemory.TotalSeconds));
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        // Once queued the message is stored whether or not the caller still waits (a retry then reads "duplicate").
        var result = await pending.Answer.Task;
        // The script call runs on the writer, outside this trace: the caller's span tells how it was stored.
        System.Diagnostics.Activity.Current?.SetTag("govpublics.ingestion.group_size", pending.GroupSize);
        return result;
    }

    /// <summary>The writer: takes what is waiting (at most <see cref="MaxPerCall"/>), stores it in one call, answers each.</summary>
    private async Task WriteGroupsAsync()
    {
        var group = new List<Pending>(MaxPerCall);
        while (await _queue.Reader.WaitToReadAsync())
        {
            // Let the requests already being handled reach the queue first: under load they join this call instead
            // of waiting for the next round trip; alone, a message loses only a trip through the thread pool. (A
            // lingering writer, 1 ms, cut the CPU per call but, with 64 callers in flight, also the calls per second.)
            await Task.Yield();

            while (group.Count < MaxPerCall && _queue.Reader.TryRead(out var next))
            {
                group.Add(next);
            }

            try
            {
                _groupSize.Record(group.Count);
                var results = await WriteAsync([.. group.Select(p => p.Message)]);
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].GroupSize = group.Count;
                    group[i].Answer.TrySetResult(results[i]);
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in group)
                {
                    pending.Answer.TrySetException(ex);
                }
            }

            group.Clear();
        }
    }

    /// <summary>Stores the messages in one script call, in order, and answers per message.</summary>
    private async Task<StoreResult[]> WriteAsync(IReadOnlyList<Unstored> messages)
    {
        var scriptKeys = new RedisKey[1 + 2 * messages.Count];
        var args = new RedisValue[5 * messages.Count];
        scriptKeys[0] = _keys.MessagesStream;
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            scriptKeys[1 + 2 * i] = _keys.Message(m.Message.MessageId);
            scriptKeys[2 + 2 * i] = _keys.Delivery(m.DeliveryKey);
            (args[5 * i], args[5 * i + 1], args[5 * i + 2], args[5 * i + 3], args[5 * i + 4]) =
                (m.Message.MessageId, m.Json, m.TraceParent, m.Message.ReceivedAt.ToUnixTimeMilliseconds(), m.DeliveryTtl);
        }

        var results = (RedisResult[])(await _redis.GetDatabase().ScriptEvaluateAsync(StoreScript, scriptKeys, args))!;
        var stored = new StoreResult[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            stored[i] = new StoreResult(messages[i].Message.MessageId, (int)results[i] == 0);
            _stored.Add(1, new KeyValuePair<string, object?>("outcome", stored[i].Duplicate ? "duplicate" : "stored"));
        }

        return stored;
    }

    /// <summary>Stops taking messages and lets the writer answer every one already queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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

        var traceParent = PipelineTelemetry.CurrentTraceParent();
        return await WriteAsync([.. batch.Select(m => new Unstored(m, PipelineJson.SerializeToUtf8(m), traceParent, "", 0))]);
    }

    /// <summary>
    /// Records an edit, deletion or restoration of a message (<paramref name="kind"/>: edit, delete, restore): the
    /// stored message is updated, and the event goes to the <c>message-events</c> stream, never to a second incident.
    /// Returns false when the delivery was seen before.
    /// </summary>
    public async Task<bool> RecordEventAsync(string kind, CitizenMessage message, string? deliveryKey = null)
    {
        var result = (int)await _redis.GetDatabase().ScriptEvaluateAsync(EventScript,
            [_keys.Message(message.MessageId), _keys.MessageEventsStream, _keys.MessagesStream, _keys.Delivery(deliveryKey ?? "")],
            [message.MessageId, kind, PipelineJson.Serialize(message), PipelineTelemetry.CurrentTraceParent(),
             message.ReceivedAt.ToUnixTimeMilliseconds(), deliveryKey is null ? 0 : (long)DeliveryMemory.TotalSeconds]);
        _stored.Add(1, new KeyValuePair<string, object?>("outcome", result == 0 ? "duplicate" : kind));
        return result != 0;
    }
}
