using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GovPublics.Testing;

/// <summary>
/// One GovPublics service running its real Program on a real Kestrel server: an HTTP/2 (h2c) gRPC port and an
/// HTTP/1.1 port on loopback, connected to the given Redis. <typeparamref name="TEntryPoint"/> is any type of
/// the service's assembly.
/// </summary>
public sealed class ServiceHost<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;
    private GrpcChannel? _channel;

    public ServiceHost(string redisConnectionString, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        GrpcPort = RedisServerProcess.FreePort();
        HttpPort = RedisServerProcess.FreePort();
        _services = services;
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redisConnectionString,
            ["Kestrel:Endpoints:grpc:Url"] = GrpcAddress,
            ["Kestrel:Endpoints:grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:http:Url"] = HttpAddress,
            ["Kestrel:Endpoints:http:Protocols"] = "Http1",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["Registry:RefreshInterval"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel();
    }

    public int GrpcPort { get; }

    public int HttpPort { get; }

    public string GrpcAddress => $"http://127.0.0.1:{GrpcPort}";

    public string HttpAddress => $"http://127.0.0.1:{HttpPort}";

    /// <summary>A gRPC channel to the service's h2c port (started on first use).</summary>
    public GrpcChannel Channel
    {
        get
        {
            StartServer();
            return _channel ??= GrpcChannel.ForAddress(GrpcAddress);
        }
    }

    /// <summary>An HTTP/1.1 client to the service's HTTP port.</summary>
    public HttpClient CreateHttpClient()
    {
        StartServer();
        return new HttpClient { BaseAddress = new Uri(HttpAddress) };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Settings as host settings: with minimal hosting they reach the app's configuration before Program.cs
        // reads it (ConfigureAppConfiguration would come too late for AddRedisClient).
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        if (_services is not null)
        {
            builder.ConfigureServices(_services);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        await base.DisposeAsync();
    }
}
