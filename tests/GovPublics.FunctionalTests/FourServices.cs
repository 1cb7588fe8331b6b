using GovPublics.Contracts.Common.V1;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Ingestion.Grpc;
using GovPublics.Registry.Grpc;
using GovPublics.Routing.Grpc;
using GovPublics.Sla.Grpc;
using GovPublics.Testing;

namespace GovPublics.FunctionalTests;

/// <summary>Registry, ingestion, routing and SLA on one Redis, each its real Program on real Kestrel ports.</summary>
public sealed class FourServices : IAsyncDisposable
{
    private FourServices(string redisConnectionString)
    {
        Registry = new ServiceHost<RegistryGrpcService>(redisConnectionString);
        var settings = new Dictionary<string, string?> { ["Registry:Address"] = Registry.GrpcAddress };
        Ingestion = new ServiceHost<IngestionGrpcService>(redisConnectionString, settings);
        Routing = new ServiceHost<RoutingGrpcService>(redisConnectionString, settings);
        Sla = new ServiceHost<SlaGrpcService>(redisConnectionString, settings);
    }

    public ServiceHost<RegistryGrpcService> Registry { get; }

    public ServiceHost<IngestionGrpcService> Ingestion { get; }

    public ServiceHost<RoutingGrpcService> Routing { get; }

    public ServiceHost<SlaGrpcService> Sla { get; }

    /// <summary>
    /// Starts the registry, routing and SLA (their consumers run from the start; ingestion starts on its first call).
    /// If one fails to start, those already started are stopped before the failure is thrown.
    /// </summary>
    /// <summary>
    /// A citizen's comment that routing makes an incident with confidence (a burst water main in Syzran), as an
    /// integrator sends it; <paramref name="externalId"/> makes it a message of its own.
    /// </summary>
    public static IngestRequest WaterMainBurst(string externalId) => new()
    {
        Platform = Platform.Vk,
        PageExternalId = "-1",
        ExternalId = externalId,
        Text = "В Сызрани на улице Ульяновской прорвало трубу, течёт вода по дороге",
    };

    public static async Task<FourServices> StartAsync(string redisConnectionString)
    {
        var services = new FourServices(redisConnectionString);
        try
        {
            services.Registry.StartServer();
            services.Routing.StartServer();
            services.Sla.StartServer();
            return services;
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Sla.DisposeAsync();
        await Routing.DisposeAsync();
        await Ingestion.DisposeAsync();
        await Registry.DisposeAsync();
    }
}
