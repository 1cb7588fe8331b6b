using GovPublics.Gateway.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GovPublics.UnitTests.Gateway;

public sealed class AccessRulesSourceTests
{
    private const string Method = "/govpublics.registry.v1.RegistryService/ListTerritories";

    private static GatewayAuthOptions Clients(params string[] tokens) => new()
    {
        Clients = [.. tokens.Select(t => new GatewayClient { Name = t, TokenSha256 = GatewayClient.HashToken(t), Roles = [ClientRole.Admin] })],
    };

    [Fact]
    public void A_call_checked_under_the_old_list_and_opened_after_a_reload_that_revoked_it_is_aborted()
    {
        using var source = new AccessRulesSource(new FixedMonitor(Clients("a-token", "b-token")), NullLogger<AccessRulesSource>.Instance);
        var checkedUnder = source.Current;
        var a = checkedUnder.Check(Method, "Bearer a-token").Client!;
        var b = checkedUnder.Check(Method, "Bearer b-token").Client!;

        // The reload swaps the rules and sweeps the open calls before either call is open.
        source.Reload(Clients("b-token"));

        var (revoked, revokedAborted) = Context();
        using var revokedCall = source.Open(revoked, a, checkedUnder);
        Assert.True(revokedCall.Aborted);
        Assert.True(revokedAborted());

        var (kept, keptAborted) = Context();
        using var keptCall = source.Open(kept, b, checkedUnder);
        Assert.False(keptCall.Aborted);
        Assert.False(keptAborted());
    }

    [Fact]
    public void A_reload_aborts_the_open_calls_of_a_revoked_client_and_not_those_that_ended()
    {
        using var source = new AccessRulesSource(new FixedMonitor(Clients("a-token")), NullLogger<AccessRulesSource>.Instance);
        var rules = source.Current;
        var a = rules.Check(Method, "Bearer a-token").Client!;
        var (open, openAborted) = Context();
        var (ended, endedAborted) = Context();
        using var openCall = source.Open(open, a, rules);
        source.Open(ended, a, rules).Dispose();

        source.Reload(Clients());

        Assert.True(openCall.Aborted);
        Assert.True(openAborted());
        Assert.False(endedAborted());
    }

    private static (HttpContext Context, Func<bool> Aborted) Context()
    {
        var lifetime = new Lifetime();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        return (context, () => lifetime.WasAborted);
    }

    private sealed class Lifetime : IHttpRequestLifetimeFeature
    {
        public bool WasAborted { get; private set; }

        public CancellationToken RequestAborted { get; set; }

        public void Abort() => WasAborted = true;
    }

    private sealed class FixedMonitor(GatewayAuthOptions value) : IOptionsMonitor<GatewayAuthOptions>
    {
        public GatewayAuthOptions CurrentValue => value;

        public GatewayAuthOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<GatewayAuthOptions, string?> listener) => null;
    }
}
