using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using GovPublics.AppHost;

var builder = DistributedApplication.CreateBuilder(args);

// Redis: an external one when ConnectionStrings:redis is configured, else a local redis-server process with
// AOF on and its data in Redis:DataDirectory (default .data/redis at the repository's root).
IResourceBuilder<IResourceWithConnectionString> redis;
if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("redis")))
{
    redis = builder.AddConnectionString("redis");
}
else
{
    var dataDirectory = Path.GetFullPath(builder.Configuration["Redis:DataDirectory"]
        ?? Path.Combine(builder.AppHostDirectory, "..", "..", ".data", "redis"));
    redis = builder.AddRedisServer("redis", RedisServerInstaller.FindOrInstall(Console.Out), dataDirectory);
}

// The key that makes a call to a service's own port an internal one (the gateway's, or another service's): a new one
// each run, or Internal:CallKey when configured. Without it anyone who reaches a service port could claim any client.
var callKey = builder.Configuration["Internal:CallKey"] is { Length: >= 32 } configured
    ? configured
    : System.Security.Cryptography.RandomNumberGenerator.GetHexString(64, lowercase: true);
var registry = builder.AddGrpcService<Projects.GovPublics_Registry>("registry", redis, callKey);
var ingestion = builder.AddGrpcService<Projects.GovPublics_Ingestion>("ingestion", redis, callKey).WithReference(registry).WaitFor(registry);
if (builder.Configuration.GetValue("Demo:Messages", true))
{
    // A fresh suite shows a dozen incidents; ids are deterministic, so restarts add nothing.
    ingestion.WithEnvironment("Ingestion__DemoMessagesFile", "Demo/demo-messages.json");
}

var routing = builder.AddGrpcService<Projects.GovPublics_Routing>("routing", redis, callKey).WithReference(registry).WaitFor(registry);
var sla = builder.AddGrpcService<Projects.GovPublics_Sla>("sla", redis, callKey).WithReference(registry).WaitFor(registry);

// The gateway: gRPC (h2c) and HTTP/1.1 on fixed loopback ports, 7000 and 7080 unless configured otherwise.
var grpcPort = builder.Configuration.GetValue("Gateway:GrpcPort", 7000);
var httpPort = builder.Configuration.GetValue("Gateway:HttpPort", 7080);
string grpcUrl = $"http://127.0.0.1:{grpcPort}", httpUrl = $"http://127.0.0.1:{httpPort}";
var gateway = builder.AddProject<Projects.GovPublics_Gateway>("gateway", launchProfileName: null)
    .WithHttpEndpoint(name: "grpc", port: grpcPort, isProxied: false)
    .WithHttpEndpoint(name: "http", port: httpPort, isProxied: false)
    .WithEnvironment("Kestrel__Endpoints__grpc__Url", grpcUrl)
    .WithEnvironment("Kestrel__Endpoints__grpc__Protocols", "Http2")
    .WithEnvironment("Kestrel__Endpoints__http__Url", httpUrl)
    .WithEnvironment("Kestrel__Endpoints__http__Protocols", "Http1")
    .WithEnvironment("Internal__CallKey", callKey)
    .WithHttpHealthCheck("/health", endpointName: "http")
    .WithReference(registry).WithReference(ingestion).WithReference(routing).WithReference(sla)
    .WaitFor(registry).WaitFor(ingestion).WaitFor(routing).WaitFor(sla);
if (builder.Configuration.GetValue("Demo:Clients", true) && builder.Environment.IsDevelopment())
{
    // Every gRPC call through the gateway needs a client token; these demo ones are in the README, so they are never
    // given outside Development (the README's run command is Development; a published suite configures Auth:Clients).
    foreach (var (name, value) in DemoClients.GatewayEnvironment())
    {
        gateway.WithEnvironment(name, value);
    }
}

builder.Build().Run();
