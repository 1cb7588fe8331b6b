namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The headers in which the gateway tells a service who made a call it has checked (the gateway sets them and drops a
/// caller's own copies; the services read them as <c>CallerIdentity</c>). One definition for both sides.
/// </summary>
public static class CallerHeaders
{
    /// <summary>The client's name (<c>Auth:Clients:N:Name</c>).</summary>
    public const string Client = "x-gp-client";

    /// <summary>The client's roles, lower case, comma-separated.</summary>
    public const string Roles = "x-gp-roles";

    /// <summary>An executor's authority.</summary>
    public const string Authority = "x-gp-authority";

    /// <summary>The authorities whose pages a bound client may speak for, comma-separated; absent: every page.</summary>
    public const string PageOwners = "x-gp-page-owners";

    /// <summary>Every one of them, for dropping what a caller sent.</summary>
    public static readonly string[] All = [Client, Roles, Authority, PageOwners];
}
