using GovPublics.Catalog;

namespace GovPublics.UnitTests.Catalog.Import;

public sealed class CatalogImportTests
{
    private const string Header = "id,platform,external_id,screen_name,url,title,kind,owner_authority_id,verified,comments_open,subscribers,status,demo";

    private static readonly CatalogSnapshot _seed = SeedCatalog.Snapshot;

    private static string Csv(params string[] rows) => string.Join("\n", [Header, .. rows]) + "\n";

    private static string NewPage(string id, string externalId, string owner = "gov", string platform = "vk") =>
        $"{id},{platform},{externalId},,,Страница {id},authority,{owner},false,true,10,active,false";

    /// <summary>The CSV line of a stored page, as the export writes it.</summary>
    private static string StoredPage(string id) => CatalogCsv.FormatPages([_seed.FindPage(id)!]).Split('\n')[1];

    private static ImportPlan PlanCsv(string csv, bool skip = false, CatalogSnapshot? current = null) =>
        CatalogImport.Plan(current ?? _seed, ImportBatch.FromCsvPages(CatalogCsv.ParsePages(csv)), skip);

    private static ImportBatch Batch(
        TerritoryDto[]? territories = null, AuthorityDto[]? authorities = null, PageDto[]? pages = null, RuleDto[]? rules = null) =>
        ImportBatch.FromDocument(new CatalogDocument
        {
            Territories = [.. territories ?? []],
            Authorities = [.. authorities ?? []],
            Pages = [.. pages ?? []],
            Rules = [.. rules ?? []],
        });

    private static PageDto Page(string id, string owner, string externalId = "-555") => new()
    {
        Id = id, Platform = "vk", ExternalId = externalId, Title = id, Kind = "authority", OwnerAuthorityId = owner,
    };

    private static AuthorityDto StoredAuthority(string id)
    {
        var a = _seed.FindAuthority(id)!;
        return new AuthorityDto
        {
            Id = a.Id, Kind = EnumText.Format(a.Kind), Name = a.Name, ShortName = a.ShortName, TerritoryId = a.TerritoryId,
            ParentId = a.ParentId, TimeZone = a.TimeZone, Calendar = a.Calendar,
            Contacts = new ContactsDto { Website = a.Contacts.Website, Email = a.Contacts.Email, Phone = a.Contacts.Phone },
        };
    }

    [Fact]
    public void Reimporting_the_seed_document_changes_nothing()
    {
        var plan = CatalogImport.Plan(_seed, ImportBatch.FromDocument(SeedCatalog.Document), skipBadRows: false);

        Assert.Empty(plan.Errors);
        Assert.Empty(plan.Created);
        Assert.Empty(plan.Updated);
        Assert.Equal(47 + 70 + 133 + 63, plan.Unchanged.Count);
        Assert.Contains(plan.Unchanged, e => e.ToString() == "territories:samara-oblast" && e.Source == "territories[0]");
        Assert.True(plan.CanApply);
        Assert.Equal("63", plan.Result!.RegionCode);
        Assert.Equal(CatalogDocument.FromSnapshot(_seed, "63").ToJson(), CatalogDocument.FromSnapshot(plan.Result.ToSnapshot(2), "63").ToJson());
    }

    [Fact]
    public void A_plan_sorts_rows_into_created_updated_and_unchanged_and_keeps_what_it_does_not_mention()
    {
        var changed = StoredPage("vk-gov").Replace("Правительство Самарской области", "Правительство региона", StringComparison.Ordinal);
        var csv = Csv(NewPage("vk-new", "-900001"), changed, StoredPage("vk-cur"));

        var plan = PlanCsv(csv);

        Assert.Empty(plan.Errors);
        Assert.Equal(["pages:vk-new"], plan.Created.Select(e => e.ToString()));
        Assert.Equal(["pages:vk-gov"], plan.Updated.Select(e => e.ToString()));
        Assert.Equal(["pages:vk-cur"], plan.Unchanged.Select(e => e.ToString()));
        Assert.Equal(["line 2", "line 3", "line 4"], plan.Created.Concat(plan.Updated).Concat(plan.Unchanged).Select(e => e.Source).Order());
        Assert.True(plan.CanApply);
        var result = plan.Result!.ToSnapshot(2);
        Assert.Equal(134, result.Pages.Count);
        Assert.Equal("Правительство региона", result.FindPage("vk-gov")!.Title);
        Assert.Equal(_seed.FindPage("vk-minzdrav"), result.FindPage("vk-minzdrav"));
        Assert.Equal(_seed.Authorities, result.Authorities);
    }

    [Fact]
    public void Planning_the_same_import_against_its_result_finds_everything_unchanged()
    {
        var changed = StoredPage("vk-gov").Replace(",161410,", ",170000,", StringComparison.Ordinal);
        var batch = ImportBatch.FromCsvPages(CatalogCsv.ParsePages(Csv(NewPage("vk-new", "-900001"), changed)));
        var first = CatalogImport.Plan(_seed, batch, skipBadRows: false);
        Assert.Equal((1, 1), (first.Created.Count, first.Updated.Count));

        var second = CatalogImport.Plan(first.Result!.ToSnapshot(2), batch, skipBadRows: false);

        Assert.Empty(second.Created);
        Assert.Empty(second.Updated);
        Assert.Equal(["pages:vk-gov", "pages:vk-new"], second.Unchanged.Select(e => e.ToString()).Order());
        Assert.Equal(first.Result!.ToJson(), second.Result!.ToJson());
    }

    [Fact]
    public void A_json_import_compares_lists_by_value_and_sees_a_changed_alias()
    {
        var doc = SeedCatalog.Document;
        doc.Territories[0].Aliases = [.. doc.Territories[0].Aliases];
        doc.Territories[1].Aliases.Add("Новое имя");

        var plan = CatalogImport.Plan(_seed, ImportBatch.FromDocument(doc), skipBadRows: false);

        Assert.Equal([$"territories:{doc.Territories[1].Id}"], plan.Updated.Select(e => e.ToString()));
        Assert.Contains(plan.Unchanged, e => e.Id == doc.Territories[0].Id);
    }

    [Fact]
    public void One_bad_row_blocks_the_whole_import_unless_bad_rows_are_skipped()
    {
        var csv = Csv(NewPage("vk-new", "-900001"), NewPage("vk-bad", "-900002", platform: "myspace"), NewPage("vk-new2", "-900003"));

        var strict = PlanCsv(csv);

        Assert.False(strict.CanApply);
        Assert.Null(strict.Result);
        Assert.Equal(["line 3"], strict.RejectedRows);
        var error = Assert.Single(strict.Errors);
        Assert.Equal(("line 3", "vk-bad"), (error.Path, error.EntityId));
        Assert.StartsWith("platform: 'myspace'", error.Message, StringComparison.Ordinal);

        var skipping = PlanCsv(csv, skip: true);

        Assert.True(skipping.CanApply);
        Assert.Equal(strict.Errors, skipping.Errors);
        Assert.Equal(["line 3"], skipping.RejectedRows);
        Assert.Equal(["vk-new", "vk-new2"], skipping.Created.Select(e => e.Id));
        var result = skipping.Result!.ToSnapshot(2);
        Assert.NotNull(result.FindPage("vk-new2"));
        Assert.Null(result.FindPage("vk-bad"));
    }

    [Fact]
    public void Skipping_a_bad_row_also_drops_the_rows_that_depended_on_it_and_says_why()
    {
        var authority = new AuthorityDto
        {
            Id = "dep-new", Kind = "department", Name = "Новый департамент", TerritoryId = "samara", ParentId = "adm-samara",
            TimeZone = "Mars/Olympus",
        };
        var rule = new RuleDto { Id = "new-rule", Topic = "brand_new_topic", AuthorityId = "dep-new" };
        var batch = Batch(authorities: [authority], pages: [Page("vk-dep-new", "dep-new"), Page("vk-fine", "gov", "-556")], rules: [rule]);

        var strict = CatalogImport.Plan(_seed, batch, skipBadRows: false);

        Assert.False(strict.CanApply);
        Assert.Equal(["authorities[0]"], strict.RejectedRows);
        Assert.Equal("time_zone: 'Mars/Olympus' is not a known IANA time zone", Assert.Single(strict.Errors).Message);

        var skipping = CatalogImport.Plan(_seed, batch, skipBadRows: true);

        Assert.True(skipping.CanApply);
        Assert.Equal(["authorities[0]", "pages[0]", "rules[0]"], skipping.RejectedRows);
        Assert.Contains(skipping.Errors, e => e.Path == "pages[0]"
            && e.Message == "owner_authority_id: authority 'dep-new' does not exist (its row, authorities[0], was rejected)");
        Assert.Contains(skipping.Errors, e => e.Path == "rules[0]" && e.Message.StartsWith("authority_id: authority 'dep-new' does not exist", StringComparison.Ordinal));
        Assert.Equal(["pages:vk-fine"], skipping.Created.Select(e => e.ToString()));
        var result = skipping.Result!.ToSnapshot(2);
        Assert.Null(result.FindAuthority("dep-new"));
        Assert.NotNull(result.FindPage("vk-fine"));
    }

    [Fact]
    public void When_every_row_is_rejected_nothing_can_be_applied_even_when_skipping()
    {
        var plan = PlanCsv(Csv(NewPage("vk-a", "-900001", owner: "nobody")), skip: true);

        Assert.False(plan.CanApply);
        Assert.Null(plan.Result);
        Assert.Equal(["line 2"], plan.RejectedRows);
    }

    [Fact]
    public void A_broken_header_blocks_the_import_even_when_skipping()
    {
        var plan = CatalogImport.Plan(_seed, ImportBatch.FromCsvPages(CatalogCsv.ParsePages("id,platform,colour\nvk-a,vk,red\n")), true);

        Assert.False(plan.CanApply);
        Assert.Contains(plan.Errors, e => e.Path == "line 1" && e.Message.StartsWith("colour: unknown column", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_import_is_applicable_and_changes_nothing()
    {
        var plan = PlanCsv(Csv());

        Assert.True(plan.CanApply);
        Assert.Empty(plan.Errors);
        Assert.Empty(plan.Created.Concat(plan.Updated).Concat(plan.Unchanged));
        Assert.Equal(_seed.Pages, plan.Result!.ToSnapshot(2).Pages);
    }

    [Fact]
    public void A_reference_to_an_unknown_authority_is_blamed_on_its_row_and_field()
    {
        var plan = PlanCsv(Csv(NewPage("vk-a", "-900001"), NewPage("vk-b", "-900002", owner: "ministry-of-magic")));

        var error = Assert.Single(plan.Errors);
        Assert.Equal(new CatalogError("line 3", "vk-b", "owner_authority_id: authority 'ministry-of-magic' does not exist"), error);
        Assert.Equal(["line 3"], plan.RejectedRows);
    }

    [Fact]
    public void A_page_may_refer_to_an_authority_created_by_the_same_import()
    {
        var authority = new AuthorityDto { Id = "dep-new", Kind = "department", Name = "Новый департамент", TerritoryId = "samara" };

        var plan = CatalogImport.Plan(_seed, Batch(authorities: [authority], pages: [Page("vk-dep-new", "dep-new")]), skipBadRows: false);

        Assert.Empty(plan.Errors);
        Assert.Equal(["authorities:dep-new", "pages:vk-dep-new"], plan.Created.Select(e => e.ToString()));
        Assert.Equal("dep-new", plan.Result!.ToSnapshot(2).FindPage("vk-dep-new")!.OwnerAuthorityId);
    }

    [Fact]
    public void Duplicate_external_ids_within_the_import_blame_every_row_that_shares_them()
    {
        var plan = PlanCsv(Csv(NewPage("vk-a", "-900001"), NewPage("vk-b", "-900002"), NewPage("vk-c", "-900001")), skip: true);

        Assert.Equal(["line 2", "line 4"], plan.RejectedRows);
        Assert.All(plan.Errors, e => Assert.StartsWith("platform + external_id: vk -900001 is used by", e.Message, StringComparison.Ordinal));
        Assert.Equal(["line 2", "line 4"], plan.Errors.Select(e => e.Path));
        Assert.Equal(["vk-b"], plan.Created.Select(e => e.Id));
    }

    [Fact]
    public void An_external_id_already_used_by_a_stored_page_blames_the_incoming_row_only()
    {
        var taken = _seed.FindPage("vk-gov")!.ExternalId;

        var plan = PlanCsv(Csv(NewPage("vk-a", "-900001"), NewPage("vk-copy", taken)));

        var error = Assert.Single(plan.Errors);
        Assert.Equal(("line 3", "vk-copy"), (error.Path, error.EntityId));
        Assert.Contains("vk-gov", error.Message, StringComparison.Ordinal);
        Assert.False(plan.CanApply);
    }

    [Fact]
    public void Two_stored_pages_may_swap_their_external_ids_in_one_import()
    {
        var gov = StoredPage("vk-gov");
        var cur = StoredPage("vk-cur");
        var govId = _seed.FindPage("vk-gov")!.ExternalId;
        var curId = _seed.FindPage("vk-cur")!.ExternalId;

        var plan = PlanCsv(Csv(gov.Replace(govId, curId, StringComparison.Ordinal), cur.Replace(curId, govId, StringComparison.Ordinal)));

        Assert.Empty(plan.Errors);
        Assert.Equal(2, plan.Updated.Count);
        Assert.Equal("vk-cur", plan.Result!.ToSnapshot(2).FindPage(Platform.Vk, govId)!.Id);
    }

    [Fact]
    public void The_same_id_twice_in_one_import_blames_both_rows()
    {
        var plan = PlanCsv(Csv(NewPage("vk-a", "-900001"), NewPage("vk-a", "-900002")));

        Assert.Equal(["line 2", "line 3"], plan.RejectedRows);
        Assert.All(plan.Errors, e => Assert.Equal("id: used more than once in the import (line 2, line 3)", e.Message));
        Assert.False(plan.CanApply);
    }

    [Fact]
    public void A_parent_cycle_introduced_by_the_import_is_blamed_on_the_rows_that_close_it()
    {
        var samara = StoredAuthority("adm-samara");
        samara.ParentId = "adm-samara-kirovsky";
        var kirovsky = StoredAuthority("adm-samara-kirovsky");
        kirovsky.Name += " (переименована)";
        var batch = Batch(authorities: [kirovsky, samara], pages: [Page("vk-new", "adm-samara-kirovsky")]);

        var strict = CatalogImport.Plan(_seed, batch, skipBadRows: false);

        var error = Assert.Single(strict.Errors);
        Assert.Equal(("authorities[1]", "adm-samara"), (error.Path, error.EntityId));
        Assert.Contains("loops back", error.Message, StringComparison.Ordinal);

        var skipping = CatalogImport.Plan(_seed, batch, skipBadRows: true);

        Assert.True(skipping.CanApply);
        Assert.Equal(["authorities[1]"], skipping.RejectedRows);
        Assert.Equal(["authorities:adm-samara-kirovsky"], skipping.Updated.Select(e => e.ToString()));
        Assert.Equal(_seed.FindAuthority("adm-samara"), skipping.Result!.ToSnapshot(2).FindAuthority("adm-samara"));
    }

    [Fact]
    public void A_territory_cycle_made_entirely_of_imported_rows_blames_each_of_them()
    {
        var a = new TerritoryDto { Id = "t-a", Kind = "intra_city_district", Name = "A", ParentId = "t-b" };
        var b = new TerritoryDto { Id = "t-b", Kind = "intra_city_district", Name = "B", ParentId = "t-a" };
        var c = new TerritoryDto { Id = "t-c", Kind = "intra_city_district", Name = "C", ParentId = "t-a" };

        var plan = CatalogImport.Plan(_seed, Batch(territories: [a, b, c]), skipBadRows: false);

        Assert.Equal(["territories[0]", "territories[1]"], plan.RejectedRows);
        Assert.All(plan.Errors, e => Assert.Contains("loops back", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Errors_in_a_json_document_name_the_entry_and_the_field_and_nulls_do_not_crash()
    {
        var doc = new CatalogDocument
        {
            Authorities = [null!, new AuthorityDto { Id = "x", Kind = "department", Name = null!, TerritoryId = "samara" }],
            Rules = [new RuleDto { Id = "r", Topic = "t", AuthorityId = "gov", TerritoryAdministration = true }],
        };

        var plan = CatalogImport.Plan(_seed, ImportBatch.FromDocument(doc), skipBadRows: false);

        Assert.Equal(
            [
                new CatalogError("authorities[0]", "", "the entry is empty"),
                new CatalogError("authorities[1]", "x", "name: required"),
                new CatalogError("rules[0]", "r",
                    "authority_id and territory_administration: give exactly one (an authority, or the territory's own administration)"),
            ],
            plan.Errors);
        Assert.Equal(["authorities[0]", "authorities[1]", "rules[0]"], plan.RejectedRows);
    }

    [Fact]
    public void Errors_are_listed_in_line_order_across_parsing_and_planning()
    {
        var csv = Csv(
            NewPage("vk-a", "-900001", owner: "nobody"),
            "vk-b,vk,-900002,,,,authority,gov,maybe,,,,",
            NewPage("vk-c", "-900003"),
            NewPage("vk-d", "-900004", owner: "nobody"));

        var plan = PlanCsv(csv);

        Assert.Equal(["line 2", "line 3", "line 5"], plan.Errors.Select(e => e.Path));
        Assert.Equal(["line 2", "line 3", "line 5"], plan.RejectedRows);
        Assert.Equal(["vk-c"], plan.Created.Select(e => e.Id));
    }
}
