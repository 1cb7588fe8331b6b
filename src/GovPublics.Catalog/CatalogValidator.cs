namespace GovPublics.Catalog;

/// <summary>One problem found in a catalogue: where (a JSON path or a CSV line), which entity, what is wrong.</summary>
public sealed record CatalogError(string Path, string EntityId, string Message)
{
    public override string ToString() => string.IsNullOrEmpty(EntityId) ? $"{Path}: {Message}" : $"{Path} ({EntityId}): {Message}";
}

/// <summary>A catalogue that breaks the registry's rules; <see cref="Errors"/> lists every problem.</summary>
public sealed class CatalogValidationException(IReadOnlyList<CatalogError> errors)
    : Exception($"The catalogue has {errors.Count} error(s): " + string.Join("; ", errors.Take(5)))
{
    public IReadOnlyList<CatalogError> Errors { get; } = errors;
}

/// <summary>
/// A territory still in the catalogue that a change would leave without its administration: who it was, what it
/// would become (null when archived), and the jurisdiction rules that send the territory's cases to its administration.
/// </summary>
public sealed record TerritoryWithoutAdministration(
    Territory Territory, Authority Administration, Authority? After, IReadOnlyList<string> RuleIds)
{
    /// <summary>How many rule ids <see cref="Describe"/> names before "…".</summary>
    private const int RulesNamed = 5;

    /// <summary>What depends on the administration, for a refusal's message.</summary>
    public string Describe()
    {
        var rules = RuleIds.Count == 0
            ? ""
            : $"; {RuleIds.Count} jurisdiction rule(s) send its cases to its administration ("
              + string.Join(", ", RuleIds.Take(RulesNamed)) + (RuleIds.Count > RulesNamed ? ", …" : "") + ")";
        return $"territory '{Territory.Id}' ({Territory.Name}) would be left without an administration: "
            + $"'{Administration.Id}' is its only one and the territory is still in the catalogue{rules}";
    }
}

/// <summary>Rules that hold across the whole catalogue: unique ids, existing references, no parent cycles.</summary>
public static class CatalogValidator
{
    internal static void RequireId(string path, string? id, List<CatalogError> errors)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            errors.Add(new CatalogError(path, "", "id: required"));
        }
        else if (id.Length > 100 || id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add(new CatalogError(path, id, "id: at most 100 characters, no spaces"));
        }
    }

    internal static void Require(string path, string id, string field, string? value, List<CatalogError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new CatalogError(path, id, $"{field}: required"));
        }
    }

    /// <summary>Adds an error for every duplicate, dangling reference and parent cycle.</summary>
    public static void CheckReferences(
        IReadOnlyList<Territory> territories,
        IReadOnlyList<Authority> authorities,
        IReadOnlyList<Page> pages,
        IReadOnlyList<JurisdictionRule> rules,
        List<CatalogError> errors)
    {
        var territoryIds = Unique(territories.Select(t => t.Id), "territories", errors);
        var authorityIds = Unique(authorities.Select(a => a.Id), "authorities", errors);
        Unique(pages.Select(p => p.Id), "pages", errors);
        Unique(rules.Select(r => r.Id), "rules", errors);
        foreach (var dup in pages.GroupBy(p => (p.Platform, p.ExternalId)).Where(g => g.Count() > 1))
        {
            errors.Add(new CatalogError("pages", dup.First().Id,
                $"platform + external_id: {EnumText.Format(dup.Key.Platform)} {dup.Key.ExternalId} is used by {string.Join(", ", dup.Select(p => p.Id))}"));
        }

        foreach (var t in territories)
        {
            if (t.Kind != TerritoryKind.Region && !territoryIds.Contains(t.ParentId))
            {
                errors.Add(new CatalogError("territories", t.Id, $"parent_id: territory '{t.ParentId}' does not exist"));
            }
        }

        foreach (var a in authorities)
        {
            if (!territoryIds.Contains(a.TerritoryId))
            {
                errors.Add(new CatalogError("authorities", a.Id, $"territory_id: territory '{a.TerritoryId}' does not exist"));
            }

            if (a.ParentId.Length > 0 && !authorityIds.Contains(a.ParentId))
            {
                errors.Add(new CatalogError("authorities", a.Id, $"parent_id: authority '{a.ParentId}' does not exist"));
            }
        }

        // Rules that send a topic to "the territory's administration" need exactly one: with two, which one answers
        // for the territory's potholes would depend on the order of their ids.
        foreach (var dup in authorities.Where(IsAdministration)
                     .GroupBy(a => a.TerritoryId, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var ids = dup.Select(a => a.Id).Order(StringComparer.Ordinal).ToList();
            errors.Add(new CatalogError("authorities", ids[^1],
                $"kind: territory '{dup.Key}' would have {ids.Count} administrations ({string.Join(", ", ids)}); a territory has one, which answers for it under the jurisdiction rules; to replace it, archive the old one with the new one as its successor, in one change"));
        }

        foreach (var p in pages.Where(p => !authorityIds.Contains(p.OwnerAuthorityId)))
        {
            errors.Add(new CatalogError("pages", p.Id, $"owner_authority_id: authority '{p.OwnerAuthorityId}' does not exist"));
        }

        foreach (var r in rules)
        {
            if (r.TerritoryId.Length > 0 && !territoryIds.Contains(r.TerritoryId))
            {
                errors.Add(new CatalogError("rules", r.Id, $"territory_id: territory '{r.TerritoryId}' does not exist"));
            }

            if (r.AuthorityId.Length > 0 && !authorityIds.Contains(r.AuthorityId))
            {
                errors.Add(new CatalogError("rules", r.Id, $"authority_id: authority '{r.AuthorityId}' does not exist"));
            }
        }

        foreach (var dup in rules.GroupBy(r => (r.Topic, r.Subtopic, r.TerritoryId, r.TerritoryKind)).Where(g => g.Count() > 1))
        {
            errors.Add(new CatalogError("rules", dup.First().Id,
                $"topic + subtopic + territory: rules {string.Join(", ", dup.Select(r => r.Id))} cover the same case"));
        }

        FindCycles(ParentsById(territories.Select(t => (t.Id, t.ParentId))), "territories", errors);
        FindCycles(ParentsById(authorities.Select(a => (a.Id, a.ParentId))), "authorities", errors);
    }

    /// <summary>True for the kinds that answer for a territory under "territory administration" rules.</summary>
    public static bool IsAdministration(Authority authority) =>
        authority.Kind is AuthorityKind.Administration or AuthorityKind.DistrictAdministration;

    /// <summary>
    /// The territories still in the catalogue after a change that had an administration before it and would have
    /// none after it: the administration archived, or changed to another kind or territory. A territory that never
    /// had one (just created, its administration to follow) is not among them, nor one archived in the same change.
    /// </summary>
    public static IReadOnlyList<TerritoryWithoutAdministration> TerritoriesLeftWithoutAdministration(
        IReadOnlyList<Authority> authoritiesBefore,
        IReadOnlyList<Territory> territoriesAfter,
        IReadOnlyList<Authority> authoritiesAfter,
        IReadOnlyList<JurisdictionRule> rulesAfter)
    {
        var governedAfter = authoritiesAfter.Where(IsAdministration).Select(a => a.TerritoryId).ToHashSet(StringComparer.Ordinal);
        var before = authoritiesBefore.Where(IsAdministration).GroupBy(a => a.TerritoryId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(a => a.Id, StringComparer.Ordinal).First(), StringComparer.Ordinal);
        var left = new List<TerritoryWithoutAdministration>();
        foreach (var territory in territoriesAfter.Where(t => t.Kind != TerritoryKind.Region && !governedAfter.Contains(t.Id)))
        {
            if (before.TryGetValue(territory.Id, out var administration))
            {
                var rules = rulesAfter
                    .Where(r => r.TerritoryAdministration
                        && (r.TerritoryId == territory.Id || (r.TerritoryId.Length == 0 && r.TerritoryKind == territory.Kind)))
                    .Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
                left.Add(new TerritoryWithoutAdministration(territory, administration,
                    authoritiesAfter.FirstOrDefault(a => a.Id == administration.Id), rules));
            }
        }

        return left;
    }

    /// <summary>
    /// Adds an error, on the administration's entry, for every territory a change would leave without its
    /// administration (see <see cref="TerritoriesLeftWithoutAdministration"/>); <paramref name="remedy"/> says what
    /// to do instead.
    /// </summary>
    public static void CheckAdministrationsKept(
        IReadOnlyList<Authority> authoritiesBefore,
        IReadOnlyList<Territory> territoriesAfter,
        IReadOnlyList<Authority> authoritiesAfter,
        IReadOnlyList<JurisdictionRule> rulesAfter,
        string remedy,
        List<CatalogError> errors)
    {
        foreach (var left in TerritoriesLeftWithoutAdministration(authoritiesBefore, territoriesAfter, authoritiesAfter, rulesAfter))
        {
            var field = left.After is null ? "id" : left.After.TerritoryId != left.Territory.Id ? "territory_id" : "kind";
            errors.Add(new CatalogError("authorities", left.Administration.Id, $"{field}: {left.Describe()}; {remedy}"));
        }
    }

    /// <summary>
    /// The ЦУР a change would leave the catalogue without: the last authority of kind <see cref="AuthorityKind.Cur"/>
    /// archived or changed to another kind, while the catalogue had one before. Every escalation chain ends at the
    /// ЦУР and a message that no rule and no page owner place falls back to it, so a catalogue that had one keeps
    /// one (a successor created in the same change takes over). Null when the change keeps one.
    /// </summary>
    public static Authority? CurLeftOut(IReadOnlyList<Authority> authoritiesBefore, IReadOnlyList<Authority> authoritiesAfter) =>
        authoritiesAfter.Any(a => a.Kind == AuthorityKind.Cur) ? null
        : authoritiesBefore.Where(a => a.Kind == AuthorityKind.Cur).OrderBy(a => a.Id, StringComparer.Ordinal).FirstOrDefault();

    /// <summary>The refusal of a change that leaves the catalogue without its ЦУР (<see cref="CurLeftOut"/>).</summary>
    public static string CurRequired(Authority cur) =>
        $"the catalogue would have no ЦУР after it: '{cur.Id}' is the last authority of kind cur, where every escalation chain ends and " +
        "messages that no rule and no page owner place go";

    /// <summary>Parent by id; a repeated id (already reported) keeps its first parent instead of throwing.</summary>
    private static Dictionary<string, string> ParentsById(IEnumerable<(string Id, string ParentId)> items)
    {
        var parents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, parent) in items)
        {
            parents.TryAdd(id, parent);
        }

        return parents;
    }

    private static HashSet<string> Unique(IEnumerable<string> ids, string path, List<CatalogError> errors)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ids.Where(id => !string.IsNullOrEmpty(id)))
        {
            if (!set.Add(id))
            {
                errors.Add(new CatalogError(path, id, "id: used more than once"));
            }
        }

        return set;
    }

    private static void FindCycles(Dictionary<string, string> parents, string path, List<CatalogError> errors)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in parents.Keys)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var id = start; !string.IsNullOrEmpty(id) && parents.ContainsKey(id); id = parents[id])
            {
                if (!seen.Add(id))
                {
                    if (reported.Add(id))
                    {
                        errors.Add(new CatalogError(path, start, $"parent_id: the chain of parents loops back to '{id}'"));
                    }

                    break;
                }
            }
        }
    }
}

/// <summary>Enumerations as the lower snake_case text of the catalogue's JSON and CSV.</summary>
public static class EnumText
{
    public static string Format<T>(T value)
        where T : struct, Enum =>
        Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0
            ? ""
            : System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(Format(candidate), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        return false;
    }

    internal static T Parse<T>(string path, string id, string field, string? text, bool required, List<CatalogError> errors)
        where T : struct, Enum
    {
        if (!TryParse<T>(text, out var value))
        {
            var allowed = string.Join(", ", Enum.GetValues<T>().Skip(1).Select(v => Format(v)));
            errors.Add(new CatalogError(path, id, $"{field}: '{text}' is not one of {allowed}"));
        }
        else if (required && Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            errors.Add(new CatalogError(path, id, $"{field}: required"));
        }

        return value;
    }
}
