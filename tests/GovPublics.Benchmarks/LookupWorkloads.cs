using GovPublics.Catalog;

namespace GovPublics.Benchmarks;

/// <summary>
/// The cached lookups under measurement, over the real Samara seed catalogue. Every workload walks an array of
/// <see cref="KeysPerRun"/> prepared keys, so one call of a workload is <see cref="KeysPerRun"/> lookups and the
/// per-call overhead is spread over them. Keys are fresh string copies (as if parsed from a request), never the
/// catalogue's own instances, so string comparison cannot short-cut on reference equality.
/// </summary>
public sealed class LookupWorkloads
{
    /// <summary>Lookups made by one call of any workload.</summary>
    public const int KeysPerRun = 1024;

    private readonly CatalogSnapshot _catalog;
    private readonly PageKey[] _pageHits;
    private readonly PageKey[] _pageMisses;
    private readonly ResolveKey[] _municipalWalkUp;
    private readonly ResolveKey[] _regionalSubtopic;
    private readonly ResolveKey[] _regionWide;
    private readonly ResolveKey[] _mixedResolve;

    private LookupWorkloads(CatalogSnapshot catalog)
    {
        _catalog = catalog;
        var random = new Random(20240601);

        // Every real page, each about 7.7 times, in shuffled order.
        _pageHits = Fill(catalog.Pages.Select(p => new PageKey(p.Platform, Copy(p.ExternalId))).ToArray(), random);

        // Half unknown ids, half real ids asked on the wrong platform (same string hash, different key).
        var platforms = new[] { Platform.Vk, Platform.Ok, Platform.Telegram };
        var misses = catalog.Pages
            .Select((p, i) => new PageKey(platforms[((int)p.Platform + i % 2) % 3], Copy(p.ExternalId)))
            .Where(k => catalog.FindPage(k.Platform, k.ExternalId) is null)
            .Concat(Enumerable.Range(0, 133).Select(i => new PageKey(platforms[i % 3], $"-9{i * 7919:D8}")))
            .ToArray();
        _pageMisses = Fill(misses, random);

        // Municipal topics with a subtopic no rule names, on Samara's intra-city districts: the subtopic pass walks
        // district → Samara → region and misses (7 dictionary reads), then the topic rule for the district kind
        // answers with the district administration.
        var districts = catalog.Territories.Where(t => t.Kind == TerritoryKind.IntraCityDistrict).Select(t => t.Id);
        (string Topic, string Subtopic)[] municipal =
        [
            ("roads", "potholes"), ("housing_utilities", "water_supply"), ("improvement", "yard_lighting"),
            ("waste", "container_site"), ("public_transport", "bus_schedule"), ("education", "kindergarten_queue"),
            ("stray_animals", "dog_packs"), ("other", "noise"),
        ];
        _municipalWalkUp = Fill(
            [.. from d in districts from m in municipal select new ResolveKey(Copy(m.Topic), Copy(m.Subtopic), Copy(d))],
            random);

        // Regional subtopics on every municipality and district: answered by a ministry on the first territory.
        var localities = catalog.Territories.Where(t => t.Kind != TerritoryKind.Region).Select(t => t.Id);
        (string Topic, string Subtopic)[] regional =
            [("roads", "regional_road"), ("waste", "tko_operator"), ("housing_utilities", "capital_repair")];
        _regionalSubtopic = Fill(
            [.. from t in localities from r in regional select new ResolveKey(Copy(r.Topic), Copy(r.Subtopic), Copy(t))],
            random);

        // No territory: the region-wide rule answers (some with a subtopic that has a region rule, some without).
        (string Topic, string Subtopic)[] regionWide =
        [
            ("roads", ""), ("healthcare", ""), ("social_protection", ""), ("ecology", ""), ("safety", ""),
            ("housing_utilities", ""), ("improvement", ""), ("waste", ""), ("public_transport", ""),
            ("education", ""), ("stray_animals", ""), ("other", ""), ("roads", "regional_road"),
            ("waste", "tko_operator"), ("healthcare", "clinic_access"), ("roads", "potholes"),
        ];
        _regionWide = Fill([.. regionWide.Select(r => new ResolveKey(Copy(r.Topic), Copy(r.Subtopic), null))], random);

        // The three resolve mixes in equal parts, for the mixed workload.
        _mixedResolve = Fill([.. _municipalWalkUp.Take(341), .. _regionalSubtopic.Take(341), .. _regionWide.Take(342)], random);

        Check();
    }

    /// <summary>The workloads by name, in the order they are reported.</summary>
    public IReadOnlyList<(string Name, Func<int> Run)> All =>
    [
        (nameof(FindPageHit), FindPageHit),
        (nameof(FindPageMiss), FindPageMiss),
        (nameof(ResolveMunicipalWalkUp), ResolveMunicipalWalkUp),
        (nameof(ResolveRegionalSubtopic), ResolveRegionalSubtopic),
        (nameof(ResolveRegionWide), ResolveRegionWide),
        (nameof(Mixed50x50), Mixed50x50),
    ];

    /// <summary>Loads the seed catalogue copied next to the program (or found above the working directory).</summary>
    public static LookupWorkloads Load() =>
        new(CatalogDocument.Parse(File.ReadAllText(FindSeed())).ToSnapshot(1));

    /// <summary><see cref="KeysPerRun"/> page lookups by platform and id, all found.</summary>
    public int FindPageHit() => FindPages(_pageHits);

    /// <summary><see cref="KeysPerRun"/> page lookups by platform and id, none found.</summary>
    public int FindPageMiss() => FindPages(_pageMisses);

    public int ResolveMunicipalWalkUp() => Resolve(_municipalWalkUp);

    public int ResolveRegionalSubtopic() => Resolve(_regionalSubtopic);

    public int ResolveRegionWide() => Resolve(_regionWide);

    /// <summary>Half page lookups, half responsible-authority lookups, interleaved.</summary>
    public int Mixed50x50()
    {
        var found = 0;
        var pages = _pageHits;
        var rules = _mixedResolve;
        for (var i = 0; i < KeysPerRun; i += 2)
        {
            var page = pages[i];
            if (_catalog.FindPage(page.Platform, page.ExternalId) is not null)
            {
                found++;
            }

            var rule = rules[i + 1];
            if (_catalog.ResolveResponsible(rule.Topic, rule.Subtopic, rule.TerritoryId) is not null)
            {
                found++;
            }
        }

        return found;
    }

    private int FindPages(PageKey[] keys)
    {
        var found = 0;
        foreach (var key in keys)
        {
            if (_catalog.FindPage(key.Platform, key.ExternalId) is not null)
            {
                found++;
            }
        }

        return found;
    }

    private int Resolve(ResolveKey[] keys)
    {
        var found = 0;
        foreach (var key in keys)
        {
            if (_catalog.ResolveResponsible(key.Topic, key.Subtopic, key.TerritoryId) is not null)
            {
                found++;
            }
        }

        return found;
    }

    /// <summary>Refuses to measure a workload that does not do what its name says.</summary>
    private void Check()
    {
        Expect(nameof(FindPageHit), FindPageHit(), KeysPerRun);
        Expect(nameof(FindPageMiss), FindPageMiss(), 0);
        Expect(nameof(ResolveMunicipalWalkUp), ResolveMunicipalWalkUp(), KeysPerRun);
        Expect(nameof(ResolveRegionalSubtopic), ResolveRegionalSubtopic(), KeysPerRun);
        Expect(nameof(ResolveRegionWide), ResolveRegionWide(), KeysPerRun);
        Expect(nameof(Mixed50x50), Mixed50x50(), KeysPerRun);
        if (_municipalWalkUp.Any(k => _catalog.ResolveResponsible(k.Topic, k.Subtopic, k.TerritoryId)!.Authority.Kind != AuthorityKind.DistrictAdministration)
            || _regionalSubtopic.Any(k => _catalog.ResolveResponsible(k.Topic, k.Subtopic, k.TerritoryId)!.Authority.Kind != AuthorityKind.Ministry)
            || _regionWide.Any(k => _catalog.ResolveResponsible(k.Topic, k.Subtopic, k.TerritoryId)!.Rule.TerritoryKind != TerritoryKind.Unspecified))
        {
            throw new InvalidOperationException("a resolve workload no longer lands on the rules it is meant to measure");
        }

        static void Expect(string name, int found, int expected)
        {
            if (found != expected)
            {
                throw new InvalidOperationException($"{name}: {found} of {KeysPerRun} lookups found, expected {expected}");
            }
        }
    }

    private static T[] Fill<T>(T[] distinct, Random random)
    {
        var keys = new T[KeysPerRun];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = distinct[i % distinct.Length];
        }

        random.Shuffle(keys);
        return keys;
    }

    private static string Copy(string value) => new(value.AsSpan());

    private static string FindSeed()
    {
        var candidates = new[] { AppContext.BaseDirectory, Environment.CurrentDirectory };
        foreach (var start in candidates)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (var relative in new[] { "Seed/samara-region.json", "src/GovPublics.Registry/Seed/samara-region.json" })
                {
                    var path = Path.Combine(dir.FullName, relative);
                    if (File.Exists(path))
                    {
                        return path;
                    }
                }
            }
        }

        throw new FileNotFoundException("samara-region.json not found next to the program or above the working directory");
    }

    private readonly record struct PageKey(Platform Platform, string ExternalId);

    private readonly record struct ResolveKey(string Topic, string Subtopic, string? TerritoryId);
}
