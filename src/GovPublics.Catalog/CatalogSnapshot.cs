using System.Collections.Frozen;

namespace GovPublics.Catalog;

/// <summary>
/// An immutable, indexed copy of the whole catalogue. Every lookup on the hot path (a page by platform and id,
/// the responsible authority, an escalation chain) is a dictionary read on this object: services keep one in
/// memory and swap it whole when the registry changes.
/// </summary>
public sealed class CatalogSnapshot
{
    /// <summary>How far a walk up the territory tree goes: far deeper than the real tree, a guard against cycles.</summary>
    private const int MaxDepth = 16;

    private readonly FrozenDictionary<string, Territory> _territories;
    private readonly FrozenDictionary<string, Authority> _authorities;
    private readonly FrozenDictionary<string, Page> _pagesById;
    private readonly FrozenDictionary<PageKey, Page> _pagesByExternalId;
    private readonly FrozenDictionary<string, Authority> _administrationByTerritory;
    private readonly FrozenDictionary<RuleKey, JurisdictionRule> _rules;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<RuleKey, JurisdictionMatch?> _resolved = new();

    /// <summary>At most this many distinct jurisdiction answers are memoized per snapshot.</summary>
    private const int MaxMemoized = 100_000;

    public CatalogSnapshot(
        long version,
        IEnumerable<Territory> territories,
        IEnumerable<Authority> authorities,
        IEnumerable<Page> pages,
        IEnumerable<JurisdictionRule> rules,
        string commitId = "")
    {
        Version = version;
        CommitId = commitId;
        Territories = [.. territories.OrderBy(t => t.Id, StringComparer.Ordinal)];
        Authorities = [.. authorities.OrderBy(a => a.Id, StringComparer.Ordinal)];
        Pages = [.. pages.OrderBy(p => p.Id, StringComparer.Ordinal)];
        Rules = [.. rules.OrderBy(r => r.Id, StringComparer.Ordinal)];

        _territories = Territories.ToFrozenDictionary(t => t.Id, StringComparer.Ordinal);
        _authorities = Authorities.ToFrozenDictionary(a => a.Id, StringComparer.Ordinal);
        _pagesById = Pages.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
        _pagesByExternalId = Pages.ToFrozenDictionary(p => new PageKey(p.Platform, p.ExternalId));
        _administrationByTerritory = Authorities
            .Where(CatalogValidator.IsAdministration)
            .GroupBy(a => a.TerritoryId, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _rules = Rules
            .GroupBy(r => new RuleKey(r.Topic, r.Subtopic, r.TerritoryId, r.TerritoryKind))
            .ToFrozenDictionary(g => g.Key, g => g.First());
        Region = Territories.FirstOrDefault(t => t.Kind == TerritoryKind.Region);
        Cur = Authorities.FirstOrDefault(a => a.Kind == AuthorityKind.Cur);
    }

    /// <summary>An empty catalogue, for a service that has not loaded one yet.</summary>
    public static CatalogSnapshot Empty { get; } = new(0, [], [], [], []);

    /// <summary>Monotonic version of the catalogue this snapshot was built from.</summary>
    public long Version { get; }

    /// <summary>
    /// The id of the registry commit that made <see cref="Version"/> (empty when unknown): the same version number in
    /// another history of the registry's store (a backup restored, a re-seed) has another commit id.
    /// </summary>
    public string CommitId { get; }

    public IReadOnlyList<Territory> Territories { get; }

    public IReadOnlyList<Authority> Authorities { get; }

    public IReadOnlyList<Page> Pages { get; }

    public IReadOnlyList<JurisdictionRule> Rules { get; }

    /// <summary>The region, the root of the territory tree.</summary>
    public Territory? Region { get; }

    /// <summary>The Center for Regional Management: the last step of every escalation chain.</summary>
    public Authority? Cur { get; }

    public Territory? FindTerritory(string id) => _territories.GetValueOrDefault(id);

    public Authority? FindAuthority(string id) => _authorities.GetValueOrDefault(id);

    public Page? FindPage(string id) => _pagesById.GetValueOrDefault(id);

    /// <summary>The page with this platform id, or null.</summary>
    public Page? FindPage(Platform platform, string externalId) =>
        _pagesByExternalId.GetValueOrDefault(new PageKey(platform, externalId));

    /// <summary>The administration that governs a territory (a municipality's or a district's), or null.</summary>
    public Authority? AdministrationOf(string territoryId) => _administrationByTerritory.GetValueOrDefault(territoryId);

    /// <summary>The municipality (urban okrug or municipal district) a territory belongs to, or null.</summary>
    public Territory? MunicipalityOf(string territoryId)
    {
        for (var t = FindTerritory(territoryId); t is not null; t = FindTerritory(t.ParentId))
        {
            if (t.IsMunicipality)
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>The territory and its ancestors up to the region, nearest first.</summary>
    public IEnumerable<Territory> Ancestry(string territoryId)
    {
        var seen = 0;
        for (var t = FindTerritory(territoryId); t is not null && seen < MaxDepth; t = FindTerritory(t.ParentId), seen++)
        {
            yield return t;
        }
    }

    /// <summary>The territory and every territory under it (a municipality's intra-city districts); empty when unknown.</summary>
    public IReadOnlySet<string> Subtree(string territoryId)
    {
        if (FindTerritory(territoryId) is null)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        return Territories.Where(t => Ancestry(t.Id).Any(a => a.Id == territoryId)).Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The authority responsible for a topic (and optional subtopic) on a territory. A rule for the subtopic
    /// beats one for the topic alone; then, walking from the territory up to the region, a rule for the exact
    /// territory beats one for its kind; region-wide rules come last. A rule that names the territory's own
    /// administration is skipped where the territory has none. Null when no rule applies.
    /// </summary>
    public JurisdictionMatch? ResolveResponsible(string topic, string? subtopic, string? territoryId)
    {
        // Answers are memoized per snapshot (the snapshot never changes): one dictionary read instead of a walk
        // up the territory tree with two or four reads per level. Bounded, since the strings come from callers.
        var query = new RuleKey(topic, subtopic ?? "", territoryId ?? "", TerritoryKind.Unspecified);
        if (_resolved.TryGetValue(query, out var cached))
        {
            return cached;
        }

        var match = ResolveUncached(topic, subtopic, territoryId);
        if (_resolved.Count < MaxMemoized)
        {
            _resolved.TryAdd(query, match);
        }

        return match;
    }

    private JurisdictionMatch? ResolveUncached(string topic, string? subtopic, string? territoryId)
    {
        var start = string.IsNullOrEmpty(territoryId) ? Region?.Id ?? "" : territoryId;
        if (!string.IsNullOrEmpty(subtopic))
        {
            var bySubtopic = Resolve(topic, subtopic, start);
            if (bySubtopic is not null)
            {
                return bySubtopic;
            }
        }

        return Resolve(topic, "", start);
    }

    private JurisdictionMatch? Resolve(string topic, string subtopic, string territoryId)
    {
        // The same walk as Ancestry, inlined: this is the hot path, and the iterator would allocate per call.
        var seen = 0;
        for (var territory = FindTerritory(territoryId);
             territory is not null && seen < MaxDepth;
             territory = FindTerritory(territory.ParentId), seen++)
        {
            if (Match(new RuleKey(topic, subtopic, territory.Id, TerritoryKind.Unspecified), territory) is { } exact)
            {
                return exact;
            }

            if (Match(new RuleKey(topic, subtopic, "", territory.Kind), territory) is { } byKind)
            {
                return byKind;
            }
        }

        return Match(new RuleKey(topic, subtopic, "", TerritoryKind.Unspecified), Region);
    }

    private JurisdictionMatch? Match(RuleKey key, Territory? territory)
    {
        if (!_rules.TryGetValue(key, out var rule))
        {
            return null;
        }

        var authority = rule.TerritoryAdministration
            ? territory is null ? null : AdministrationOf(territory.Id)
            : FindAuthority(rule.AuthorityId);
        return authority is null ? null : new JurisdictionMatch(authority, rule, territory?.Id ?? "");
    }

    /// <summary>
    /// The escalation chain: the authority, its parent, the parent's parent, and finally the ЦУР. Empty when
    /// the authority does not exist. A cycle (which the registry refuses) cannot loop forever.
    /// </summary>
    public IReadOnlyList<Authority> EscalationChain(string authorityId)
    {
        var chain = new List<Authority>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var a = FindAuthority(authorityId); a is not null && seen.Add(a.Id); a = FindAuthority(a.ParentId))
        {
            chain.Add(a);
        }

        if (chain.Count > 0 && Cur is not null && !seen.Contains(Cur.Id))
        {
            chain.Add(Cur);
        }

        return chain;
    }

    private readonly record struct PageKey(Platform Platform, string ExternalId);

    private readonly record struct RuleKey(string Topic, string Subtopic, string TerritoryId, TerritoryKind Kind);
}

/// <summary>The outcome of a jurisdiction lookup: who answers, by which rule, matched on which territory.</summary>
public sealed record JurisdictionMatch(Authority Authority, JurisdictionRule Rule, string MatchedTerritoryId);
