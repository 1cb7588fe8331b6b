using GovPublics.Catalog;

namespace GovPublics.UnitTests.Catalog.Import;

public sealed class CatalogCsvTests
{
    private const string Header = "id,platform,external_id,screen_name,url,title,kind,owner_authority_id,verified,comments_open,subscribers,status,demo";
    private const string GoodRow = "vk-new,vk,-1001,club1001,https://vk.com/club1001,Новая страница,authority,gov,true,true,150,active,false";

    private static string Csv(params string[] lines) => string.Join("\n", lines) + "\n";

    /// <summary>A data row with one column replaced; the others are those of <see cref="GoodRow"/>.</summary>
    private static string RowWith(string column, string value)
    {
        var names = Header.Split(',');
        var values = GoodRow.Split(',');
        values[Array.IndexOf(names, column)] = value;
        return string.Join(",", values);
    }

    [Fact]
    public void Quoted_fields_keep_escaped_quotes_delimiters_and_line_breaks_and_lines_are_counted_physically()
    {
        var csv = Csv(
            Header,
            "vk-a,vk,-1,club1,https://vk.com/club1,\"Министерство \"\"Здоровья\"\", отдел\nвторая строка\",authority,gov,,,,,",
            "vk-b,vk,-2,club2,https://vk.com/club2,\"x;y\",authority,gov,,,,,",
            "vk-c,vk,-3,club3,https://vk.com/club3,plain,authority,gov,maybe,,,,");

        var result = CatalogCsv.ParsePages(csv);

        Assert.Equal(["line 2", "line 4"], result.Rows.Select(r => r.Source));
        Assert.Equal("Министерство \"Здоровья\", отдел\nвторая строка", result.Rows[0].Item.Title);
        Assert.Equal("x;y", result.Rows[1].Item.Title);
        var error = Assert.Single(result.Errors);
        Assert.Equal(new CatalogError("line 5", "vk-c", "verified: 'maybe' is not a yes/no value (true/false, 1/0, да/нет, yes/no)"), error);
    }

    [Fact]
    public void A_russian_excel_export_with_bom_semicolons_and_crlf_is_read()
    {
        var csv = "\uFEFF" + Header.Replace(',', ';').ToUpperInvariant() + "\r\n"
            + "vk-a;vk;-1;club1;https://vk.com/club1;Администрация, г.о. Самара;authority;gov;да;нет;12 920;;1\r\n"
            + "vk-b;ok;5;;;\"Многострочное\r\nназвание\";department;gov;НЕТ;Yes;0;archived;no\r\n";

        var result = CatalogCsv.ParsePages(csv);

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Rows.Count);
        var a = result.Rows[0].Item;
        Assert.Equal(("vk-a", "Администрация, г.о. Самара", true, false, 12920L, true), (a.Id, a.Title, a.Verified, a.CommentsOpen, a.Subscribers, a.Demo));
        var b = result.Rows[1];
        Assert.Equal("line 3", b.Source);
        Assert.Equal(("Многострочное\r\nназвание", false, true, "archived", false), (b.Item.Title, b.Item.Verified, b.Item.CommentsOpen, b.Item.Status, b.Item.Demo));
    }

    [Fact]
    public void Columns_may_come_in_any_order_and_optional_ones_take_their_defaults()
    {
        var csv = Csv("Owner_Authority_ID,KIND,external_id,platform,id", "gov,authority,-77,vk,vk-min");

        var result = CatalogCsv.ParsePages(csv);

        Assert.Empty(result.Errors);
        var page = Assert.Single(result.Rows).Item;
        Assert.Equal(("vk-min", "vk", "-77", "authority", "gov"), (page.Id, page.Platform, page.ExternalId, page.Kind, page.OwnerAuthorityId));
        Assert.Equal((false, true, 0L, false), (page.Verified, page.CommentsOpen, page.Subscribers, page.Demo));

        var plan = CatalogImport.Plan(SeedCatalog.Snapshot, ImportBatch.FromCsvPages(result), skipBadRows: false);
        Assert.Equal("active", plan.Result!.Pages.Single(p => p.Id == "vk-min").Status);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("FALSE", false)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData("да", true)]
    [InlineData("Нет", false)]
    [InlineData("yes", true)]
    [InlineData(" No ", false)]
    [InlineData("", true)]
    public void Booleans_accept_true_false_one_zero_and_yes_no_in_both_languages(string text, bool expected)
    {
        var result = CatalogCsv.ParsePages(Csv(Header, RowWith("comments_open", text)));

        Assert.Empty(result.Errors);
        Assert.Equal(expected, Assert.Single(result.Rows).Item.CommentsOpen);
    }

    [Theory]
    [InlineData("verified", "maybe", "verified: 'maybe' is not a yes/no value")]
    [InlineData("comments_open", "open", "comments_open: 'open' is not a yes/no value")]
    [InlineData("demo", "2", "demo: '2' is not a yes/no value")]
    [InlineData("subscribers", "many", "subscribers: 'many' is not a whole number")]
    [InlineData("subscribers", "1.5", "subscribers: '1.5' is not a whole number")]
    [InlineData("subscribers", "-5", "subscribers: must not be negative")]
    [InlineData("platform", "facebook", "platform: 'facebook' is not one of vk, ok, telegram")]
    [InlineData("platform", "", "platform: required")]
    [InlineData("kind", "blog", "kind: 'blog' is not one of authority, head_personal, department")]
    [InlineData("kind", "", "kind: required")]
    [InlineData("status", "deleted", "status: 'deleted' is not one of active, archived")]
    [InlineData("id", "", "id: required")]
    [InlineData("id", "\"vk new\"", "id: at most 100 characters, no spaces")]
    [InlineData("external_id", "", "external_id: required")]
    [InlineData("owner_authority_id", "", "owner_authority_id: required")]
    public void Each_bad_field_is_reported_on_its_line_and_the_row_is_left_out(string column, string value, string message)
    {
        var csv = Csv(Header, GoodRow.Replace("vk-new", "vk-first", StringComparison.Ordinal).Replace("-1001", "-1002", StringComparison.Ordinal),
            "", RowWith(column, value));

        var result = CatalogCsv.ParsePages(csv);

        var error = Assert.Single(result.Errors);
        Assert.Equal("line 4", error.Path);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(["line 2"], result.Rows.Select(r => r.Source));
    }

    [Fact]
    public void A_row_with_several_problems_reports_each_of_them()
    {
        var csv = Csv(Header, GoodRow, "vk-bad,myspace,,,,,authority,,maybe,,lots,,");

        var result = CatalogCsv.ParsePages(csv);

        Assert.All(result.Errors, e => Assert.Equal(("line 3", "vk-bad"), (e.Path, e.EntityId)));
        Assert.Equal(
            ["external_id", "owner_authority_id", "platform", "subscribers", "verified"],
            result.Errors.Select(e => e.Message.Split(':')[0]).Order(StringComparer.Ordinal));
        Assert.Single(result.Rows);
    }

    [Fact]
    public void Header_problems_are_reported_on_line_1_and_no_row_is_read()
    {
        var csv = Csv("id,platform,external_id,kind,kind,owner,title", "vk-a,vk,-1,authority,authority,gov,x");

        var result = CatalogCsv.ParsePages(csv);

        Assert.Empty(result.Rows);
        Assert.All(result.Errors, e => Assert.Equal("line 1", e.Path));
        Assert.Contains(result.Errors, e => e.Message.StartsWith("owner: unknown column; the columns are id, platform", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Message == "kind: the column appears more than once");
        Assert.Contains(result.Errors, e => e.Message == "owner_authority_id: the column is missing");
        Assert.Equal(3, result.Errors.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\n\n")]
    public void An_empty_file_has_no_header(string text)
    {
        var error = Assert.Single(CatalogCsv.ParsePages(text).Errors);
        Assert.Equal("line 1", error.Path);
        Assert.StartsWith("header: the file is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_with_the_wrong_number_of_values_are_errors_on_their_line_but_trailing_empty_cells_are_not()
    {
        var csv = Csv(Header, GoodRow + ",,", "vk-short,vk,-5", GoodRow.Replace("vk-new", "vk-long", StringComparison.Ordinal) + ",extra");

        var result = CatalogCsv.ParsePages(csv);

        Assert.Equal(["line 2"], result.Rows.Select(r => r.Source));
        Assert.Equal(
            [
                new CatalogError("line 3", "vk-short", "columns: the header has 13 columns, this row has 3 values"),
                new CatalogError("line 4", "vk-long", "columns: the header has 13 columns, this row has 14 values"),
            ],
            result.Errors);
    }

    [Fact]
    public void An_unterminated_quote_is_an_error_on_the_line_where_its_record_starts()
    {
        var csv = Csv(Header, GoodRow, "vk-open,vk,-9,club9,https://vk.com/club9,\"Незакрытая кавычка,authority,gov,,,,,", "vk-lost,vk,-10,,,,authority,gov,,,,,");

        var result = CatalogCsv.ParsePages(csv);

        Assert.Equal(["line 2"], result.Rows.Select(r => r.Source));
        var error = Assert.Single(result.Errors);
        Assert.Equal(("line 3", "vk-open"), (error.Path, error.EntityId));
        Assert.StartsWith("title: the quoted value opened on line 3 is never closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_after_a_closing_quote_is_an_error()
    {
        var csv = Csv(Header, "vk-a,vk,-1,club1,url,\"Title\" tail,authority,gov,,,,,");

        var error = Assert.Single(CatalogCsv.ParsePages(csv).Errors);

        Assert.Equal("line 2", error.Path);
        Assert.StartsWith("title: text after the closing quote", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_seed_pages_round_trip_through_csv_exactly()
    {
        var seed = SeedCatalog.Snapshot;
        var csv = CatalogCsv.FormatPages(seed.Pages);

        var parsed = CatalogCsv.ParsePages(csv);

        Assert.Empty(parsed.Errors);
        Assert.Equal(133, parsed.Rows.Count);
        var doc = SeedCatalog.Document;
        doc.Pages = [.. parsed.Rows.Select(r => r.Item)];
        var copy = doc.ToSnapshot(2);
        Assert.Equal(seed.Pages, copy.Pages);
        Assert.Equal(csv, CatalogCsv.FormatPages(copy.Pages));
    }

    [Fact]
    public void Awkward_values_round_trip_and_only_they_are_quoted()
    {
        Page[] pages =
        [
            new("b", Platform.Telegram, "chan", "chan", "https://t.me/chan", "Кавычки \"внутри\", запятая; точка с запятой",
                PageKind.HeadPersonal, "gov", true, false, 5, PageStatus.Archived, true) { LinkedExternalId = "-1001500000001" },
            new("a", Platform.Ok, "42", "", "", " пробел по краям \r\nи перевод строки\n", PageKind.Department, "gov", false, true, 0,
                PageStatus.Active, false),
            new("c", Platform.Vk, "-3", "club3", "https://vk.com/club3", "Простое название", PageKind.Authority, "gov", false, true,
                9_000_000_000, PageStatus.Active, false),
        ];

        var csv = CatalogCsv.FormatPages(pages);

        // The linked channel's column is written last; files without it (the Header above) still import.
        Assert.StartsWith(Header + ",linked_external_id\na,ok,42,,,\" пробел", csv, StringComparison.Ordinal);
        Assert.Contains("\"Кавычки \"\"внутри\"\", запятая; точка с запятой\"", csv, StringComparison.Ordinal);
        Assert.EndsWith("\nc,vk,-3,club3,https://vk.com/club3,Простое название,authority,gov,false,true,9000000000,active,false,\n", csv, StringComparison.Ordinal);
        var parsed = CatalogCsv.ParsePages(csv);
        Assert.Empty(parsed.Errors);
        Assert.Equal(["a", "b", "c"], parsed.Rows.Select(r => r.Item.Id));
        Assert.Equal(" пробел по краям \r\nи перевод строки\n", parsed.Rows[0].Item.Title);
        Assert.Equal(pages[0].Title, parsed.Rows[1].Item.Title);
        Assert.Equal("-1001500000001", parsed.Rows[1].Item.LinkedExternalId);
        Assert.Equal(["line 2", "line 5", "line 6"], parsed.Rows.Select(r => r.Source));
    }
}
