using System.Text.Json;
using System.Text.Json.Serialization;

namespace GovPublics.Catalog;

/// <summary>
/// The catalogue as a JSON document: the registry's seed file and its import/export format. Enumerations are
/// lower snake_case strings ("urban_okrug", "head_personal"), empty meaning unspecified.
/// </summary>
public sealed class CatalogDocument
{
    public int Version { get; set; } = 1;

    public string RegionCode { get; set; } = "";

    public List<TerritoryDto> Territories { get; set; } = [];

    public List<AuthorityDto> Authorities { get; set; } = [];

    public List<PageDto> Pages { get; set; } = [];

    public List<RuleDto> Rules { get; set; } = [];

    /// <summary>Options that read and write the document's snake_case JSON.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static CatalogDocument Parse(string json) =>
        JsonSerializer.Deserialize<CatalogDocument>(json, JsonOptions)
        ?? throw new CatalogValidationException([new CatalogError("$", "", "the document is empty")]);

    public static async Task<CatalogDocument> LoadAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<CatalogDocument>(stream, JsonOptions, cancellationToken)
            ?? throw new CatalogValidationException([new CatalogError(path, "", "the document is empty")]);
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>
    /// Checks the whole document (every field of every entity, unique ids, unique platform + external id,
    /// references, parent cycles) and builds the snapshot. Throws <see cref="CatalogValidationException"/> listing
    /// every error found, not only the first.
    /// </summary>
    public CatalogSnapshot ToSnapshot(long version, string commitId = "")
    {
        var errors = new List<CatalogError>();
        var territories = Territories.Select((t, i) => t.ToModel($"territories[{i}]", errors)).ToList();
        var authorities = Authorities.Select((a, i) => a.ToModel($"authorities[{i}]", errors)).ToList();
        var pages = Pages.Select((p, i) => p.ToModel($"pages[{i}]", errors)).ToList();
        var rules = Rules.Select((r, i) => r.ToModel($"rules[{i}]", errors)).ToList();
        CatalogValidator.CheckReferences(territories, authorities, pages, rules, errors);
        if (errors.Count > 0)
        {
            throw new CatalogValidationException(errors);
        }

        return new CatalogSnapshot(version, territories, authorities, pages, rules, commitId);
    }

    /// <summary>The document form of a snapshot (the export format).</summary>
    public static CatalogDocument FromSnapshot(CatalogSnapshot snapshot, string regionCode) => new()
    {
        RegionCode = regionCode,
        Territories = [.. snapshot.Territories.Select(TerritoryDto.From)],
        Authorities = [.. snapshot.Authorities.Select(AuthorityDto.From)],
        Pages = [.. snapshot.Pages.Select(PageDto.From)],
        Rules = [.. snapshot.Rules.Select(RuleDto.From)],
    };
}

public sealed class TerritoryDto
{
    public string Id { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
    public string ShortName { get; set; } = "";
    public string ParentId { get; set; } = "";
    public List<string> Aliases { get; set; } = [];
    public string Oktmo { get; set; } = "";

    internal Territory ToModel(string path, List<CatalogError> errors)
    {
        CatalogValidator.RequireId(path, Id, errors);
        CatalogValidator.Require(path, Id, "name", Name, errors);
        var kind = EnumText.Parse<TerritoryKind>(path, Id, "kind", Kind, required: true, errors);
        return new Territory(Id, kind, Name.Trim(), string.IsNullOrWhiteSpace(ShortName) ? Name.Trim() : ShortName.Trim(),
            ParentId ?? "", [.. (Aliases ?? []).Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim())], Oktmo ?? "");
    }

    internal static TerritoryDto From(Territory t) => new()
    {
        Id = t.Id, Kind = EnumText.Format(t.Kind), Name = t.Name, ShortName = t.ShortName, ParentId = t.ParentId,
        Aliases = [.. t.Aliases], Oktmo = t.Oktmo,
    };
}

public sealed class ContactsDto
{
    public string Website { get; set; } = "";
    public string Email { get; set; } = "";
    public string Phone { get; set; } = "";
}

public sealed class AuthorityDto
{
    public string Id { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Name { get; set; } = "";
    public string ShortName { get; set; } = "";
    public string TerritoryId { get; set; } = "";
    public string ParentId { get; set; } = "";
    public string TimeZone { get; set; } = "Europe/Samara";
    public string Calendar { get; set; } = "ru";
    public ContactsDto? Contacts { get; set; }

    internal Authority ToModel(string path, List<CatalogError> errors)
    {
        CatalogValidator.RequireId(path, Id, errors);
        CatalogValidator.Require(path, Id, "name", Name, errors);
        CatalogValidator.Require(path, Id, "territory_id", TerritoryId, errors);
        var kind = EnumText.Parse<AuthorityKind>(path, Id, "kind", Kind, required: true, errors);
        var zone = string.IsNullOrWhiteSpace(TimeZone) ? "Europe/Samara" : TimeZone.Trim();
        if (!System.TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors.Add(new CatalogError(path, Id, $"time_zone: '{zone}' is not a known IANA time zone"));
        }

        var c = Contacts ?? new ContactsDto();
        return new Authority(Id, kind, Name.Trim(), string.IsNullOrWhiteSpace(ShortName) ? Name.Trim() : ShortName.Trim(),
            TerritoryId ?? "", ParentId ?? "", zone, string.IsNullOrWhiteSpace(Calendar) ? "ru" : Calendar.Trim(),
            new Contacts(c.Website ?? "", c.Email ?? "", c.Phone ?? ""));
    }

    internal static AuthorityDto From(Authority a) => new()
    {
        Id = a.Id, Kind = EnumText.Format(a.Kind), Name = a.Name, ShortName = a.ShortName, TerritoryId = a.TerritoryId,
        ParentId = a.ParentId, TimeZone = a.TimeZone, Calendar = a.Calendar,
        Contacts = new ContactsDto { Website = a.Contacts.Website, Email = a.Contacts.Email, Phone = a.Contacts.Phone },
    };
}

public sealed class PageDto
{
    public string Id { get; set; } = "";
    public string Platform { get; set; } = "";
    public string ExternalId { get; set; } = "";
    public string ScreenName { get; set; } = "";
    public string Url { get; set; } = "";
    public string Title { get; set; } = "";
    public string Kind { get; set; } = "";
    public string OwnerAuthorityId { get; set; } = "";
    public bool Verified { get; set; }
    public bool CommentsOpen { get; set; } = true;
    public long Subscribers { get; set; }
    public string Status { get; set; } = "active";
    public bool Demo { get; set; }

    /// <summary>Telegram discussion groups only: the id of the linked channel (see <see cref="Page.LinkedExternalId"/>).</summary>
    public string LinkedExternalId { get; set; } = "";

    internal Page ToModel(string path, List<CatalogError> errors)
    {
        CatalogValidator.RequireId(path, Id, errors);
        CatalogValidator.Require(path, Id, "external_id", ExternalId, errors);
        CatalogValidator.Require(path, Id, "owner_authority_id", OwnerAuthorityId, errors);
        var platform = EnumText.Parse<Platform>(path, Id, "platform", Platform, required: true, errors);
        var kind = EnumText.Parse<PageKind>(path, Id, "kind", Kind, required: true, errors);
        var status = EnumText.Parse<PageStatus>(path, Id, "status", Status, required: false, errors);
        if (Subscribers < 0)
        {
            errors.Add(new CatalogError(path, Id, "subscribers: must not be negative"));
        }

        var linked = (LinkedExternalId ?? "").Trim();
        if (linked.Length > 0)
        {
            if (platform != Catalog.Platform.Telegram)
            {
                errors.Add(new CatalogError(path, Id, "linked_external_id: only a Telegram discussion group has a linked channel"));
            }
            else if (!long.TryParse(linked, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                errors.Add(new CatalogError(path, Id, $"linked_external_id: '{linked}' is not a Telegram chat id (a number such as -1001234567890)"));
            }
            else if (linked == (ExternalId ?? "").Trim())
            {
                errors.Add(new CatalogError(path, Id, "linked_external_id: must be the channel's id, not the group's own"));
            }
        }

        return new Page(Id, platform, (ExternalId ?? "").Trim(), ScreenName ?? "", Url ?? "", Title ?? "", kind,
            OwnerAuthorityId ?? "", Verified, CommentsOpen, Subscribers,
            status == PageStatus.Unspecified ? PageStatus.Active : status, Demo) { LinkedExternalId = linked };
    }

    internal static PageDto From(Page p) => new()
    {
        Id = p.Id, Platform = EnumText.Format(p.Platform), ExternalId = p.ExternalId, ScreenName = p.ScreenName,
        Url = p.Url, Title = p.Title, Kind = EnumText.Format(p.Kind), OwnerAuthorityId = p.OwnerAuthorityId,
        Verified = p.Verified, CommentsOpen = p.CommentsOpen, Subscribers = p.Subscribers,
        Status = EnumText.Format(p.Status), Demo = p.Demo, LinkedExternalId = p.LinkedExternalId,
    };
}

public sealed class RuleDto
{
    public string Id { get; set; } = "";
    public string Topic { get; set; } = "";
    public string Subtopic { get; set; } = "";
    public string TerritoryId { get; set; } = "";
    public string TerritoryKind { get; set; } = "";
    public string AuthorityId { get; set; } = "";
    public bool TerritoryAdministration { get; set; }
    public string Basis { get; set; } = "";

    internal JurisdictionRule ToModel(string path, List<CatalogError> errors)
    {
        CatalogValidator.RequireId(path, Id, errors);
        CatalogValidator.Require(path, Id, "topic", Topic, errors);
        var kind = EnumText.Parse<TerritoryKind>(path, Id, "territory_kind", TerritoryKind, required: false, errors);
        if (!string.IsNullOrEmpty(TerritoryId) && kind != Catalog.TerritoryKind.Unspecified)
        {
            errors.Add(new CatalogError(path, Id, "territory_id and territory_kind: give one or neither, not both"));
        }

        if (TerritoryAdministration == !string.IsNullOrEmpty(AuthorityId))
        {
            errors.Add(new CatalogError(path, Id,
                "authority_id and territory_administration: give exactly one (an authority, or the territory's own administration)"));
        }

        return new JurisdictionRule(Id, (Topic ?? "").Trim(), (Subtopic ?? "").Trim(), TerritoryId ?? "", kind,
            AuthorityId ?? "", TerritoryAdministration, Basis ?? "");
    }

    internal static RuleDto From(JurisdictionRule r) => new()
    {
        Id = r.Id, Topic = r.Topic, Subtopic = r.Subtopic, TerritoryId = r.TerritoryId,
        TerritoryKind = EnumText.Format(r.TerritoryKind), AuthorityId = r.AuthorityId,
        TerritoryAdministration = r.TerritoryAdministration, Basis = r.Basis,
    };
}
