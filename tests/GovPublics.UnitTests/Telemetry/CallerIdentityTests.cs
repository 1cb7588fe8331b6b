using GovPublics.Common.Grpc;
using Grpc.Core;

namespace GovPublics.UnitTests.Telemetry;

public sealed class CallerIdentityTests
{
    [Theory]
    [InlineData("executor", "adm-tolyatti", "adm-tolyatti")]
    [InlineData(" executor ", "adm-tolyatti", "adm-tolyatti")]
    [InlineData("executor,moderator", "adm-tolyatti", "")]
    [InlineData("admin,executor", "adm-tolyatti", "")]
    [InlineData("executor", null, CallerIdentity.NoAuthority)]
    [InlineData("executor", "", CallerIdentity.NoAuthority)]
    [InlineData("moderator", "", "")]
    [InlineData("integrator", "", "")]
    [InlineData(null, null, "")]
    public void Only_a_plain_executor_is_bound_to_its_authority(string? roles, string? authority, string scoped)
    {
        var headers = new Metadata();
        if (roles is not null)
        {
            headers.Add(CallerIdentity.RolesHeader, roles);
        }

        if (authority is not null)
        {
            headers.Add(CallerIdentity.AuthorityHeader, authority);
        }

        Assert.Equal(scoped, CallerIdentity.From(headers).ScopedAuthority);
    }

    [Theory]
    [InlineData(null, "adm-a", true)]
    [InlineData(null, null, true)]
    [InlineData("adm-a, adm-b", "adm-b", true)]
    [InlineData("adm-a,adm-b", "adm-c", false)]
    [InlineData("adm-a", null, false)]
    public void A_caller_bound_to_page_owners_speaks_only_for_their_known_pages(string? owners, string? pageOwner, bool may)
    {
        var headers = new Metadata { { CallerIdentity.ClientHeader, "collector" } };
        if (owners is not null)
        {
            headers.Add(CallerIdentity.PageOwnersHeader, owners);
        }

        var caller = CallerIdentity.From(headers);
        Assert.Equal(may, caller.MaySpeakFor(pageOwner));
        if (!may)
        {
            Assert.Contains("Client 'collector' may send and report only for pages of adm-a", caller.PageRefusal("Vk:-1", pageOwner), StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(caller.PageRefusal("Vk:-1", pageOwner));
        }
    }
}
