using GovPublics.Gateway.Web;

namespace GovPublics.UnitTests.Gateway;

public sealed class BrowserAccessOptionsTests
{
    [Fact]
    public void Origins_that_are_a_scheme_and_a_host_can_be_used()
    {
        var options = new BrowserAccessOptions { Origins = ["https://cur.example.ru", "http://localhost:5173"] };
        Assert.Empty(options.Problems());
    }

    [Theory]
    [InlineData("cur.example.ru")]
    [InlineData("https://cur.example.ru/")]
    [InlineData("https://cur.example.ru/app")]
    [InlineData("ftp://cur.example.ru")]
    [InlineData("*")]
    public void An_origin_that_is_not_one_is_named_with_its_index(string origin)
    {
        var options = new BrowserAccessOptions { Origins = ["https://ok.example.ru", origin] };
        var problem = Assert.Single(options.Problems());
        Assert.StartsWith("Gateway:Cors:Origins:1 ", problem, StringComparison.Ordinal);
        Assert.Contains(origin, problem, StringComparison.Ordinal);
    }
}
