using GovPublics.Gateway.Access;
using GovPublics.Gateway.Limits;

namespace GovPublics.UnitTests.Gateway;

public sealed class GatewayLimitsTests
{
    [Theory]
    [InlineData(1, 1, 1, 1, 1000)]
    [InlineData(4, 1, 4, 1, 250)]
    [InlineData(10, 1, 10, 1, 100)]
    [InlineData(11, 1, 11, 2, 100)]
    [InlineData(200, 2, 400, 20, 100)]
    public void A_bucket_holds_its_seconds_worth_and_refills_at_the_rate(int perSecond, int seconds, int limit, int perPeriod, int periodMs)
    {
        var bucket = GatewayLimits.Bucket(perSecond, seconds);
        Assert.Equal((limit, perPeriod, periodMs, 0), (bucket.TokenLimit, bucket.TokensPerPeriod, (int)bucket.ReplenishmentPeriod.TotalMilliseconds, bucket.QueueLimit));
    }

    [Fact]
    public void Negative_limits_are_refused_with_their_names()
    {
        Assert.Contains("WebhookRequestsPerSecondPerAddress", Assert.Single(new GatewayLimitOptions { WebhookRequestsPerSecondPerAddress = -1 }.Problems()), StringComparison.Ordinal);
        Assert.Empty(new GatewayLimitOptions { WebhookRequestsPerSecondPerAddress = 0 }.Problems());
        var client = new GatewayClient { Name = "x", TokenSha256 = GatewayClient.HashToken("t"), Roles = [ClientRole.Admin], CallsPerSecond = -5 };
        Assert.Contains("Auth:Clients:0:CallsPerSecond", Assert.Single(new GatewayAuthOptions { Clients = [client] }.Problems()), StringComparison.Ordinal);
        var commas = new GatewayClient { Name = "x", TokenSha256 = GatewayClient.HashToken("t"), Roles = [ClientRole.Integrator], PageOwners = ["adm-a,adm-b"] };
        Assert.Contains("Auth:Clients:0:PageOwners", Assert.Single(new GatewayAuthOptions { Clients = [commas] }.Problems()), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reloaded_list_still_allows_a_client_only_unchanged()
    {
        static GatewayClient Client(string name = "c", ClientRole role = ClientRole.Executor, string authority = "adm-a", int rate = 0) =>
            new() { Name = name, TokenSha256 = GatewayClient.HashToken("token"), Roles = [role], AuthorityId = role == ClientRole.Executor ? authority : "", CallsPerSecond = rate };
        var open = Client();

        Assert.True(new AccessRules(new GatewayAuthOptions { Clients = [Client()] }).StillAllows(open));
        Assert.False(new AccessRules(new GatewayAuthOptions()).StillAllows(open));
        Assert.False(new AccessRules(new GatewayAuthOptions { Clients = [Client(name: "renamed")] }).StillAllows(open));
        Assert.False(new AccessRules(new GatewayAuthOptions { Clients = [Client(authority: "adm-b")] }).StillAllows(open));
        Assert.False(new AccessRules(new GatewayAuthOptions { Clients = [Client(role: ClientRole.Moderator)] }).StillAllows(open));
        Assert.False(new AccessRules(new GatewayAuthOptions { Clients = [Client(rate: 3)] }).StillAllows(open));
        var bound = new GatewayClient { Name = "c", TokenSha256 = GatewayClient.HashToken("token"), Roles = [ClientRole.Executor], AuthorityId = "adm-a", PageOwners = ["adm-a"] };
        Assert.False(new AccessRules(new GatewayAuthOptions { Clients = [bound] }).StillAllows(open));
    }

    [Theory]
    [InlineData("203.0.113.7", "webhooks:203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "webhooks:203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "webhooks:2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "webhooks:2001:db8:1:2::/64")]
    public void Webhook_buckets_are_per_IPv4_address_and_per_IPv6_64_prefix(string address, string key) =>
        Assert.Equal(key, GatewayLimits.AddressKey(System.Net.IPAddress.Parse(address)));
}
