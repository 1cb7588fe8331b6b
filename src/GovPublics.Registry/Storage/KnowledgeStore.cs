using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GovPublics.Common.Redis;
using StackExchange.Redis;

namespace GovPublics.Registry.Storage;

/// <summary>One version of a routing knowledge document as stored (the hash's value and a history entry).</summary>
public sealed record StoredKnowledge
{
    public required string Name { get; init; }
    public required string Content { get; init; }
    public long Version { get; init; }
    public required string UpdatedBy { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string Comment { get; init; } = "";

    /// <summary>The document's own "version" label inside the JSON.</summary>
    public string Label { get; init; } = "";

    /// <summary>The registry version (change feed position) at which this version was stored.</summary>
    public long CatalogVersion { get; init; }

    /// <summary>The content's size in UTF-8 bytes.</summary>
    [JsonIgnore]
    public long SizeBytes => System.Text.Encoding.UTF8.GetByteCount(Content);

    public static JsonSerializerOptions JsonOptions { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}

/// <summary>
/// The routing knowledge in Redis: a hash <c>registry:knowledge</c> (name → the current version's record) and a
/// capped list per document of its recent versions. A change is one script: it checks the document's version the
/// editor read, takes the next registry version (the counter the catalogue uses, so catalogue and knowledge changes
/// are one ordered feed), stores the record, pushes it on the history and appends a change entry
/// (<c>set = knowledge</c>, no content) to the change feed.
/// </summary>
public sealed class KnowledgeStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    /// <summary>How many versions of each document are kept for GetKnowledge and rollback.</summary>
    public const int HistoryLength = 50;

    /// <summary>The change feed's <c>set</c> of knowledge entries.</summary>
    public const string ChangeSet = "knowledge";

    // KEYS: 1 knowledge hash, 2 registry version, 3 the document's history, 4 changes, 5 the registry version's commit id.
    // ARGV: 1 name, 2 expected document version, 3 the record JSON (version and catalog_version are set here), 4 this
    // commit's id (see RegistryStore's commit script).
    // Returns {new document version, registry version}, or {-1, stored document version} when it moved.
    private const string CommitScript = """
        local old = redis.call('HGET', KEYS[1], ARGV[1])
        local current = 0
        if old then current = tonumber(cjson.decode(old).version) end
        if current ~= tonumber(ARGV[2]) then return { -1, current } end
        local v = redis.call('INCR', KEYS[2])
        local prev = redis.call('GET', KEYS[5]) or ''
        redis.call('SET', KEYS[5], ARGV[4])
        local record = cjson.decode(ARGV[3])
        record.version = current + 1
        record.catalog_version = v
        local json = cjson.encode(record)
        redis.call('HSET', KEYS[1], ARGV[1], json)
        redis.call('LPUSH', KEYS[3], json)
        redis.call('LTRIM', KEYS[3], 0, HISTORY_LENGTH - 1)
        redis.call('XADD', KEYS[4], 'MAXLEN', '~', CHANGE_HISTORY, v .. '-0', 'kind', 'upsert', 'set', 'knowledge',
          'id', ARGV[1], 'data', cjson.encode({ name = ARGV[1], version = current + 1 }),
          'commit', ARGV[4], 'prev', prev)
        return { current + 1, v }
        """;

    private static readonly string _script = CommitScript
        .Replace("HISTORY_LENGTH", HistoryLength.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("CHANGE_HISTORY", RegistryStore.ChangeHistory.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Every stored document (current versions) by name.</summary>
    public async Task<IReadOnlyDictionary<string, StoredKnowledge>> ListAsync()
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(keys.RegistryKnowledge);
        return entries.ToDictionary(e => e.Name.ToString(), e => Read(e.Value!), StringComparer.Ordinal);
    }

    /// <summary>The current version of a document, or null when it is not stored.</summary>
    public async Task<StoredKnowledge?> GetAsync(string name)
    {
        var value = await redis.GetDatabase().HashGetAsync(keys.RegistryKnowledge, name);
        return value.IsNullOrEmpty ? null : Read(value!);
    }

    /// <summary>A version of a document from its history, or null when it is not kept (or never existed).</summary>
    public async Task<StoredKnowledge?> GetVersionAsync(string name, long version)
    {
        var history = await redis.GetDatabase().ListRangeAsync(keys.RegistryKnowledgeHistory(name), 0, HistoryLength - 1);
        return history.Select(h => Read(h!)).FirstOrDefault(h => h.Version == version);
    }

    /// <summary>
    /// Stores <paramref name="record"/> as the document's next version if its stored version is still
    /// <paramref name="expectedVersion"/> (0: not stored yet). Returns the record as stored, or the stored version
    /// when it moved.
    /// </summary>
    public async Task<(StoredKnowledge? Stored, long CurrentVersion)> CommitAsync(StoredKnowledge record, long expectedVersion)
    {
        var json = JsonSerializer.Serialize(record, StoredKnowledge.JsonOptions);
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(_script,
            [keys.RegistryKnowledge, keys.RegistryVersion, keys.RegistryKnowledgeHistory(record.Name), keys.RegistryChanges, keys.RegistryCommit],
            [record.Name, expectedVersion, json, RegistryStore.NewCommitId()]))!;
        var first = (long)result[0];
        return first < 0
            ? (null, (long)result[1])
            : (record with { Version = first, CatalogVersion = (long)result[1] }, first);
    }

    private static StoredKnowledge Read(string json) =>
        JsonSerializer.Deserialize<StoredKnowledge>(json, StoredKnowledge.JsonOptions)
            ?? throw new InvalidOperationException("A stored knowledge record is null");
}
