using GovPublics.Gateway.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace GovPublics.UnitTests.Gateway;

public sealed class GrpcWebTextFramingTests
{
    [Theory]
    [InlineData("application/json")]
    [InlineData("application/grpc")]
    [InlineData(null)]
    public async Task A_request_that_is_not_gRPC_Web_is_left_alone_whatever_it_accepts(string? contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.Headers.Accept = "application/grpc-web-text";
        var body = context.Features.Get<IHttpResponseBodyFeature>();

        await GrpcWebTextFraming.InvokeAsync(context, () => Task.CompletedTask);

        Assert.Same(body, context.Features.Get<IHttpResponseBodyFeature>());
        Assert.Equal("application/grpc-web-text", context.Request.Headers.Accept.ToString());
    }

    [Fact]
    public async Task A_base64_gRPC_Web_call_reaches_the_proxy_as_binary_with_no_length()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/grpc-web-text+proto";
        context.Request.Headers.Accept = "application/grpc-web-text";
        context.Request.ContentLength = 8;
        context.Request.Body = new MemoryStream("AAAAAAA="u8.ToArray());
        var seen = Array.Empty<byte>();

        await GrpcWebTextFraming.InvokeAsync(context, async () =>
        {
            using var copy = new MemoryStream();
            await context.Request.Body.CopyToAsync(copy);
            seen = copy.ToArray();
        });

        Assert.Equal(("application/grpc-web+proto", "application/grpc-web", (long?)null), (context.Request.ContentType, context.Request.Headers.Accept.ToString(), context.Request.ContentLength));
        Assert.Equal(new byte[5], seen);
    }
}
