using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using GovPublics.Gateway.Access;
using Microsoft.AspNetCore.RateLimiting;

namespace GovPublics.Gateway.Limits;

/// <summary>The <c>Gateway:Limits</c> section.</summary>
public sealed class GatewayLimitOptions
{
    public const string Section = "Gateway:Limits";

    /// <summary>
    /// Webhook requests a second from one address (a token bucket holding two seconds' worth); 0: no limit. The
    /// webhooks need no token, so this is what keeps one address from flooding ingestion and its quarantine; the
    /// platforms deliver far below it (a region's busiest day is a few messages a second) and retry a 429.
    /// </summary>
    public int WebhookRequestsPerSecondPerAddress { get; set; } = 200;

    /// <summary>What is wrong with the configuration, one line each.</summary>
    public IReadOnlyList<string> Problems() => WebhookRequestsPerSecondPerAddress < 0
        ? [$"{Section}:WebhookRequestsPerSecondPerAddress must be 0 (no limit) or more"]
        : [];
}

/// <summary>
/// Rate limits at the door: each client's own <see cref="GatewayClient.CallsPerSecond"/> (after its token is checked:
/// RESOURCE_EXHAUSTED with a retry pushback), and the webhooks per remote address (429 with Retry-After). The
/// address is the connection's: behind another proxy, that proxy's, so such a deployment limits there.
/// </summary>
public static class GatewayLimits
{
    /// <summary>Where the access check leaves the allowed call's client for the limiter.</summary>
    public const string ClientItem = "govpublics.gateway.client";

    private static readonly Meter _meter = new("GovPublics.Gateway.Limits");
    private static readonly Counter<long> _limited = _meter.CreateCounter<long>(
        "govpublics.gateway.limited_requests", description: "Requests refused for a rate limit, by door (grpc: a client's own limit; webhooks: per address)");

    public static void AddGatewayLimits(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(GatewayLimitOptions.Section).Get<GatewayLimitOptions>() ?? new GatewayLimitOptions();
        if (options.Problems() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("The gateway's limits cannot be used: " + string.Join("; ", problems));
        }

        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = Partitioned(options);
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = RejectAsync;
        });
    }

    private static PartitionedRateLimiter<HttpContext> Partitioned(GatewayLimitOptions options) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (context.Items[ClientItem] is GatewayClient { CallsPerSecond: > 0 } client)
            {
                // The rate is in the key: a reload that changes it starts a bucket at the new rate.
                return RateLimitPartition.GetTokenBucketLimiter(client.LimitKey, _ => Bucket(client.CallsPerSecond, seconds: 1));
            }

            if (options.WebhookRequestsPerSecondPerAddress > 0 && GrpcAccessMiddleware.IsWebhook(context.Request))
            {
                return RateLimitPartition.GetTokenBucketLimiter(AddressKey(context.Connection.RemoteIpAddress),
                    _ => Bucket(options.WebhookRequestsPerSecondPerAddress, seconds: 2));
            }

            return RateLimitPartition.GetNoLimiter("");
        });

    /// <summary>A bucket of <paramref name="seconds"/> seconds' worth, refilled evenly: one token at a time below 10 a second, else every 100 ms.</summary>
    public static TokenBucketRateLimiterOptions Bucket(int perSecond, int seconds) => new()
    {
        TokenLimit = perSecond * seconds,
        TokensPerPeriod = perSecond <= 10 ? 1 : (perSecond + 9) / 10,
        ReplenishmentPeriod = perSecond <= 10 ? TimeSpan.FromSeconds(1.0 / perSecond) : TimeSpan.FromMilliseconds(100),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>
    /// The webhook bucket of an address: an IPv4 address (also one mapped into IPv6) on its own, an IPv6 one by its
    /// /64 prefix, which one site gets whole (per address, one attacker's /64 would be billions of buckets).
    /// </summary>
    public static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "webhooks:unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "webhooks:" + address;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return "webhooks:" + new IPAddress(bytes) + "/64";
    }


    private static ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        if (context.Items[ClientItem] is GatewayClient client)
        {
            _limited.Add(1, new KeyValuePair<string, object?>("door", "grpc"));
            GrpcRefusal.Write(context.Response, GrpcRefusal.ResourceExhausted,
                $"Client '{client.Name}' is over its limit of {client.CallsPerSecond} calls a second; retry later.");
            // gRPC's own retry pushback: a client with a retry policy waits this long.
            context.Response.Headers["grpc-retry-pushback-ms"] = Math.Max(1, 1000 / client.CallsPerSecond).ToString(CultureInfo.InvariantCulture);
            return ValueTask.CompletedTask;
        }

        _limited.Add(1, new KeyValuePair<string, object?>("door", "webhooks"));
        context.Response.Headers.RetryAfter = "1";
        return new ValueTask(context.Response.WriteAsync(
            "Too many webhook requests from this address; retry after a second.", cancellationToken));
    }
}
