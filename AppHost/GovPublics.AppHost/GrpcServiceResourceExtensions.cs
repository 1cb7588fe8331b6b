
namespace GovPublics.AppHost;

public static class GrpcServiceResourceExtensions
{
    /// <summary>
    /// A GovPublics service: an HTTP/2-only <c>grpc</c> endpoint (h2c, for gRPC) and an HTTP/1.1 <c>http</c>
    /// endpoint (health probes, webhooks), both on free loopback ports without a proxy hop; the Redis connection;
    /// healthy once <c>/health</c> passes (Redis reachable, catalogue loaded); the internal call key its gRPC port
    /// asks of every call (the gateway and the other services send it).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddGrpcService<TProject>(
        this IDistributedApplicationBuilder builder, string name, IResourceBuilder<IResourceWithConnectionString> redis, string callKey)
        where TProject : IProjectMetadata, new()
    {
        var project = builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint(name: "grpc", isProxied: false)
            .WithHttpEndpoint(name: "http", isProxied: false);
        var grpc = project.GetEndpoint("grpc");
        var http = project.GetEndpoint("http");
        return project
            .WithEnvironment("Kestrel__Endpoints__grpc__Url", ReferenceExpression.Create($"http://127.0.0.1:{grpc.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment("Kestrel__Endpoints__grpc__Protocols", "Http2")
            .WithEnvironment("Kestrel__Endpoints__http__Url", ReferenceExpression.Create($"http://127.0.0.1:{http.Property(EndpointProperty.TargetPort)}"))
            .WithEnvironment("Kestrel__Endpoints__http__Protocols", "Http1")
            .WithEnvironment("Internal__CallKey", callKey)
            .WithHttpHealthCheck("/health", endpointName: "http")
            .WithReference(redis)
            .WaitFor(redis);
    }
}
