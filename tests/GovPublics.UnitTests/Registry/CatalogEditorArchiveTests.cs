using System.Text.Json;
using GovPublics.Catalog;
using GovPublics.Registry.Domain;
using GovPublics.Registry.Storage;
using GovPublics.UnitTests.Catalog;

namespace GovPublics.UnitTests.Registry;

/// <summary>
/// Archiving and editing on the seed catalogue: nothing live may be left referring to what goes, and a territory
/// still in the catalogue keeps its administration, which is replaced by handing it over to a successor.
/// </summary>
public sealed class CatalogEditorArchiveTests
{
    /// <summary>The seed as stored, every entity at version 1.</summary>
    private static StoredCatalog Stored(CatalogDocument? document = null)
    {
        var doc = document ?? SeedCatalog.Document;
        var versions = doc.Territories.Select(t => $"{EntitySets.Territories}:{t.Id}")
            .Concat(doc.Authorities.Select(a => $"{EntitySets.Authorities}:{a.Id}"))
            .Concat(doc.Pages.Select(p => $"{EntitySets.Pages}:{p.Id}"))
            .Concat(doc.Rules.Select(r => $"{EntitySets.Rules}:{r.Id}"))
            .ToDictionary(k => k, _ => 1L, StringComparer.Ordinal);
        return new StoredCatalog(doc, 1, versions, new HashSet<string>(StringComparer.Ordinal));
    }

    /// <summary>The catalogue after the edit's writes, as the commit script would leave it.</summary>
    private static CatalogSnapshot Apply(StoredCatalog stored, CatalogEdit edit)
    {
        var doc = CatalogDocument.Parse(stored.Document.ToJson());
        foreach (var op in edit.Ops)
        {
            void Put<T>(List<T> list, Func<T, string> id)
            {
                list.RemoveAll(x => id(x) == op.Id);
                if (op.Kind == CatalogOp.Upsert)
                {
                    list.Add(JsonSerializer.Deserialize<T>(op.Json, CatalogDocument.JsonOptions)!);
                }
            }

            switch (op.Set)
            {
                case EntitySets.Territories: Put(doc.Territories, t => t.Id); break;
                case EntitySets.Authorities: Put(doc.Authorities, a => a.Id); break;
                case EntitySets.Pages: Put(doc.Pages, p => p.Id); break;
                default: Put(doc.Rules, r => r.Id); break;
            }
        }

        return doc.ToSnapshot(2);
    }

    private static AuthorityDto Administration(string id, string territory, string parent = "gov") => new()
    {
        Id = id, Kind = "administration", Name = $"Администрация {id}", TerritoryId = territory, ParentId = parent,
    };

    /// <summary>Archives the seed's <paramref name="administration"/> with "<paramref name="administration"/>-2026" as its successor.</summary>
    private static (CatalogEdit Edit, CatalogSnapshot After) HandOver(string administration, string territory, string reassignTo)
    {
        var stored = Stored();
        var edit = CatalogEditor.Archive(stored, EntitySets.Authorities, administration, 1, reassignTo,
            successor: Administration($"{administration}-2026", territory));
        return (edit, Apply(stored, edit));
    }

    [Fact]
    public void The_only_administration_of_a_territory_in_the_catalogue_cannot_be_archived_even_with_its_pages_handed_over()
    {
        var ex = Assert.Throws<PreconditionFailedException>(() =>
            CatalogEditor.Archive(Stored(), EntitySets.Authorities, "adm-zhigulevsk", 1, reassignTo: "gov"));

        string[] said =
        [
            "authority 'adm-zhigulevsk' cannot be archived", "territory 'zhigulevsk'", "would be left without an administration",
            "education-urban-okrug", "successor", "archive the territory",
        ];
        Assert.All(said, part => Assert.Contains(part, ex.Message, StringComparison.Ordinal));
        Assert.Contains("territories/zhigulevsk", ex.Blockers);
        Assert.Contains("rules/roads-urban-okrug", ex.Blockers);
        Assert.DoesNotContain("rules/roads-municipal-district", ex.Blockers);
    }

    [Fact]
    public void An_administration_with_nothing_else_referring_to_it_is_still_refused_while_its_territory_lives()
    {
        // Its pages moved away by hand first: only the territory (and the rules through it) depend on it now.
        var doc = SeedCatalog.Document;
        doc.Pages.RemoveAll(p => p.OwnerAuthorityId == "adm-zhigulevsk");

        var ex = Assert.Throws<PreconditionFailedException>(() =>
            CatalogEditor.Archive(Stored(doc), EntitySets.Authorities, "adm-zhigulevsk", 1, reassignTo: ""));

        Assert.Contains("territory 'zhigulevsk'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_district_administration_is_kept_the_same_way()
    {
        var ex = Assert.Throws<PreconditionFailedException>(() =>
            CatalogEditor.Archive(Stored(), EntitySets.Authorities, "adm-samara-kirovsky", 1, reassignTo: "adm-samara"));

        Assert.Contains("territory 'samara-kirovsky'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rules/roads-intra-city-district", ex.Blockers);
    }

    [Theory]
    [InlineData("department", "zhigulevsk")]
    [InlineData("administration", "zhigulevsk-new")]
    public void The_only_administration_cannot_become_another_kind_or_move_to_another_territory(string kind, string territory)
    {
        var stored = Stored();
        // A new territory of its own to move to: no second administration there, only the old territory left without.
        stored.Document.Territories.Add(new TerritoryDto { Id = "zhigulevsk-new", Kind = "urban_okrug", Name = "Новый", ParentId = "samara-oblast" });
        var adm = CatalogDocument.Parse(stored.Document.ToJson()).Authorities.Single(a => a.Id == "adm-zhigulevsk");
        adm.Kind = kind;
        adm.TerritoryId = territory;

        var ex = Assert.Throws<PreconditionFailedException>(() => CatalogEditor.Update(stored, EntitySets.Authorities, adm, 1));

        Assert.Contains("authority 'adm-zhigulevsk' cannot change its kind or territory", ex.Message, StringComparison.Ordinal);
        Assert.Contains("territory 'zhigulevsk'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_authorities_still_archive_as_before()
    {
        var doc = SeedCatalog.Document;
        doc.Authorities.Add(new AuthorityDto { Id = "dep-spare", Kind = "department", Name = "Запасной", TerritoryId = "samara", ParentId = "adm-samara" });
        var stored = Stored(doc);

        var edit = CatalogEditor.Archive(stored, EntitySets.Authorities, "dep-spare", 1, reassignTo: "");

        Assert.Null(Apply(stored, edit).FindAuthority("dep-spare"));
    }

    [Fact]
    public void A_successor_created_in_the_same_change_takes_over_and_the_territory_resolves_to_it()
    {
        var (edit, after) = HandOver("adm-samara", "samara", reassignTo: "");

        Assert.Null(after.FindAuthority("adm-samara"));
        Assert.Equal("adm-samara-2026", after.AdministrationOf("samara")!.Id);
        Assert.Equal("adm-samara-2026", after.ResolveResponsible("roads", null, "samara")!.Authority.Id);
        Assert.Equal("adm-samara-2026", after.FindPage("vk-adm-samara")!.OwnerAuthorityId);
        Assert.Equal("adm-samara-2026", after.FindAuthority("adm-samara-kirovsky")!.ParentId);
        Assert.Contains("authorities/adm-samara-kirovsky", edit.Reassigned);
        Assert.Equal(["adm-samara-kirovsky", "adm-samara-2026", "gov", "cur"], after.EscalationChain("adm-samara-kirovsky").Select(a => a.Id));
    }

    [Fact]
    public void A_successor_may_leave_the_pages_to_another_authority_named_by_reassign_to()
    {
        var (_, after) = HandOver("adm-zhigulevsk", "zhigulevsk", reassignTo: "gov");

        Assert.Equal("adm-zhigulevsk-2026", after.AdministrationOf("zhigulevsk")!.Id);
        Assert.Equal("gov", after.FindPage("vk-adm-zhigulevsk")!.OwnerAuthorityId);
    }

    [Fact]
    public void A_successor_is_checked_like_a_new_authority()
    {
        Assert.Throws<EntityExistsException>(() => CatalogEditor.Archive(Stored(), EntitySets.Authorities, "adm-zhigulevsk", 1, "",
            successor: Administration("adm-tolyatti", "zhigulevsk")));

        // The administration of another territory that has one already: still one per territory.
        var second = Assert.Throws<ValidationFailedException>(() => CatalogEditor.Archive(Stored(), EntitySets.Authorities, "adm-zhigulevsk", 1, "",
            successor: Administration("adm-zhigulevsk-2026", "tolyatti")));
        Assert.Contains(second.Violations, v => v.Field == "successor.kind" && v.Description.Contains("2 administrations", StringComparison.Ordinal));

        // A successor of another kind leaves the territory without an administration all the same.
        var department = Administration("dep-zhigulevsk", "zhigulevsk");
        department.Kind = "department";
        Assert.Throws<PreconditionFailedException>(() => CatalogEditor.Archive(Stored(), EntitySets.Authorities, "adm-zhigulevsk", 1, "", successor: department));

        Assert.Throws<ValidationFailedException>(() => CatalogEditor.Archive(Stored(), EntitySets.Territories, "zhigulevsk", 1, "",
            successor: Administration("adm-x", "zhigulevsk")));
    }

    [Fact]
    public void Archiving_a_territory_takes_its_administration_along_once_its_pages_have_a_new_owner()
    {
        var stored = Stored();
        var blocked = Assert.Throws<PreconditionFailedException>(() =>
            CatalogEditor.Archive(stored, EntitySets.Territories, "shigonsky", 1, reassignTo: ""));
        Assert.Contains("its administration 'adm-shigonsky' goes with it", blocked.Message, StringComparison.Ordinal);
        Assert.Contains("pages/vk-adm-shigonsky", blocked.Blockers);

        var edit = CatalogEditor.Archive(stored, EntitySets.Territories, "shigonsky", 1, reassignTo: "gov");
        var after = Apply(stored, edit);

        Assert.Null(after.FindTerritory("shigonsky"));
        Assert.Null(after.FindAuthority("adm-shigonsky"));
        Assert.Equal("gov", after.FindPage("vk-adm-shigonsky")!.OwnerAuthorityId);
        Assert.Contains("pages/vk-adm-shigonsky", edit.Reassigned);
    }

    [Fact]
    public void A_territory_that_other_entities_still_refer_to_is_refused_as_before()
    {
        var ex = Assert.Throws<PreconditionFailedException>(() =>
            CatalogEditor.Archive(Stored(), EntitySets.Territories, "samara", 1, reassignTo: "gov"));

        Assert.Contains("territories/samara-kirovsky", ex.Blockers);
        Assert.Contains("authorities/dep-samara-gkh", ex.Blockers);
        Assert.Contains("authorities/adm-samara", ex.Blockers);
    }

    [Fact]
    public void A_new_territory_may_wait_for_its_administration()
    {
        var territory = new TerritoryDto { Id = "new-okrug", Kind = "urban_okrug", Name = "Новый г.о.", ParentId = "samara-oblast" };
        var stored = Stored();

        var created = Apply(stored, CatalogEditor.Create(stored, EntitySets.Territories, territory));

        Assert.Null(created.AdministrationOf("new-okrug"));
    }

    [Fact]
    public void The_only_cur_is_archived_only_with_a_successor_which_ends_the_escalation_chains()
    {
        var stored = Stored();
        var refused = Assert.Throws<PreconditionFailedException>(() => CatalogEditor.Archive(stored, EntitySets.Authorities, "cur", 1, reassignTo: "gov"));
        Assert.Contains("authority 'cur' cannot be archived: the catalogue would have no ЦУР", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["authorities/cur"], refused.Blockers);

        var kind = CatalogDocument.Parse(stored.Document.ToJson()).Authorities.Single(a => a.Id == "cur");
        kind.Kind = "department";
        kind.ParentId = "gov";
        Assert.Throws<PreconditionFailedException>(() => CatalogEditor.Update(stored, EntitySets.Authorities, kind, 1));

        var successor = new AuthorityDto { Id = "cur-2026", Kind = "cur", Name = "ЦУР", TerritoryId = "samara-oblast", ParentId = "" };
        var edit = CatalogEditor.Archive(stored, EntitySets.Authorities, "cur", 1, reassignTo: "", successor: successor);
        var after = Apply(stored, edit);
        Assert.Equal("cur-2026", after.Cur!.Id);
        Assert.Equal("cur-2026", after.EscalationChain("adm-tolyatti")[^1].Id);
    }
}
