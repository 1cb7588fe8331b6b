using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Routing.Domain.Moderation;
using GovPublics.UnitTests.Catalog;

namespace GovPublics.UnitTests.Routing.Moderation;

public sealed class DecisionReviserTests
{
    private static readonly RevisionAuthor _moderator = new(DecisionSource.Moderation, "ivanova", "это региональная трасса", ModerationTestData.Now);
    private static readonly RevisionAuthor _executor = new(DecisionSource.Reroute, "petrov", "не наш участок", ModerationTestData.Now);

    private static RoutedDecision Revise(RoutedDecision current, DecisionChange change, RevisionAuthor? author = null, CatalogSnapshot? catalog = null) =>
        DecisionReviser.Revise(current, change, author ?? _moderator, RoutingTestData.Knowledge.Topics, catalog ?? SeedCatalog.Snapshot);

    private static DecisionChange Moderation(string topic, string subtopic = "", bool urgent = false, string? territory = null, string? authority = null) => new()
    {
        IsIncident = true, Topic = topic, Subtopic = subtopic, Urgent = urgent, TerritoryId = territory, AuthorityId = authority,
        AlwaysResolveAuthority = true,
    };

    private static IReadOnlyList<string> Fields(ValidationFailedException ex) => [.. ex.Violations.Select(v => v.Field)];

    [Fact]
    public void A_moderation_decision_resolves_the_authority_by_the_rules_and_records_who_and_why()
    {
        var current = ModerationTestData.Roads(0.3);
        var next = Revise(current, Moderation("roads", "regional_road"));

        Assert.Equal(("roads", "regional_road", "mintrans"), (next.Category, next.Subcategory, next.ResponsibleAuthorityId));
        Assert.Equal("Министерство транспорта и автомобильных дорог Самарской области", next.ResponsibleAuthorityName);
        Assert.Equal("roads-regional-road-urban-okrug", next.RuleId);
        Assert.Equal(("tolyatti", "г.о. Тольятти"), (next.MunicipalityId, next.MunicipalityName));
        Assert.Equal(1, next.Revision);
        Assert.Equal(1, next.Confidence);
        Assert.False(next.NeedsModeration);
        Assert.Equal(new RerouteInfo("это региональная трасса", "ivanova", "adm-tolyatti", "roads"), next.Reroute);
        Assert.Equal(ModerationTestData.Now, next.DecidedAt);
        Assert.Contains(next.Evidence, e => e.Kind == DecisionReviser.ModerationEvidence && e.Detail == "ivanova: это региональная трасса");
        Assert.Contains(next.Evidence, e => e.Kind == "rule" && e.Detail.StartsWith("roads-regional-road-urban-okrug", StringComparison.Ordinal));
        Assert.StartsWith("decided by moderator ivanova: это региональная трасса.", next.Explanation, StringComparison.Ordinal);
        Assert.Contains("Was: roads/potholes → Администрация г.о. Тольятти", next.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_subtopic_takes_the_topics_default()
    {
        var next = Revise(ModerationTestData.Roads(), Moderation("housing_utilities"));
        Assert.Equal(("housing_utilities", "building_management", "adm-tolyatti"), (next.Category, next.Subcategory, next.ResponsibleAuthorityId));
    }

    [Fact]
    public void A_district_brings_its_municipality_and_its_administration_and_the_region_clears_the_place()
    {
        var district = Revise(ModerationTestData.Roads(), Moderation("roads", "potholes", territory: "samara-kirovsky"));
        Assert.Equal(("samara", "samara-kirovsky"), (district.MunicipalityId, district.DistrictId));
        Assert.Equal("Кировский внутригородской район", district.DistrictName);
        Assert.Equal("adm-samara-kirovsky", district.ResponsibleAuthorityId);

        var region = Revise(district with { Revision = 1 }, Moderation("roads", "potholes", territory: "samara-oblast"));
        Assert.Equal(("", "", ""), (region.MunicipalityId, region.DistrictId, region.DistrictName));
        Assert.Equal("mintrans", region.ResponsibleAuthorityId);
        Assert.Equal(2, region.Revision);
    }

    [Fact]
    public void A_named_authority_beats_the_rules()
    {
        var next = Revise(ModerationTestData.Roads(), Moderation("roads", "potholes", urgent: true, authority: "gov"));
        Assert.Equal(("gov", "", true), (next.ResponsibleAuthorityId, next.RuleId, next.Urgent));
        Assert.Contains("named by ivanova", next.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_unknown_code_is_named_at_once()
    {
        var ex = Assert.Throws<ValidationFailedException>(() => Revise(ModerationTestData.Roads(), Moderation("potholes", territory: "atlantis", authority: "nobody")));
        Assert.Equal(["topic", "territory_id", "responsible_authority_id"], Fields(ex));
        Assert.Contains("unknown topic 'potholes'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown territory 'atlantis'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown authority 'nobody'", ex.Message, StringComparison.Ordinal);

        var subtopic = Assert.Throws<ValidationFailedException>(() => Revise(ModerationTestData.Roads(), Moderation("roads", "heating")));
        Assert.Equal(["subtopic"], Fields(subtopic));
        Assert.Contains("unknown subtopic 'heating' of topic 'roads'", subtopic.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<ValidationFailedException>(() => Revise(ModerationTestData.Roads(), Moderation("")));
        Assert.Equal(["topic"], Fields(missing));
    }

    [Fact]
    public void Without_a_rule_the_authority_must_be_named()
    {
        var tiny = RoutingTestData.TinyCatalog();
        var current = ModerationTestData.Roads() with { MunicipalityId = "gorodok", ResponsibleAuthorityId = "adm-gorodok" };
        var ex = Assert.Throws<ValidationFailedException>(() => Revise(current, Moderation("healthcare"), catalog: tiny));
        Assert.Equal(["responsible_authority_id"], Fields(ex));
        Assert.Contains("no jurisdiction rule names an authority for healthcare/clinic_access", ex.Message, StringComparison.Ordinal);

        var named = Revise(current, Moderation("healthcare", authority: "minzdrav"), catalog: tiny);
        Assert.Equal("minzdrav", named.ResponsibleAuthorityId);
    }

    [Fact]
    public void Not_an_incident_needs_its_subtype_and_has_no_authority_nor_urgency()
    {
        var next = Revise(ModerationTestData.Roads(0.3), new DecisionChange { IsIncident = false, Topic = "", Subtopic = "spam", Urgent = false, AlwaysResolveAuthority = true });
        Assert.Equal((false, "none", "spam", false, "", ""), (next.IsIncident, next.Category, next.Subcategory, next.Urgent, next.ResponsibleAuthorityId, next.ResponsibleAuthorityName));
        Assert.Equal("adm-tolyatti", next.Reroute!.PreviousAuthorityId);

        var ex = Assert.Throws<ValidationFailedException>(() => Revise(ModerationTestData.Roads(),
            new DecisionChange { IsIncident = false, Topic = "roads", Subtopic = "", Urgent = true, AuthorityId = "adm-tolyatti", AlwaysResolveAuthority = true }));
        Assert.Equal(["topic", "subtopic", "urgent", "responsible_authority_id"], Fields(ex));

        var unknown = Assert.Throws<ValidationFailedException>(() => Revise(ModerationTestData.Roads(),
            new DecisionChange { IsIncident = false, Subtopic = "potholes", AlwaysResolveAuthority = true }));
        Assert.Contains("unknown subtype 'potholes'", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reroute_keeps_what_it_does_not_change()
    {
        var current = ModerationTestData.Roads() with { Revision = 3 };
        var urgent = Revise(current, new DecisionChange { IsIncident = true, Urgent = true }, _executor);
        Assert.Equal(("roads", "potholes", "adm-tolyatti", "roads-urban-okrug", true, 4),
            (urgent.Category, urgent.Subcategory, urgent.ResponsibleAuthorityId, urgent.RuleId, urgent.Urgent, urgent.Revision));
        Assert.Contains("Authority Администрация г.о. Тольятти: kept", urgent.Explanation, StringComparison.Ordinal);
        Assert.StartsWith("re-routed petrov: не наш участок.", urgent.Explanation, StringComparison.Ordinal);
        Assert.Contains(urgent.Evidence, e => e.Kind == DecisionReviser.RerouteEvidence);

        var sameTopic = Revise(current, new DecisionChange { IsIncident = true, Topic = "roads", Subtopic = "regional_road" }, _executor);
        Assert.Equal("mintrans", sameTopic.ResponsibleAuthorityId);

        var otherTopic = Revise(current, new DecisionChange { IsIncident = true, Topic = "waste" }, _executor);
        Assert.Equal(("waste", "container_sites", "adm-tolyatti"), (otherTopic.Category, otherTopic.Subcategory, otherTopic.ResponsibleAuthorityId));
        Assert.Equal("roads", otherTopic.Reroute!.PreviousCategory);

        var elsewhere = Revise(current, new DecisionChange { IsIncident = true, TerritoryId = "syzran" }, _executor);
        Assert.Equal(("syzran", "adm-syzran", "potholes"), (elsewhere.MunicipalityId, elsewhere.ResponsibleAuthorityId, elsewhere.Subcategory));
    }

    [Fact]
    public void A_reroute_of_a_message_that_is_not_an_incident_needs_a_topic()
    {
        var ex = Assert.Throws<ValidationFailedException>(() => Revise(ModerationTestData.Gratitude(), new DecisionChange { IsIncident = true }, _executor));
        Assert.Equal(["topic"], Fields(ex));

        var made = Revise(ModerationTestData.Gratitude(), new DecisionChange { IsIncident = true, Topic = "improvement" }, _executor);
        Assert.Equal((true, "improvement", "yards", "adm-tolyatti"), (made.IsIncident, made.Category, made.Subcategory, made.ResponsibleAuthorityId));
    }

    [Fact]
    public void Same_routing_ignores_explanations_confidence_and_revisions()
    {
        var a = ModerationTestData.Roads(0.3);
        Assert.True(DecisionReviser.SameRouting(a, a with { Explanation = "other", Confidence = 1, Revision = 5, Evidence = [] }));
        Assert.False(DecisionReviser.SameRouting(a, a with { Urgent = true }));
        Assert.False(DecisionReviser.SameRouting(a, a with { Subcategory = "road_repair" }));
        Assert.False(DecisionReviser.SameRouting(a, a with { ResponsibleAuthorityId = "mintrans" }));
        Assert.False(DecisionReviser.SameRouting(a, a with { DistrictId = "x" }));
    }
}
