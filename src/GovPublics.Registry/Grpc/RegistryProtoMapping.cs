using GovPublics.Catalog;
using GovPublics.Registry.Storage;
using RegPb = GovPublics.Contracts.Registry.V1;

namespace GovPublics.Registry.Grpc;

/// <summary>The registry's requests to the catalogue document form, and stored entities to protos with versions.</summary>
internal static class RegistryProtoMapping
{
    public static TerritoryDto ToDto(this RegPb.Territory t) => new()
    {
        Id = t.Id.Trim(), Kind = EnumText.Format((TerritoryKind)(int)t.Kind), Name = t.Name, ShortName = t.ShortName,
        ParentId = t.ParentId.Trim(), Aliases = [.. t.Aliases], Oktmo = t.Oktmo,
    };

    public static AuthorityDto ToDto(this RegPb.Authority a) => new()
    {
        Id = a.Id.Trim(), Kind = EnumText.Format((AuthorityKind)(int)a.Kind), Name = a.Name, ShortName = a.ShortName,
        TerritoryId = a.TerritoryId.Trim(), ParentId = a.ParentId.Trim(), TimeZone = a.TimeZone, Calendar = a.Calendar,
        Contacts = a.Contacts is null ? null : new ContactsDto { Website = a.Contacts.Website, Email = a.Contacts.Email, Phone = a.Contacts.Phone },
    };

    public static PageDto ToDto(this RegPb.Page p) => new()
    {
        Id = p.Id.Trim(), Platform = EnumText.Format((Platform)(int)p.Platform), ExternalId = p.ExternalId.Trim(),
        ScreenName = p.ScreenName, Url = p.Url, Title = p.Title, Kind = EnumText.Format((PageKind)(int)p.Kind),
        OwnerAuthorityId = p.OwnerAuthorityId.Trim(), Verified = p.Verified, CommentsOpen = p.CommentsOpen,
        Subscribers = p.Subscribers, Status = EnumText.Format((PageStatus)(int)p.Status), Demo = p.Demo,
        LinkedExternalId = p.LinkedExternalId.Trim(),
    };

    public static RuleDto ToDto(this RegPb.JurisdictionRule r) => new()
    {
        Id = r.Id.Trim(), Topic = r.Topic, Subtopic = r.Subtopic, TerritoryId = r.TerritoryId.Trim(),
        TerritoryKind = EnumText.Format((TerritoryKind)(int)r.TerritoryKind), AuthorityId = r.AuthorityId.Trim(),
        TerritoryAdministration = r.TerritoryAdministration, Basis = r.Basis,
    };

    public static RegPb.Territory ToProto(this TerritoryDto t) => new()
    {
        Id = t.Id, Kind = (RegPb.TerritoryKind)(int)Parse<TerritoryKind>(t.Kind), Name = t.Name, ShortName = t.ShortName,
        ParentId = t.ParentId, Aliases = { t.Aliases }, Oktmo = t.Oktmo,
    };

    public static RegPb.Authority ToProto(this AuthorityDto a) => new()
    {
        Id = a.Id, Kind = (RegPb.AuthorityKind)(int)Parse<AuthorityKind>(a.Kind), Name = a.Name, ShortName = a.ShortName,
        TerritoryId = a.TerritoryId, ParentId = a.ParentId, TimeZone = a.TimeZone, Calendar = a.Calendar,
        Contacts = new RegPb.Contacts { Website = a.Contacts?.Website ?? "", Email = a.Contacts?.Email ?? "", Phone = a.Contacts?.Phone ?? "" },
    };

    public static RegPb.Page ToProto(this PageDto p) => new()
    {
        Id = p.Id, Platform = (Contracts.Common.V1.Platform)(int)Parse<Platform>(p.Platform), ExternalId = p.ExternalId,
        ScreenName = p.ScreenName, Url = p.Url, Title = p.Title, Kind = (RegPb.PageKind)(int)Parse<PageKind>(p.Kind),
        OwnerAuthorityId = p.OwnerAuthorityId, Verified = p.Verified, CommentsOpen = p.CommentsOpen, Subscribers = p.Subscribers,
        Status = Parse<PageStatus>(p.Status) is var s && s == PageStatus.Unspecified ? RegPb.PageStatus.Active : (RegPb.PageStatus)(int)s,
        Demo = p.Demo, LinkedExternalId = p.LinkedExternalId,
    };

    public static RegPb.JurisdictionRule ToProto(this RuleDto r) => new()
    {
        Id = r.Id, Topic = r.Topic, Subtopic = r.Subtopic, TerritoryId = r.TerritoryId,
        TerritoryKind = (RegPb.TerritoryKind)(int)Parse<TerritoryKind>(r.TerritoryKind), AuthorityId = r.AuthorityId,
        TerritoryAdministration = r.TerritoryAdministration, Basis = r.Basis,
    };

    private static T Parse<T>(string text)
        where T : struct, Enum => EnumText.TryParse<T>(text, out var value) ? value : default;

    public static long VersionOf(this StoredCatalog stored, string set, string id) =>
        stored.EntityVersions.GetValueOrDefault($"{set}:{id}");
}
