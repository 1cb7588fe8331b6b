using Aspire.Hosting.Testing;
using Google.Protobuf;
using GovPublics.AppHost;
using GovPublics.Contracts.Common.V1;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Contracts.Routing.V1;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Testing;
using Grpc.Core;

namespace GovPublics.SystemTests;

[Collection(SuiteCollection.Name)]
public sealed class GatewayFlowTests(SuiteFixture suite)
{
    private readonly IngestionService.IngestionServiceClient _ingestion = new(suite.Gateway);
    private readonly SlaService.SlaServiceClient _sla = new(suite.Gateway);

    [Fact]
    public async Task A_message_ingested_through_the_gateway_becomes_an_incident_with_an_authority_and_a_deadline()
    {
        var registry = new RegistryService.RegistryServiceClient(suite.Gateway);
        var page = (await registry.ListPagesAsync(new ListPagesRequest { OwnerAuthorityId = "adm-tolyatti", Platform = Platform.Vk })).Pages[0];

        var accepted = await _ingestion.IngestAsync(new IngestRequest
        {
            Platform = Platform.Vk,
            PageExternalId = page.ExternalId,
            Kind = MessageKind.Comment,
            ExternalId = "sys-1",
            ThreadId = "wall-1",
            Author = new Author { Id = "501", DisplayName = "Олег" },
            Text = "На Южном шоссе огромная яма, уже третья машина пробила колесо. Когда отремонтируют?",
        });
        Assert.False(accepted.Duplicate);

        var incident = await Eventually.Found(() =>
            _sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = accepted.MessageId }).ResponseAsync);
        Assert.Equal("roads", incident.Category);
        Assert.Equal("adm-tolyatti", incident.AuthorityId);
        Assert.Equal(IncidentStatus.New, incident.Status);
        Assert.True(incident.FirstResponseDueAt.ToDateTimeOffset() > incident.ReceivedAt.ToDateTimeOffset());

        var decision = await new RoutingService.RoutingServiceClient(suite.Gateway)
            .GetDecisionAsync(new GetDecisionRequest { MessageId = accepted.MessageId });
        Assert.Equal(incident.AuthorityId, decision.ResponsibleAuthorityId);
    }

    [Fact]
    public async Task A_repeated_message_is_a_duplicate_and_still_one_incident()
    {
        var request = new IngestRequest
        {
            Platform = Platform.Telegram,
            PageExternalId = "-1009000000001",
            Kind = MessageKind.Comment,
            ExternalId = "sys-dup",
            Text = "В Новокуйбышевске на улице Миронова вторые сутки нет холодной воды в доме 12",
        };
        var first = await _ingestion.IngestAsync(request);
        var repeats = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _ingestion.IngestAsync(request).ResponseAsync));
        Assert.All(repeats, r => Assert.True(r.Duplicate));
        Assert.All(repeats, r => Assert.Equal(first.MessageId, r.MessageId));

        var incident = await Eventually.Found(() =>
            _sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = first.MessageId }).ResponseAsync);
        // Let any late copy travel the whole pipeline before counting: a stream entry's id only grows, so once the
        // decision is stored and a later marker message has its incident, every earlier entry has been handled.
        var marker = await _ingestion.IngestAsync(new IngestRequest
        {
            Platform = Platform.Vk, PageExternalId = "-1", ExternalId = "sys-dup-marker",
            Text = "В Сызрани на улице Ленина не горят фонари уже неделю",
        });
        await Eventually.Found(() => _sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = marker.MessageId }).ResponseAsync);
        var all = await _sla.ListIncidentsAsync(new ListIncidentsRequest { AuthorityId = incident.AuthorityId, PageSize = 500 });
        Assert.Single(all.Incidents, i => i.MessageId == first.MessageId);
    }

    [Fact]
    public async Task Bad_input_through_the_gateway_is_InvalidArgument_and_unknown_ids_NotFound()
    {
        var invalid = await Assert.ThrowsAsync<RpcException>(() => _ingestion.IngestAsync(new IngestRequest { ExternalId = "x", PageExternalId = "1" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal(["platform", "text"], FieldViolations.Of(invalid));

        var missing = await Assert.ThrowsAsync<RpcException>(() => _sla.GetIncidentAsync(new GetIncidentRequest { Id = "INC-424242" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var noMessage = await Assert.ThrowsAsync<RpcException>(() => _sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = "mneverseen" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, noMessage.StatusCode);
    }

    [Fact]
    public async Task Every_gRPC_call_needs_a_known_token_and_each_role_reaches_only_its_calls()
    {
        using var anonymous = suite.ChannelFor(null);
        var noToken = await Assert.ThrowsAsync<RpcException>(() =>
            new RegistryService.RegistryServiceClient(anonymous).GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-tolyatti" }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, noToken.StatusCode);
        Assert.Contains("authorization: Bearer", noToken.Status.Detail, StringComparison.Ordinal);

        using var forged = suite.ChannelFor(DemoClients.Integrator with { Token = "guess" });
        var unknown = await Assert.ThrowsAsync<RpcException>(() =>
            new RegistryService.RegistryServiceClient(forged).GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-tolyatti" }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, unknown.StatusCode);

        // An integrator reads and ingests, and may not edit the catalogue or act on incidents.
        using var integratorChannel = suite.ChannelFor(DemoClients.Integrator);
        var integratorRegistry = new RegistryService.RegistryServiceClient(integratorChannel);
        Assert.Equal("adm-tolyatti", (await integratorRegistry.GetAuthorityAsync(new GetAuthorityRequest { Id = "adm-tolyatti" })).Id);
        var edit = await Assert.ThrowsAsync<RpcException>(() => integratorRegistry.CreateTerritoryAsync(new CreateTerritoryRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, edit.StatusCode);
        Assert.Contains("demo-integrator", edit.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("admin", edit.Status.Detail, StringComparison.Ordinal);
        var take = await Assert.ThrowsAsync<RpcException>(() =>
            new SlaService.SlaServiceClient(integratorChannel).TakeIncidentAsync(new TakeIncidentRequest { Id = "INC-000001", Actor = "someone" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, take.StatusCode);

        // The proxy matches paths without regard to case: so does the check.
        var shouted = new Method<CreateTerritoryRequest, Territory>(MethodType.Unary, "GOVPUBLICS.REGISTRY.V1.REGISTRYSERVICE", "CREATETERRITORY",
            Marshallers.Create(r => r.ToByteArray(), CreateTerritoryRequest.Parser.ParseFrom), Marshallers.Create(t => t.ToByteArray(), Territory.Parser.ParseFrom));
        var sneaked = await Assert.ThrowsAsync<RpcException>(() =>
            integratorChannel.CreateCallInvoker().AsyncUnaryCall(shouted, null, new CallOptions(), new CreateTerritoryRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, sneaked.StatusCode);

        // The HTTP/1.1 port serves webhooks and health only, even with a token.
        using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{suite.GatewayHttpPort}") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/govpublics.registry.v1.RegistryService/GetAuthority")
            {
                Content = new ByteArrayContent([0, 0, 0, 0, 0]),
            };
            request.Headers.Add("authorization", "Bearer " + DemoClients.Admin.Token);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.SendAsync(request)).StatusCode);
        }

        // A moderator reaches the moderation queue; an integrator does not.
        using var moderatorChannel = suite.ChannelFor(DemoClients.Moderator);
        await new RoutingService.RoutingServiceClient(moderatorChannel).ListModerationAsync(new ListModerationRequest());
        var queue = await Assert.ThrowsAsync<RpcException>(() =>
            new RoutingService.RoutingServiceClient(integratorChannel).ListModerationAsync(new ListModerationRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, queue.StatusCode);
    }

    [Fact]
    public async Task A_services_own_port_refuses_a_call_that_went_around_the_gateway()
    {
        // Identity headers forged straight to the service: the app host gave every service the internal call key.
        using var direct = Grpc.Net.Client.GrpcChannel.ForAddress(suite.App.GetEndpoint("registry", "grpc"));
        var forged = new Metadata { { "x-gp-client", "demo-admin" }, { "x-gp-roles", "admin" } };
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            new RegistryService.RegistryServiceClient(direct).CreateTerritoryAsync(new CreateTerritoryRequest(), forged).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("call through the gateway", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_registrys_internal_service_is_not_reachable_through_the_gateway()
    {
        var internalClient = new RegistryInternalService.RegistryInternalServiceClient(suite.Gateway);
        var ex = await Assert.ThrowsAsync<RpcException>(() => internalClient.GetWebhookCredentialsAsync(
            new GetWebhookCredentialsRequest { Platform = Platform.Vk, PageExternalId = "-205832150" }).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    [Fact]
    public async Task A_VK_comment_through_the_gateways_HTTP_port_becomes_an_incident()
    {
        var registry = new RegistryService.RegistryServiceClient(suite.Gateway);
        var page = (await registry.ResolvePageAsync(new ResolvePageRequest { Platform = Platform.Vk, ExternalId = "-211380756" })).Page;
        await registry.SetPageSecretAsync(new SetPageSecretRequest { PageId = page.Id, Version = page.Version, Secret = "sys-secret", ConfirmationCode = "sys-confirm" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{suite.GatewayHttpPort}") };

        var handshake = await http.PostAsync("/webhooks/vk", new StringContent("""{"type":"confirmation","group_id":211380756,"secret":"sys-secret"}"""));
        Assert.Equal("sys-confirm", await handshake.Content.ReadAsStringAsync());

        var comment = await http.PostAsync("/webhooks/vk", new StringContent("""
            {"type":"wall_reply_new","group_id":211380756,"event_id":"sys-evt-1","v":"5.199","secret":"sys-secret",
             "object":{"id":5501,"from_id":3301,"date":1795800000,"post_id":77,"owner_id":-211380756,
                       "text":"На улице Миронова контейнерная площадка разломана, баки без крышек, мусор уже на дороге"}}
            """));
        Assert.Equal("ok", await comment.Content.ReadAsStringAsync());

        var messageId = GovPublics.Common.Pipeline.MessageIdentity.Derive(
            GovPublics.Catalog.Platform.Vk, "-211380756", GovPublics.Common.Pipeline.MessageKind.Comment, "wall:5501");
        var incident = await Eventually.Found(() => _sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = messageId }).ResponseAsync);
        Assert.Equal("waste", incident.Category);
        Assert.Equal("adm-novokuybyshevsk", incident.AuthorityId);
    }

    [Fact]
    public async Task Analytics_follow_the_pipeline_and_answer_through_the_gateway()
    {
        var analytics = new SlaAnalyticsService.SlaAnalyticsServiceClient(suite.Gateway);
        var from = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1));
        var to = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(1));
        await _ingestion.IngestAsync(new IngestRequest
        {
            Platform = Platform.Vk, PageExternalId = "-224464152", Kind = MessageKind.PagePost, FromPage = true, ExternalId = "post:sys-1",
            Text = "График вывоза мусора на неделю", Attachments = { new Attachment { Type = "photo", Url = "https://vk.com/photo-224464152_1" } },
        });

        await Eventually.True(async () =>
        {
            var ranking = await analytics.RankPagesAsync(new RankPagesRequest { From = from, To = to, OwnerAuthorityId = "adm-syzran", Platform = Platform.Vk });
            return ranking.Pages.Single(p => p.PageId == "vk-adm-syzran").Counts is { Posts: 1, PostsWithVisuals: 1 };
        }, "the page post counted in the rating");
        var stats = await analytics.ReportPostStatsAsync(new ReportPostStatsRequest
        {
            Items = { new PostStats { Platform = Platform.Vk, PageExternalId = "-224464152", PostExternalId = "post:sys-1", Likes = 12, ObservedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) } },
        });
        Assert.Equal((true, true), (stats.Results[0].Stored, stats.Results[0].PostKnown));
        var tension = await analytics.GetTensionPointsAsync(new GetTensionPointsRequest { IncludeAll = true });
        Assert.Contains("median weekly count", tension.Method, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_gateway_answers_health_on_its_HTTP_port()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{suite.GatewayHttpPort}") };
        Assert.True((await http.GetAsync("/health")).IsSuccessStatusCode);
    }
}
