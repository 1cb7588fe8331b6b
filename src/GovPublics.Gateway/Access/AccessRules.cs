namespace GovPublics.Gateway.Access;

/// <summary>
/// The outcome of checking one gRPC call: allowed with its client (and its roles as the services are told them,
/// <c>integrator,moderator</c>), or refused with the gRPC status and why.
/// </summary>
public sealed record AccessDecision(GatewayClient? Client, int DeniedStatus, string Reason, string RolesHeader = "", string PageOwnersHeader = "")
{
    public const int Unauthenticated = GrpcRefusal.Unauthenticated;
    public const int PermissionDenied = GrpcRefusal.PermissionDenied;

    public bool Allowed => Client is not null;
}

/// <summary>
/// Who may call what through the gateway. Every client must present a known bearer token; reading (the Get, List,
/// Resolve, Watch, Preview and Export calls, and Classify) is open to every client, each write to the roles named
/// here, and an admin may call everything. A method not listed here is the admin's alone, so a new call is closed
/// until someone decides who may make it. The registry's internal service is not routed at all.
/// </summary>
public sealed class AccessRules
{
    private static readonly ClientRole[] _anyone = [ClientRole.Integrator, ClientRole.Moderator, ClientRole.Executor, ClientRole.Admin];

    private static readonly Dictionary<string, ClientRole[]> _rules = Build(
        ("ingestion.v1.IngestionService", [
            ("Ingest", [ClientRole.Integrator]), ("IngestBatch", [ClientRole.Integrator]), ("ListQuarantine", [ClientRole.Moderator]),
        ]),
        ("registry.v1.RegistryService", [
            .. Reads("ResolvePage", "GetAuthority", "ListAuthorities", "ListPages", "ListTerritories", "ListJurisdictionRules",
                "ResolveResponsible", "GetEscalationChain", "ExportCatalog", "WatchChanges", "ListKnowledge", "GetKnowledge"),
        ]),
        ("routing.v1.RoutingService", [
            .. Reads("Classify", "GetDecision", "GetDecisionHistory"),
            ("ListModeration", [ClientRole.Moderator]), ("TakeModeration", [ClientRole.Moderator]),
            ("DecideModeration", [ClientRole.Moderator]), ("ExportCorrections", [ClientRole.Moderator]),
            ("RerouteIncident", [ClientRole.Moderator, ClientRole.Executor]),
        ]),
        ("sla.v1.SlaService", [
            .. Reads("GetIncident", "GetIncidentByMessage", "ListIncidents", "WatchIncidents", "PreviewDeadlines"),
            .. Lifecycle("AssignIncident", "TakeIncident", "AnswerIncident", "ResolveIncident", "RejectIncident", "ReopenIncident", "CloseIncident"),
        ]),
        ("sla.v1.SlaAnalyticsService", [
            .. Reads("GetAuthorityMetrics", "RankPages", "GetTensionPoints"),
            ("ReportPostStats", [ClientRole.Integrator]),
        ]));

    /// <summary>Each client by its token's hash, with the answer that lets it through (made once, not per call).</summary>
    private readonly Dictionary<string, AccessDecision> _byTokenHash;

    public AccessRules(GatewayAuthOptions options)
    {
        if (options.Problems() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("The gateway's client configuration cannot be used: " + string.Join("; ", problems));
        }

        _byTokenHash = options.Clients.ToDictionary(c => c.TokenSha256,
            c => new AccessDecision(c, 0, "", string.Join(",", c.Roles.Select(r => r.ToString().ToLowerInvariant())), string.Join(",", c.PageOwners)),
            StringComparer.Ordinal);
    }

    /// <summary>How many clients are configured.</summary>
    public int ClientCount => _byTokenHash.Count;

    /// <summary>Whether these rules know <paramref name="client"/>'s token as the same client, with the same roles and authority.</summary>
    public bool StillAllows(GatewayClient client) =>
        _byTokenHash.TryGetValue(client.TokenSha256, out var known) && known.Client is { } now
        && now.Name == client.Name && now.AuthorityId == client.AuthorityId && now.CallsPerSecond == client.CallsPerSecond
        && now.Roles.Order().SequenceEqual(client.Roles.Order()) && now.PageOwners.Order().SequenceEqual(client.PageOwners.Order());

    /// <summary>
    /// The roles that may call the method at <paramref name="path"/> (<c>/govpublics.&lt;service&gt;/&lt;Method&gt;</c>,
    /// matched without regard to case, as the proxy's routes and the services' endpoints match it), besides the admin.
    /// </summary>
    public static IReadOnlyList<ClientRole> RolesFor(string path) =>
        _rules.TryGetValue(path, out var roles) ? roles : [ClientRole.Admin];

    /// <summary>Whether <paramref name="path"/> is a method the rules name.</summary>
    public static bool IsKnown(string path) => _rules.ContainsKey(path);

    /// <summary>Checks one call: the bearer token in <paramref name="authorization"/> and the caller's roles against the method.</summary>
    public AccessDecision Check(string path, string? authorization)
    {
        const string Scheme = "Bearer ";
        if (string.IsNullOrEmpty(authorization))
        {
            return new(null, AccessDecision.Unauthenticated, "This call needs a client token: send the metadata 'authorization: Bearer <token>'.");
        }

        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == Scheme.Length)
        {
            return new(null, AccessDecision.Unauthenticated, "The authorization metadata must be 'Bearer <token>'.");
        }

        if (!_byTokenHash.TryGetValue(GatewayClient.HashToken(authorization[Scheme.Length..].Trim()), out var allow))
        {
            return new(null, AccessDecision.Unauthenticated, "The client token is not known here.");
        }

        var client = allow.Client!;
        var allowed = RolesFor(path);
        if (client.Roles.Contains(ClientRole.Admin) || client.Roles.Any(allowed.Contains))
        {
            return allow;
        }

        var method = path.TrimStart('/');
        var roles = allowed.Where(r => r != ClientRole.Admin).ToList();
        return new(null, AccessDecision.PermissionDenied, roles.Count > 0
            ? $"Client '{client.Name}' ({Names(client.Roles)}) may not call {method}: it takes the role {Names(roles)} or admin."
            : $"Client '{client.Name}' ({Names(client.Roles)}) may not call {method}: only an admin may.");
    }

    private static string Names(IEnumerable<ClientRole> roles) => string.Join(" or ", roles.Select(r => r.ToString().ToLowerInvariant()));

    private static IEnumerable<(string, ClientRole[])> Reads(params string[] methods) => methods.Select(m => (m, _anyone));

    private static IEnumerable<(string, ClientRole[])> Lifecycle(params string[] methods) =>
        methods.Select(m => (m, new[] { ClientRole.Moderator, ClientRole.Executor }));

    private static Dictionary<string, ClientRole[]> Build(params (string Service, (string Method, ClientRole[] Roles)[] Methods)[] services) =>
        services.SelectMany(s => s.Methods.Select(m => ($"/govpublics.{s.Service}/{m.Method}", m.Roles)))
            .ToDictionary(x => x.Item1, x => x.Roles, StringComparer.OrdinalIgnoreCase);
}
