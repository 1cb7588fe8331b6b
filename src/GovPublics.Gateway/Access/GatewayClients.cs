using System.Security.Cryptography;
using System.Text;

namespace GovPublics.Gateway.Access;

/// <summary>What a client of the gRPC API may do: each role opens a set of calls (see <see cref="AccessRules"/>).</summary>
public enum ClientRole
{
    /// <summary>Sends citizens' messages and post statistics (Ingest, IngestBatch, ReportPostStats).</summary>
    Integrator,

    /// <summary>ЦУР staff: the moderation queue, re-routing, the incidents' lifecycle, the quarantine.</summary>
    Moderator,

    /// <summary>An authority's staff: the lifecycle and re-routing of incidents (bound to its authority).</summary>
    Executor,

    /// <summary>The catalogue's and the knowledge's editors; may call everything.</summary>
    Admin,
}

/// <summary>
/// A client of the gRPC API as configured (<c>Auth:Clients</c>): its name, the SHA-256 of its bearer token (the
/// token itself is nowhere in the configuration), its roles and, for an executor, its authority.
/// </summary>
public sealed class GatewayClient
{
    public string Name { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the UTF-8 token (<see cref="HashToken"/>).</summary>
    public string TokenSha256 { get; set; } = "";

    public List<ClientRole> Roles { get; set; } = [];

    /// <summary>The registry id of the authority an executor works for; empty for the other roles.</summary>
    public string AuthorityId { get; set; } = "";

    /// <summary>
    /// The registry ids of the authorities whose pages this client may send messages and post statistics for (an
    /// integrator collecting one municipality's pages); empty: every page. A bound client may not speak for a page
    /// the catalogue does not know.
    /// </summary>
    public List<string> PageOwners { get; set; } = [];

    /// <summary>
    /// At most this many calls a second (a token bucket holding one second's worth); 0: no limit of its own. A call
    /// over it is RESOURCE_EXHAUSTED.
    /// </summary>
    public int CallsPerSecond { get; set; }

    /// <summary>The client's rate-limit bucket: its token and its rate, so a reload that changes the rate starts a new one.</summary>
    internal string LimitKey => _limitKey ??= $"client:{TokenSha256}:{CallsPerSecond}";

    private string? _limitKey;

    /// <summary>The hash a client's token is known by.</summary>
    public static string HashToken(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}

/// <summary>The <c>Auth</c> section of the gateway's configuration.</summary>
public sealed class GatewayAuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// Where the client list is read from: the file <c>Auth:ClientsFile</c> names (JSON, <c>{"Clients": [...]}</c>),
    /// watched for changes; else the <c>Auth</c> section itself (environment, command line, appsettings.json).
    /// </summary>
    public static IConfiguration Source(IConfiguration configuration)
    {
        if (configuration[$"{Section}:ClientsFile"] is not { Length: > 0 } file)
        {
            return configuration.GetSection(Section);
        }

        // A file that cannot be read (missing, or not JSON) loads as no settings at all instead of throwing: thrown on a
        // reload, the error was swallowed by the file watcher and the change went unreported; a deleted file, or one
        // caught half-written, read as an empty list and revoked every client. No settings at all is refused instead
        // (FileProblem), and to revoke everyone the file says so: {"Clients": []}.
        return new ConfigurationBuilder().AddJsonFile(source =>
        {
            source.Path = Path.GetFullPath(file);
            source.Optional = false;
            source.ReloadOnChange = true;
            source.OnLoadException = context => context.Ignore = true;
            source.ResolveFileProvider();
        }).Build();
    }

    /// <summary>Registers the options read from <see cref="Source"/>, with <see cref="FileProblem"/> set when the file gave nothing.</summary>
    public static void Configure(IServiceCollection services, IConfiguration configuration)
    {
        var source = Source(configuration);
        services.Configure<GatewayAuthOptions>(source);
        if (configuration[$"{Section}:ClientsFile"] is { Length: > 0 } file)
        {
            services.PostConfigure<GatewayAuthOptions>(o => o.FileProblem = source.AsEnumerable().Any()
                ? null
                : $"{Section}:ClientsFile '{file}' is missing, empty or not valid JSON (to revoke every client, write {{\"Clients\": []}})");
        }
    }

    /// <summary>Why the client file gave no client list at all (missing, empty, not JSON); null when it did or there is none.</summary>
    public string? FileProblem { get; internal set; }

    /// <summary>Everyone who may call the gRPC API. None configured: every gRPC call is refused.</summary>
    public List<GatewayClient> Clients { get; set; } = [];

    /// <summary>What is wrong with the configuration, one line each; empty when it can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (FileProblem is not null)
        {
            problems.Add(FileProblem);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Clients.Count; i++)
        {
            var c = Clients[i];
            var at = $"Auth:Clients:{i}";
            if (string.IsNullOrWhiteSpace(c.Name))
            {
                problems.Add($"{at}:Name is required");
            }

            if (c.TokenSha256.Length != 64 || !c.TokenSha256.All(char.IsAsciiHexDigitLower))
            {
                problems.Add($"{at}:TokenSha256 must be the 64 lower-case hex digits of the token's SHA-256");
            }
            else if (!seen.Add(c.TokenSha256))
            {
                problems.Add($"{at}:TokenSha256 is another client's token too");
            }

            if (c.Roles.Count == 0)
            {
                problems.Add($"{at}:Roles must name at least one of {string.Join(", ", Enum.GetNames<ClientRole>())}");
            }

            if (c.PageOwners.Any(o => string.IsNullOrWhiteSpace(o) || o.Contains(',')))
            {
                problems.Add($"{at}:PageOwners must be authority ids, none empty or with a comma");
            }

            if (c.CallsPerSecond < 0)
            {
                problems.Add($"{at}:CallsPerSecond must be 0 (no limit) or more");
            }

            if (c.Roles.Contains(ClientRole.Executor) != (c.AuthorityId.Length > 0))
            {
                problems.Add($"{at}:AuthorityId is required for an executor and only for one");
            }
        }

        return problems;
    }
}
