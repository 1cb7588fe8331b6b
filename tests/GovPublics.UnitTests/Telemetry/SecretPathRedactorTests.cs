using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace GovPublics.UnitTests.Telemetry;

public sealed class SecretPathRedactorTests
{
    [Theory]
    [InlineData("/webhooks/ok/70000415827194/s3cr3t-Value", "/webhooks/ok/70000415827194/***")]
    [InlineData("http://127.0.0.1:5001/webhooks/ok/70000415827194/s3cr3t?x=1", "http://127.0.0.1:5001/webhooks/ok/70000415827194/***?x=1")]
    [InlineData("/WEBHOOKS/OK/1/abc/extra", "/WEBHOOKS/OK/1/***/extra")]
    [InlineData("POST /webhooks/ok/{groupId}/{secret}", null)]
    [InlineData("/webhooks/ok/1/***", null)]
    [InlineData("/webhooks/ok/1", null)]
    [InlineData("/webhooks/ok/1/", null)]
    [InlineData("/webhooks/vk", null)]
    public void The_segment_after_the_group_id_is_masked(string value, string? expected) =>
        Assert.Equal(expected, SecretPathRedactor.Redact(value));

    [Fact]
    public void A_span_ends_with_no_secret_in_its_url_tags_or_name()
    {
        using var activity = new Activity("POST /webhooks/ok/1/s3cr3t");
        activity.SetTag("url.path", "/webhooks/ok/1/s3cr3t");
        activity.SetTag("url.full", "http://ingestion/webhooks/ok/1/s3cr3t");
        activity.SetTag("http.request.method", "POST");
        activity.DisplayName = "POST /webhooks/ok/1/s3cr3t";

        new SecretPathRedactor().OnEnd(activity);

        Assert.Equal("/webhooks/ok/1/***", activity.GetTagItem("url.path"));
        Assert.Equal("http://ingestion/webhooks/ok/1/***", activity.GetTagItem("url.full"));
        Assert.Equal("POST", activity.GetTagItem("http.request.method"));
        Assert.Equal("POST /webhooks/ok/1/***", activity.DisplayName);
    }
}
