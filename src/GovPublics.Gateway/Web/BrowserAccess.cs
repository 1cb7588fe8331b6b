namespace GovPublics.Gateway.Web;

/// <summary>The <c>Gateway:Cors</c> section: the web origins whose pages may call the API with gRPC-Web.</summary>
public sealed class BrowserAccessOptions
{
    public const string Section = "Gateway:Cors";

    /// <summary>Origins such as <c>https://cur.example.ru</c>; none (the default): only same-origin pages and non-browser clients.</summary>
    public List<string> Origins { get; set; } = [];

    /// <summary>What is wrong with the configuration, one line each; empty when it can be used.</summary>
    public IReadOnlyList<string> Problems() =>
    [
        .. Origins.Select((origin, i) => (origin, i))
            .Where(o => !Uri.TryCreate(o.origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.AbsolutePath != "/" || o.origin.EndsWith('/') || uri.Query.Length > 0)
            .Select(o => $"{Section}:Origins:{o.i} must be a scheme and host (and port), like https://cur.example.ru, not '{o.origin}'"),
    ];
}

/// <summary>
/// gRPC-Web on the gateway: browser apps (and other clients that cannot speak HTTP/2 trailers) call the same gRPC
/// API over HTTP/1.1, in binary (<c>application/grpc-web</c>) or base64 (<c>application/grpc-web-text</c>) framing.
/// The gateway translates each call to plain gRPC before checking its token and proxying it, so the services see
/// only gRPC and every rule of <see cref="Access.AccessRules"/> applies unchanged. gRPC-Web carries unary and
/// server-streaming calls (WatchIncidents, WatchChanges); client streaming (IngestBatch) needs a gRPC client.
/// </summary>
public static class BrowserAccess
{
    private const string CorsPolicy = "grpc-web";

    /// <summary>Registers CORS for the configured origins; throws when they cannot be used.</summary>
    public static BrowserAccessOptions AddBrowserAccess(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(BrowserAccessOptions.Section).Get<BrowserAccessOptions>() ?? new BrowserAccessOptions();
        if (options.Problems() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("The gateway's CORS configuration cannot be used: " + string.Join("; ", problems));
        }

        if (options.Origins.Count > 0)
        {
            builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
                .WithOrigins([.. options.Origins])
                .WithMethods("POST")
                .WithHeaders("authorization", "content-type", "x-grpc-web", "x-user-agent", "grpc-timeout", "accept")
                // A browser shows a script only the response headers named here: the call's outcome is among them.
                .WithExposedHeaders("grpc-status", "grpc-message", "grpc-status-details-bin")
                .SetPreflightMaxAge(TimeSpan.FromHours(1))));
        }

        return options;
    }

    /// <summary>
    /// CORS (answers preflight requests before any token is asked for), then gRPC-Web to gRPC. Must run before the
    /// access check, which then sees a gRPC call.
    /// </summary>
    public static void UseBrowserAccess(this WebApplication app, BrowserAccessOptions options)
    {
        if (options.Origins.Count > 0)
        {
            app.UseCors(CorsPolicy);
        }

        app.Use(GrpcWebTextFraming.InvokeAsync);
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
    }
}
