using System.Globalization;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Sla.Domain.Incidents;
using GovPublics.Sla.Domain.Timers;
using StackExchange.Redis;

namespace GovPublics.Sla.Storage;

/// <summary>Filters of an incident listing; empty or null means any.</summary>
/// <param name="AuthorityId">The responsible authority.</param>
/// <param name="Status">The status.</param>
/// <param name="Category">The topic code.</param>
/// <param name="Overdue">Late (true) or in time (false), see <see cref="Incident.IsOverdue"/>.</param>
/// <param name="TerritoryIds">The incident's municipality or district must be one of these (a territory and its descendants).</param>
/// <param name="CreatedFrom">Created at or after this moment.</param>
/// <param name="CreatedTo">Created before this moment.</param>
public sealed record IncidentFilter(
    string AuthorityId,
    IncidentStatus? Status,
    string Category,
    bool? Overdue,
    IReadOnlySet<string>? TerritoryIds = null,
    DateTimeOffset? CreatedFrom = null,
    DateTimeOffset? CreatedTo = null);

/// <summary>
/// Incidents in Redis: a JSON record per incident, a by-message pointer, and sorted-set indexes (all, by
/// authority, status and category, scored by sequence; the timer index scored by each incident's next timer step).
/// Creation is one script keyed by the message id, so a redelivered routed entry creates no second incident. Every
/// write computes the incident's next timer step with <see cref="TimerPlan"/> and moves it in the timer index in the
/// same script, so the index always agrees with the record.
/// </summary>
public sealed class IncidentStore(IConnectionMultiplexer redis, RedisKeys keys, TimerPlan timers, TimeProvider time)
{
    /// <summary>How many incident events the feed keeps (approximately); older ones are trimmed.</summary>
    public const int EventsKept = 100_000;

    // KEYS: by-message pointer, sequence, all, by-authority, by-status, by-category, timers, records,
    //       versions, events.
    // ARGV: incident JSON with the placeholders, next timer (ms, empty for none), events kept.
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
        if ARGV[2] ~= '' then redis.call('ZADD', KEYS[7], ARGV[2], id) end
        redis.call('XADD', KEYS[10], 'MAXLEN', '~', ARGV[3], '*', 'incident', id, 'version', 1, 'event', 'created', 'data', json)
        return {1, id}
        """;

    // KEYS: records, versions, events, timers, old status, new status, old authority, new authority,
    //       old category, new category, outbox stream.
    // ARGV: id, expected version, new JSON, sequence, timer pending (0/1), next timer (ms), event, events kept,
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
        incident = timers.Schedule(null, incident, time.GetUtcNow());
        var template = IncidentJson.Serialize(incident with { Id = "__ID__", Sequence = 0, Version = 1 })
            .Replace("\"sequence\":0", "\"sequence\":\"__SEQ__\"", StringComparison.Ordinal);
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(CreateScript,
            [
                keys.IncidentByMessage(incident.MessageId), keys.IncidentSequence, keys.IncidentsByCreation,
                keys.IncidentsByAuthority(incident.AuthorityId), keys.IncidentsByStatus(StatusKey(incident.Status)),
                keys.IncidentsByCategory(incident.Category), keys.IncidentTimers, keys.IncidentRecords,
                keys.IncidentVersions, keys.IncidentEventsStream,
            ],
            [template, incident.NextTimerAt?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "", EventsKept]))!;
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
            next = timers.Schedule(current, next, time.GetUtcNow());
            var stored = (int)await db.ScriptEvaluateAsync(UpdateScript,
                [
                    keys.IncidentRecords, keys.IncidentVersions, keys.IncidentEventsStream, keys.IncidentTimers,
                    keys.IncidentsByStatus(StatusKey(current.Status)), keys.IncidentsByStatus(StatusKey(next.Status)),
                    keys.IncidentsByAuthority(current.AuthorityId), keys.IncidentsByAuthority(next.AuthorityId),
                    keys.IncidentsByCategory(current.Category), keys.IncidentsByCategory(next.Category),
                    decided.Outbox?.Stream ?? keys.IncidentEventsStream,
                ],
                [
                    id, current.Version, IncidentJson.Serialize(next), current.Sequence,
                    next.NextTimerAt is null ? "0" : "1",
                    next.NextTimerAt?.ToUnixTimeMilliseconds() ?? 0, eventName, EventsKept,
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

    /// <summary>
    /// Sequence numbers follow creation times up to the replicas' clock skew and the time between taking the time and
    /// storing: a listing from a creation time stops this far before it.
    /// </summary>
    public static readonly TimeSpan CreationOrderSlack = TimeSpan.FromMinutes(10);

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
                if (records[i].IsNullOrEmpty)
                {
                    continue;
                }

                var incident = IncidentJson.Deserialize(records[i].ToString());
                if (filter.CreatedFrom is { } from && incident.CreatedAt < from - CreationOrderSlack)
                {
                    // Newest first: every record further on was created earlier still.
                    return (items, null);
                }

                if (Matches(incident, filter, now))
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
        && (f.Overdue is null || i.IsOverdue(now) == f.Overdue)
        && (f.TerritoryIds is null || f.TerritoryIds.Contains(i.MunicipalityId) || f.TerritoryIds.Contains(i.DistrictId))
        && (f.CreatedFrom is null || i.CreatedAt >= f.CreatedFrom)
        && (f.CreatedTo is null || i.CreatedAt < f.CreatedTo);

    private static string StatusKey(IncidentStatus status) => status.ToString().ToLower(CultureInfo.InvariantCulture);

    // KEYS: records, versions, timers. ARGV: id, version read, JSON, next timer (ms, empty for none).
    // Stores recomputed timer bookkeeping without a new version or feed event, if the record is still the one read.
    // Returns 1 when stored, 0 when the version moved on (that write set the index itself), -1 for no such incident.
    private const string RescheduleScript = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
            redis.call('ZREM', KEYS[3], ARGV[1])
            return -1
        end
        if tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') ~= tonumber(ARGV[2]) then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        if ARGV[4] == '' then redis.call('ZREM', KEYS[3], ARGV[1]) else redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1]) end
        return 1
        """;

    /// <summary>Ids of incidents whose next timer step is due at <paramref name="now"/>, earliest first, at most <paramref name="count"/>.</summary>
    public async Task<string[]> DueTimersAsync(DateTimeOffset now, int count)
    {
        var ids = await redis.GetDatabase().SortedSetRangeByScoreAsync(
            keys.IncidentTimers, double.NegativeInfinity, now.ToUnixTimeMilliseconds(), Exclude.None, Order.Ascending, 0, count);
        return [.. ids.Select(id => id.ToString())];
    }

    /// <summary>
    /// Recomputes an incident's timer bookkeeping on the current policy, clocks and time and stores it with its place in
    /// the timer index (no new version, no feed event): for an index entry that no longer agrees with the record, e.g.
    /// after the authority's calendar changed. An incident that no longer exists leaves the index. Returns the
    /// incident as stored, or null when it does not exist.
    /// </summary>
    public async Task<Incident?> RescheduleAsync(string id, CancellationToken cancellationToken = default)
    {
        var db = redis.GetDatabase();
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = await GetAsync(id);
            if (current is null)
            {
                await db.SortedSetRemoveAsync(keys.IncidentTimers, id);
                return null;
            }

            var next = timers.Schedule(current, current, time.GetUtcNow());
            var stored = (int)await db.ScriptEvaluateAsync(RescheduleScript,
                [keys.IncidentRecords, keys.IncidentVersions, keys.IncidentTimers],
                [id, current.Version, IncidentJson.Serialize(next), next.NextTimerAt?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? ""]);
            switch (stored)
            {
                case 1:
                    return next;
                case -1:
                    return null;
            }
        }

        throw new ContentionException($"Incident {id} kept changing while its timers were being rescheduled; try again.");
    }

    /// <summary>Moves an incident already in the timer index to <paramref name="until"/> (a record that cannot be read waits there).</summary>
    public Task PostponeTimerAsync(string id, DateTimeOffset until) =>
        redis.GetDatabase().SortedSetAddAsync(keys.IncidentTimers, id, until.ToUnixTimeMilliseconds(), SortedSetWhen.Exists);

    /// <summary>
    /// Moves the incidents of the index that preceded the timer index (<see cref="RedisKeys.FirstResponseDue"/>) into the
    /// timer index and deletes it. Safe to run on every start and on several replicas at once. Returns how many moved.
    /// </summary>
    public async Task<int> MigrateLegacyTimerIndexAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var moved = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ids = await db.SortedSetRangeByRankAsync(keys.FirstResponseDue, 0, 99);
            if (ids.Length == 0)
            {
                return moved;
            }

            foreach (var id in ids)
            {
                await RescheduleAsync(id.ToString(), cancellationToken);
                await db.SortedSetRemoveAsync(keys.FirstResponseDue, id);
                moved++;
            }
        }
    }

    /// <summary>The incident feed's extent: its last position, its oldest kept event, and whether older events were trimmed.</summary>
    public async Task<IncidentFeedBounds> FeedBoundsAsync()
    {
        StreamInfo info;
        try
        {
            info = await redis.GetDatabase().StreamInfoAsync(keys.IncidentEventsStream);
        }
        catch (RedisServerException ex) when (ex.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return new IncidentFeedBounds(FeedPosition.Start, null, false);
        }

        return new IncidentFeedBounds(
            FeedPosition.Parse(info.LastGeneratedId.ToString()),
            info.FirstEntry.IsNull ? null : FeedPosition.Parse(info.FirstEntry.Id.ToString()),
            info.EntriesAdded > info.Length);
    }

    /// <summary>Up to <paramref name="count"/> feed events after <paramref name="after"/>, oldest first.</summary>
    public async Task<IReadOnlyList<IncidentFeedEvent>> ReadFeedAsync(FeedPosition after, int count)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(keys.IncidentEventsStream, "(" + after, "+", count);
        return [.. entries.Select(e => new IncidentFeedEvent(
            FeedPosition.Parse(e.Id.ToString()),
            e["event"].ToString(),
            (long)e["version"],
            IncidentJson.Deserialize(e["data"].ToString())))];
    }
}
