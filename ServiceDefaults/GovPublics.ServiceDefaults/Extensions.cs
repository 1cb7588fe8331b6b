using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Cross-cutting defaults every GovPublics service shares: OpenTelemetry (traces, metrics, logs to the Aspire
/// dashboard over OTLP), health checks (<c>/health</c>, <c>/alive</c> and the gRPC health service), and service
/// discovery for outgoing calls. No domain logic and no authentication live here.
/// </summary>
public static class ServiceDefaultsExtensions
{
    private const string HealthPath = "/health";
    private const string AlivePath = "/alive";
    private const string GrpcHealthPrefix = "/grpc.health.v1.Health/";

    /// <summary>Names of the ActivitySources and Meters of GovPublics' own code, exported with the rest.</summary>
    public static readonly string[] TelemetrySources = ["GovPublics.*"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();

        // Service discovery for every HttpClient (gRPC clients included). No standard resilience handler here:
        // its attempt timeout kills server-streaming gRPC calls and HTTP retries never see gRPC status codes,
        // so gRPC clients get gRPC's own retry policy and deadlines where they are registered.
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetrySources))
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new BackgroundPollingSampler()))
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TelemetrySources)
                .AddAspNetCoreInstrumentation(o =>
                    // Health probes every few seconds would drown the traces that matter.
                    o.Filter = ctx => !IsHealthRequest(ctx.Request.Path))
                // Outgoing gRPC calls are traced as HTTP client spans (System.Net.Http's ActivitySource, kind Client),
                // which the sampler sees at start; the gRPC client's own legacy activity would escape it.
                .AddHttpClientInstrumentation()
                // Before any exporter (registered after this): no span leaves the process with OK's URL secret.
                .AddProcessor(new SecretPathRedactor()));

        // The Aspire app host sets the OTLP endpoint; an empty one (tests, plain `dotnet run`) means no exporter,
        // which also keeps shutdown from waiting on a flush to nowhere.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        // The gRPC health service (grpc.health.v1.Health) reports the same checks; it needs gRPC itself, which
        // the gateway would not have otherwise.
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks();
        return builder;
    }

    /// <summary>
    /// <c>/health</c> (every check: ready to serve), <c>/alive</c> (the process runs) and the gRPC health service
    /// (<c>grpc.health.v1.Health</c>, reporting the same checks), on every endpoint of the service.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthPath);
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        app.MapGrpcHealthChecksService();
        return app;
    }

    /// <summary>A request to the health endpoints this class maps (HTTP <c>/health</c>, <c>/alive</c>, the gRPC health service).</summary>
    public static bool IsHealthRequest(PathString path) =>
        path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath)
        || path.Value?.StartsWith(GrpcHealthPrefix, StringComparison.Ordinal) == true;
}
