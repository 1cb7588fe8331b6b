using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace GovPublics.UnitTests.Telemetry;

public sealed class BackgroundPollingSamplerTests
{
    private readonly BackgroundPollingSampler _sampler = new();

    [Theory]
    [InlineData(ActivityKind.Server, SamplingDecision.RecordAndSample)]
    [InlineData(ActivityKind.Consumer, SamplingDecision.RecordAndSample)]
    [InlineData(ActivityKind.Internal, SamplingDecision.RecordAndSample)]
    [InlineData(ActivityKind.Client, SamplingDecision.Drop)]
    public void Root_spans_of_background_calls_are_dropped_and_requested_work_is_kept(ActivityKind kind, SamplingDecision expected)
    {
        var parameters = new SamplingParameters(default, ActivityTraceId.CreateRandom(), "XREADGROUP", kind);
        Assert.Equal(expected, _sampler.ShouldSample(parameters).Decision);
    }

    [Fact]
    public void Under_a_sampled_parent_a_client_call_is_kept()
    {
        var sampler = new ParentBasedSampler(_sampler);
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var parameters = new SamplingParameters(parent, parent.TraceId, "EVAL", ActivityKind.Client);
        Assert.Equal(SamplingDecision.RecordAndSample, sampler.ShouldSample(parameters).Decision);
    }
}
