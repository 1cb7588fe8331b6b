using System.Security.Cryptography;
using System.Text;

namespace GovPublics.AppHost;

/// <summary>
/// The gRPC clients the app host gives the gateway for the demo (off with <c>--Demo:Clients=false</c>): one per
/// role, their tokens public in the README. A real deployment configures its own in the gateway's <c>Auth:Clients</c>
/// (each token's SHA-256 only) and turns these off.
/// </summary>
public static class DemoClients
{
    /// <summary>A client as the gateway knows it; <paramref name="PageOwners"/> binds it to those authorities' pages.</summary>
    public sealed record Client(string Name, string Token, string[] Roles, string AuthorityId = "", string[]? PageOwners = null);

    public static readonly Client Admin = new("demo-admin", "gp-demo-admin-token", ["Admin"]);
    public static readonly Client Integrator = new("demo-integrator", "gp-demo-integrator-token", ["Integrator"]);
    public static readonly Client Moderator = new("demo-moderator", "gp-demo-moderator-token", ["Moderator"]);
    public static readonly Client Executor = new("demo-executor-tolyatti", "gp-demo-executor-tolyatti-token", ["Executor"], "adm-tolyatti");

    public static IReadOnlyList<Client> All { get; } = [Admin, Integrator, Moderator, Executor];

    /// <summary>The gateway's configuration of these clients, as environment variables.</summary>
    public static IEnumerable<(string Name, string Value)> GatewayEnvironment() => All.SelectMany(EnvironmentOf);

    /// <summary>The gateway's configuration of one client at <paramref name="index"/> of its list, as environment variables.</summary>
    public static IEnumerable<(string Name, string Value)> EnvironmentOf(Client client, int index) =>
        new[]
        {
            ($"Auth__Clients__{index}__Name", client.Name),
            ($"Auth__Clients__{index}__TokenSha256", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(client.Token)))),
            ($"Auth__Clients__{index}__AuthorityId", client.AuthorityId),
        }
        .Concat(client.Roles.Select((r, j) => ($"Auth__Clients__{index}__Roles__{j}", r)))
        .Concat((client.PageOwners ?? []).Select((o, j) => ($"Auth__Clients__{index}__PageOwners__{j}", o)));
}
