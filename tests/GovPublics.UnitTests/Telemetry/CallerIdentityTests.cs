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
}
