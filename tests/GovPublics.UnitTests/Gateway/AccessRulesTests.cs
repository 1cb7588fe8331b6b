using GovPublics.Gateway.Access;
using Microsoft.Extensions.Hosting;

namespace GovPublics.UnitTests.Gateway;

public sealed class AccessRulesTests
{
    private static readonly AccessRules _rules = new(new GatewayAuthOptions
    {
        Clients =
        [
            Client("integrator", "i-token", ClientRole.Integrator),
            Client("moderator", "m-token", ClientRole.Moderator),
            Client("executor", "e-token", ClientRole.Executor, "adm-tolyatti"),
            Client("admin", "a-token", ClientRole.Admin),
        ],
    });

    private static GatewayClient Client(string name, string token, ClientRole role, string authority = "") =>
        new() { Name = name, TokenSha256 = GatewayClient.HashToken(token), Roles = [role], AuthorityId = authority };

    [Theory]
    [InlineData(null, "This call needs a client token")]
    [InlineData("", "This call needs a client token")]
    [InlineData("Basic aTp0b2tlbg==", "must be 'Bearer <token>'")]
    [InlineData("Bearer ", "must be 'Bearer <token>'")]
    [InlineData("Bearer guess", "not known")]
    [InlineData("Bearer I-TOKEN", "not known")]
    public void A_call_without_a_known_token_is_unauthenticated(string? authorization, string reason)
    {
        var decision = _rules.Check("/govpublics.registry.v1.RegistryService/GetAuthority", authorization);
        Assert.False(decision.Allowed);
        Assert.Equal(AccessDecision.Unauthenticated, decision.DeniedStatus);
        Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/govpublics.registry.v1.RegistryService/GetAuthority", "i-token m-token e-token a-token")]
    [InlineData("/govpublics.routing.v1.RoutingService/Classify", "i-token m-token e-token a-token")]
    [InlineData("/govpublics.sla.v1.SlaService/WatchIncidents", "i-token m-token e-token a-token")]
    [InlineData("/govpublics.ingestion.v1.IngestionService/Ingest", "i-token a-token")]
    [InlineData("/govpublics.ingestion.v1.IngestionService/IngestBatch", "i-token a-token")]
    [InlineData("/govpublics.sla.v1.SlaAnalyticsService/ReportPostStats", "i-token a-token")]
    [InlineData("/govpublics.ingestion.v1.IngestionService/ListQuarantine", "m-token a-token")]
    [InlineData("/govpublics.routing.v1.RoutingService/DecideModeration", "m-token a-token")]
    [InlineData("/govpublics.routing.v1.RoutingService/RerouteIncident", "m-token e-token a-token")]
    [InlineData("/govpublics.sla.v1.SlaService/AnswerIncident", "m-token e-token a-token")]
    [InlineData("/govpublics.registry.v1.RegistryService/SetPageSecret", "a-token")]
    [InlineData("/govpublics.registry.v1.RegistryService/UpdateKnowledge", "a-token")]
    [InlineData("/govpublics.registry.v1.RegistryService/SomeMethodAddedLater", "a-token")]
    [InlineData("/GOVPUBLICS.registry.v1.RegistryService/createauthority", "a-token")]
    [InlineData("/GovPublics.Ingestion.V1.IngestionService/INGEST", "i-token a-token")]
    [InlineData("//govpublics.registry.v1.RegistryService/GetAuthority", "a-token")]
    [InlineData("/anything/else", "a-token")]
    public void Each_call_is_open_to_its_roles_and_the_admin_only(string path, string allowedTokens)
    {
        var allowed = allowedTokens.Split(' ');
        foreach (var token in new[] { "i-token", "m-token", "e-token", "a-token" })
        {
            var decision = _rules.Check(path, "Bearer " + token);
            Assert.True(allowed.Contains(token) == decision.Allowed, $"{token} on {path}: {decision.Reason}");
            if (!decision.Allowed)
            {
                Assert.Equal(AccessDecision.PermissionDenied, decision.DeniedStatus);
                Assert.Contains("may not call " + path.TrimStart('/'), decision.Reason, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void An_allowed_call_names_its_client()
    {
        var decision = _rules.Check("/govpublics.sla.v1.SlaService/TakeIncident", "bearer e-token ");
        Assert.Equal("executor", decision.Client?.Name);
        Assert.Equal("adm-tolyatti", decision.Client?.AuthorityId);
        Assert.Equal("executor", decision.RolesHeader);
    }

    [Fact]
    public void A_configuration_that_cannot_be_used_stops_the_gateway_with_every_problem_named()
    {
        var options = new GatewayAuthOptions
        {
            Clients =
            [
                new() { Name = "", TokenSha256 = "abc", Roles = [] },
                Client("a", "same", ClientRole.Executor),
                Client("b", "same", ClientRole.Integrator, "adm-tolyatti"),
            ],
        };
        var ex = Assert.Throws<InvalidOperationException>(() => new AccessRules(options));
        Assert.Contains("Auth:Clients:0:Name is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:Clients:0:TokenSha256 must be", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:Clients:0:Roles must name", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:Clients:1:AuthorityId is required for an executor", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:Clients:2:TokenSha256 is another client's token too", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:Clients:2:AuthorityId is required for an executor and only for one", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("100% sure", "100%25 sure")]
    [InlineData("Тольятти", "%D0%A2%D0%BE%D0%BB%D1%8C%D1%8F%D1%82%D1%82%D0%B8")]
    public void Grpc_messages_are_percent_encoded(string message, string encoded) =>
        Assert.Equal(encoded, GrpcRefusal.PercentEncoded(message));
}
