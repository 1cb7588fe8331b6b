using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Routing.Domain.Moderation;
using StackExchange.Redis;

namespace GovPublics.Routing.Storage;

/// <summary>A moderation item as stored, with the exact stored text for a compare-and-set write.</summary>
public sealed record StoredItem(ModerationItem Item, string Raw);

/// <summary>What deciding an item's script did.</summary>
public enum DecideOutcome
{
    Done,

    /// <summary>The item changed since it was read (taken or decided by someone else): nothing was written.</summary>
    ItemChanged,

    /// <summary>The message's decision changed since it was read (a re-route): nothing was written.</summary>
    DecisionChanged,
}

/// <summary>
/// The ЦУР moderation queue in Redis: items in one hash (<c>MOD-000001</c>… → JSON), indexes of open and decided
/// items (all, and per reason kind) scored by the item's number, so the oldest comes first, and the open item of
/// each message. Every change of an item replaces it only if it is still the version it was computed from.
/// Deciding an item closes it, stores the new decision, records it and routes it in one script.
/// </summary>
public sealed class ModerationStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    /// <summary>Items read per round trip when listing.</summary>
    private const int Chunk = 200;

    /// <summary>A list call reads at most this many items; the token continues from there.</summary>
    public const int MaxScan = 5_000;

    private const string RejectionScript = """
        local seen = redis.call('HGET', KEYS[6], ARGV[2])
        if seen then return {seen, 0} end
        local open = redis.call('HGET', KEYS[5], ARGV[1])
        if open then
          redis.call('HSET', KEYS[6], ARGV[2], open)
          return {open, 0}
        end
        local n = redis.call('INCR', KEYS[2])
        local id = string.format('MOD-%06d', n)
        redis.call('HSET', KEYS[1], id, ARGV[3])
        redis.call('ZADD', KEYS[3], n, id)
        redis.call('ZADD', KEYS[4], n, id)
        redis.call('HSET', KEYS[5], ARGV[1], id)
        redis.call('HSET', KEYS[6], ARGV[2], id)
        return {id, 1}
        """;

    private const string ReplaceScript = """
        if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        return 1
        """;

    private static readonly string _decideScript = $"""
        if redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[3] then return 'ITEM' end
        if redis.call('GET', KEYS[7]) ~= ARGV[6] then return 'STALE' end
        redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
        redis.call('ZREM', KEYS[2], ARGV[2])
        redis.call('ZREM', KEYS[3], ARGV[2])
        redis.call('ZADD', KEYS[4], ARGV[5], ARGV[2])
        redis.call('ZADD', KEYS[5], ARGV[5], ARGV[2])
        if redis.call('HGET', KEYS[6], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[6], ARGV[1]) end
        redis.call('SET', KEYS[7], ARGV[7])
        {DecisionStore.FirstHistoryLua(historyKey: 8, argument: 12)}
        redis.call('RPUSH', KEYS[8], ARGV[9])
        redis.call('XADD', KEYS[9], '*', 'id', ARGV[1], 'data', ARGV[8], 'tp', ARGV[11])
        {DecisionStore.CorrectionsLua(firstKey: 10, argument: 10)}
        return 'OK'
        """;

    /// <summary>
    /// Queues a rejected incident, once: a rejection seen before (same incident, authority and time) returns the
    /// item it made, and a message that has an open item already keeps that one.
    /// </summary>
    public async Task<(string ItemId, bool Created)> AddRejectionAsync(ModerationItem item, string rejectionKey)
    {
        var kind = ModerationItem.KindCode(ModerationReasonKind.Rejected);
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(RejectionScript,
            [
                keys.ModerationItems, keys.ModerationSequence, keys.ModerationOpen, keys.ModerationOpenOf(kind),
                keys.ModerationOpenByMessage, keys.ModerationRejections,
            ],
            [item.MessageId, rejectionKey, RoutingJson.Serialize(item)]))!;
        return (result[0].ToString(), (int)result[1] == 1);
    }

    public async Task<StoredItem?> GetAsync(string itemId)
    {
        var value = await redis.GetDatabase().HashGetAsync(keys.ModerationItems, itemId);
        return value.IsNullOrEmpty ? null : new StoredItem(Parse(itemId, value.ToString()), value.ToString());
    }

    /// <summary>Replaces the item with <paramref name="updated"/> if it is still <paramref name="current"/>.</summary>
    public async Task<bool> ReplaceAsync(StoredItem current, ModerationItem updated)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(ReplaceScript,
            [keys.ModerationItems], [current.Item.Id, current.Raw, RoutingJson.Serialize(updated)]);
        return (int)result == 1;
    }

    /// <summary>
    /// Closes the item as <paramref name="decided"/> and publishes <paramref name="next"/>: stores it as the
    /// message's decision, records it in the history, updates the labelled correction and appends it to
    /// <c>routed</c>; all or nothing, and only while both the item and the decision are still as read.
    /// </summary>
    public async Task<DecideOutcome> DecideAsync(
        StoredItem item, ModerationItem decided, StoredDecision current, RoutedDecision next, DecisionHistoryEntry entry, LabelledCorrection? correction)
    {
        var id = item.Item.MessageId;
        var kind = ModerationItem.KindCode(item.Item.ReasonKind);
        var result = (string?)await redis.GetDatabase().ScriptEvaluateAsync(_decideScript,
            [
                keys.ModerationItems, keys.ModerationOpen, keys.ModerationOpenOf(kind), keys.ModerationDecided,
                keys.ModerationDecidedOf(kind), keys.ModerationOpenByMessage,
                keys.Decision(id), keys.DecisionHistory(id), keys.RoutedStream,
                keys.Corrections, keys.CorrectionsOrder, keys.CorrectionsSequence,
            ],
            [
                id, item.Item.Id, item.Raw, RoutingJson.Serialize(decided), item.Item.Sequence,
                current.Raw, PipelineJson.Serialize(next), PipelineJson.Serialize(RoutedMessage.ForStream(item.Item.Message, next)),
                RoutingJson.Serialize(entry), correction is null ? "" : RoutingJson.Serialize(correction),
                PipelineTelemetry.CurrentTraceParent(), DecisionStore.FirstHistoryArgument(current),
            ]);
        return result switch
        {
            "OK" => DecideOutcome.Done,
            "ITEM" => DecideOutcome.ItemChanged,
            "STALE" => DecideOutcome.DecisionChanged,
            _ => throw new InvalidOperationException($"Unexpected answer of the decide script: {result}"),
        };
    }

    /// <summary>
    /// Items after number <paramref name="after"/>, oldest first: open ones (all, or only those
    /// <see cref="ModerationState.Waiting"/> or <see cref="ModerationState.Taken"/> at <paramref name="now"/>) or
    /// decided ones, of one reason kind or all. Reads at most <see cref="MaxScan"/> items; the returned number
    /// (null at the end) continues the walk.
    /// </summary>
    public async Task<(IReadOnlyList<ModerationItem> Items, long? Next)> ListAsync(
        ModerationState? state, ModerationReasonKind? kind, int pageSize, long after, DateTimeOffset now, TimeSpan lease,
        CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var index = (state == ModerationState.Decided, kind) switch
        {
            (true, null) => keys.ModerationDecided,
            (true, { } k) => keys.ModerationDecidedOf(ModerationItem.KindCode(k)),
            (false, null) => keys.ModerationOpen,
            (false, { } k) => keys.ModerationOpenOf(ModerationItem.KindCode(k)),
        };
        var items = new List<ModerationItem>();
        var cursor = after;
        var scanned = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = await db.SortedSetRangeByScoreWithScoresAsync(index, cursor, double.PositiveInfinity, Exclude.Start, Order.Ascending, 0, Chunk);
            if (chunk.Length == 0)
            {
                return (items, null);
            }

            var values = await db.HashGetAsync(keys.ModerationItems, [.. chunk.Select(e => e.Element)]);
            for (var i = 0; i < chunk.Length; i++)
            {
                cursor = (long)chunk[i].Score;
                scanned++;
                if (values[i].IsNullOrEmpty)
                {
                    continue;
                }

                var item = Parse(chunk[i].Element.ToString(), values[i].ToString());
                if (state is ModerationState.Waiting or ModerationState.Taken && item.StateAt(now, lease) != state)
                {
                    continue;
                }

                items.Add(item);
                if (items.Count == pageSize)
                {
                    var more = i < chunk.Length - 1
                        || (await db.SortedSetRangeByScoreAsync(index, cursor, double.PositiveInfinity, Exclude.Start, Order.Ascending, 0, 1)).Length > 0;
                    return (items, more ? cursor : null);
                }
            }

            if (scanned >= MaxScan)
            {
                return (items, cursor);
            }

            if (chunk.Length < Chunk)
            {
                return (items, null);
            }
        }
    }

    private static ModerationItem Parse(string id, string json) => RoutingJson.Deserialize<ModerationItem>(json) with { Id = id };
}
