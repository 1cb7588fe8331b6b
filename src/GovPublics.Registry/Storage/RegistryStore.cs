using System.Globalization;
using System.Text.Json;
using GovPublics.Catalog;
using GovPublics.Common.Redis;
using StackExchange.Redis;

namespace GovPublics.Registry.Storage;

/// <summary>The entity sets of the catalogue, as named in Redis keys, change entries and version markers.</summary>
public static class EntitySets
{
    public const string Territories = "territories";
    public const string Authorities = "authorities";
    public const string Pages = "pages";
    public const string Rules = "rules";

    public static readonly string[] All = [Territories, Authorities, Pages, Rules];
}

/// <summary>One write of a commit: an entity stored (upsert) or moved to the archive, or a page's secret set.</summary>
public sealed record CatalogOp(string Kind, string Set, string Id, string Json, string Secret = "")
{
    public const string Upsert = "upsert";
    public const string Archive = "archive";
    public const string SetSecret = "secret";
}

/// <summary>The catalogue as stored: the document, its version, each entity's version, the pages with a secret.</summary>
public sealed record StoredCatalog(
    CatalogDocument Document,
    long Version,
    IReadOnlyDictionary<string, long> EntityVersions,
    IReadOnlySet<string> PagesWithSecret,
    string CommitId = "");

/// <summary>
/// Where the catalogue is: its version and the id of the commit that made it (empty for a version stored before
/// commits had ids, and for version 0). A version number means something only with its commit id: a store restored
/// from a backup, or re-created, and edited since, reaches the same numbers with other commits.
/// </summary>
public sealed record StoreHead(long Version, string CommitId);

/// <summary>
/// One entry of the change feed, with the id of the commit that made its version and of the commit before it (the
/// version's predecessor): a feed that finds the predecessor of the next change is not the commit it sent last knows
/// that the store's history was replaced under it.
/// </summary>
public sealed record StoredChange(long Version, int Index, string Kind, string Set, string Id, string Json, string CommitId = "", string PreviousCommitId = "")
{
    /// <summary>
    /// True when this change may follow a feed position: version <paramref name="position"/> made by the commit
    /// <paramref name="commitId"/>. It does when it is a later change of that same commit, or the first change of the
    /// next version made on top of that commit. It does not when the store's history was replaced in between (a
    /// backup restored, a re-seed, then edits past the position): the changes after the position then belong to
    /// another history. An unknown <paramref name="commitId"/> (empty: an older consumer, or a change stored before
    /// commits had ids) is not checked.
    /// </summary>
    public bool Follows(long position, string commitId) =>
        commitId.Length == 0
        || (Version == position ? CommitId == commitId : Version == position + 1 && PreviousCommitId == commitId);
}

/// <summary>
/// The catalogue in Redis: a hash per entity set (field = id, value = the entity's JSON in the catalogue document
/// format), an archive hash per set, each entity's version, page secrets, and the change feed: a stream whose entry
/// ids are <c>version-index</c>. Every write is one script that checks the catalogue version it was computed from
/// (optimistic concurrency across replicas), writes, bumps the version and appends the changes.
/// </summary>
public sealed class RegistryStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    /// <summary>How many change entries are kept; a consumer further behind reloads the catalogue.</summary>
    public const int ChangeHistory = 100_000;

    // KEYS: 1 version, 2 entity versions, 3 changes, 4 secrets, 5 seeded, 6-9 entity hashes, 10-13 archive hashes
    // (both in the order of EntitySets.All), 14 the commit id of the version. ARGV: 1 expected version, 2 "1" to
    // mark seeded, 3 this commit's id, then 5-tuples (kind, set, id, json, secret).
    // Each change entry carries its commit's id and the id of the commit before (see StoredChange).
    // A page's webhook credentials (secret and confirmation code) go when it is archived, in the same script: a new
    // page given the same id must not accept webhooks signed with the old page's secret. A page created (or brought
    // back) starts without any, which also clears credentials left by archives made before they were deleted.
    private const string CommitScript = """
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        if current ~= tonumber(ARGV[1]) then return -current - 1 end
        local v = current + 1
        redis.call('SET', KEYS[1], v)
        local prev = redis.call('GET', KEYS[14]) or ''
        redis.call('SET', KEYS[14], ARGV[3])
        local slot = { territories = 0, authorities = 1, pages = 2, rules = 3 }
        local n = 0
        for i = 4, #ARGV, 5 do
          local kind, set, id, json, secret = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
          local hash, archive = KEYS[6 + slot[set]], KEYS[10 + slot[set]]
          if kind == 'archive' then
            local old = redis.call('HGET', hash, id)
            if old then redis.call('HSET', archive, id, old) end
            redis.call('HDEL', hash, id)
            if set == 'pages' then redis.call('HDEL', KEYS[4], id) end
          else
            if set == 'pages' and redis.call('HEXISTS', hash, id) == 0 then redis.call('HDEL', KEYS[4], id) end
            redis.call('HSET', hash, id, json)
            redis.call('HDEL', archive, id)
            if kind == 'secret' then
              if secret == '' then redis.call('HDEL', KEYS[4], id) else redis.call('HSET', KEYS[4], id, secret) end
              kind = 'upsert'
            end
          end
          redis.call('HSET', KEYS[2], set .. ':' .. id, v)
          if ARGV[2] == '1' then redis.call('SADD', KEYS[5], set .. ':' .. id) end
          redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV_HISTORY, v .. '-' .. n, 'kind', kind, 'set', set, 'id', id, 'data', json,
            'commit', ARGV[3], 'prev', prev)
          n = n + 1
        end
        return v
        """;

    private static readonly string _script = CommitScript.Replace("ARGV_HISTORY", ChangeHistory.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>
    /// Applies the ops if the stored version is still <paramref name="expectedVersion"/>. Returns the new version,
    /// or null when someone else changed the catalogue first (recompute from a fresh read and try again).
    /// </summary>
    public async Task<long?> CommitAsync(long expectedVersion, IReadOnlyList<CatalogOp> ops, bool markSeeded = false)
    {
        var args = new List<RedisValue> { expectedVersion, markSeeded ? "1" : "0", NewCommitId() };
        foreach (var op in ops)
        {
            args.AddRange([op.Kind, op.Set, op.Id, op.Json, op.Secret]);
        }

        RedisKey[] scriptKeys =
        [
            keys.RegistryVersion, keys.RegistryEntities("versions"), keys.RegistryChanges, keys.RegistryEntities("secrets"),
            keys.RegistrySeeded,
            .. EntitySets.All.Select(set => (RedisKey)keys.RegistryEntities(set)),
            .. EntitySets.All.Select(set => (RedisKey)keys.RegistryEntities("archive:" + set)),
            keys.RegistryCommit,
        ];
        var result = (long)await redis.GetDatabase().ScriptEvaluateAsync(_script, scriptKeys, [.. args]);
        return result < 0 ? null : result;
    }

    /// <summary>A new commit's id: random, so that no other history of the store reuses it.</summary>
    public static string NewCommitId() => Guid.NewGuid().ToString("N");

    /// <summary>The seed entities never stored before (not in the seeded set): what a seed would add.</summary>
    public async Task<CatalogDocument> UnseededPartAsync(CatalogDocument seed)
    {
        var seeded = (await redis.GetDatabase().SetMembersAsync(keys.RegistrySeeded)).Select(v => v.ToString()).ToHashSet(StringComparer.Ordinal);
        return new CatalogDocument
        {
            RegionCode = seed.RegionCode,
            Territories = [.. seed.Territories.Where(t => !seeded.Contains($"{EntitySets.Territories}:{t.Id}"))],
            Authorities = [.. seed.Authorities.Where(a => !seeded.Contains($"{EntitySets.Authorities}:{a.Id}"))],
            Pages = [.. seed.Pages.Where(p => !seeded.Contains($"{EntitySets.Pages}:{p.Id}"))],
            Rules = [.. seed.Rules.Where(r => !seeded.Contains($"{EntitySets.Rules}:{r.Id}"))],
        };
    }

    /// <summary>
    /// The catalogue version in Redis (0 when nothing was ever stored) and the id of the commit that made it, read
    /// together.
    /// </summary>
    public async Task<StoreHead> GetHeadAsync()
    {
        var values = await redis.GetDatabase().StringGetAsync([keys.RegistryVersion, keys.RegistryCommit]);
        return ToHead(values);
    }

    private static StoreHead ToHead(RedisValue[] values) =>
        new(values[0].IsNullOrEmpty ? 0 : (long)values[0], values[0].IsNullOrEmpty ? "" : values[1].ToString());

    /// <summary>Reads the whole catalogue in one round trip of a batch.</summary>
    public async Task<StoredCatalog> LoadAsync()
    {
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var head = batch.StringGetAsync([keys.RegistryVersion, keys.RegistryCommit]);
        var territories = batch.HashGetAllAsync(keys.RegistryEntities(EntitySets.Territories));
        var authorities = batch.HashGetAllAsync(keys.RegistryEntities(EntitySets.Authorities));
        var pages = batch.HashGetAllAsync(keys.RegistryEntities(EntitySets.Pages));
        var rules = batch.HashGetAllAsync(keys.RegistryEntities(EntitySets.Rules));
        var versions = batch.HashGetAllAsync(keys.RegistryEntities("versions"));
        var secrets = batch.HashKeysAsync(keys.RegistryEntities("secrets"));
        batch.Execute();
        var document = new CatalogDocument
        {
            RegionCode = keys.Region,
            Territories = Read<TerritoryDto>(await territories),
            Authorities = Read<AuthorityDto>(await authorities),
            Pages = Read<PageDto>(await pages),
            Rules = Read<RuleDto>(await rules),
        };
        var h = ToHead(await head);
        return new StoredCatalog(
            document,
            h.Version,
            (await versions).ToDictionary(e => e.Name.ToString(), e => (long)e.Value, StringComparer.Ordinal),
            (await secrets).Select(s => s.ToString()).ToHashSet(StringComparer.Ordinal),
            h.CommitId);
    }

    /// <summary>The webhook credentials of a page, or null when none are set.</summary>
    public async Task<Domain.WebhookSecret?> GetSecretAsync(string pageId)
    {
        var value = await redis.GetDatabase().HashGetAsync(keys.RegistryEntities("secrets"), pageId);
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<Domain.WebhookSecret>(value.ToString(), CatalogDocument.JsonOptions);
    }

    /// <summary>Change entries after the entry id <paramref name="afterId"/> (exclusive), oldest first.</summary>
    public async Task<IReadOnlyList<StoredChange>> ReadChangesAfterAsync(string afterId, int count)
    {
        var entries = await redis.GetDatabase().StreamRangeAsync(keys.RegistryChanges, "(" + afterId, "+", count);
        return [.. entries.Select(ToChange)];
    }

    /// <summary>True when no later entry of the same version exists (a version's entries are written at once).</summary>
    public async Task<bool> IsLastOfVersionAsync(StoredChange change)
    {
        var next = await ReadChangesAfterAsync($"{change.Version}-{change.Index}", 1);
        return next.Count == 0 || next[0].Version != change.Version;
    }

    /// <summary>The version of the oldest change still kept, or null when the history is empty.</summary>
    public async Task<long?> OldestChangeVersionAsync()
    {
        var first = await redis.GetDatabase().StreamRangeAsync(keys.RegistryChanges, "-", "+", 1);
        return first.Length == 0 ? null : ToChange(first[0]).Version;
    }

    private static StoredChange ToChange(StreamEntry e)
    {
        var id = e.Id.ToString();
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return new StoredChange(
            long.Parse(id.AsSpan(0, dash), CultureInfo.InvariantCulture),
            int.Parse(id.AsSpan(dash + 1), CultureInfo.InvariantCulture),
            e["kind"].ToString(), e["set"].ToString(), e["id"].ToString(), e["data"].ToString(),
            e["commit"].ToString(), e["prev"].ToString());
    }

    private static List<T> Read<T>(HashEntry[] entries) =>
        [.. entries.Select(e => JsonSerializer.Deserialize<T>(e.Value.ToString(), CatalogDocument.JsonOptions)!)];
}
