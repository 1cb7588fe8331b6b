using GovPublics.AppHost;
using GovPublics.Contracts.Common.V1;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Testing;
using Grpc.Core;
using Grpc.Net.Client.Web;

namespace GovPublics.SystemTests;

/// <summary>
/// The gRPC API as a browser app calls it: gRPC-Web over HTTP/1.1 on the gateway's HTTP port, in both framings,
/// with the same tokens and the same rules as gRPC, and CORS for the configured origin.
/// </summary>
[Collection(SuiteCollection.Name)]
public sealed class GrpcWebTests(SuiteFixture suite)
{
    [Theory]
    [InlineData(GrpcWebMode.GrpcWeb)]
    [InlineData(GrpcWebMode.GrpcWebText)]
    public async Task A_message_ingested_with_gRPC_Web_becomes_an_incident_a_watcher_sees(GrpcWebMode mode)
    {
        using var integrator = suite.GrpcWebChannelFor(DemoClients.Integrator, mode);
        using var executor = suite.GrpcWebChannelFor(DemoClients.Executor, mode);
        var sla = new SlaService.SlaServiceClient(executor);

        // A server stream over HTTP/1.1: the executor's app watches its authority's incidents from now on.
        using var watch = sla.WatchIncidents(new WatchIncidentsRequest { AuthorityIds = { "adm-tolyatti" } },
            deadline: DateTime.UtcNow.AddSeconds(90));
        var registry = new RegistryService.RegistryServiceClient(integrator);
        var page = (await registry.ListPagesAsync(new ListPagesRequest { OwnerAuthorityId = "adm-tolyatti", Platform = Platform.Vk })).Pages[0];
        var accepted = await new IngestionService.IngestionServiceClient(integrator).IngestAsync(new IngestRequest
        {
            Platform = Platform.Vk,
            PageExternalId = page.ExternalId,
            Kind = MessageKind.Comment,
            ExternalId = $"grpc-web-{mode}",
            ThreadId = "wall-9",
            Author = new Author { Id = "777", DisplayName = "Ирина" },
            Text = "На улице Льва Яшина провал асфальта посреди проезжей части, машины объезжают по встречке. Когда починят?",
        });
        Assert.False(accepted.Duplicate);

        var incident = await Eventually.Found(() => sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = accepted.MessageId }).ResponseAsync);
        Assert.Equal("adm-tolyatti", incident.AuthorityId);
        while (await watch.ResponseStream.MoveNext(CancellationToken.None))
        {
            if (watch.ResponseStream.Current.Incident?.Id == incident.Id)
            {
                break;
            }
        }

        Assert.Equal(incident.Id, watch.ResponseStream.Current.Incident?.Id);
    }

    [Fact]
    public async Task gRPC_Web_calls_are_refused_and_fail_as_gRPC_calls_do()
    {
        using var anonymous = suite.GrpcWebChannelFor(null, GrpcWebMode.GrpcWeb);
        var noToken = await Assert.ThrowsAsync<RpcException>(() =>
            new RegistryService.RegistryServiceClient(anonymous).GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-tolyatti" }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, noToken.StatusCode);
        Assert.Contains("authorization: Bearer", noToken.Status.Detail, StringComparison.Ordinal);

        using var integrator = suite.GrpcWebChannelFor(DemoClients.Integrator, GrpcWebMode.GrpcWebText);
        var edit = await Assert.ThrowsAsync<RpcException>(() =>
            new RegistryService.RegistryServiceClient(integrator).CreateTerritoryAsync(new CreateTerritoryRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, edit.StatusCode);

        // A service's own refusal, with its field violations, arrives whole.
        var bad = await Assert.ThrowsAsync<RpcException>(() =>
            new IngestionService.IngestionServiceClient(integrator).IngestAsync(new IngestRequest { Platform = Platform.Vk }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Contains("page_external_id", FieldViolations.Of(bad));
    }

    [Fact]
    public async Task A_page_of_the_configured_origin_may_call_and_read_the_outcome_and_no_other_may()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{suite.GatewayHttpPort}") };
        const string Path = "/govpublics.registry.v1.RegistryService/GetAuthority";

        using var preflight = new HttpRequestMessage(HttpMethod.Options, Path);
        preflight.Headers.Add("Origin", SuiteFixture.BrowserOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type,x-grpc-web");
        var allowed = await http.SendAsync(preflight);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(SuiteFixture.BrowserOrigin, Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("authorization", string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);

        using var elsewhere = new HttpRequestMessage(HttpMethod.Options, Path);
        elsewhere.Headers.Add("Origin", "https://evil.example.test");
        elsewhere.Headers.Add("Access-Control-Request-Method", "POST");
        Assert.False((await http.SendAsync(elsewhere)).Headers.Contains("Access-Control-Allow-Origin"));

        // The call itself: the outcome's headers are exposed to the page's script, a refusal included.
        using var call = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent([0, 0, 0, 0, 0]) };
        call.Content.Headers.ContentType = new("application/grpc-web+proto");
        call.Headers.Add("Origin", SuiteFixture.BrowserOrigin);
        var refused = await http.SendAsync(call);
        Assert.Equal("16", Assert.Single(refused.Headers.GetValues("grpc-status")));
        Assert.Contains("grpc-status", string.Join(",", refused.Headers.GetValues("Access-Control-Expose-Headers")), StringComparison.Ordinal);
        Assert.StartsWith("application/grpc-web", refused.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }
}
