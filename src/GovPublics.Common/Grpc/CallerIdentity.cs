using Grpc.Core;

namespace GovPublics.Common.Grpc;

/// <summary>
/// Who made a call, as the gateway tells the service after checking the caller's token (the gateway's
/// <c>GrpcAccessMiddleware</c> sets these headers and drops any a caller sent itself). A call without them did not
/// come through the gateway (a service's own port is not the public door): it is not restricted here.
/// </summary>
public sealed record CallerIdentity(string Client, IReadOnlyList<string> Roles, string AuthorityId)
{
    public const string ClientHeader = "x-gp-client";
    public const string RolesHeader = "x-gp-roles";
    public const string AuthorityHeader = "x-gp-authority";

    public static CallerIdentity From(Metadata headers) => new(
        headers.GetValue(ClientHeader) ?? "",
        (headers.GetValue(RolesHeader) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        headers.GetValue(AuthorityHeader) ?? "");

    /// <summary>
    /// The one authority whose objects the caller may change: an executor's, unless the caller is also a moderator
    /// or an admin (the ЦУР works on every authority's incidents); empty when it may change any.
    /// </summary>
    public string ScopedAuthority =>
        !Roles.Contains("executor") || Roles.Contains("moderator") || Roles.Contains("admin") ? ""
        : AuthorityId.Length > 0 ? AuthorityId
        : NoAuthority;

    /// <summary>The scope of an executor whose authority is missing: no incident is with it (fail closed, not open).</summary>
    public const string NoAuthority = "(no authority)";
}
