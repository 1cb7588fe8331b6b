using System.Collections.Frozen;
using GovPublics.Catalog;

namespace GovPublics.Routing.Domain;

/// <summary>A place name (as stems) that points at a catalogue territory.</summary>
internal sealed record PlaceTerm(string Text, string[] Stems, Territory Territory, double Certainty, bool RequiresCapital)
{
    /// <summary>
    /// What the written form of the first word must not look like: a town in "-ск" (Октябрьск, Чапаевск) shares its
    /// stem with the adjective of a street named after it («на Октябрьской»), a village with a neuter adjective name
    /// (Борское, Красноармейское) with the feminine and masculine forms («ул. Красноармейская»).
    /// </summary>
    public PlaceForm Form { get; } = FormOf(Text);

    private static PlaceForm FormOf(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var first = (space < 0 ? text : text[..space]).ToLowerInvariant();
        return first.EndsWith("ск", StringComparison.Ordinal) ? PlaceForm.NounInSk
            : first.EndsWith("ое", StringComparison.Ordinal) || first.EndsWith("ее", StringComparison.Ordinal) ? PlaceForm.NeuterAdjective
            : PlaceForm.Any;
    }
}

internal enum PlaceForm : byte
{
    Any,
    NounInSk,
    NeuterAdjective,
}

/// <summary>
/// What the classifier derives from one catalogue snapshot: every territory name, short name and alias plus the
/// gazetteer, indexed by first stem; which topics resolve to the same authority wherever the message comes from;
/// and which regional authorities own a single topic (so their page hints at it). Built once per snapshot object.
/// </summary>
internal sealed class SnapshotIndex
{
    private readonly FrozenDictionary<string, PlaceTerm[]> _placesByFirstStem;
    private readonly FrozenDictionary<string, bool> _territoryIndependent;
    private readonly FrozenDictionary<string, int> _pageTopic;

    public SnapshotIndex(CatalogSnapshot catalog, RoutingKnowledge knowledge)
    {
        var places = new Dictionary<string, PlaceTerm>(StringComparer.Ordinal);
        foreach (var territory in catalog.Territories)
        {
            var names = new List<string> { territory.Name, territory.ShortName };
            names.AddRange(territory.Aliases);
            foreach (var name in names.Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.Ordinal))
            {
                var stems = knowledge.Normalizer.PhraseStems(name);
                if (stems.Length == 0)
                {
                    continue;
                }

                // "Кировский" alone is an adjective of many things; a district is named with "район".
                if (stems.Length == 1 && IsDistrict(territory) && IsAdjective(name))
                {
                    foreach (var districtWord in knowledge.DistrictWordStems)
                    {
                        Add(places, new PlaceTerm(name, [stems[0], .. districtWord], territory, 1.0, false));
                    }

                    continue;
                }

                Add(places, new PlaceTerm(name, stems, territory, 1.0, knowledge.AmbiguousPlaceStems.Contains(stems[0])));
            }
        }

        foreach (var entry in knowledge.Gazetteer)
        {
            if (catalog.FindTerritory(entry.TerritoryId) is { } territory)
            {
                Add(places, new PlaceTerm(entry.Text, entry.Stems, territory, entry.Certainty,
                    entry.Capitalized || knowledge.AmbiguousPlaceStems.Contains(entry.Stems[0])));
            }
        }

        foreach (var place in places.Values.ToList())
        {
            if (TextNormalizer.FleetingVowelVariant(place.Stems) is { } variant)
            {
                Add(places, place with { Stems = variant }); // "Городок" is "в Городке"
            }
        }

        _placesByFirstStem = places.Values
            .GroupBy(p => p.Stems[0], StringComparer.Ordinal)
            .ToFrozenDictionary(
                g => g.Key,
                g => g.OrderByDescending(p => p.Stems.Length).ThenByDescending(p => p.Certainty).ToArray(),
                StringComparer.Ordinal);

        _territoryIndependent = catalog.Rules
            .GroupBy(r => Key(r.Topic, r.Subtopic), StringComparer.Ordinal)
            .ToFrozenDictionary(
                g => g.Key,
                g =>
                {
                    var outcomes = g.Select(r => r.TerritoryAdministration ? "" : r.AuthorityId).Distinct(StringComparer.Ordinal).ToList();
                    return outcomes.Count == 1 && outcomes[0].Length > 0;
                },
                StringComparer.Ordinal);

        var topicIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var t = 0; t < knowledge.Topics.Count; t++)
        {
            topicIndex[knowledge.Topics[t].Code] = t;
        }

        // The government and the ЦУР answer for whatever has no other owner: their pages hint at no topic.
        _pageTopic = catalog.Rules
            .Where(r => r.Subtopic.Length == 0 && r.TerritoryId.Length == 0 && r.TerritoryKind == TerritoryKind.Unspecified
                && !r.TerritoryAdministration && IsTerritoryIndependent(r.Topic, "") && topicIndex.ContainsKey(r.Topic)
                && catalog.FindAuthority(r.AuthorityId)?.Kind is not (AuthorityKind.Government or AuthorityKind.Cur))
            .GroupBy(r => r.AuthorityId, StringComparer.Ordinal)
            .Where(g => g.Select(r => r.Topic).Distinct(StringComparer.Ordinal).Count() == 1)
            .ToFrozenDictionary(g => g.Key, g => topicIndex[g.First().Topic], StringComparer.Ordinal);
    }

    public bool TryGetPlaces(string stem, out PlaceTerm[] places) => _placesByFirstStem.TryGetValue(stem, out places!);

    /// <summary>True when every rule for the topic (or its subtopic) names the same authority: the place does not matter.</summary>
    public bool IsTerritoryIndependent(string topic, string subtopic) =>
        _territoryIndependent.TryGetValue(Key(topic, subtopic), out var bySubtopic)
            ? bySubtopic
            : _territoryIndependent.TryGetValue(Key(topic, ""), out var byTopic) && byTopic;

    /// <summary>The topic index a regional authority's page hints at (Минздрав → healthcare), or -1.</summary>
    public int PageTopic(string? authorityId) =>
        authorityId is not null && _pageTopic.TryGetValue(authorityId, out var topic) ? topic : -1;

    private static string Key(string topic, string subtopic) => topic + "/" + subtopic;

    private static bool IsDistrict(Territory territory) =>
        territory.Kind is TerritoryKind.MunicipalDistrict or TerritoryKind.IntraCityDistrict;

    // District names are masculine adjectives ("Кировский"); a neuter one is a village (Борское, Красноармейское).
    private static bool IsAdjective(string name)
    {
        var word = TextNormalizer.NormalizeWord(name);
        return word.EndsWith("ий", StringComparison.Ordinal) || word.EndsWith("ый", StringComparison.Ordinal)
            || word.EndsWith("ой", StringComparison.Ordinal);
    }

    private static void Add(Dictionary<string, PlaceTerm> places, PlaceTerm place)
    {
        var key = string.Join(' ', place.Stems) + "|" + place.Territory.Id;
        if (!places.TryGetValue(key, out var existing) || existing.Certainty < place.Certainty
            || (existing.Certainty == place.Certainty && existing.RequiresCapital && !place.RequiresCapital))
        {
            places[key] = place;
        }
    }
}
