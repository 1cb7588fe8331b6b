using System.Globalization;
using GovPublics.Common.Redis;
using GovPublics.Sla.Domain.Incidents;
using StackExchange.Redis;

namespace GovPublics.Sla.Storage;

/// <summary>Filters of an incident listing; empty or null means any.</summary>
public sealed record IncidentFilter(string AuthorityId, IncidentStatus? Status, string Category, bool? Overdue);

/// <summary>
/// Incidents in Redis: a JSON record per incident, a by-message pointer, and sorted-set indexes (all, by
/// authority, status and category, scored by sequence; first-response deadlines scored by due time).
/// Creation is one script keyed by the message id, so a redelivered routed entry creates no second incident.
/// </summary>
public sealed class IncidentStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    // KEYS: by-message pointer, sequence, all, by-authority, by-status, by-category, first-response-due, records.
    // ARGV: incident JSON with the placeholders, due (ms).
    private const string CreateScript = """
        local existing = redis.call('GET', KEYS[1])
        if existing then return {0, existing} end
        local seq = redis.call('INCR', KEYS[2])
        local id = string.format('INC-%06d', seq)
        local json = string.gsub(string.gsub(ARGV[1], '"__ID__"', '"' .. id .. '"', 1), '"__SEQ__"', tostring(seq), 1)
        redis.call('HSET', KEYS[8], id, json)
        redis.call('SET', KEYS[1], id)
        redis.call('ZADD', KEYS[3], seq, id)
        redis.call('ZADD', KEYS[4], seq, id)
        redis.call('ZADD', KEYS[5], seq, id)
        redis.call('ZADD', KEYS[6], seq, id)
        redis.call('ZADD', KEYS[7], ARGV[2], id)
        return {1, id}
        """;

    /// <summary>Stores a new incident for its message, or returns the one created before. Returns its id.</summary>
    public async Task<(string Id, bool Created)> CreateAsync(Incident incident)
    {
        var template = IncidentJson.Serialize(incident with { Id = "__ID__", Sequence = 0 })
            .Replace("\"sequence\":0", "\"sequence\":\"__SEQ__\"", StringComparison.Ordinal);
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(CreateScript,
            [
                keys.IncidentByMessage(incident.MessageId), keys.IncidentSequence, keys.IncidentsByCreation,
                keys.IncidentsByAuthority(incident.AuthorityId), keys.IncidentsByStatus(StatusKey(incident.Status)),
                keys.IncidentsByCategory(incident.Category), keys.FirstResponseDue, keys.IncidentRecords,
            ],
            [template, incident.FirstResponseDue.ToUnixTimeMilliseconds()]))!;
        return (result[1].ToString(), (int)result[0] == 1);
    }

    public async Task<Incident?> GetAsync(string id)
    {
        var json = await redis.GetDatabase().HashGetAsync(keys.IncidentRecords, id);
        return json.IsNullOrEmpty ? null : IncidentJson.Deserialize(json.ToString());
    }

    public async Task<Incident?> GetByMessageAsync(string messageId)
    {
        var id = await redis.GetDatabase().StringGetAsync(keys.IncidentByMessage(messageId));
        return id.IsNullOrEmpty ? null : await GetAsync(id.ToString());
    }

    /// <summary>At most this many records are read for one page; a sparse filter continues on the next call.</summary>
    public const int MaxScannedPerPage = 5_000;

    /// <summary>
    /// Incidents matching the filter, newest first, after the sequence in <paramref name="beforeSequence"/>.
    /// Walks the narrowest index and checks the other filters on the records. A filter that matches little may
    /// return a short page with a continuation after <see cref="MaxScannedPerPage"/> records, so no call scans
    /// without bound.
    /// </summary>
    public async Task<(List<Incident> Items, long? NextBefore)> ListAsync(
        IncidentFilter filter, int pageSize, long? beforeSequence, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var index = filter.AuthorityId.Length > 0 ? keys.IncidentsByAuthority(filter.AuthorityId)
            : filter.Category.Length > 0 ? keys.IncidentsByCategory(filter.Category)
            : filter.Status is { } s ? keys.IncidentsByStatus(StatusKey(s))
            : keys.IncidentsByCreation;
        var items = new List<Incident>(pageSize + 1);
        var max = beforeSequence is { } b ? b - 1 : double.PositiveInfinity;
        var scanned = 0;
        const int Chunk = 200;
        while (items.Count <= pageSize && scanned < MaxScannedPerPage)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ids = await db.SortedSetRangeByScoreWithScoresAsync(index, double.NegativeInfinity, max, Exclude.None, Order.Descending, 0, Chunk);
            if (ids.Length == 0)
            {
                return (items, null);
            }

            var records = await db.HashGetAsync(keys.IncidentRecords, [.. ids.Select(e => e.Element)]);
            for (var i = 0; i < records.Length && items.Count <= pageSize; i++)
            {
                scanned++;
                max = ids[i].Score - 1;
                if (!records[i].IsNullOrEmpty && IncidentJson.Deserialize(records[i].ToString()) is var incident && Matches(incident, filter, now))
                {
                    items.Add(incident);
                }
            }

            if (ids.Length < Chunk && items.Count <= pageSize)
            {
                return (items, null);
            }
        }

        if (items.Count > pageSize)
        {
            items.RemoveAt(items.Count - 1);
            return (items, items[^1].Sequence);
        }

        // The scan limit was reached: continue after the last record read.
        return (items, (long)(max + 1));
    }

    private static bool Matches(Incident i, IncidentFilter f, DateTimeOffset now) =>
        (f.AuthorityId.Length == 0 || i.AuthorityId == f.AuthorityId)
        && (f.Status is null || i.Status == f.Status)
        && (f.Category.Length == 0 || i.Category == f.Category)
        && (f.Overdue is null || i.IsOverdue(now) == f.Overdue);

    private static string StatusKey(IncidentStatus status) => status.ToString().ToLower(CultureInfo.InvariantCulture);
}
