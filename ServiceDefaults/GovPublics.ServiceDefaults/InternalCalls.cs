using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The key that makes a gRPC call to a service an internal one (<c>Internal:CallKey</c>): the gateway sends it with
/// every call it has checked, and the services with their calls to each other. A service that has a key refuses every
/// other gRPC call on its own port with UNAUTHENTICATED, so the identity headers the gateway sets (<c>x-gp-client</c>,
/// <c>x-gp-roles</c>, ...) cannot be forged by going around it; health checks stay open. Without a key (tests, a
/// plain <c>dotnet run</c>) the port trusts every caller, as before; the app host always gives one.
/// </summary>
public static class InternalCalls
{
    public const string ConfigKey = "Internal:CallKey";
    public const string Header = "x-gp-call-key";

    /// <summary>The configured key, or null when none is.</summary>
    public static string? Key(IConfiguration configuration) =>
        configuration[ConfigKey] is { Length: > 0 } key ? key : null;

    /// <summary>Refuses gRPC calls without the key (when one is configured): before any endpoint runs.</summary>
    public static WebApplication UseInternalCallKey(this WebApplication app)
    {
        if (Key(app.Configuration) is not { } key)
        {
            if (app.Environment.IsProduction())
            {
                app.Logger.LogWarning("{Setting} is not set: this service's gRPC port trusts every caller's identity headers", ConfigKey);
            }

            return app;
        }

        app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true
                || ServiceDefaultsExtensions.IsHealthRequest(request.Path)
                || Matches(request.Headers[Header].ToString(), key))
            {
                return next(context);
            }

            GrpcRefusal.Write(context.Response, GrpcRefusal.Unauthenticated,
                "This port takes gRPC calls from the GovPublics gateway and services only; call through the gateway.");
            return Task.CompletedTask;
        });
        return app;
    }

    /// <summary>In constant time, over the strings' UTF-16 bytes: nothing allocated on every call.</summary>
    private static bool Matches(string presented, string key) =>
        CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(presented.AsSpan()), MemoryMarshal.AsBytes(key.AsSpan()));

    /// <summary>Adds the key to a gRPC client's calls (for <c>AddGrpcClient(...).AddHttpMessageHandler</c>).</summary>
    public sealed class KeyHandler(string? key) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (key is not null)
            {
                request.Headers.Remove(Header);
                request.Headers.TryAddWithoutValidation(Header, key);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
