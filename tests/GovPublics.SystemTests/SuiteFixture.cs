using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using GovPublics.AppHost;
using GovPublics.Testing;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;

namespace GovPublics.SystemTests;

/// <summary>
/// The whole suite from the real app host (redis-server, the five services, the gateway), started once for the
/// test collection with the gateway on free loopback ports and Redis data in a temporary folder.
/// </summary>
public sealed class SuiteFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("govpublics-system-").FullName;
    private DistributedApplication? _app;

    public int GatewayGrpcPort { get; } = RedisServerProcess.FreePort();

    public int GatewayHttpPort { get; } = RedisServerProcess.FreePort();

    /// <summary>An integrator that may send and report for the pages of Syzran's administration only.</summary>
    public static readonly DemoClients.Client SyzranCollector = new("syzran-collector", "sys-syzran-collector-token", ["Integrator"], PageOwners: ["adm-syzran"]);

    /// <summary>The web origin the gateway lets call it with gRPC-Web (CORS).</summary>
    public const string BrowserOrigin = "https://cur.example.test";

    public GrpcChannel Gateway { get; private set; } = null!;

    public DistributedApplication App => _app!;

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.GovPublics_AppHost>(
            [
                $"--Gateway:GrpcPort={GatewayGrpcPort}",
                $"--Gateway:HttpPort={GatewayHttpPort}",
                $"--Redis:DataDirectory={_dataDirectory}",
            ],
            timeout.Token);
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            // No dashboard in tests: an exporter pointed at nowhere would only slow shutdown.
            builder.CreateResourceBuilder(project).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
            if (project.Name == "gateway")
            {
                var gateway = builder.CreateResourceBuilder(project).WithEnvironment("Gateway__Cors__Origins__0", BrowserOrigin);
                // One more client after the demo ones: an integrator bound to Syzran's pages.
                foreach (var (name, value) in DemoClients.EnvironmentOf(SyzranCollector, DemoClients.All.Count))
                {
                    gateway.WithEnvironment(name, value);
                }
            }
        }

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
        Gateway = ChannelFor(DemoClients.Admin);
    }

    /// <summary>A channel to the gateway's gRPC port whose calls carry the client's token (none: no token at all).</summary>
    public GrpcChannel ChannelFor(DemoClients.Client? client) =>
        GrpcChannel.ForAddress($"http://127.0.0.1:{GatewayGrpcPort}", ClientToken.On(client?.Token));

    /// <summary>
    /// A gRPC-Web channel to the gateway's HTTP/1.1 port, as a browser app calls it, with the client's token (none:
    /// no token at all).
    /// </summary>
    public GrpcChannel GrpcWebChannelFor(DemoClients.Client? client, GrpcWebMode mode) =>
        GrpcChannel.ForAddress($"http://127.0.0.1:{GatewayHttpPort}", ClientToken.On(client?.Token, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(mode, new HttpClientHandler()),
            HttpVersion = System.Net.HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        }));

    public async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp folder are harmless.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SuiteCollection : ICollectionFixture<SuiteFixture>
{
    public const string Name = "suite";
}
