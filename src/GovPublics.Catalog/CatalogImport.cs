using System.Text.Json;
using System.Text.RegularExpressions;

namespace GovPublics.Catalog;

/// <summary>
/// The rows of one import, per entity set, and the problems already found while reading them (a CSV row that did
/// not parse is not among the rows; its errors are here).
/// </summary>
public sealed record ImportBatch(
    IReadOnlyList<ImportRow<TerritoryDto>> Territories,
    IReadOnlyList<ImportRow<AuthorityDto>> Authorities,
    IReadOnlyList<ImportRow<PageDto>> Pages,
    IReadOnlyList<ImportRow<RuleDto>> Rules,
    IReadOnlyList<CatalogError> ParseErrors)
{
    /// <summary>The region code written into <see cref="ImportPlan.Result"/>; a JSON document brings its own.</summary>
    public string RegionCode { get; init; } = "";

    /// <summary>Every entity of a JSON document, each with its place ("territories[3]") as the row's source.</summary>
    public static ImportBatch FromDocument(CatalogDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var errors = new List<CatalogError>();
        return new ImportBatch(
            Rows(document.Territories, CatalogImport.TerritoriesSet, Copy, errors),
            Rows(document.Authorities, CatalogImport.AuthoritiesSet, Copy, errors),
            Rows(document.Pages, CatalogImport.PagesSet, Copy, errors),
            Rows(document.Rules, CatalogImport.RulesSet, Copy, errors),
            errors)
        {
            RegionCode = document.RegionCode ?? "",
        };
    }

    /// <summary>The pages of a CSV file; its parse errors come along.</summary>
    public static ImportBatch FromCsvPages(CsvPages csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        return new ImportBatch([], [], csv.Rows, [], csv.Errors);
    }

    // Copies, so that later edits to the document do not change the batch, and so that a JSON null in a text
    // field reads as empty (and is reported as missing) rather than failing.
    private static List<ImportRow<T>> Rows<T>(List<T>? items, string set, Func<T, T> copy, List<CatalogError> errors)
        where T : class
    {
        var rows = new List<ImportRow<T>>();
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            var source = $"{set}[{i}]";
            if (items![i] is { } item)
            {
                rows.Add(new ImportRow<T>(source, copy(item)));
            }
            else
            {
                errors.Add(new CatalogError(source, "", "the entry is empty"));
            }
        }

        return rows;
    }

    private static TerritoryDto Copy(TerritoryDto t) => new()
    {
        Id = t.Id ?? "", Kind = t.Kind ?? "", Name = t.Name ?? "", ShortName = t.ShortName ?? "", ParentId = t.ParentId ?? "",
        Aliases = [.. (t.Aliases ?? []).OfType<string>()], Oktmo = t.Oktmo ?? "",
    };

    private static AuthorityDto Copy(AuthorityDto a) => new()
    {
        Id = a.Id ?? "", Kind = a.Kind ?? "", Name = a.Name ?? "", ShortName = a.ShortName ?? "",
        TerritoryId = a.TerritoryId ?? "", ParentId = a.ParentId ?? "", TimeZone = a.TimeZone ?? "", Calendar = a.Calendar ?? "",
        Contacts = a.Contacts is null ? null : new ContactsDto
        {
            Website = a.Contacts.Website ?? "", Email = a.Contacts.Email ?? "", Phone = a.Contacts.Phone ?? "",
        },
    };

    private static PageDto Copy(PageDto p) => new()
    {
        Id = p.Id ?? "", Platform = p.Platform ?? "", ExternalId = p.ExternalId ?? "", ScreenName = p.ScreenName ?? "",
        Url = p.Url ?? "", Title = p.Title ?? "", Kind = p.Kind ?? "", OwnerAuthorityId = p.OwnerAuthorityId ?? "",
        Verified = p.Verified, CommentsOpen = p.CommentsOpen, Subscribers = p.Subscribers, Status = p.Status ?? "",
        Demo = p.Demo, LinkedExternalId = p.LinkedExternalId ?? "",
    };

    private static RuleDto Copy(RuleDto r) => new()
    {
        Id = r.Id ?? "", Topic = r.Topic ?? "", Subtopic = r.Subtopic ?? "", TerritoryId = r.TerritoryId ?? "",
        TerritoryKind = r.TerritoryKind ?? "", AuthorityId = r.AuthorityId ?? "",
        TerritoryAdministration = r.TerritoryAdministration, Basis = r.Basis ?? "",
    };
}

/// <summary>One entity an import touches: its set ("pages"), its id, and the row it came from.</summary>
public sealed record ImportEntry(string Set, string Id, string Source)
{
    public override string ToString() => $"{Set}:{Id}";
}

/// <summary>
/// What an import would do. <see cref="Errors"/> lists every problem by row (its line or JSON path) and field;
/// <see cref="RejectedRows"/> the rows that failed (left out of <see cref="Result"/> when bad rows are skipped).
/// <see cref="Created"/>, <see cref="Updated"/> and <see cref="Unchanged"/> sort the rows that pass. When
/// <see cref="CanApply"/>, <see cref="Result"/> is the whole merged catalogue to store; otherwise it is null and
/// nothing may be applied.
/// </summary>
public sealed record ImportPlan(
    IReadOnlyList<CatalogError> Errors,
    IReadOnlyList<ImportEntry> Created,
    IReadOnlyList<ImportEntry> Updated,
    IReadOnlyList<ImportEntry> Unchanged,
    IReadOnlyList<string> RejectedRows,
    bool CanApply,
    CatalogDocument? Result);

/// <summary>
/// Bulk import of the catalogue as an upsert by id: an incoming entity replaces the stored one with the same id,
/// entities the import does not mention stay. The plan is a dry run; applying it means storing its result.
/// </summary>
public static partial class CatalogImport
{
    public const string TerritoriesSet = "territories";
    public const string AuthoritiesSet = "authorities";
    public const string PagesSet = "pages";
    public const string RulesSet = "rules";

    /// <summary>What to do instead of an import that leaves a territory without its administration.</summary>
    private const string AdministrationRemedy =
        "import its successor in the same file (a new administration of the territory, with this row no longer one), or archive the territory, which takes its administration with it";

    private static readonly string[] _sourceOrder = [TerritoriesSet, AuthoritiesSet, PagesSet, RulesSet, "line"];

    /// <summary>
    /// Checks every row's fields and the merged catalogue as a whole (references, unique ids and platform ids,
    /// parent cycles), blaming each problem on the row(s) that caused it. Without <paramref name="skipBadRows"/>
    /// any error means nothing applies. With it, bad rows are dropped and the rest is checked again until it is
    /// clean, so rows that relied on a dropped row are dropped (and reported) too. Planning the same import against
    /// its own result finds every row unchanged.
    /// </summary>
    public static ImportPlan Plan(CatalogSnapshot current, ImportBatch batch, bool skipBadRows)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(batch);

        var errors = new List<CatalogError>(batch.ParseErrors);
        var rejected = new List<string>(batch.ParseErrors.Select(e => e.Path));
        var active = Prepare(batch, errors, rejected);
        var rejectedIds = new Dictionary<(string Set, string Id), string>();
        Pass pass;
        while (true)
        {
            pass = Check(current, active, includeBadFields: !skipBadRows, rejectedIds);
            foreach (var row in active.Where(pass.RowErrors.ContainsKey))
            {
                errors.AddRange(pass.RowErrors[row]);
                rejected.Add(row.Source);
            }

            if (!skipBadRows || pass.RowErrors.Count == 0)
            {
                break;
            }

            foreach (var row in active.Where(pass.RowErrors.ContainsKey).Where(r => r.Id.Length > 0))
            {
                rejectedIds.TryAdd((row.Set, row.Id), row.Source);
            }

            active = [.. active.Where(r => !pass.RowErrors.ContainsKey(r))];
        }

        errors.AddRange(pass.General);
        var kept = active.Where(r => !pass.RowErrors.ContainsKey(r)).ToList();
        var created = new List<ImportEntry>();
        var updated = new List<ImportEntry>();
        var unchanged = new List<ImportEntry>();
        foreach (var row in kept)
        {
            var entry = new ImportEntry(row.Set, row.Id, row.Source);
            var stored = StoredCanonical(current, row.Set, row.Id);
            (stored is null ? created : stored == row.Canonical ? unchanged : updated).Add(entry);
        }

        var canApply = skipBadRows
            ? pass.General.Count == 0 && (kept.Count > 0 || rejected.Count == 0)
            : errors.Count == 0;
        var result = canApply
            ? new CatalogDocument
            {
                RegionCode = batch.RegionCode,
                Territories = [.. pass.Territories.Select(TerritoryDto.From)],
                Authorities = [.. pass.Authorities.Select(AuthorityDto.From)],
                Pages = [.. pass.Pages.Select(PageDto.From)],
                Rules = [.. pass.Rules.Select(RuleDto.From)],
            }
            : null;

        return new ImportPlan(
            [.. errors.Distinct().OrderBy(e => SourceOrder(e.Path))],
            created, updated, unchanged,
            [.. rejected.Distinct(StringComparer.Ordinal).OrderBy(SourceOrder)],
            canApply, result);
    }

    /// <summary>Validates every row's fields once; a row whose item is missing is rejected outright.</summary>
    private static List<Row> Prepare(ImportBatch batch, List<CatalogError> errors, List<string> rejected)
    {
        var rows = new List<Row>();

        void Add<TDto, TModel>(IReadOnlyList<ImportRow<TDto>> items, string set, Func<TDto, string, List<CatalogError>, TModel> toModel,
            Func<TModel, string> id, Func<TModel, object> toDto)
            where TDto : class
        {
            foreach (var item in items)
            {
                if (item?.Item is null)
                {
                    var source = item?.Source ?? set;
                    errors.Add(new CatalogError(source, "", "the entry is empty"));
                    rejected.Add(source);
                    continue;
                }

                var fieldErrors = new List<CatalogError>();
                var model = toModel(item.Item, item.Source, fieldErrors)!;
                rows.Add(new Row(set, item.Source, id(model) ?? "", model, Canonical(toDto(model)), fieldErrors));
            }
        }

        Add(batch.Territories, TerritoriesSet, (d, s, e) => d.ToModel(s, e), m => m.Id, m => TerritoryDto.From(m));
        Add(batch.Authorities, AuthoritiesSet, (d, s, e) => d.ToModel(s, e), m => m.Id, m => AuthorityDto.From(m));
        Add(batch.Pages, PagesSet, (d, s, e) => d.ToModel(s, e), m => m.Id, m => PageDto.From(m));
        Add(batch.Rules, RulesSet, (d, s, e) => d.ToModel(s, e), m => m.Id, m => RuleDto.From(m));
        return rows;
    }

    /// <summary>One check of the rows against the stored catalogue: each row's errors, and the merged catalogue.</summary>
    private static Pass Check(
        CatalogSnapshot current, List<Row> active, bool includeBadFields, Dictionary<(string Set, string Id), string> rejectedIds)
    {
        var rowErrors = new Dictionary<Row, List<CatalogError>>();
        void Blame(Row row, CatalogError error)
        {
            if (!rowErrors.TryGetValue(row, out var list))
            {
                rowErrors[row] = list = [];
            }

            if (!list.Contains(error))
            {
                list.Add(error);
            }
        }

        foreach (var row in active)
        {
            foreach (var error in row.FieldErrors)
            {
                Blame(row, error);
            }
        }

        // The same id twice in one import: which one to keep is anyone's guess, so both rows are bad.
        var duplicates = new HashSet<Row>();
        foreach (var group in active.Where(r => r.Id.Length > 0).GroupBy(r => (r.Set, r.Id)).Where(g => g.Count() > 1))
        {
            var sources = string.Join(", ", group.Select(r => r.Source));
            foreach (var row in group)
            {
                duplicates.Add(row);
                Blame(row, new CatalogError(row.Source, row.Id, $"id: used more than once in the import ({sources})"));
            }
        }

        // Rows with bad fields or a duplicated id stay in the merged catalogue for a dry run (so that the rows
        // referring to them are not blamed as well), and are left out when bad rows are being skipped.
        var merging = active
            .Where(r => r.Id.Length > 0 && (includeBadFields || (r.FieldErrors.Count == 0 && !duplicates.Contains(r))))
            .ToHashSet();
        var leftOut = new Dictionary<(string Set, string Id), string>(rejectedIds);
        foreach (var row in active.Where(r => r.Id.Length > 0 && !merging.Contains(r)))
        {
            leftOut.TryAdd((row.Set, row.Id), row.Source);
        }
        var mergingInOrder = active.Where(merging.Contains).ToList();
        var territories = Merge(current.Territories, t => t.Id, mergingInOrder, TerritoriesSet);
        var authorities = Merge(current.Authorities, a => a.Id, mergingInOrder, AuthoritiesSet);
        var pages = Merge(current.Pages, p => p.Id, mergingInOrder, PagesSet);
        var rules = Merge(current.Rules, r => r.Id, mergingInOrder, RulesSet);

        var catalogueErrors = new List<CatalogError>();
        CatalogValidator.CheckReferences(territories, authorities, pages, rules, catalogueErrors);
        CatalogValidator.CheckAdministrationsKept(current.Authorities, territories, authorities, rules, AdministrationRemedy, catalogueErrors);
        if (CatalogValidator.CurLeftOut(current.Authorities, authorities) is { } cur)
        {
            catalogueErrors.Add(new CatalogError(AuthoritiesSet, cur.Id,
                $"kind: {CatalogValidator.CurRequired(cur)}; import its successor in the same file (a new authority of kind cur), with this row no longer one"));
        }

        var rowsById = active.ToLookup(r => (r.Set, r.Id));
        var general = new List<CatalogError>();
        var cycles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var error in catalogueErrors)
        {
            var ids = CulpritIds(error, territories, authorities, pages, rules);
            if (ids.Cycle && !cycles.Add(error.Path + ":" + string.Join(",", ids.Ids.Order(StringComparer.Ordinal))))
            {
                continue; // the same loop, reached from another of its members
            }

            var culprits = ids.Ids.SelectMany(id => rowsById[(error.Path, id)]).Distinct().ToList();
            if (ids.Cycle && culprits.Where(r => ChangesParent(current, r)).ToList() is { Count: > 0 } relinked)
            {
                culprits = relinked; // the rows that moved an entity under a new parent closed the loop
            }

            if (culprits.Count == 0)
            {
                culprits = [.. rowsById[(error.Path, error.EntityId)]];
            }

            if (culprits.Count == 0)
            {
                general.Add(error);
                continue;
            }

            var message = WithRejectedNote(error.Message, leftOut);
            foreach (var row in culprits.Where(r => !RepeatsFieldError(r, error.Message)))
            {
                Blame(row, new CatalogError(row.Source, row.Id, message));
            }
        }

        return new Pass(rowErrors, general, territories, authorities, pages, rules);
    }

    private static List<T> Merge<T>(IReadOnlyList<T> stored, Func<T, string> id, List<Row> rows, string set)
    {
        var merged = stored.ToDictionary(id, StringComparer.Ordinal);
        foreach (var row in rows.Where(r => r.Set == set))
        {
            merged[row.Id] = (T)row.Model;
        }

        return [.. merged.Values.OrderBy(id, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The ids whose rows may have caused a whole-catalogue error: every page sharing the duplicated platform id,
    /// every rule covering the same case, every member of a parent cycle, or else the entity the error names.
    /// </summary>
    private static (IReadOnlyList<string> Ids, bool Cycle) CulpritIds(
        CatalogError error,
        List<Territory> territories,
        List<Authority> authorities,
        List<Page> pages,
        List<JurisdictionRule> rules)
    {
        if (error.Path == PagesSet && error.Message.StartsWith("platform + external_id:", StringComparison.Ordinal))
        {
            var keys = pages.Where(p => p.Id == error.EntityId).Select(p => (p.Platform, p.ExternalId)).ToHashSet();
            return ([.. pages.Where(p => keys.Contains((p.Platform, p.ExternalId))).Select(p => p.Id)], false);
        }

        if (error.Path == RulesSet && error.Message.StartsWith("topic + subtopic + territory:", StringComparison.Ordinal))
        {
            var keys = rules.Where(r => r.Id == error.EntityId).Select(r => (r.Topic, r.Subtopic, r.TerritoryId, r.TerritoryKind)).ToHashSet();
            return ([.. rules.Where(r => keys.Contains((r.Topic, r.Subtopic, r.TerritoryId, r.TerritoryKind))).Select(r => r.Id)], false);
        }

        if (error.Message.Contains("loops back to", StringComparison.Ordinal))
        {
            // The walk may start outside the loop; only the loop's members can have closed it.
            var parents = error.Path switch
            {
                TerritoriesSet => territories.ToDictionary(t => t.Id, t => t.ParentId, StringComparer.Ordinal),
                AuthoritiesSet => authorities.ToDictionary(a => a.Id, a => a.ParentId, StringComparer.Ordinal),
                _ => [],
            };
            return (CycleFrom(error.EntityId, parents), true);
        }

        return ([error.EntityId], false);
    }

    private static bool ChangesParent(CatalogSnapshot current, Row row) => row.Model switch
    {
        Territory t => current.FindTerritory(t.Id)?.ParentId != t.ParentId,
        Authority a => current.FindAuthority(a.Id)?.ParentId != a.ParentId,
        _ => true,
    };

    /// <summary>The members of the parent cycle reached from <paramref name="start"/>.</summary>
    private static List<string> CycleFrom(string start, Dictionary<string, string> parents)
    {
        var path = new List<string>();
        for (var id = start; !string.IsNullOrEmpty(id) && parents.ContainsKey(id); id = parents[id])
        {
            var at = path.IndexOf(id);
            if (at >= 0)
            {
                return path[at..];
            }

            path.Add(id);
        }

        return [];
    }

    /// <summary>A whole-catalogue error on a field the row's own validation already found wrong adds nothing.</summary>
    private static bool RepeatsFieldError(Row row, string message)
    {
        if (row.FieldErrors.Count == 0)
        {
            return false;
        }

        var bad = row.FieldErrors.Select(e => FieldOf(e.Message)).ToHashSet(StringComparer.Ordinal);
        return FieldOf(message).Split([" + ", " and "], StringSplitOptions.None).Any(bad.Contains);
    }

    private static string FieldOf(string message)
    {
        var colon = message.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? message : message[..colon];
    }

    /// <summary>Says so when a reference fails because the row that would have created its target was rejected.</summary>
    private static string WithRejectedNote(string message, Dictionary<(string Set, string Id), string> rejectedIds)
    {
        var match = MissingReference().Match(message);
        if (!match.Success)
        {
            return message;
        }

        var set = match.Groups["kind"].Value == "authority" ? AuthoritiesSet : TerritoriesSet;
        return rejectedIds.TryGetValue((set, match.Groups["id"].Value), out var source)
            ? $"{message} (its row, {source}, was rejected)"
            : message;
    }

    private static string? StoredCanonical(CatalogSnapshot current, string set, string id) => set switch
    {
        TerritoriesSet => current.FindTerritory(id) is { } t ? Canonical(TerritoryDto.From(t)) : null,
        AuthoritiesSet => current.FindAuthority(id) is { } a ? Canonical(AuthorityDto.From(a)) : null,
        PagesSet => current.FindPage(id) is { } p ? Canonical(PageDto.From(p)) : null,
        RulesSet => current.Rules.FirstOrDefault(r => r.Id == id) is { } r ? Canonical(RuleDto.From(r)) : null,
        _ => null,
    };

    /// <summary>The entity's JSON form: equal text means equal in every field, lists compared by value.</summary>
    private static string Canonical(object dto) => JsonSerializer.Serialize(dto, dto.GetType(), CatalogDocument.JsonOptions);

    /// <summary>Sorts "territories[2]" before "territories[10]" and "line 9" before "line 10"; other paths last.</summary>
    private static (int Rank, string Prefix, long Number) SourceOrder(string source)
    {
        var match = NumberedSource().Match(source);
        if (!match.Success)
        {
            return (_sourceOrder.Length, source, 0);
        }

        var prefix = match.Groups["prefix"].Value;
        var rank = Array.FindIndex(_sourceOrder, s => prefix.StartsWith(s, StringComparison.Ordinal));
        return (rank < 0 ? _sourceOrder.Length : rank, prefix,
            long.TryParse(match.Groups["n"].ValueSpan, out var n) ? n : 0);
    }

    [GeneratedRegex(@"^(?<prefix>\D*?)(?<n>\d{1,18})\]?$")]
    private static partial Regex NumberedSource();

    [GeneratedRegex(@"(?<kind>authority|territory) '(?<id>[^']*)' does not exist")]
    private static partial Regex MissingReference();

    private sealed class Row(string set, string source, string id, object model, string canonical, List<CatalogError> fieldErrors)
    {
        public string Set { get; } = set;

        public string Source { get; } = source;

        public string Id { get; } = id;

        public object Model { get; } = model;

        public string Canonical { get; } = canonical;

        public List<CatalogError> FieldErrors { get; } = fieldErrors;
    }

    private sealed record Pass(
        Dictionary<Row, List<CatalogError>> RowErrors,
        List<CatalogError> General,
        List<Territory> Territories,
        List<Authority> Authorities,
        List<Page> Pages,
        List<JurisdictionRule> Rules);
}
