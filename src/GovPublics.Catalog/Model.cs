namespace GovPublics.Catalog;

/// <summary>Social-media platforms on which official pages live.</summary>
public enum Platform
{
    Unspecified = 0,
    Vk = 1,
    Ok = 2,
    Telegram = 3,
}

/// <summary>Kinds of territory, from the region down.</summary>
public enum TerritoryKind
{
    Unspecified = 0,
    Region = 1,
    UrbanOkrug = 2,
    MunicipalDistrict = 3,
    IntraCityDistrict = 4,
}

/// <summary>Kinds of authority.</summary>
public enum AuthorityKind
{
    Unspecified = 0,
    Government = 1,
    Ministry = 2,
    Administration = 3,
    DistrictAdministration = 4,
    Department = 5,
    Cur = 6,
}

/// <summary>Kinds of official page.</summary>
public enum PageKind
{
    Unspecified = 0,
    Authority = 1,
    HeadPersonal = 2,
    Department = 3,
}

/// <summary>Whether a page is in use.</summary>
public enum PageStatus
{
    Unspecified = 0,
    Active = 1,
    Archived = 2,
}

/// <summary>A territory with the names citizens use for it.</summary>
public sealed record Territory(
    string Id,
    TerritoryKind Kind,
    string Name,
    string ShortName,
    string ParentId,
    IReadOnlyList<string> Aliases,
    string Oktmo)
{
    /// <summary>True for urban okrugs and municipal districts: the 37 municipalities of the region.</summary>
    public bool IsMunicipality => Kind is TerritoryKind.UrbanOkrug or TerritoryKind.MunicipalDistrict;
}

/// <summary>Public contacts of an authority.</summary>
public sealed record Contacts(string Website, string Email, string Phone)
{
    public static readonly Contacts None = new("", "", "");
}

/// <summary>A body that owns pages and answers incidents.</summary>
public sealed record Authority(
    string Id,
    AuthorityKind Kind,
    string Name,
    string ShortName,
    string TerritoryId,
    string ParentId,
    string TimeZone,
    string Calendar,
    Contacts Contacts);

/// <summary>An official page on a platform.</summary>
public sealed record Page(
    string Id,
    Platform Platform,
    string ExternalId,
    string ScreenName,
    string Url,
    string Title,
    PageKind Kind,
    string OwnerAuthorityId,
    bool Verified,
    bool CommentsOpen,
    long Subscribers,
    PageStatus Status,
    bool Demo)
{
    /// <summary>
    /// Telegram discussion groups: the id of the channel the group is linked to (where the page posts). A message
    /// sent in the group on behalf of that channel is the page's official answer. Empty for every other page.
    /// </summary>
    public string LinkedExternalId { get; init; } = "";
}

/// <summary>Topic (and optional subtopic) on a territory or territory kind → the responsible authority.</summary>
public sealed record JurisdictionRule(
    string Id,
    string Topic,
    string Subtopic,
    string TerritoryId,
    TerritoryKind TerritoryKind,
    string AuthorityId,
    bool TerritoryAdministration,
    string Basis);
