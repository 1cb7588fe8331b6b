using GovPublics.Catalog;

namespace GovPublics.UnitTests.Catalog;

public sealed class CatalogDocumentTests
{
    [Fact]
    public void Export_and_import_round_trip_the_whole_catalogue()
    {
        var original = SeedCatalog.Snapshot;
        var json = CatalogDocument.FromSnapshot(original, "63").ToJson();
        var copy = CatalogDocument.Parse(json).ToSnapshot(2);
        Assert.Equal(original.Territories.Count, copy.Territories.Count);
        Assert.Equal(original.Pages, copy.Pages);
        Assert.Equal(original.Rules, copy.Rules);
        Assert.Equal(original.Authorities, copy.Authorities);
        Assert.Equal(json, CatalogDocument.FromSnapshot(copy, "63").ToJson());
    }

    [Fact]
    public void Every_error_is_reported_with_its_place_not_only_the_first()
    {
        var doc = SeedCatalog.Document;
        doc.Territories[1].Kind = "city";
        doc.Authorities[0].TerritoryId = "atlantis";
        doc.Pages[1].ExternalId = doc.Pages[0].ExternalId;
        doc.Pages[1].Platform = doc.Pages[0].Platform;
        doc.Rules[0].AuthorityId = "nobody";
        doc.Rules[0].TerritoryAdministration = false;

        var ex = Assert.Throws<CatalogValidationException>(() => doc.ToSnapshot(1));
        Assert.Contains(ex.Errors, e => e.Path == "territories[1]" && e.Message.StartsWith("kind: 'city' is not one of", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.EntityId == doc.Authorities[0].Id && e.Message.Contains("atlantis", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Message.StartsWith("platform + external_id", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.EntityId == doc.Rules[0].Id && e.Message.Contains("nobody", StringComparison.Ordinal));
    }

    [Fact]
    public void A_parent_cycle_is_refused()
    {
        var doc = SeedCatalog.Document;
        var a = doc.Authorities.First(x => x.Id == "adm-samara");
        var child = doc.Authorities.First(x => x.ParentId == "adm-samara");
        a.ParentId = child.Id;
        var ex = Assert.Throws<CatalogValidationException>(() => doc.ToSnapshot(1));
        Assert.Contains(ex.Errors, e => e.Path == "authorities" && e.Message.Contains("loops back", StringComparison.Ordinal));
    }

    [Fact]
    public void A_rule_must_name_an_authority_or_the_territory_administration_but_not_both()
    {
        var doc = SeedCatalog.Document;
        doc.Rules[0].AuthorityId = "gov";
        doc.Rules[0].TerritoryAdministration = true;
        var ex = Assert.Throws<CatalogValidationException>(() => doc.ToSnapshot(1));
        Assert.Contains(ex.Errors, e => e.EntityId == doc.Rules[0].Id && e.Message.StartsWith("authority_id and territory_administration", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_time_zones_are_refused()
    {
        var doc = SeedCatalog.Document;
        doc.Authorities[0].TimeZone = "Mars/Olympus";
        var ex = Assert.Throws<CatalogValidationException>(() => doc.ToSnapshot(1));
        Assert.Contains(ex.Errors, e => e.Message.Contains("Mars/Olympus", StringComparison.Ordinal));
    }

    [Fact]
    public void Repeated_ids_are_reported_not_thrown()
    {
        var doc = SeedCatalog.Document;
        doc.Authorities.Add(doc.Authorities[0]);
        var ex = Assert.Throws<CatalogValidationException>(() => doc.ToSnapshot(1));
        Assert.Contains(ex.Errors, e => e.EntityId == doc.Authorities[0].Id && e.Message == "id: used more than once");
    }
}
