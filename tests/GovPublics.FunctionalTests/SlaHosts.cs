using GovPublics.Registry.Grpc;
using GovPublics.Sla.Grpc;
using GovPublics.Testing;

namespace GovPublics.FunctionalTests;

/// <summary>A registry and an SLA service on real Kestrel over one Redis, started and healthy (catalogue loaded).</summary>
internal sealed class SlaHosts : IAsyncDisposable
{
    private SlaHosts(ServiceHost<RegistryGrpcService> registry, ServiceHost<SlaGrpcService> sla)
    {
        Registry = registry;
        Sla = sla;
    }

    public ServiceHost<RegistryGrpcService> Registry { get; }

    public ServiceHost<SlaGrpcService> Sla { get; }

    /// <summary>
    /// Starts both; <paramref name="settings"/> go to the SLA service, next to the registry's address, and
    /// <paramref name="services"/> may replace its services (its clock, say).
    /// </summary>
    public static async Task<SlaHosts> StartAsync(
        string redisConnectionString, IReadOnlyDictionary<string, string?>? settings = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var registry = new ServiceHost<RegistryGrpcService>(redisConnectionString);
        registry.StartServer();
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Registry:Address"] = registry.GrpcAddress };
        var sla = new ServiceHost<SlaGrpcService>(redisConnectionString, all, services);
        await Eventually.True(async () =>
        {
            using var http = sla.CreateHttpClient();
            return (await http.GetAsync("/health")).IsSuccessStatusCode;
        }, "SLA healthy (catalogue loaded)");
        return new SlaHosts(registry, sla);
    }

    public async ValueTask DisposeAsync()
    {
        await Sla.DisposeAsync();
        await Registry.DisposeAsync();
    }
}
