using GovPublics.Catalog;

namespace GovPublics.UnitTests.Catalog;

/// <summary>A territory still in the catalogue keeps its administration, whichever way the catalogue is changed.</summary>
public sealed class AdministrationKeptTests
{
    private static readonly CatalogSnapshot _seed = SeedCatalog.Snapshot;

    private static AuthorityDto Stored(string id)
    {
        var a = _seed.FindAuthority(id)!;
        return new AuthorityDto
        {
            Id = a.Id, Kind = EnumText.Format(a.Kind), Name = a.Name, ShortName = a.ShortName, TerritoryId = a.TerritoryId,
            ParentId = a.ParentId, TimeZone = a.TimeZone, Calendar = a.Calendar,
        };
    }

    private static ImportPlan Import(bool skip, params AuthorityDto[] authorities) =>
        CatalogImport.Plan(_seed, ImportBatch.FromDocument(new CatalogDocument { Authorities = [.. authorities] }), skip);

    [Fact]
    public void A_territory_whose_administration_goes_is_named_with_the_rules_that_send_its_cases_there()
    {
        var authorities = _seed.Authorities.Where(a => a.Id != "adm-tolyatti").ToList();

        var left = CatalogValidator.TerritoriesLeftWithoutAdministration(_seed.Authorities, _seed.Territories, authorities, _seed.Rules);

        var tolyatti = Assert.Single(left);
        Assert.Equal("tolyatti", tolyatti.Territory.Id);
        Assert.Equal("adm-tolyatti", tolyatti.Administration.Id);
        Assert.Null(tolyatti.After);
        Assert.Contains("roads-urban-okrug", tolyatti.RuleIds);
        Assert.Contains("safety-hazards-urban-okrug", tolyatti.RuleIds);
        Assert.DoesNotContain("roads-samara", tolyatti.RuleIds);
        Assert.DoesNotContain("roads-region", tolyatti.RuleIds);
        Assert.Contains("territory 'tolyatti'", tolyatti.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_territory_archived_with_its_administration_or_one_that_never_had_one_is_not_left_without()
    {
        var territories = _seed.Territories.Where(t => t.Id != "tolyatti")
            .Append(new Territory("new-okrug", TerritoryKind.UrbanOkrug, "Новый", "Новый", "samara-oblast", [], "")).ToList();
        var authorities = _seed.Authorities.Where(a => a.Id != "adm-tolyatti").ToList();

        Assert.Empty(CatalogValidator.TerritoriesLeftWithoutAdministration(_seed.Authorities, territories, authorities, _seed.Rules));
    }

    [Fact]
    public void An_import_that_turns_the_only_administration_into_a_department_is_refused_on_its_row_and_field()
    {
        var department = Stored("adm-tolyatti");
        department.Kind = "department";

        var plan = Import(skip: false, department);

        Assert.False(plan.CanApply);
        var error = Assert.Single(plan.Errors);
        Assert.Equal("authorities[0]", error.Path);
        Assert.Equal("adm-tolyatti", error.EntityId);
        Assert.StartsWith("kind: territory 'tolyatti'", error.Message, StringComparison.Ordinal);
        Assert.Contains("would be left without an administration", error.Message, StringComparison.Ordinal);
        Assert.Contains("import its successor in the same file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_import_that_moves_the_only_administration_away_is_blamed_on_territory_id_and_skipping_drops_the_row()
    {
        var moved = Stored("adm-tolyatti");
        moved.TerritoryId = "samara-oblast";

        var plan = Import(skip: true, moved,
            new AuthorityDto { Id = "dep-tolyatti-roads", Kind = "department", Name = "Департамент дорог", TerritoryId = "tolyatti", ParentId = "adm-tolyatti" });

        Assert.Contains(plan.Errors, e => e.Path == "authorities[0]" && e.Message.StartsWith("territory_id: territory 'tolyatti'", StringComparison.Ordinal));
        Assert.Equal(["authorities[0]"], plan.RejectedRows);
        Assert.Equal("tolyatti", plan.Result!.Authorities.Single(a => a.Id == "adm-tolyatti").TerritoryId);
        Assert.Contains(plan.Result.Authorities, a => a.Id == "dep-tolyatti-roads");
    }

    [Fact]
    public void An_import_that_brings_the_successor_with_it_hands_the_territory_over()
    {
        var old = Stored("adm-tolyatti");
        old.Kind = "department";
        var successor = Stored("adm-tolyatti");
        successor.Id = "adm-tolyatti-2026";

        var plan = Import(skip: false, old, successor);

        Assert.Empty(plan.Errors);
        Assert.Equal("adm-tolyatti-2026", plan.Result!.ToSnapshot(2).ResolveResponsible("roads", null, "tolyatti")!.Authority.Id);
    }

    [Fact]
    public void An_import_that_turns_the_only_cur_into_another_kind_is_refused_and_one_that_brings_a_new_cur_is_not()
    {
        var notCur = Stored("cur");
        notCur.Kind = "department";

        var refused = Import(skip: false, notCur);
        Assert.False(refused.CanApply);
        var error = Assert.Single(refused.Errors);
        Assert.Equal(("authorities[0]", "cur"), (error.Path, error.EntityId));
        Assert.StartsWith("kind: the catalogue would have no ЦУР after it", error.Message, StringComparison.Ordinal);

        var successor = Stored("cur");
        successor.Id = "cur-2026";
        Assert.True(Import(skip: false, notCur, successor).CanApply);
    }
}
