using GovPublics.Contracts.Common.V1;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Registry.Grpc;
using GovPublics.Testing;
using Grpc.Core;

namespace GovPublics.FunctionalTests;

public sealed class RegistryTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private ServiceHost<RegistryGrpcService> _registry = null!;
    private RegistryService.RegistryServiceClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString);
        _client = new RegistryService.RegistryServiceClient(_registry.Channel);
        await Eventually.GrpcReady(() => _client.ListTerritoriesAsync(new ListTerritoriesRequest { PageSize = 1 }).ResponseAsync);
    }

    public async ValueTask DisposeAsync() => await _registry.DisposeAsync();

    [Fact]
    public async Task ResolvePage_finds_the_page_and_its_owner()
    {
        var any = (await _client.ListPagesAsync(new ListPagesRequest { Platform = Platform.Vk, OwnerAuthorityId = "adm-tolyatti" })).Pages.First();
        var resolved = await _client.ResolvePageAsync(new ResolvePageRequest { Platform = Platform.Vk, ExternalId = any.ExternalId });
        Assert.Equal(any.Id, resolved.Page.Id);
        Assert.Equal("Администрация г.о. Тольятти", resolved.Owner.Name);
    }

    [Fact]
    public async Task Unknown_page_is_NotFound_and_missing_fields_are_InvalidArgument()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ResolvePageAsync(new ResolvePageRequest { Platform = Platform.Ok, ExternalId = "no-such-page" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var invalid = await Assert.ThrowsAsync<RpcException>(() => _client.ResolvePageAsync(new ResolvePageRequest()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal(["platform", "external_id"], FieldViolations.Of(invalid));
    }

    [Fact]
    public async Task Lists_page_through_everything_exactly_once()
    {
        var seen = new List<string>();
        var token = "";
        do
        {
            var page = await _client.ListAuthoritiesAsync(new ListAuthoritiesRequest { PageSize = 7, PageToken = token });
            Assert.True(page.Authorities.Count <= 7);
            seen.AddRange(page.Authorities.Select(a => a.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        var all = await _client.ListAuthoritiesAsync(new ListAuthoritiesRequest { PageSize = 1000 });
        Assert.Equal(all.Authorities.Select(a => a.Id), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());

        var bad = await Assert.ThrowsAsync<RpcException>(() => _client.ListAuthoritiesAsync(new ListAuthoritiesRequest { PageToken = "garbage!" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
    }

    [Fact]
    public async Task Filters_select_by_kind_and_parent()
    {
        var districts = await _client.ListAuthoritiesAsync(new ListAuthoritiesRequest { Kind = AuthorityKind.DistrictAdministration });
        Assert.Equal(9, districts.Authorities.Count);
        Assert.All(districts.Authorities, a => Assert.Equal("adm-samara", a.ParentId));
        var okrugs = await _client.ListTerritoriesAsync(new ListTerritoriesRequest { Kind = TerritoryKind.UrbanOkrug });
        Assert.Equal(10, okrugs.TotalSize);
    }

    [Fact]
    public async Task ResolveResponsible_and_the_escalation_chain_follow_the_rules()
    {
        var pothole = await _client.ResolveResponsibleAsync(new ResolveResponsibleRequest { Topic = "roads", Subtopic = "potholes", TerritoryId = "tolyatti" });
        Assert.Equal("adm-tolyatti", pothole.Authority.Id);
        Assert.NotEmpty(pothole.Rule.Id);

        var chain = await _client.GetEscalationChainAsync(new GetEscalationChainRequest { AuthorityId = "adm-samara-kirovsky" });
        Assert.Equal(["adm-samara-kirovsky", "adm-samara"], chain.Chain.Take(2).Select(a => a.Id));
        Assert.Equal(AuthorityKind.Cur, chain.Chain.Last().Kind);

        var unknown = await Assert.ThrowsAsync<RpcException>(() =>
            _client.ResolveResponsibleAsync(new ResolveResponsibleRequest { Topic = "roads", TerritoryId = "atlantis" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Seeding_again_on_restart_changes_nothing()
    {
        await RegistrySeed.SettledAsync(_client);
        var before = await _client.ListPagesAsync(new ListPagesRequest { PageSize = 1000 });
        await using var second = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString);
        var client = new RegistryService.RegistryServiceClient(second.Channel);
        var after = await Eventually.GrpcReady(() => client.ListPagesAsync(new ListPagesRequest { PageSize = 1000 }).ResponseAsync);
        Assert.Equal(before.CatalogVersion, after.CatalogVersion);
        Assert.Equal(before.Pages, after.Pages);
        Assert.Equal(before.TotalSize, await redis.Db.HashLengthAsync("gp:{63}:registry:pages"));
    }

    [Fact]
    public async Task Health_endpoints_and_the_gRPC_health_service_answer()
    {
        using var http = _registry.CreateHttpClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        var health = new Grpc.Health.V1.Health.HealthClient(_registry.Channel);
        var status = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, status.Status);
    }
}
