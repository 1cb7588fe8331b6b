using System.Diagnostics.Metrics;

namespace GovPublics.Gateway.Access;

/// <summary>
/// Checks every call before it is proxied, but the health endpoints (HTTP and gRPC) and the webhooks
/// (<see cref="AccessRules"/>): a refused call is answered by the gateway itself with UNAUTHENTICATED or
/// PERMISSION_DENIED and the reason, and never reaches a service. An allowed call
/// reaches it without the bearer token and with who made it (<see cref="CallerHeaders"/>); whatever a caller sent in
/// those headers itself is dropped first.
/// </summary>
public sealed class GrpcAccessMiddleware(RequestDelegate next, AccessRulesSource rules, IConfiguration configuration, ILogger<GrpcAccessMiddleware> logger)
{
    private static readonly Meter _meter = new("GovPublics.Gateway");
    private static readonly Counter<long> _refused = _meter.CreateCounter<long>(
        "govpublics.gateway.refused_calls", description: "gRPC calls the gateway refused, by status and method");

    private readonly string? _callKey = InternalCalls.Key(configuration);

    public async Task InvokeAsync(HttpContext context)
    {
        // Only the gateway says who made a call, and that it is internal, and only for a call it has checked: whatever
        // a caller sent in these headers goes, on every path (the webhooks' too).
        var headers = context.Request.Headers;
        headers.Remove(InternalCalls.Header);
        foreach (var name in CallerHeaders.All)
        {
            headers.Remove(name);
        }
        // Public: the health endpoints and the webhooks (each platform's secret authenticates those). Everything else
        // needs a token whatever its path looks like: the proxy's routes match paths case-insensitively, so a check
        // keyed on "/govpublics." alone would let "/GOVPUBLICS.…" through unchecked.
        var request = context.Request;
        if (ServiceDefaultsExtensions.IsHealthRequest(request.Path)
            || IsWebhook(request))
        {
            await next(context);
            return;
        }

        var path = request.Path.Value ?? "";
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            // The HTTP/1.1 port is the door of the webhooks, the health checks and gRPC-Web (which arrives here already
            // translated to gRPC, as HTTP/2); plain gRPC has its own port.
            _refused.Add(1, new("grpc.status", 0), new("rpc.method", "(not http/2)"));
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync("Not found: on this port only /webhooks/*, /health and gRPC-Web calls (content-type application/grpc-web or application/grpc-web-text); gRPC calls go to the gRPC port.");
            return;
        }

        var checkedUnder = rules.Current;
        var decision = checkedUnder.Check(path, headers.Authorization);
        if (decision.Client is not { } client)
        {
            // The method as the rules know it, never the raw path: a caller's made-up paths must not become tags.
            _refused.Add(1, new("grpc.status", decision.DeniedStatus), new("rpc.method", AccessRules.IsKnown(path) ? path.ToLowerInvariant() : "(unknown)"));
            logger.LogWarning("Refused {Method} with gRPC status {Status}: {Reason}", path, decision.DeniedStatus, decision.Reason);
            GrpcRefusal.Write(context.Response, decision.DeniedStatus, decision.Reason);
            return;
        }

        headers.Remove("authorization");
        headers[CallerHeaders.Client] = client.Name;
        headers[CallerHeaders.Roles] = decision.RolesHeader;
        if (client.AuthorityId.Length > 0)
        {
            headers[CallerHeaders.Authority] = client.AuthorityId;
        }

        if (decision.PageOwnersHeader.Length > 0)
        {
            headers[CallerHeaders.PageOwners] = decision.PageOwnersHeader;
        }

        if (_callKey is not null)
        {
            headers[InternalCalls.Header] = _callKey;
        }

        context.Items[Limits.GatewayLimits.ClientItem] = client;
        using var call = rules.Open(context, client, checkedUnder);
        if (!call.Aborted)
        {
            await next(context);
        }
    }

    /// <summary>A platform's webhook (<c>/webhooks/*</c>): public, each platform's secret authenticates it.</summary>
    public static bool IsWebhook(HttpRequest request) =>
        request.Path.StartsWithSegments("/webhooks", StringComparison.OrdinalIgnoreCase);
}
