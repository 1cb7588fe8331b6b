using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps traces that start with work someone asked for (a server span, a consumed stream entry) and drops those
/// that start with an outgoing call of background machinery: stream polls (XREADGROUP, XAUTOCLAIM, XACK), catalogue
/// refreshes. Those would be thousands of one-span traces a minute, burying the traces of real messages. Used as
/// the root sampler of a parent-based sampler, so every span under a kept root is kept, and the registry's side of
/// a dropped refresh call is dropped with it.
/// </summary>
public sealed class BackgroundPollingSampler : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client
            ? new SamplingResult(SamplingDecision.Drop)
            : new SamplingResult(SamplingDecision.RecordAndSample);
}
