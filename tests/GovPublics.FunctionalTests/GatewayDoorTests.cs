using System.Net;
using System.Text.Json;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Gateway.Access;
using GovPublics.Registry.Grpc;
using GovPublics.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace GovPublics.FunctionalTests;

/// <summary>
/// The gateway's door on a real Kestrel in front of a real registry: a client list read from a watched file
/// (tokens added and revoked without a restart, a broken list refused), each client's own rate limit, and the
/// webhooks' limit per address.
/// </summary>
public sealed class GatewayDoorTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    private readonly string _clientsFile = Path.Combine(Directory.CreateTempSubdirectory("govpublics-gateway-").FullName, "clients.json");
    private ServiceHost<RegistryGrpcService> _registry = null!;
    private ServiceHost<AccessRulesSource> _gateway = null!;

    public async ValueTask InitializeAsync()
    {
        _registry = new ServiceHost<RegistryGrpcService>(redis.Server.ConnectionString);
        // Loaded before any call through the gateway, which would otherwise be UNAVAILABLE while it loads.
        await Eventually.GrpcReady(() => new RegistryService.RegistryServiceClient(_registry.Channel).ListTerritoriesAsync(new ListTerritoriesRequest()).ResponseAsync);
        await WriteClientsAsync(("alpha", "alpha-token", "Admin", 0), ("slow", "slow-token", "Integrator", 1));
        _gateway = new ServiceHost<AccessRulesSource>(redis.Server.ConnectionString, new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:registry-grpc:Destinations:registry:Address"] = _registry.GrpcAddress,
            // The webhooks go to the registry's HTTP port, which has none: an allowed one is 404, a limited one 429.
            ["ReverseProxy:Clusters:ingestion-http:Destinations:ingestion:Address"] = _registry.HttpAddress,
            ["Auth:ClientsFile"] = _clientsFile,
            ["Gateway:Limits:WebhookRequestsPerSecondPerAddress"] = "1",
        });
        _gateway.StartServer();
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _registry.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_clientsFile)!, recursive: true);
    }

    [Fact]
    public async Task A_changed_client_file_revokes_and_adds_tokens_and_ends_the_removed_clients_open_streams()
    {
        using var alphaChannel = ChannelFor("alpha-token");
        var alpha = new RegistryService.RegistryServiceClient(alphaChannel);
        await alpha.ListTerritoriesAsync(new ListTerritoriesRequest());
        using var watch = alpha.WatchChanges(new WatchChangesRequest(), deadline: DateTime.UtcNow.AddSeconds(90));
        await watch.ResponseHeadersAsync;
        var watching = Task.Run(async () =>
        {
            while (await watch.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

        await WriteClientsAsync(("beta", "beta-token", "Admin", 0));
        using var betaChannel = ChannelFor("beta-token");
        await Eventually.True(async () =>
            (await Outcome(() => new RegistryService.RegistryServiceClient(betaChannel).ListTerritoriesAsync(new ListTerritoriesRequest()).ResponseAsync)) == StatusCode.OK,
            "the added client's token accepted");
        Assert.Equal(StatusCode.Unauthenticated, await Outcome(() => alpha.ListTerritoriesAsync(new ListTerritoriesRequest()).ResponseAsync));
        // The revoked client's stream is ended by the gateway, long before its own deadline.
        var ended = await Assert.ThrowsAsync<RpcException>(() => watching);
        Assert.NotEqual(StatusCode.DeadlineExceeded, ended.StatusCode);

        // A broken list is refused: the last good one stays, and the health check says so.
        await File.WriteAllTextAsync(_clientsFile, """{"Clients":[{"Name":"gamma","TokenSha256":"not-a-hash","Roles":["Admin"]}]}""");
        using var http = _gateway.CreateHttpClient();
        await Eventually.True(async () => (await http.GetStringAsync("/health")) == "Degraded", "the refused list reported");
        Assert.Equal(StatusCode.OK, await Outcome(() => new RegistryService.RegistryServiceClient(betaChannel).ListTerritoriesAsync(new ListTerritoriesRequest()).ResponseAsync));
    }

    [Fact]
    public async Task A_client_file_missing_or_not_json_is_refused_and_an_empty_list_revokes_everyone()
    {
        using var alphaChannel = ChannelFor("alpha-token");
        var alpha = new RegistryService.RegistryServiceClient(alphaChannel);
        using var http = _gateway.CreateHttpClient();
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));

        // Caught half-written: the watcher's reload fails to parse it.
        await File.WriteAllTextAsync(_clientsFile, """{"Clients":[{"Name":"gamma",""");
        await Eventually.True(async () => (await http.GetStringAsync("/health")) == "Degraded", "the unreadable file reported");
        Assert.Equal(StatusCode.OK, await Outcome(() => alpha.ListTerritoriesAsync(new ListTerritoriesRequest()).ResponseAsync));

        await WriteClientsAsync(("alpha", "alpha-token", "Admin", 0));
        await Eventually.True(async () => (await http.GetStringAsync("/health")) == "Healthy", "the good file back");

        // Deleted (or replaced by deleting first): not an empty list that revokes every client.
        File.Delete(_clientsFile);
        await Eventually.True(async () => (await http.GetStringAsync("/health")) == "Degraded", "the missing file reported");
        Assert.Equal(StatusCode.OK, await Outcome(() => alpha.ListTerritoriesAsync(new ListTerritoriesRequest()).ResponseAsync));

        // An empty list said so revokes everyone.
        await File.WriteAllTextAsync(_clientsFile, """{"Clients": []}""");
        await Eventually.True(async () =>
            (await Outcome(() => alpha.ListTerritoriesAsync(new ListTerritoriesRequest()).ResponseAsync)) == StatusCode.Unauthenticated,
            "the empty list in force");
        Assert.Equal("Healthy", await http.GetStringAsync("/health"));
    }

    [Fact]
    public async Task A_client_over_its_calls_per_second_is_resource_exhausted_and_others_go_on()
    {
        using var slowChannel = ChannelFor("slow-token");
        using var alphaChannel = ChannelFor("alpha-token");
        var slow = new RegistryService.RegistryServiceClient(slowChannel);
        var alpha = new RegistryService.RegistryServiceClient(alphaChannel);

        // 1 call a second, 40 at once: the bucket holds one, and 40 calls cannot take 39 seconds.
        var slowCalls = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Details(() => slow.ListTerritoriesAsync(new ListTerritoriesRequest()).ResponseAsync)));
        var alphaCalls = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Details(() => alpha.ListTerritoriesAsync(new ListTerritoriesRequest()).ResponseAsync)));

        Assert.Contains(slowCalls, c => c.Status == StatusCode.OK);
        var limited = slowCalls.Where(c => c.Status == StatusCode.ResourceExhausted).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, c => Assert.Contains("Client 'slow' is over its limit of 1 calls a second", c.Detail, StringComparison.Ordinal));
        Assert.All(slowCalls, c => Assert.Contains(c.Status, new[] { StatusCode.OK, StatusCode.ResourceExhausted }));
        Assert.All(alphaCalls, c => Assert.Equal(StatusCode.OK, c.Status));
    }

    [Fact]
    public async Task Webhooks_from_one_address_beyond_its_limit_get_429_with_Retry_After()
    {
        using var http = _gateway.CreateHttpClient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ =>
            http.PostAsync("/webhooks/vk", new StringContent("""{"type":"confirmation","group_id":1}"""))));

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.Equal("1", r.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        // The rest went through to the proxied service.
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.NotFound);
        // Health is never limited.
        Assert.True((await http.GetAsync("/health")).IsSuccessStatusCode);
    }

    private GrpcChannel ChannelFor(string token) => GrpcChannel.ForAddress(_gateway.GrpcAddress, ClientToken.On(token));

    private async Task WriteClientsAsync(params (string Name, string Token, string Role, int CallsPerSecond)[] clients)
    {
        var json = JsonSerializer.Serialize(new
        {
            Clients = clients.Select(c => new { c.Name, TokenSha256 = GatewayClient.HashToken(c.Token), Roles = new[] { c.Role }, c.CallsPerSecond }),
        });
        // Written whole and then moved into place, so the watcher never reads half a file.
        var temporary = _clientsFile + ".tmp";
        await File.WriteAllTextAsync(temporary, json);
        File.Move(temporary, _clientsFile, overwrite: true);
    }

    private static async Task<StatusCode> Outcome<T>(Func<Task<T>> call) => (await Details(call)).Status;

    private static async Task<(StatusCode Status, string Detail)> Details<T>(Func<Task<T>> call)
    {
        try
        {
            await call();
            return (StatusCode.OK, "");
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, ex.Status.Detail);
        }
    }
}
