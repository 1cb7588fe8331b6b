using GovPublics.Contracts.Common.V1;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Contracts.Sla.V1;
using Grpc.Core;

namespace GovPublics.SystemTests;

/// <summary>
/// An integrator bound to some authorities' pages (Auth:Clients:N:PageOwners) sends messages and post statistics
/// for those pages only: it cannot speak for another authority's page, nor for a page the catalogue does not know.
/// </summary>
[Collection(SuiteCollection.Name)]
public sealed class PageBindingTests(SuiteFixture suite)
{
    private const string SyzranPage = "-224464152";
    private const string TolyattiPage = "-208424532";

    [Fact]
    public async Task A_bound_integrator_sends_for_its_owners_pages_and_is_refused_for_any_other()
    {
        using var channel = suite.ChannelFor(SuiteFixture.SyzranCollector);
        var ingestion = new IngestionService.IngestionServiceClient(channel);

        var own = await ingestion.IngestAsync(Comment(SyzranPage, "bind-own"));
        Assert.False(own.Duplicate);

        // Another authority's page, even with the binding header forged: the gateway sets it from the client list.
        var forged = new Metadata { { "x-gp-page-owners", "adm-tolyatti" } };
        var other = await Assert.ThrowsAsync<RpcException>(() => ingestion.IngestAsync(Comment(TolyattiPage, "bind-other"), forged).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, other.StatusCode);
        Assert.Contains("syzran-collector", other.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("adm-tolyatti", other.Status.Detail, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => ingestion.IngestAsync(Comment("-1", "bind-unknown")).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, unknown.StatusCode);
        Assert.Contains("not in the catalogue", unknown.Status.Detail, StringComparison.Ordinal);

        // In a batch, each refused message is its own PERMISSION_DENIED; the others are stored.
        using var batch = ingestion.IngestBatch();
        await batch.RequestStream.WriteAsync(Comment(SyzranPage, "bind-batch-own"));
        await batch.RequestStream.WriteAsync(Comment(TolyattiPage, "bind-batch-other"));
        await batch.RequestStream.CompleteAsync();
        var results = await batch;
        Assert.Equal((1, 1), (results.Accepted, results.Rejected));
        Assert.Null(results.Results[0].Error);
        Assert.Equal("PERMISSION_DENIED", results.Results[1].Error.Code);

        // Post statistics too.
        var analytics = new SlaAnalyticsService.SlaAnalyticsServiceClient(channel);
        var stats = await Assert.ThrowsAsync<RpcException>(() => analytics.ReportPostStatsAsync(new ReportPostStatsRequest
        {
            Items = { new PostStats { Platform = Platform.Vk, PageExternalId = TolyattiPage, PostExternalId = "post:1", Likes = 1, ObservedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) } },
        }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, stats.StatusCode);

        // An unbound integrator still sends for any page.
        using var unbound = suite.ChannelFor(GovPublics.AppHost.DemoClients.Integrator);
        Assert.False((await new IngestionService.IngestionServiceClient(unbound).IngestAsync(Comment(TolyattiPage, "bind-unbound"))).Duplicate);
    }

    private static IngestRequest Comment(string page, string id) => new()
    {
        Platform = Platform.Vk,
        PageExternalId = page,
        Kind = MessageKind.Comment,
        ExternalId = id,
        ThreadId = "wall-5",
        Author = new Author { Id = "42", DisplayName = "Пётр" },
        Text = "Во дворе дома 5 по улице Ульяновской вторую неделю не вывозят мусор",
    };
}
