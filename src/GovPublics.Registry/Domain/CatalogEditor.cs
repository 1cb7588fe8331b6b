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
        Validate(next, set, id);
        return new CatalogEdit([Upsert(set, id, entity)], entity, []);
    }

    /// <summary>
    /// Archives an entity. Whatever still refers to it blocks the archive, unless <paramref name="reassignTo"/>
    /// (authorities only) names who takes it over: pages, rules and child authorities move in the same commit.
    /// </summary>
    public static CatalogEdit Archive(StoredCatalog current, string set, string id, long expectedVersion, string reassignTo)
    {
        CheckVersion(current, set, id, expectedVersion, "version");
        var doc = current.Document;
        var blockers = set switch
        {
            EntitySets.Territories =>
                doc.Territories.Where(t => t.ParentId == id).Select(t => $"territories/{t.Id}")
                    .Concat(doc.Authorities.Where(a => a.TerritoryId == id).Select(a => $"authorities/{a.Id}"))
                    .Concat(doc.Rules.Where(r => r.TerritoryId == id).Select(r => $"rules/{r.Id}")).ToList(),
            EntitySets.Authorities =>
                doc.Pages.Where(p => p.OwnerAuthorityId == id).Select(p => $"pages/{p.Id}")
                    .Concat(doc.Rules.Where(r => r.AuthorityId == id).Select(r => $"rules/{r.Id}"))
                    .Concat(doc.Authorities.Where(a => a.ParentId == id).Select(a => $"authorities/{a.Id}")).ToList(),
            _ => [],
        };
        if (reassignTo.Length > 0 && set != EntitySets.Authorities)
        {
            throw new ValidationFailedException("reassign_to", "only authorities can hand over what refers to them");
        }

        if (blockers.Count == 0)
        {
            return new CatalogEdit([new CatalogOp(CatalogOp.Archive, set, id, "")], null, []);
        }

        if (reassignTo.Length == 0)
        {
            throw new PreconditionFailedException(
                $"{Singular(set)} '{id}' cannot be archived: {blockers.Count} entit{(blockers.Count == 1 ? "y refers" : "ies refer")} to it"
                + (set == EntitySets.Authorities ? "; name reassign_to, the authority that takes them over" : "; change or archive them first"),
                blockers);
        }

        if (reassignTo == id || doc.Authorities.All(a => a.Id != reassignTo))
        {
            throw new ValidationFailedException("reassign_to", reassignTo == id
                ? "must be another authority than the one archived"
                : $"authority '{reassignTo}' does not exist");
        }

        // Move everything over, then check the result is a valid catalogue (no parent cycle, for one).
        var next = Clone(doc);
        var ops = new List<CatalogOp>();
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

        next.Authorities.RemoveAll(a => a.Id == id);
        Validate(next, "reassign_to", reassignTo);
        ops.Add(new CatalogOp(CatalogOp.Archive, set, id, ""));
        return new CatalogEdit(ops, null, blockers);
    }

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
    private static void Validate(CatalogDocument next, string set, string id)
    {
        try
        {
            next.ToSnapshot(0);
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
        var name = EntitySets.All.Contains(set) ? Field(set, field) : set;
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
