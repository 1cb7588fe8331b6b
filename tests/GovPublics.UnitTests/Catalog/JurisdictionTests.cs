using GovPublics.Catalog;

namespace GovPublics.UnitTests.Catalog;

public sealed class JurisdictionTests
{
    private readonly CatalogSnapshot _catalog = SeedCatalog.Snapshot;

    [Theory]
    [InlineData("roads", "potholes", "tolyatti", "adm-tolyatti")]
    [InlineData("improvement", "", "stavropolsky", "adm-stavropolsky")]
    [InlineData("housing_utilities", "water_supply", "samara-kirovsky", "adm-samara-kirovsky")]
    [InlineData("roads", "", "samara", "adm-samara")]
    [InlineData("healthcare", "", "tolyatti", "minzdrav")]
    [InlineData("healthcare", "clinic_access", "samara-kirovsky", "minzdrav")]
    [InlineData("safety", "hazards", "syzran", "adm-syzran")]
    [InlineData("safety", "public_order", "syzran", "gov")]
    public void Municipal_matters_go_to_the_municipality_and_regional_ones_to_the_ministry(
        string topic, string subtopic, string territory, string expected)
    {
        var match = _catalog.ResolveResponsible(topic, subtopic, territory);
        Assert.NotNull(match);
        Assert.Equal(expected, match.Authority.Id);
    }

    [Fact]
    public void A_subtopic_rule_beats_the_municipal_topic_rule()
    {
        var pothole = _catalog.ResolveResponsible("roads", "potholes", "tolyatti")!;
        var regionalRoad = _catalog.ResolveResponsible("roads", "regional_road", "tolyatti")!;
        Assert.Equal("adm-tolyatti", pothole.Authority.Id);
        Assert.NotEqual("adm-tolyatti", regionalRoad.Authority.Id);
        Assert.Equal(AuthorityKind.Ministry, regionalRoad.Authority.Kind);
    }

    [Fact]
    public void Without_a_territory_a_region_wide_rule_answers()
    {
        var match = _catalog.ResolveResponsible("roads", "", null);
        Assert.NotNull(match);
        Assert.Equal("", match.Rule.TerritoryId);
        Assert.Equal(TerritoryKind.Unspecified, match.Rule.TerritoryKind);
    }

    [Fact]
    public void An_exact_territory_rule_beats_a_territory_kind_rule()
    {
        var catalog = Tiny(
            new JurisdictionRule("by-kind", "roads", "", "", TerritoryKind.UrbanOkrug, "", true, ""),
            new JurisdictionRule("exact", "roads", "", "city", TerritoryKind.Unspecified, "dept", false, ""));
        Assert.Equal("dept", catalog.ResolveResponsible("roads", "", "city")!.Authority.Id);
        Assert.Equal("adm-town", catalog.ResolveResponsible("roads", "", "town")!.Authority.Id);
    }

    [Fact]
    public void A_district_without_its_own_rule_inherits_from_its_city()
    {
        var catalog = Tiny(new JurisdictionRule("exact", "roads", "", "city", TerritoryKind.Unspecified, "dept", false, ""));
        var match = catalog.ResolveResponsible("roads", "", "city-north")!;
        Assert.Equal("dept", match.Authority.Id);
        Assert.Equal("city", match.MatchedTerritoryId);
    }

    [Fact]
    public void A_territory_administration_rule_is_skipped_where_there_is_no_administration()
    {
        var catalog = Tiny(
            new JurisdictionRule("kind", "waste", "", "", TerritoryKind.IntraCityDistrict, "", true, ""),
            new JurisdictionRule("region", "waste", "", "", TerritoryKind.Unspecified, "gov", false, ""));
        Assert.Equal("gov", catalog.ResolveResponsible("waste", "", "city-north")!.Authority.Id);
    }

    [Fact]
    public void Memoized_answers_equal_the_first_ones_including_no_answer()
    {
        var catalog = SeedCatalog.Document.ToSnapshot(7);
        var questions = new (string Topic, string? Subtopic, string? Territory)[]
        {
            ("roads", "potholes", "samara-kirovsky"), ("roads", "regional_road", "tolyatti"), ("healthcare", null, null),
            ("no-such-topic", "", "tolyatti"), ("waste", "tko_operator", "atlantis"),
        };
        var first = questions.Select(q => catalog.ResolveResponsible(q.Topic, q.Subtopic, q.Territory)).ToList();
        var again = questions.Select(q => catalog.ResolveResponsible(q.Topic, q.Subtopic, q.Territory)).ToList();
        Assert.Equal(first, again);
        Assert.Null(first[3]);
        Assert.Equal("adm-samara-kirovsky", first[0]!.Authority.Id);
    }

    [Fact]
    public void No_rule_means_no_answer()
    {
        Assert.Null(Tiny().ResolveResponsible("roads", "", "city"));
    }

    [Fact]
    public void The_escalation_chain_climbs_parents_and_ends_at_the_CUR()
    {
        var chain = _catalog.EscalationChain("adm-samara-kirovsky").Select(a => a.Id).ToList();
        Assert.Equal("adm-samara-kirovsky", chain[0]);
        Assert.Equal("adm-samara", chain[1]);
        Assert.Equal(_catalog.Cur!.Id, chain[^1]);
        Assert.Equal(chain.Count, chain.Distinct().Count());
        Assert.Empty(_catalog.EscalationChain("no-such-authority"));
    }

    [Fact]
    public void Pages_are_found_by_platform_and_external_id()
    {
        var page = _catalog.Pages.First(p => p.Platform == Platform.Vk);
        Assert.Equal(page, _catalog.FindPage(Platform.Vk, page.ExternalId));
        Assert.Null(_catalog.FindPage(Platform.Ok, page.ExternalId + "0000"));
    }

    private static CatalogSnapshot Tiny(params JurisdictionRule[] rules)
    {
        Territory T(string id, TerritoryKind kind, string parent) => new(id, kind, id, id, parent, [], "");
        Authority A(string id, AuthorityKind kind, string territory, string parent) =>
            new(id, kind, id, id, territory, parent, "Europe/Samara", "ru", Contacts.None);
        return new CatalogSnapshot(1,
            [T("region", TerritoryKind.Region, ""), T("city", TerritoryKind.UrbanOkrug, "region"),
             T("town", TerritoryKind.UrbanOkrug, "region"), T("city-north", TerritoryKind.IntraCityDistrict, "city")],
            [A("gov", AuthorityKind.Government, "region", ""), A("adm-city", AuthorityKind.Administration, "city", "gov"),
             A("adm-town", AuthorityKind.Administration, "town", "gov"), A("dept", AuthorityKind.Department, "city", "adm-city")],
            [],
            rules);
    }
}
