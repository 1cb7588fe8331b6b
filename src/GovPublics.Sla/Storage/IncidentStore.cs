using System.Globalization;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
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
    /// <summary>How many incident events the feed keeps (approximately); older ones are trimmed.</summary>
    public const int EventsKept = 100_000;

    // KEYS: by-message pointer, sequence, all, by-authority, by-status, by-category, first-response-due, records,
    //       versions, events.
    // ARGV: incident JSON with the placeholders, due (ms), events kept.
    private const string CreateScript = """
        local existing = redis.call('GET', KEYS[1])
        if existing then return {0, existing} end
        local seq = redis.call('INCR', KEYS[2])
        local id = string.format('INC-%06d', seq)
        local json = string.gsub(string.gsub(ARGV[1], '"__ID__"', '"' .. id .. '"', 1), '"__SEQ__"', tostring(seq), 1)
        redis.call('HSET', KEYS[8], id, json)
        redis.call('HSET', KEYS[9], id, 1)
        redis.call('SET', KEYS[1], id)
        redis.call('ZADD', KEYS[3], seq, id)
        redis.call('ZADD', KEYS[4], seq, id)
        redis.call('ZADD', KEYS[5], seq, id)
        redis.call('ZADD', KEYS[6], seq, id)
        redis.call('ZADD', KEYS[7], ARGV[2], id)
        redis.call('XADD', KEYS[10], 'MAXLEN', '~', ARGV[3], '*', 'incident', id, 'version', 1, 'event', 'created', 'data', json)
        return {1, id}
        """;

    // KEYS: records, versions, events, first-response-due, old status, new status, old authority, new authority,
    //       old category, new category, outbox stream.
    // ARGV: id, expected version, new JSON, sequence, first response pending (0/1), due (ms), event, events kept,
    //       outbox payload ('' = none), outbox message id, outbox traceparent.
    // Returns 1 when stored, 0 when the version moved on (someone else changed it), -1 when there is no such incident.
    // The outbox entry (a rejection for routing) is appended in the same script: never lost, never doubled.
    private const string UpdateScript = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return -1 end
        local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        if current ~= tonumber(ARGV[2]) then return 0 end
        local version = current + 1
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        redis.call('HSET', KEYS[2], ARGV[1], version)
        if KEYS[5] ~= KEYS[6] then redis.call('ZREM', KEYS[5], ARGV[1]) end
        redis.call('ZADD', KEYS[6], ARGV[4], ARGV[1])
        if KEYS[7] ~= KEYS[8] then redis.call('ZREM', KEYS[7], ARGV[1]) end
        redis.call('ZADD', KEYS[8], ARGV[4], ARGV[1])
        if KEYS[9] ~= KEYS[10] then redis.call('ZREM', KEYS[9], ARGV[1]) end
        redis.call('ZADD', KEYS[10], ARGV[4], ARGV[1])
        if ARGV[5] == '1' then redis.call('ZADD', KEYS[4], ARGV[6], ARGV[1]) else redis.call('ZREM', KEYS[4], ARGV[1]) end
        redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[8], '*', 'incident', ARGV[1], 'version', version, 'event', ARGV[7], 'data', ARGV[3])
        if ARGV[9] ~= '' then redis.call('XADD', KEYS[11], '*', 'id', ARGV[10], 'incident', ARGV[1], 'data', ARGV[9], 'tp', ARGV[11]) end
        return 1
        """;

    /// <summary>Stores a new incident for its message, or returns the one created before. Returns its id.</summary>
    public async Task<(string Id, bool Created)> CreateAsync(Incident incident)
    {
        var template = IncidentJson.Serialize(incident with { Id = "__ID__", Sequence = 0, Version = 1 })
            .Replace("\"sequence\":0", "\"sequence\":\"__SEQ__\"", StringComparison.Ordinal);
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(CreateScript,
            [
                keys.IncidentByMessage(incident.MessageId), keys.IncidentSequence, keys.IncidentsByCreation,
                keys.IncidentsByAuthority(incident.AuthorityId), keys.IncidentsByStatus(StatusKey(incident.Status)),
                keys.IncidentsByCategory(incident.Category), keys.FirstResponseDue, keys.IncidentRecords,
                keys.IncidentVersions, keys.IncidentEventsStream,
            ],
            [template, incident.FirstResponseDue.ToUnixTimeMilliseconds(), EventsKept]))!;
        return (result[1].ToString(), (int)result[0] == 1);
    }

    /// <summary>How many times <see cref="UpdateAsync"/> re-reads and re-applies a change that raced another one.</summary>
    public const int MaxUpdateAttempts = 10;

    /// <summary>
    /// Changes an incident: reads it, applies <paramref name="change"/> (pure; it may run more than once when another
    /// writer changed the incident in between), and stores the result if the incident's version is still the one
    /// read, moving it between the indexes and appending <paramref name="eventName"/> to the incident feed, all in
    /// one script. <paramref name="change"/> returns null to leave the incident as it is (nothing is written).
    /// Returns the stored incident, or the unchanged one when <paramref name="change"/> declined.
    /// Throws <see cref="EntityNotFoundException"/> for an unknown id and <see cref="ContentionException"/>
    /// when the incident kept changing under it <see cref="MaxUpdateAttempts"/> times.
    /// </summary>
    public Task<(Incident Incident, bool Changed)> UpdateAsync(
        string id, string eventName, Func<Incident, Incident?> change, CancellationToken cancellationToken = default) =>
        ApplyAsync(id, eventName, current => change(current) is { } next ? new IncidentChange(next) : null, cancellationToken);

    /// <summary>
    /// <see cref="UpdateAsync"/> for a change that may also append an entry to another stream (its
    /// <see cref="IncidentChange.Outbox"/>, e.g. a rejection for routing) in the same script as the incident's update.
    /// </summary>
    public async Task<(Incident Incident, bool Changed)> ApplyAsync(
        string id, string eventName, Func<Incident, IncidentChange?> change, CancellationToken cancellationToken = default)
    {
        var db = redis.GetDatabase();
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = await GetAsync(id) ?? throw new EntityNotFoundException("incident", id);
            var decided = change(current);
            if (decided is null)
            {
                return (current, false);
            }

            var next = decided.Incident with { Id = current.Id, Sequence = current.Sequence, MessageId = current.MessageId, Version = current.Version + 1 };
            var stored = (int)await db.ScriptEvaluateAsync(UpdateScript,
                [
                    keys.IncidentRecords, keys.IncidentVersions, keys.IncidentEventsStream, keys.FirstResponseDue,
                    keys.IncidentsByStatus(StatusKey(current.Status)), keys.IncidentsByStatus(StatusKey(next.Status)),
                    keys.IncidentsByAuthority(current.AuthorityId), keys.IncidentsByAuthority(next.AuthorityId),
                    keys.IncidentsByCategory(current.Category), keys.IncidentsByCategory(next.Category),
                    decided.Outbox?.Stream ?? keys.IncidentEventsStream,
                ],
                [
                    id, current.Version, IncidentJson.Serialize(next), current.Sequence,
                    next.FirstResponseAt is null && next.Status is not (IncidentStatus.Closed or IncidentStatus.Rejected) ? "1" : "0",
                    next.FirstResponseDue.ToUnixTimeMilliseconds(), eventName, EventsKept,
                    decided.Outbox?.Payload ?? "", decided.Outbox?.MessageId ?? "", PipelineTelemetry.CurrentTraceParent(),
                ]);
            switch (stored)
            {
                case 1:
                    return (next, true);
                case -1:
                    throw new EntityNotFoundException("incident", id);
            }
        }

        throw new ContentionException($"Incident {id} kept changing while it was being updated; try again.");
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
