using System.Text.Json;
using GovPublics.Catalog;
using GovPublics.Registry.Storage;

namespace GovPublics.Registry.Domain;

/// <summary>A page's webhook credentials as stored (never returned by the public read API).</summary>
public sealed record WebhookSecret(string Secret, string Confirmation);

/// <summary>What an edit stores, and the entity as it will be.</summary>
public sealed record CatalogEdit(IReadOnlyList<CatalogOp> Ops, object? Entity, IReadOnlyList<string> Reassigned);

/// <summary>
/// Turns a requested change of the catalogue into the writes that make it, after checking it against the whole
/// catalogue: the entity's own fields, references, uniqueness, parent cycles (all by the catalogue's own
/// validation), optimistic concurrency by entity version, and that nothing still refers to what is archived.
/// Plain C#: the caller commits the writes atomically, on the catalogue version the edit was computed from.
/// </summary>
public static class CatalogEditor
{
    /// <summary>The archive request's field naming the authority created to take the archived one's place.</summary>
    private const string SuccessorField = "successor";

    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    public static CatalogEdit Create<T>(StoredCatalog current, string set, T entity)
        where T : class
    {
        var id = IdOf(entity);
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ValidationFailedException(Field(set, "id"), "is required");
        }

        if (Find(current.Document, set, id) is not null)
        {
            throw new EntityExistsException($"{Singular(set)} '{id}' exists already");
        }

        var next = With(current.Document, set, entity);
        Validate(next, set, id);
        return new CatalogEdit([Upsert(set, id, entity)], entity, []);
    }

    public static CatalogEdit Update<T>(StoredCatalog current, string set, T entity, long expectedVersion)
        where T : class
    {
        var id = IdOf(entity);
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ValidationFailedException(Field(set, "id"), "is required");
        }

        CheckVersion(current, set, id, expectedVersion, Field(set, "version"));
        var next = With(current.Document, set, entity);
        var after = Validate(next, set, id);
        if (set == EntitySets.Authorities)
        {
            KeepRequiredAuthorities(current, after, $"authority '{id}' cannot change its kind or territory",
                "keep it as it is until its successor takes over: archive it with its successor (the new administration, created in the same change), or archive the territory, which takes its administration with it");
        }

        return new CatalogEdit([Upsert(set, id, entity)], entity, []);
    }

    /// <summary>
    /// Archives an entity. Whatever still refers to it blocks the archive, unless <paramref name="reassignTo"/>
    /// names who takes it over: pages, rules and child authorities move in the same commit. For an authority that
    /// is the authority itself; for a territory it is its administration, which goes to the archive with it once
    /// nothing else refers to the territory. The only administration of a territory still in the catalogue is
    /// archived only with <paramref name="successor"/>, the new administration created in the same commit (it takes
    /// over unless <paramref name="reassignTo"/> names another authority).
    /// </summary>
    public static CatalogEdit Archive(
        StoredCatalog current, string set, string id, long expectedVersion, string reassignTo, AuthorityDto? successor = null)
    {
        CheckVersion(current, set, id, expectedVersion, "version");
        if (reassignTo.Length > 0 && set is not (EntitySets.Authorities or EntitySets.Territories))
        {
            throw new ValidationFailedException("reassign_to", "only authorities (and territories, for their administration) can hand over what refers to them");
        }

        if (successor is not null && set != EntitySets.Authorities)
        {
            throw new ValidationFailedException(SuccessorField, "only an authority has a successor");
        }

        return set switch
        {
            EntitySets.Authorities => ArchiveAuthority(current, id, reassignTo, successor),
            EntitySets.Territories => ArchiveTerritory(current, id, reassignTo),
            _ => new CatalogEdit([new CatalogOp(CatalogOp.Archive, set, id, "")], null, []),
        };
    }

    private static CatalogEdit ArchiveAuthority(StoredCatalog current, string id, string reassignTo, AuthorityDto? successor)
    {
        var doc = current.Document;
        var next = Clone(doc);
        var ops = new List<CatalogOp>();
        if (successor is not null)
        {
            if (string.IsNullOrWhiteSpace(successor.Id))
            {
                throw new ValidationFailedException(Field(SuccessorField, "id"), "is required");
            }

            if (Find(doc, EntitySets.Authorities, successor.Id) is not null)
            {
                throw new EntityExistsException($"authority '{successor.Id}' exists already: a successor is created by the archive");
            }

            ops.Add(Upsert(EntitySets.Authorities, successor.Id, successor));
            next.Authorities.Add(JsonSerializer.Deserialize<AuthorityDto>(ops[^1].Json, CatalogDocument.JsonOptions)!); // a copy: edits are retried
            reassignTo = reassignTo.Length == 0 ? successor.Id : reassignTo;
        }

        var blockers = ArchiveHandingOver(doc, next, id, reassignTo, ops, $"authority '{id}' cannot be archived:", "it");
        var after = successor is not null ? Validate(next, SuccessorField, successor.Id)
            : blockers.Count > 0 ? Validate(next, "reassign_to", reassignTo)
            : Validate(next, EntitySets.Authorities, id);
        KeepRequiredAuthorities(current, after, $"authority '{id}' cannot be archived",
            "archive it with its successor (the new administration, created in the same change, which takes over its pages, rules and child authorities), or archive the territory, which takes its administration with it");
        return new CatalogEdit(ops, null, blockers);
    }

    private static CatalogEdit ArchiveTerritory(StoredCatalog current, string id, string reassignTo)
    {
        var doc = current.Document;
        var administrations = doc.Authorities.Where(a => a.TerritoryId == id && IsAdministration(a)).Select(a => a.Id).ToList();
        var blockers = doc.Territories.Where(t => t.ParentId == id).Select(t => $"territories/{t.Id}")
            .Concat(doc.Authorities.Where(a => a.TerritoryId == id).Select(a => $"authorities/{a.Id}"))
            .Concat(doc.Rules.Where(r => r.TerritoryId == id).Select(r => $"rules/{r.Id}")).ToList();
        if (blockers.Count > administrations.Count)
        {
            throw new PreconditionFailedException(
                $"territory '{id}' cannot be archived: {Refer(blockers.Count)} to it; change or archive them first"
                + (administrations.Count > 0 ? " (its administration goes to the archive with it once nothing else refers to it)" : ""),
                blockers);
        }

        if (reassignTo.Length > 0 && administrations.Count == 0)
        {
            throw new ValidationFailedException("reassign_to", $"territory '{id}' has no administration whose pages, rules and child authorities could be handed over");
        }

        // What still refers to the administration must find a new home, as when the administration is archived alone.
        var next = Clone(doc);
        var ops = new List<CatalogOp>();
        var reassigned = new List<string>();
        foreach (var administration in administrations)
        {
            reassigned.AddRange(ArchiveHandingOver(doc, next, administration, reassignTo, ops,
                $"territory '{id}' cannot be archived: its administration '{administration}' goes with it, and", "the administration"));
        }

        next.Territories.RemoveAll(t => t.Id == id);
        ops.Add(new CatalogOp(CatalogOp.Archive, EntitySets.Territories, id, ""));
        Validate(next, reassigned.Count > 0 ? "reassign_to" : EntitySets.Territories, reassigned.Count > 0 ? reassignTo : id);
        return new CatalogEdit(ops, null, reassigned);
    }

    /// <summary>
    /// Archives the authority in <paramref name="next"/>, moving its pages, rules and child authorities to
    /// <paramref name="reassignTo"/>; without one, they block the archive. Answers what was moved.
    /// </summary>
    private static List<string> ArchiveHandingOver(
        CatalogDocument doc, CatalogDocument next, string id, string reassignTo, List<CatalogOp> ops, string refused, string whom)
    {
        var refs = AuthorityBlockers(doc, id);
        if (refs.Count > 0 && reassignTo.Length == 0)
        {
            throw new PreconditionFailedException(
                $"{refused} {Refer(refs.Count)} to {whom}; name reassign_to, the authority that takes them over", refs);
        }

        if (refs.Count > 0)
        {
            HandOver(next, id, reassignTo, ops);
        }

        next.Authorities.RemoveAll(a => a.Id == id);
        ops.Add(new CatalogOp(CatalogOp.Archive, EntitySets.Authorities, id, ""));
        return refs;
    }

    /// <summary>Pages, rules and child authorities that name the authority, as "pages/id" and so on.</summary>
    private static List<string> AuthorityBlockers(CatalogDocument doc, string id) =>
        doc.Pages.Where(p => p.OwnerAuthorityId == id).Select(p => $"pages/{p.Id}")
            .Concat(doc.Rules.Where(r => r.AuthorityId == id).Select(r => $"rules/{r.Id}"))
            .Concat(doc.Authorities.Where(a => a.ParentId == id).Select(a => $"authorities/{a.Id}")).ToList();

    /// <summary>Moves the authority's pages, rules and child authorities in <paramref name="next"/> to <paramref name="reassignTo"/>.</summary>
    private static void HandOver(CatalogDocument next, string id, string reassignTo, List<CatalogOp> ops)
    {
        if (reassignTo == id || next.Authorities.All(a => a.Id != reassignTo))
        {
            throw new ValidationFailedException("reassign_to", reassignTo == id
                ? "must be another authority than the one archived"
                : $"authority '{reassignTo}' does not exist");
        }

        foreach (var page in next.Pages.Where(p => p.OwnerAuthorityId == id))
        {
            page.OwnerAuthorityId = reassignTo;
            ops.Add(Upsert(EntitySets.Pages, page.Id, page));
        }

        foreach (var rule in next.Rules.Where(r => r.AuthorityId == id))
        {
            rule.AuthorityId = reassignTo;
            ops.Add(Upsert(EntitySets.Rules, rule.Id, rule));
        }

        foreach (var child in next.Authorities.Where(a => a.ParentId == id))
        {
            child.ParentId = reassignTo;
            ops.Add(Upsert(EntitySets.Authorities, child.Id, child));
        }
    }

    /// <summary>
    /// Refuses (FAILED_PRECONDITION) a change that leaves the catalogue without its ЦУР, or a territory still in the
    /// catalogue without the administration it had: the "territory administration" rules would then resolve to no
    /// one there.
    /// </summary>
    private static void KeepRequiredAuthorities(StoredCatalog current, CatalogSnapshot after, string refused, string remedy)
    {
        var before = current.Document.ToSnapshot(current.Version);
        if (CatalogValidator.CurLeftOut(before.Authorities, after.Authorities) is { } cur)
        {
            throw new PreconditionFailedException(
                $"{refused}: {CatalogValidator.CurRequired(cur)}. Instead, archive it with its successor (a new authority of kind cur, created in the same change, which takes over what refers to it)",
                [$"authorities/{cur.Id}"]);
        }

        var left = CatalogValidator.TerritoriesLeftWithoutAdministration(before.Authorities, after.Territories, after.Authorities, after.Rules);
        if (left.Count > 0)
        {
            throw new PreconditionFailedException(
                $"{refused}: {string.Join("; ", left.Select(l => l.Describe()))}. Instead, {remedy}",
                [.. left.SelectMany(l => l.RuleIds.Select(r => $"rules/{r}").Prepend($"territories/{l.Territory.Id}"))]);
        }
    }

    private static bool IsAdministration(AuthorityDto authority) =>
        EnumText.TryParse<AuthorityKind>(authority.Kind, out var kind) && kind is AuthorityKind.Administration or AuthorityKind.DistrictAdministration;

    private static string Refer(int count) => $"{count} entit{(count == 1 ? "y refers" : "ies refer")}";

    /// <summary>
    /// Sets or removes a page's webhook credentials: the secret (1 to 256 of A-Z a-z 0-9 _ -, as Telegram requires
    /// of its secret token) and, for VK, the confirmation string. Both empty removes them.
    /// </summary>
    public static CatalogEdit SetSecret(StoredCatalog current, string pageId, long expectedVersion, string secret, string confirmation)
    {
        var v = new Validator();
        if (secret.Length > 256 || secret.Any(c => !SecretAlphabet.Contains(c, StringComparison.Ordinal)))
        {
            v.Add("secret", "must be 1 to 256 characters of A-Z a-z 0-9 _ - (empty removes it)");
        }

        if (confirmation.Length > 64 || confirmation.Any(char.IsWhiteSpace))
        {
            v.Add("confirmation_code", "must be at most 64 characters without spaces");
        }

        v.ThrowIfInvalid();
        CheckVersion(current, EntitySets.Pages, pageId, expectedVersion, "version");
        var page = current.Document.Pages.Single(p => p.Id == pageId);
        var credentials = secret.Length == 0 && confirmation.Length == 0 ? "" : JsonSerializer.Serialize(new WebhookSecret(secret, confirmation), CatalogDocument.JsonOptions);
        return new CatalogEdit([new CatalogOp(CatalogOp.SetSecret, EntitySets.Pages, pageId, Json(page), credentials)], page, []);
    }

    /// <summary>
    /// Checks that the change was made on the stored version of the entity. A missing version (0: the field left
    /// out) is the caller's mistake, not a conflict: INVALID_ARGUMENT on <paramref name="versionField"/>, not
    /// ABORTED "changed by someone else", which would send the caller round a read-and-redo loop that cannot end.
    /// </summary>
    private static void CheckVersion(StoredCatalog current, string set, string id, long expectedVersion, string versionField)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ValidationFailedException("id", "is required");
        }

        if (expectedVersion <= 0)
        {
            throw new ValidationFailedException(versionField,
                $"is required: the version the {Singular(set)} was read at (every read and write of it answers its current version)");
        }

        if (Find(current.Document, set, id) is null)
        {
            throw new EntityNotFoundException(Singular(set), id);
        }

        var stored = current.EntityVersions.GetValueOrDefault($"{set}:{id}");
        if (expectedVersion != stored)
        {
            throw new ConcurrencyConflictException(Singular(set), id, expectedVersion, stored);
        }
    }

    /// <summary>Validates the whole next catalogue; problems become field violations of the edited entity.</summary>
    private static CatalogSnapshot Validate(CatalogDocument next, string set, string id)
    {
        try
        {
            return next.ToSnapshot(0);
        }
        catch (CatalogValidationException ex)
        {
            var duplicate = ex.Errors.FirstOrDefault(e => e.Message.StartsWith("platform + external_id", StringComparison.Ordinal)
                || e.Message.StartsWith("topic + subtopic + territory", StringComparison.Ordinal));
            if (duplicate is not null && (duplicate.Message.Contains(id, StringComparison.Ordinal) || duplicate.EntityId == id))
            {
                throw new EntityExistsException(duplicate.Message);
            }

            throw new ValidationFailedException([.. ex.Errors.Select(e => ToViolation(e, set, id))]);
        }
    }

    private static FieldViolation ToViolation(CatalogError error, string set, string id)
    {
        var colon = error.Message.IndexOf(':', StringComparison.Ordinal);
        var field = colon > 0 ? error.Message[..colon].Split([' ', '+'], StringSplitOptions.RemoveEmptyEntries)[^1] : "";
        var description = colon > 0 ? error.Message[(colon + 1)..].Trim() : error.Message;
        var name = EntitySets.All.Contains(set) || set == SuccessorField ? Field(set, field) : set;
        var where = error.EntityId == id || error.EntityId.Length == 0 ? "" : $" (on {error.Path} '{error.EntityId}')";
        return new FieldViolation(name, description + where);
    }

    private static string Field(string set, string field) => set switch
    {
        EntitySets.Territories => "territory",
        EntitySets.Authorities => "authority",
        EntitySets.Pages => "page",
        EntitySets.Rules => "rule",
        _ => set,
    } + (field.Length > 0 ? "." + field : "");

    private static string Singular(string set) => set switch
    {
        EntitySets.Territories => "territory",
        EntitySets.Authorities => "authority",
        EntitySets.Pages => "page",
        EntitySets.Rules => "jurisdiction rule",
        _ => set,
    };

    private static CatalogOp Upsert(string set, string id, object entity) => new(CatalogOp.Upsert, set, id, Json(entity));

    private static string Json(object entity) => JsonSerializer.Serialize(entity, entity.GetType(), CatalogDocument.JsonOptions);

    private static string IdOf(object entity) => entity switch
    {
        TerritoryDto t => t.Id,
        AuthorityDto a => a.Id,
        PageDto p => p.Id,
        RuleDto r => r.Id,
        _ => throw new ArgumentException($"Not a catalogue entity: {entity.GetType().Name}", nameof(entity)),
    };

    private static object? Find(CatalogDocument doc, string set, string id) => set switch
    {
        EntitySets.Territories => doc.Territories.FirstOrDefault(t => t.Id == id),
        EntitySets.Authorities => doc.Authorities.FirstOrDefault(a => a.Id == id),
        EntitySets.Pages => doc.Pages.FirstOrDefault(p => p.Id == id),
        EntitySets.Rules => doc.Rules.FirstOrDefault(r => r.Id == id),
        _ => throw new ArgumentException($"Unknown entity set '{set}'", nameof(set)),
    };

    /// <summary>The document with the entity added or replaced (by id).</summary>
    private static CatalogDocument With(CatalogDocument doc, string set, object entity)
    {
        var next = Clone(doc);
        switch (entity)
        {
            case TerritoryDto t:
                next.Territories.RemoveAll(x => x.Id == t.Id);
                next.Territories.Add(t);
                break;
            case AuthorityDto a:
                next.Authorities.RemoveAll(x => x.Id == a.Id);
                next.Authorities.Add(a);
                break;
            case PageDto p:
                next.Pages.RemoveAll(x => x.Id == p.Id);
                next.Pages.Add(p);
                break;
            case RuleDto r:
                next.Rules.RemoveAll(x => x.Id == r.Id);
                next.Rules.Add(r);
                break;
            default:
                throw new ArgumentException($"Not a catalogue entity of {set}", nameof(entity));
        }

        return next;
    }

    private static CatalogDocument Clone(CatalogDocument doc) =>
        JsonSerializer.Deserialize<CatalogDocument>(JsonSerializer.Serialize(doc, CatalogDocument.JsonOptions), CatalogDocument.JsonOptions)!;
}
