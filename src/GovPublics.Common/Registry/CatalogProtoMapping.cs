using GovPublics.Catalog;
using RegPb = GovPublics.Contracts.Registry.V1;
using CommonPb = GovPublics.Contracts.Common.V1;

namespace GovPublics.Common.Registry;

/// <summary>Maps the catalogue between its plain C# model and the registry's gRPC contract, both ways.</summary>
public static class CatalogProtoMapping
{
    public static CommonPb.Platform ToProto(this Platform p) => (CommonPb.Platform)(int)p;

    public static Platform ToDomain(this CommonPb.Platform p) => (Platform)(int)p;

    public static RegPb.TerritoryKind ToProto(this TerritoryKind k) => (RegPb.TerritoryKind)(int)k;

    public static TerritoryKind ToDomain(this RegPb.TerritoryKind k) => (TerritoryKind)(int)k;

    public static RegPb.Territory ToProto(this Territory t) => new()
    {
        Id = t.Id, Kind = t.Kind.ToProto(), Name = t.Name, ShortName = t.ShortName, ParentId = t.ParentId,
        Aliases = { t.Aliases }, Oktmo = t.Oktmo,
    };

    public static Territory ToDomain(this RegPb.Territory t) =>
        new(t.Id, t.Kind.ToDomain(), t.Name, t.ShortName, t.ParentId, [.. t.Aliases], t.Oktmo);

    public static RegPb.Authority ToProto(this Authority a) => new()
    {
        Id = a.Id, Kind = (RegPb.AuthorityKind)(int)a.Kind, Name = a.Name, ShortName = a.ShortName,
        TerritoryId = a.TerritoryId, ParentId = a.ParentId, TimeZone = a.TimeZone, Calendar = a.Calendar,
        Contacts = new RegPb.Contacts { Website = a.Contacts.Website, Email = a.Contacts.Email, Phone = a.Contacts.Phone },
    };

    public static Authority ToDomain(this RegPb.Authority a) =>
        new(a.Id, (AuthorityKind)(int)a.Kind, a.Name, a.ShortName, a.TerritoryId, a.ParentId, a.TimeZone, a.Calendar,
            a.Contacts is null ? Contacts.None : new Contacts(a.Contacts.Website, a.Contacts.Email, a.Contacts.Phone));

    public static RegPb.Page ToProto(this Page p) => new()
    {
        Id = p.Id, Platform = p.Platform.ToProto(), ExternalId = p.ExternalId, ScreenName = p.ScreenName, Url = p.Url,
        Title = p.Title, Kind = (RegPb.PageKind)(int)p.Kind, OwnerAuthorityId = p.OwnerAuthorityId, Verified = p.Verified,
        CommentsOpen = p.CommentsOpen, Subscribers = p.Subscribers, Status = (RegPb.PageStatus)(int)p.Status, Demo = p.Demo,
        LinkedExternalId = p.LinkedExternalId,
    };

    public static Page ToDomain(this RegPb.Page p) =>
        new(p.Id, p.Platform.ToDomain(), p.ExternalId, p.ScreenName, p.Url, p.Title, (PageKind)(int)p.Kind,
            p.OwnerAuthorityId, p.Verified, p.CommentsOpen, p.Subscribers, (PageStatus)(int)p.Status, p.Demo)
        { LinkedExternalId = p.LinkedExternalId };

    public static RegPb.JurisdictionRule ToProto(this JurisdictionRule r) => new()
    {
        Id = r.Id, Topic = r.Topic, Subtopic = r.Subtopic, TerritoryId = r.TerritoryId,
        TerritoryKind = r.TerritoryKind.ToProto(), AuthorityId = r.AuthorityId,
        TerritoryAdministration = r.TerritoryAdministration, Basis = r.Basis,
    };

    public static JurisdictionRule ToDomain(this RegPb.JurisdictionRule r) =>
        new(r.Id, r.Topic, r.Subtopic, r.TerritoryId, r.TerritoryKind.ToDomain(), r.AuthorityId,
            r.TerritoryAdministration, r.Basis);
}
