using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace GovPublics.Common.Grpc;

/// <summary>
/// Who made a call, as the gateway tells the service after checking the caller's token (the gateway's
/// <c>GrpcAccessMiddleware</c> sets these headers and drops any a caller sent itself). A call without them did not
/// come through the gateway (a service's own port is not the public door): it is not restricted here.
/// </summary>
public sealed record CallerIdentity(string Client, IReadOnlyList<string> Roles, string AuthorityId, IReadOnlyList<string> PageOwners)
{
    public const string ClientHeader = CallerHeaders.Client;
    public const string RolesHeader = CallerHeaders.Roles;
    public const string AuthorityHeader = CallerHeaders.Authority;
    public const string PageOwnersHeader = CallerHeaders.PageOwners;

    public static CallerIdentity From(Metadata headers) => new(
        headers.GetValue(ClientHeader) ?? "",
        List(headers.GetValue(RolesHeader)),
        headers.GetValue(AuthorityHeader) ?? "",
        List(headers.GetValue(PageOwnersHeader)));

    private static string[] List(string? header) =>
        (header ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// Whether the caller may speak for a page owned by <paramref name="ownerAuthorityId"/> (null: a page the catalogue
    /// does not know): any page unless the gateway bound the caller to some owners' pages, then only to theirs.
    /// </summary>
    public bool MaySpeakFor(string? ownerAuthorityId) =>
        PageOwners.Count == 0 || (ownerAuthorityId is not null && PageOwners.Contains(ownerAuthorityId));

    /// <summary>
    /// Why the caller may not speak for the page <paramref name="page"/> (e.g. <c>Vk:-211380756</c>) owned by
    /// <paramref name="ownerAuthorityId"/>, or null when it may (<see cref="MaySpeakFor"/>).
    /// </summary>
    public string? PageRefusal(string page, string? ownerAuthorityId) => MaySpeakFor(ownerAuthorityId) ? null :
        $"Client '{Client}' may send and report only for pages of {string.Join(", ", PageOwners)}; the page {page} " +
        (ownerAuthorityId is null ? "is not in the catalogue." : $"belongs to {ownerAuthorityId}.");

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
