using GovPublics.Catalog;
using GovPublics.Common.Redis;
using GovPublics.Sla.Domain.Incidents;
using StackExchange.Redis;

namespace GovPublics.Sla.Storage;

/// <summary>
/// The analytics' incident indexes (by received time, per authority; waiting for a first response; answered;
/// breached) and reads of the incident records they point to. The records themselves belong to the incident
/// store; analytics only reads them, through the same by-message pointer and record hash.
/// </summary>
public sealed class AnalyticsIncidents(IConnectionMultiplexer redis, RedisKeys keys, AnalyticsKeys analytics)
{
    /// <summary>Records are read in chunks of this many.</summary>
    private const int Chunk = 500;

    // KEYS: awaiting, first-responded. ARGV: message id, first response (ms). 1 when this call moved it.
    private const string RespondedScript = """
        if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
        return 1
        """;

    /// <summary>
    /// Message ids of the incidents received in [<paramref name="from"/>, <paramref name="to"/>), of one authority
    /// or of all (empty id). Throws <see cref="ValidationFailedException"/> on <c>to</c> when there are more than
    /// <paramref name="max"/>: a period that large is to be split.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReceivedAsync(string authorityId, DateTimeOffset from, DateTimeOffset to, int max)
    {
        var index = authorityId.Length == 0 ? analytics.IncidentsReceived : analytics.IncidentsOfAuthority(authorityId);
        var ids = await redis.GetDatabase().SortedSetRangeByScoreAsync(index,
            from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), Exclude.Stop, Order.Ascending, 0, max + 1);
        return ids.Length > max
            ? throw new ValidationFailedException("to", $"the period holds more than {max} incidents; ask for a shorter one")
            : [.. ids.Select(i => i.ToString())];
    }

    /// <summary>
    /// Message ids of the incidents that may be without a first response at <paramref name="asOf"/>: those still
    /// waiting, received before it, and those whose first response came after it; of one authority (by the index,
    /// the records decide) or of all (empty id).
    /// </summary>
    public async Task<IReadOnlyList<string>> UnansweredCandidatesAsync(string authorityId, DateTimeOffset asOf)
    {
        var db = redis.GetDatabase();
        var ms = asOf.ToUnixTimeMilliseconds();
        // For one authority only its own waiting incidents (ZINTER, scores = received time): the waiting set of the
        // whole region can be large.
        var waiting = authorityId.Length == 0
            ? db.SortedSetRangeByScoreWithScoresAsync(analytics.AwaitingFirstResponse, double.NegativeInfinity, ms, Exclude.Stop)
            : db.SortedSetCombineWithScoresAsync(SetOperation.Intersect,
                [analytics.AwaitingFirstResponse, analytics.IncidentsOfAuthority(authorityId)], aggregate: Aggregate.Max);
        var later = db.SortedSetRangeByScoreAsync(analytics.FirstResponded, ms, double.PositiveInfinity, Exclude.Start);
        await Task.WhenAll(waiting, later);
        return [.. waiting.Result.Where(e => e.Score < ms).Select(e => e.Element).Concat(later.Result).Select(v => v.ToString()).Distinct()];
    }

    /// <summary>
    /// Up to <paramref name="max"/> incidents still waiting for the watcher, received after <paramref name="after"/>
    /// (ms, exclusive), oldest first, with their received time.
    /// </summary>
    public async Task<IReadOnlyList<(string MessageId, DateTimeOffset ReceivedAt)>> AwaitingAsync(double after, int max)
    {
        var entries = await redis.GetDatabase().SortedSetRangeByScoreWithScoresAsync(
            analytics.AwaitingFirstResponse, after, double.PositiveInfinity, Exclude.Start, Order.Ascending, 0, max);
        return [.. entries.Select(e => (e.Element.ToString(), DateTimeOffset.FromUnixTimeMilliseconds((long)e.Score)))];
    }

    /// <summary>The incident records of the given messages; messages without an incident (yet) are left out.</summary>
    public async Task<IReadOnlyDictionary<string, Incident>> ReadAsync(IReadOnlyList<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var db = redis.GetDatabase();
        var result = new Dictionary<string, Incident>(messageIds.Count);
        foreach (var chunk in messageIds.Chunk(Chunk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var pointers = await db.StringGetAsync([.. chunk.Select(m => (RedisKey)keys.IncidentByMessage(m))]);
            var found = chunk.Zip(pointers).Where(p => !p.Second.IsNullOrEmpty).ToList();
            if (found.Count == 0)
            {
                continue;
            }

            var records = await db.HashGetAsync(keys.IncidentRecords, [.. found.Select(f => f.Second)]);
            for (var i = 0; i < found.Count; i++)
            {
                if (!records[i].IsNullOrEmpty)
                {
                    result[found[i].First] = IncidentJson.Deserialize(records[i].ToString());
                }
            }
        }

        return result;
    }

    /// <summary>Moves an incident from waiting to answered; true for the one caller that moved it.</summary>
    public async Task<bool> MarkRespondedAsync(string messageId, DateTimeOffset firstResponseAt) =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(RespondedScript,
            [analytics.AwaitingFirstResponse, analytics.FirstResponded], [messageId, firstResponseAt.ToUnixTimeMilliseconds()]) == 1;

    /// <summary>Records a breached deadline; true for the one caller that recorded it first.</summary>
    public Task<bool> MarkBreachedAsync(string messageId, string authorityId, DateTimeOffset due) =>
        redis.GetDatabase().SortedSetAddAsync(analytics.Breached, BreachMember(messageId, authorityId, due), due.ToUnixTimeMilliseconds(), SortedSetWhen.NotExists);

    /// <summary>
    /// One breach: the message, the authority it was with and that deadline. A re-routed incident has a new authority
    /// and a new deadline, whose breach is the new authority's own and counts too.
    /// </summary>
    private static string BreachMember(string messageId, string authorityId, DateTimeOffset due) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{messageId}|{authorityId}|{due.ToUnixTimeMilliseconds()}");

    /// <summary>Stops watching an incident (closed without a response, or its record never appeared).</summary>
    public Task StopWatchingAsync(string messageId) => redis.GetDatabase().SortedSetRemoveAsync(analytics.AwaitingFirstResponse, messageId);

    /// <summary>Drops index entries older than <paramref name="cutoff"/>.</summary>
    public async Task TrimAsync(DateTimeOffset cutoff)
    {
        var db = redis.GetDatabase();
        var ms = cutoff.ToUnixTimeMilliseconds();
        await Task.WhenAll(
            db.SortedSetRemoveRangeByScoreAsync(analytics.IncidentsReceived, double.NegativeInfinity, ms, Exclude.Stop),
            db.SortedSetRemoveRangeByScoreAsync(analytics.FirstResponded, double.NegativeInfinity, ms, Exclude.Stop),
            db.SortedSetRemoveRangeByScoreAsync(analytics.Breached, double.NegativeInfinity, ms, Exclude.Stop));
    }
}
