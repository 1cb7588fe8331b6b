using GovPublics.Catalog;
using GovPublics.Common.Redis;
using StackExchange.Redis;
using System.Text.Json;

namespace GovPublics.Registry.Storage;

/// <summary>
/// The catalogue in Redis: one hash per entity set (field = id, value = the entity's JSON in the catalogue
/// document format) and a version counter that every change increments.
/// </summary>
public sealed class RegistryStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    private const string TerritoriesSet = "territories";
    private const string AuthoritiesSet = "authorities";
    private const string PagesSet = "pages";
    private const string RulesSet = "rules";

    // Adds every seed entity that was never seeded before, in one atomic step, and bumps the version when
    // anything was added. An entity staff edited keeps their edit; one they deleted is not re-created.
    // KEYS: version, seeded set, then the territories, authorities, pages and rules hashes.
    // ARGV: triples of (seeded marker "set:id", index of the set's hash in KEYS, entity JSON).
    private const string SeedScript = """
        local added = 0
        for i = 1, #ARGV, 3 do
          if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then
            local id = string.sub(ARGV[i], string.find(ARGV[i], ':', 1, true) + 1)
            redis.call('HSETNX', KEYS[tonumber(ARGV[i + 1])], id, ARGV[i + 2])
            added = added + 1
          end
        end
        if added > 0 then redis.call('INCR', KEYS[1]) end
        return added
        """;

    private static readonly string[] _sets = [TerritoriesSet, AuthoritiesSet, PagesSet, RulesSet];

    /// <summary>The seed entities never stored before (not in the seeded set): what a seed would add.</summary>
    public async Task<CatalogDocument> UnseededPartAsync(CatalogDocument seed)
    {
        var seeded = (await redis.GetDatabase().SetMembersAsync(keys.RegistrySeeded)).Select(v => v.ToString()).ToHashSet(StringComparer.Ordinal);
        return new CatalogDocument
        {
            RegionCode = seed.RegionCode,
            Territories = [.. seed.Territories.Where(t => !seeded.Contains($"{TerritoriesSet}:{t.Id}"))],
            Authorities = [.. seed.Authorities.Where(a => !seeded.Contains($"{AuthoritiesSet}:{a.Id}"))],
            Pages = [.. seed.Pages.Where(p => !seeded.Contains($"{PagesSet}:{p.Id}"))],
            Rules = [.. seed.Rules.Where(r => !seeded.Contains($"{RulesSet}:{r.Id}"))],
        };
    }

    /// <summary>Adds the document's entities that were never seeded, in one step. Returns how many were added.</summary>
    public async Task<int> SeedAsync(CatalogDocument document)
    {
        var args = new List<RedisValue>();
        void Add<T>(string set, IEnumerable<T> items, Func<T, string> id)
        {
            var keyIndex = 3 + Array.IndexOf(_sets, set);
            foreach (var item in items)
            {
                args.Add($"{set}:{id(item)}");
                args.Add(keyIndex);
                args.Add(JsonSerializer.Serialize(item, CatalogDocument.JsonOptions));
            }
        }

        Add(TerritoriesSet, document.Territories, t => t.Id);
        Add(AuthoritiesSet, document.Authorities, a => a.Id);
        Add(PagesSet, document.Pages, p => p.Id);
        Add(RulesSet, document.Rules, r => r.Id);
        RedisKey[] scriptKeys = [keys.RegistryVersion, keys.RegistrySeeded, .. _sets.Select(set => (RedisKey)keys.RegistryEntities(set))];
        var result = await redis.GetDatabase().ScriptEvaluateAsync(SeedScript, scriptKeys, [.. args]);
        return (int)result;
    }

    /// <summary>The catalogue version in Redis (0 when nothing was ever stored).</summary>
    public async Task<long> GetVersionAsync()
    {
        var value = await redis.GetDatabase().StringGetAsync(keys.RegistryVersion);
        return value.IsNullOrEmpty ? 0 : (long)value;
    }

    /// <summary>Reads the whole catalogue as a document, with the version it was read at.</summary>
    public async Task<(CatalogDocument Document, long Version)> LoadAsync()
    {
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var version = batch.StringGetAsync(keys.RegistryVersion);
        var territories = batch.HashGetAllAsync(keys.RegistryEntities(TerritoriesSet));
        var authorities = batch.HashGetAllAsync(keys.RegistryEntities(AuthoritiesSet));
        var pages = batch.HashGetAllAsync(keys.RegistryEntities(PagesSet));
        var rules = batch.HashGetAllAsync(keys.RegistryEntities(RulesSet));
        batch.Execute();
        var document = new CatalogDocument
        {
            RegionCode = keys.Region,
            Territories = Read<TerritoryDto>(await territories),
            Authorities = Read<AuthorityDto>(await authorities),
            Pages = Read<PageDto>(await pages),
            Rules = Read<RuleDto>(await rules),
        };
        var v = await version;
        return (document, v.IsNullOrEmpty ? 0 : (long)v);
    }

    private static List<T> Read<T>(HashEntry[] entries) =>
        [.. entries.Select(e => JsonSerializer.Deserialize<T>(e.Value.ToString(), CatalogDocument.JsonOptions)!)];
}
