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
    private const string FirstScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('SET', KEYS[1], ARGV[2])
        redis.call('SET', KEYS[2], ARGV[3])
        redis.call('RPUSH', KEYS[3], ARGV[4])
        if ARGV[7] == '' then
          redis.call('XADD', KEYS[4], '*', 'id', ARGV[1], 'data', ARGV[5], 'tp', ARGV[6])
          return 1
        end
        local n = redis.call('INCR', KEYS[6])
        local id = string.format('MOD-%06d', n)
        redis.call('HSET', KEYS[5], id, ARGV[7])
        redis.call('ZADD', KEYS[7], n, id)
        redis.call('ZADD', KEYS[8], n, id)
        redis.call('HSET', KEYS[9], ARGV[1], id)
        return 2
        """;

    private static readonly string _rerouteScript = $"""
        local open = redis.call('HGET', KEYS[4], ARGV[1])
        if open then return 'OPEN:' .. open end
        if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 'STALE' end
        redis.call('SET', KEYS[1], ARGV[3])
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
    /// Stores the classifier's decision with the message and its first history entry. Without
    /// <paramref name="moderation"/> the message is routed on; with it, the item is queued instead and nothing
    /// reaches an authority until a moderator decides. <paramref name="messagesEntryId"/>, the message's entry on the
    /// <c>messages</c> stream, is kept instead of a second copy of the message (the stream is the log and is never
    /// trimmed); a re-route reads the message from it.
    /// </summary>
    public async Task<FirstDecisionOutcome> StoreFirstAsync(
        CitizenMessage message, RoutedDecision decision, ModerationItem? moderation, string messagesEntryId)
    {
        var kind = ModerationItem.KindCode(ModerationReasonKind.LowConfidence);
        var result = await redis.GetDatabase().ScriptEvaluateAsync(FirstScript,
            [
                keys.Decision(message.MessageId), keys.DecisionMessage(message.MessageId), keys.DecisionHistory(message.MessageId),
                keys.RoutedStream, keys.ModerationItems, keys.ModerationSequence, keys.ModerationOpen, keys.ModerationOpenOf(kind),
                keys.ModerationOpenByMessage,
            ],
            [
                message.MessageId, PipelineJson.Serialize(decision),
                EntryPrefix + messagesEntryId,
                RoutingJson.Serialize(DecisionHistoryEntry.First(decision)),
                moderation is null ? PipelineJson.Serialize(new RoutedMessage(message, decision)) : "",
                PipelineTelemetry.CurrentTraceParent(),
                moderation is null ? "" : RoutingJson.Serialize(moderation),
            ]);
        return (FirstDecisionOutcome)(int)result;
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
                id, current.Raw, PipelineJson.Serialize(next), PipelineJson.Serialize(new RoutedMessage(message, next)),
                RoutingJson.Serialize(entry), correction is null ? "" : RoutingJson.Serialize(correction),
                PipelineTelemetry.CurrentTraceParent(),
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

    /// <summary>Every decision of the message, oldest first; empty for an unknown message.</summary>
    public async Task<IReadOnlyList<DecisionHistoryEntry>> GetHistoryAsync(string messageId)
    {
        var values = await redis.GetDatabase().ListRangeAsync(keys.DecisionHistory(messageId));
        return [.. values.Select(v => RoutingJson.Deserialize<DecisionHistoryEntry>(v.ToString()))];
    }

    /// <summary>The classifier's decision (revision 0), or null for an unknown message.</summary>
    public async Task<RoutedDecision?> GetOriginalAsync(string messageId)
    {
        var value = await redis.GetDatabase().ListGetByIndexAsync(keys.DecisionHistory(messageId), 0);
        return value.IsNullOrEmpty ? null : RoutingJson.Deserialize<DecisionHistoryEntry>(value.ToString()).Decision;
    }

    /// <summary>The id of the message's open moderation item, or null.</summary>
    public async Task<string?> GetOpenModerationItemAsync(string messageId)
    {
        var value = await redis.GetDatabase().HashGetAsync(keys.ModerationOpenByMessage, messageId);
        return value.IsNullOrEmpty ? null : value.ToString();
    }
}
