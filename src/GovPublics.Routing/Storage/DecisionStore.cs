using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Routing.Domain.Moderation;
using StackExchange.Redis;

namespace GovPublics.Routing.Storage;

/// <summary>What storing a message's first decision did.</summary>
public enum FirstDecisionOutcome
{
    /// <summary>The message had a decision already (a redelivery): nothing was written.</summary>
    Repeat = 0,

    /// <summary>Stored and appended to <c>routed</c>.</summary>
    Routed = 1,

    /// <summary>Stored and put in the moderation queue; not routed.</summary>
    Queued = 2,
}

/// <summary>What a re-route's script did.</summary>
public enum RerouteOutcome
{
    Done,

    /// <summary>The decision changed since it was read (another re-route or a moderator): nothing was written.</summary>
    Stale,

    /// <summary>The message has an open moderation item: nothing was written.</summary>
    OpenItem,
}

/// <summary>A message's first decision to store.</summary>
/// <param name="Message">The message as read from the <c>messages</c> stream.</param>
/// <param name="MessageJson">Its JSON as read from the stream, passed on in the <c>routed</c> entry as it is.</param>
/// <param name="Decision">The classifier's decision (revision 0).</param>
/// <param name="Moderation">The moderation item when the decision is held back; null to route it.</param>
/// <param name="MessagesEntryId">The message's entry on the <c>messages</c> stream.</param>
/// <param name="TraceParent">The trace the <c>routed</c> entry continues.</param>
public sealed record FirstDecision(CitizenMessage Message, ReadOnlyMemory<byte> MessageJson, RoutedDecision Decision, ModerationItem? Moderation, string MessagesEntryId, string TraceParent);

/// <summary>A decision as stored, with the exact stored text: a later write succeeds only if it is still the same.</summary>
public sealed record StoredDecision(RoutedDecision Decision, string Raw);

/// <summary>
/// Routing decisions in Redis: per message the current decision (<c>decision:&lt;id&gt;</c>), the message as
/// routed and the history of every revision. The first decision is stored and either appended to the
/// <c>routed</c> stream or put in the moderation queue in one script, and a message that has a decision
/// already is left alone: a redelivered message routes (or queues) exactly once. A re-route replaces the
/// decision only if it is still the one it was computed from (compare-and-set on the stored text), so two
/// concurrent re-routes never publish the same revision.
/// </summary>
public sealed class DecisionStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    /// <summary>
    /// Stores the first decisions of many messages in one call. Fixed keys: routed, then the moderation items, their
    /// sequence, the open index, the open index of the low-confidence kind, the open item of each message; then the
    /// n decision keys, then the n message-pointer keys. Six arguments per message: id, decision, pointer, routed
    /// entry, traceparent, moderation item or empty. One MGET tells which messages have a decision already and one
    /// MSET stores the new ones (a script's calls, not its data, are most of its cost); a message twice in the batch
    /// counts once. Answers one outcome per message, in order.
    /// </summary>
    private const string FirstScript = """
        local n = (#KEYS - 6) / 2
        local decisionKeys = {}
        for i = 1, n do decisionKeys[i] = KEYS[6 + i] end
        local existing = redis.call('MGET', unpack(decisionKeys))
        local seen = {}
        local sets = {}
        local out = {}
        for i = 1, n do
          local a = 6 * (i - 1) + 1
          local key = KEYS[6 + i]
          if existing[i] or seen[key] then
            out[i] = 0
          else
            seen[key] = true
            sets[#sets + 1] = key
            sets[#sets + 1] = ARGV[a + 1]
            sets[#sets + 1] = KEYS[6 + n + i]
            sets[#sets + 1] = ARGV[a + 2]
            if ARGV[a + 5] == '' then
              redis.call('XADD', KEYS[1], '*', 'id', ARGV[a], 'data', ARGV[a + 3], 'tp', ARGV[a + 4])
              out[i] = 1
            else
              local m = redis.call('INCR', KEYS[3])
              local id = string.format('MOD-%06d', m)
              redis.call('HSET', KEYS[2], id, ARGV[a + 5])
              redis.call('ZADD', KEYS[4], m, id)
              redis.call('ZADD', KEYS[5], m, id)
              redis.call('HSET', KEYS[6], ARGV[a], id)
              out[i] = 2
            end
          end
        end
        for first = 1, #sets, 1000 do
          redis.call('MSET', unpack(sets, first, math.min(first + 999, #sets)))
        end
        return out
        """;

    /// <summary>
    /// Lua run before a later revision is recorded: the history list holds no entry for the classifier's decision
    /// until the decision is first replaced (see <see cref="GetHistoryAsync"/>), so the replacing script adds it then.
    /// </summary>
    internal static string FirstHistoryLua(int historyKey, int argument) => $"""
        if ARGV[{argument}] ~= '' and redis.call('LLEN', KEYS[{historyKey}]) == 0 then redis.call('RPUSH', KEYS[{historyKey}], ARGV[{argument}]) end
        """;

    /// <summary>The classifier's history entry, for <see cref="FirstHistoryLua"/>: the replaced decision is revision 0 when no history is stored yet.</summary>
    internal static string FirstHistoryArgument(StoredDecision current) =>
        current.Decision.Revision == 0 ? RoutingJson.Serialize(DecisionHistoryEntry.First(current.Decision)) : "";

    private static readonly string _rerouteScript = $"""
        local open = redis.call('HGET', KEYS[4], ARGV[1])
        if open then return 'OPEN:' .. open end
        if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 'STALE' end
        redis.call('SET', KEYS[1], ARGV[3])
        {FirstHistoryLua(historyKey: 2, argument: 8)}
        redis.call('RPUSH', KEYS[2], ARGV[5])
        redis.call('XADD', KEYS[3], '*', 'id', ARGV[1], 'data', ARGV[4], 'tp', ARGV[7])
        {CorrectionsLua(firstKey: 5, argument: 6)}
        return 'OK'
        """;

    /// <summary>
    /// Lua that keeps the message's labelled correction (field = ARGV[1], the message id) in step with its latest
    /// decision: written (and moved to the end of the export order) when the argument holds one, removed when
    /// the latest decision agrees with the classifier again. Keys: corrections, their order, their sequence.
    /// </summary>
    internal static string CorrectionsLua(int firstKey, int argument) => $"""
        if ARGV[{argument}] ~= '' then
          local c = redis.call('INCR', KEYS[{firstKey + 2}])
          redis.call('HSET', KEYS[{firstKey}], ARGV[1], ARGV[{argument}])
          redis.call('ZADD', KEYS[{firstKey + 1}], c, ARGV[1])
        else
          redis.call('HDEL', KEYS[{firstKey}], ARGV[1])
          redis.call('ZREM', KEYS[{firstKey + 1}], ARGV[1])
        end
        """;

    /// <summary>
    /// Stores the classifier's decision of each message, in one call, and answers what it did with each, in order.
    /// Without a moderation item the message is routed on; with one, the item is queued instead and nothing reaches
    /// an authority until a moderator decides. The message's entry on the <c>messages</c> stream is kept instead of
    /// a second copy of the message (the stream is the log and is never trimmed); a re-route reads the message from
    /// it. A message that has a decision already is left alone, so a redelivered batch routes each message once.
    /// The history holds nothing yet: the classifier's decision is its first entry (see <see cref="GetHistoryAsync"/>).
    /// </summary>
    public async Task<FirstDecisionOutcome[]> StoreFirstAsync(IReadOnlyList<FirstDecision> batch)
    {
        if (batch.Count == 0)
        {
            return [];
        }

        var kind = ModerationItem.KindCode(ModerationReasonKind.LowConfidence);
        var n = batch.Count;
        var redisKeys = new RedisKey[6 + 2 * n];
        (redisKeys[0], redisKeys[1], redisKeys[2], redisKeys[3], redisKeys[4], redisKeys[5]) = (keys.RoutedStream,
            keys.ModerationItems, keys.ModerationSequence, keys.ModerationOpen, keys.ModerationOpenOf(kind), keys.ModerationOpenByMessage);
        var values = new RedisValue[6 * n];
        for (var i = 0; i < n; i++)
        {
            var (message, messageJson, decision, moderation, entryId, traceParent) = batch[i];
            redisKeys[6 + i] = keys.Decision(message.MessageId);
            redisKeys[6 + n + i] = keys.DecisionMessage(message.MessageId);
            values[6 * i] = message.MessageId;
            values[6 * i + 1] = PipelineJson.DecisionUtf8(decision);
            values[6 * i + 2] = EntryPrefix + entryId;
            values[6 * i + 3] = moderation is null ? PipelineJson.RoutedEntryUtf8(messageJson.Span, decision) : RedisValue.EmptyString;
            values[6 * i + 4] = traceParent;
            values[6 * i + 5] = moderation is null ? RedisValue.EmptyString : RoutingJson.Serialize(moderation);
        }

        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(FirstScript, redisKeys, values))!;
        return Array.ConvertAll(result, r => (FirstDecisionOutcome)(int)r);
    }

    /// <summary>
    /// Replaces the current decision with <paramref name="next"/> (the next revision), records it in the history,
    /// updates the labelled correction and appends it to <c>routed</c>: all or nothing, and only while the stored
    /// decision is still <paramref name="current"/> and the message has no open moderation item.
    /// </summary>
    public async Task<(RerouteOutcome Outcome, string OpenItemId)> RerouteAsync(
        StoredDecision current, CitizenMessage message, RoutedDecision next, DecisionHistoryEntry entry, LabelledCorrection? correction)
    {
        var id = message.MessageId;
        var result = (string?)await redis.GetDatabase().ScriptEvaluateAsync(_rerouteScript,
            [
                keys.Decision(id), keys.DecisionHistory(id), keys.RoutedStream, keys.ModerationOpenByMessage,
                keys.Corrections, keys.CorrectionsOrder, keys.CorrectionsSequence,
            ],
            [
                id, current.Raw, PipelineJson.Serialize(next), PipelineJson.Serialize(RoutedMessage.ForStream(message, next)),
                RoutingJson.Serialize(entry), correction is null ? "" : RoutingJson.Serialize(correction),
                PipelineTelemetry.CurrentTraceParent(), FirstHistoryArgument(current),
            ]);
        return result switch
        {
            "OK" => (RerouteOutcome.Done, ""),
            "STALE" => (RerouteOutcome.Stale, ""),
            _ when result?.StartsWith("OPEN:", StringComparison.Ordinal) == true => (RerouteOutcome.OpenItem, result["OPEN:".Length..]),
            _ => throw new InvalidOperationException($"Unexpected answer of the re-route script: {result}"),
        };
    }

    public async Task<RoutedDecision?> GetAsync(string messageId) => (await GetCurrentAsync(messageId))?.Decision;

    /// <summary>The current decision with its stored text, for a compare-and-set write.</summary>
    public async Task<StoredDecision?> GetCurrentAsync(string messageId)
    {
        var value = await redis.GetDatabase().StringGetAsync(keys.Decision(messageId));
        return value.IsNullOrEmpty ? null : new StoredDecision(PipelineJson.Deserialize<RoutedDecision>(value.ToString()), value.ToString());
    }

    private const string EntryPrefix = "entry:";

    /// <summary>The message as routing decided it; null for an unknown message.</summary>
    public async Task<CitizenMessage?> GetMessageAsync(string messageId)
    {
        var db = redis.GetDatabase();
        var value = (await db.StringGetAsync(keys.DecisionMessage(messageId))).ToString();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (!value.StartsWith(EntryPrefix, StringComparison.Ordinal))
        {
            // Stored before routing kept the entry id: a copy of the message.
            return PipelineJson.Deserialize<CitizenMessage>(value);
        }

        var id = value[EntryPrefix.Length..];
        var entry = (await db.StreamRangeAsync(keys.MessagesStream, id, id, 1)).FirstOrDefault();
        return entry.IsNull ? null : PipelineJson.Deserialize<CitizenMessage>(entry["data"].ToString());
    }

    /// <summary>
    /// Every decision of the message, oldest first; empty for an unknown message. Until the classifier's decision is
    /// first replaced no history is stored: the current decision is then the only entry.
    /// </summary>
    public async Task<IReadOnlyList<DecisionHistoryEntry>> GetHistoryAsync(string messageId)
    {
        var values = await redis.GetDatabase().ListRangeAsync(keys.DecisionHistory(messageId));
        if (values.Length == 0)
        {
            return await GetAsync(messageId) is { } decision ? [DecisionHistoryEntry.First(decision)] : [];
        }

        return [.. values.Select(v => RoutingJson.Deserialize<DecisionHistoryEntry>(v.ToString()))];
    }

    /// <summary>The classifier's decision (revision 0), or null for an unknown message.</summary>
    public async Task<RoutedDecision?> GetOriginalAsync(string messageId)
    {
        var value = await redis.GetDatabase().ListGetByIndexAsync(keys.DecisionHistory(messageId), 0);
        if (value.IsNullOrEmpty)
        {
            return await GetAsync(messageId) is { Revision: 0 } decision ? decision : null;
        }

        return RoutingJson.Deserialize<DecisionHistoryEntry>(value.ToString()).Decision;
    }

    /// <summary>The id of the message's open moderation item, or null.</summary>
    public async Task<string?> GetOpenModerationItemAsync(string messageId)
    {
        var value = await redis.GetDatabase().HashGetAsync(keys.ModerationOpenByMessage, messageId);
        return value.IsNullOrEmpty ? null : value.ToString();
    }
}
