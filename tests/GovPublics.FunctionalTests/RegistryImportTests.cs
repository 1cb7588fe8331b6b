using System.Globalization;
using System.Text;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Registry.Grpc;
using GovPublics.Testing;
using Google.Protobuf;
using Grpc.Core;

namespace GovPublics.FunctionalTests;

/// <summary>Bulk import and export over gRPC: dry runs, bad rows, skipping, idempotent apply.</summary>
public sealed class RegistryImportTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private ServiceHost<RegistryGrpcService> _registry = null!;
    private RegistryService.RegistryServiceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString);
        _client = new RegistryService.RegistryServiceClient(_registry.Channel);
        await Eventually.GrpcReady(() => _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 }).ResponseAsync);
        await RegistrySeed.SettledAsync(_client);
    }

    public async ValueTask DisposeAsync() => await _registry.DisposeAsync();

    private static ImportCatalogRequest Csv(string text, bool dryRun = false, bool skip = false) => new()
    {
        Format = CatalogFormat.CsvPages, Content = ByteString.CopyFromUtf8(text), DryRun = dryRun, SkipBadRows = skip,
    };

    private const string Header = "id;platform;external_id;title;kind;owner_authority_id;verified;subscribers\r\n";

    [Fact]
    public async Task A_dry_run_reports_every_bad_row_by_line_and_field_and_stores_nothing()
    {
        var before = (await _client.ListPagesAsync(new ListPagesRequest { PageSize = 1 })).CatalogVersion;
        var report = await _client.ImportCatalogAsync(Csv(Header
            + "imp-ok-1;vk;-9100000001;Новая страница;department;adm-tolyatti;да;100\r\n"
            + "imp-bad-1;myspace;-9100000002;Плохая;department;adm-tolyatti;да;100\r\n"
            + "imp-bad-2;vk;-9100000003;Плохая;department;nobody;нет;-5\r\n", dryRun: true));

        Assert.False(report.Applied);
        Assert.Contains(report.Errors, e => e.Row == "line 3" && e.Field == "platform");
        Assert.Contains(report.Errors, e => e.Row == "line 4" && e.Field == "subscribers");
        Assert.Contains("pages:imp-ok-1", report.Created);
        Assert.Equal(before, (await _client.ListPagesAsync(new ListPagesRequest { PageSize = 1 })).CatalogVersion);
    }

    [Fact]
    public async Task Bad_rows_block_the_whole_import_unless_skipping_is_asked()
    {
        var csv = Header
            + "imp-keep-1;vk;-9200000001;Страница;department;adm-syzran;нет;10\r\n"
            + "imp-drop-1;vk;-9200000002;Страница;department;nobody;нет;10\r\n";
        var refused = await Assert.ThrowsAsync<RpcException>(() => _client.ImportCatalogAsync(Csv(csv)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("line 3.owner_authority_id", FieldViolations.Of(refused));
        Assert.DoesNotContain((await _client.ListPagesAsync(new ListPagesRequest { OwnerAuthorityId = "adm-syzran", PageSize = 1000 })).Pages,
            p => p.Id == "imp-keep-1");

        var applied = await _client.ImportCatalogAsync(Csv(csv, skip: true));
        Assert.True(applied.Applied);
        Assert.Equal(["pages:imp-keep-1"], applied.Created);
        Assert.Equal(["line 3"], applied.RejectedRows);
        var page = await _client.ResolvePageAsync(new ResolvePageRequest { Platform = Contracts.Common.V1.Platform.Vk, ExternalId = "-9200000001" });
        Assert.Equal("imp-keep-1", page.Page.Id);
    }

    [Fact]
    public async Task An_import_with_hundreds_of_bad_rows_is_refused_naming_the_first_ones_and_a_dry_run_lists_them_all()
    {
        // Three problems a row, in Cyrillic: every one of them in the status would not fit in the HTTP/2 trailers.
        var csv = new StringBuilder(Header);
        for (var i = 0; i < 300; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"imp-many-{i};мойспейс;-95{i:D8};Страница {i};department;никто-{i};да;-1\r\n");
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => _client.ImportCatalogAsync(Csv(csv.ToString())).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        var fields = FieldViolations.Of(refused);
        Assert.Contains("line 2.platform", fields);
        Assert.InRange(fields.Count, 10, 101);
        Assert.Contains("dry_run", refused.Status.Detail, StringComparison.Ordinal);

        var report = await _client.ImportCatalogAsync(Csv(csv.ToString(), dryRun: true));
        Assert.Equal(300, report.Errors.Select(e => e.Row).Distinct().Count());
        Assert.True(report.Errors.Count > fields.Count);
    }

    [Fact]
    public async Task Exported_JSON_imports_back_unchanged_and_a_repeated_import_changes_nothing()
    {
        var export = await _client.ExportCatalogAsync(new ExportCatalogRequest { Format = CatalogFormat.Json });
        Assert.Equal("application/json", export.ContentType);
        var same = await _client.ImportCatalogAsync(new ImportCatalogRequest { Format = CatalogFormat.Json, Content = export.Content });
        Assert.Empty(same.Created);
        Assert.Empty(same.Updated);
        Assert.Equal(export.CatalogVersion, same.CatalogVersion);

        var csv = Header + "imp-idem-1;ok;9300000001;Группа;department;adm-kinel;нет;5\r\n";
        var first = await _client.ImportCatalogAsync(Csv(csv));
        Assert.Single(first.Created);
        var second = await _client.ImportCatalogAsync(Csv(csv));
        Assert.Empty(second.Created);
        Assert.Empty(second.Updated);
        Assert.Equal(1, second.Unchanged);
        Assert.Equal(first.CatalogVersion, second.CatalogVersion);
    }

    [Fact]
    public async Task Pages_export_as_CSV_that_the_import_reads_back()
    {
        var export = await _client.ExportCatalogAsync(new ExportCatalogRequest { Format = CatalogFormat.CsvPages });
        Assert.Equal("text/csv", export.ContentType);
        var text = export.Content.ToString(Encoding.UTF8);
        Assert.StartsWith("id,platform,external_id", text, StringComparison.Ordinal);
        var report = await _client.ImportCatalogAsync(Csv(text, dryRun: true));
        Assert.Empty(report.Errors);
        Assert.Empty(report.Updated);
        Assert.Equal((await _client.ListPagesAsync(new ListPagesRequest { PageSize = 1000 })).TotalSize, report.Unchanged);
    }

    [Fact]
    public async Task Unreadable_content_is_InvalidArgument()
    {
        var json = await Assert.ThrowsAsync<RpcException>(() => _client.ImportCatalogAsync(new ImportCatalogRequest
        {
            Format = CatalogFormat.Json, Content = ByteString.CopyFromUtf8("{ not json"),
        }).ResponseAsync);
        Assert.Equal(["content"], FieldViolations.Of(json));
        var format = await Assert.ThrowsAsync<RpcException>(() => _client.ImportCatalogAsync(new ImportCatalogRequest
        {
            Content = ByteString.CopyFromUtf8("x"),
        }).ResponseAsync);
        Assert.Equal(["format"], FieldViolations.Of(format));
    }
}
