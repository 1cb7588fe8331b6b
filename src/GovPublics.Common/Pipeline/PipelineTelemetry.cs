using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GovPublics.Common.Pipeline;

/// <summary>
/// Tracing across the Redis streams: the producer writes its W3C <c>traceparent</c> into the stream entry and
/// the consumer continues that trace, so one trace runs from the gateway through ingestion, routing and SLA.
/// </summary>
public static class PipelineTelemetry
{
    public const string TraceParentField = "tp";

    public static readonly ActivitySource Source = new("GovPublics.Pipeline");

    public static readonly Meter Meter = new("GovPublics.Pipeline");

    /// <summary>The current trace context as a <c>traceparent</c> header value, or empty.</summary>
    public static string CurrentTraceParent()
    {
        var activity = Activity.Current;
        return activity is null ? "" : activity.Id ?? "";
    }

    /// <summary>Starts a consumer span that continues the producer's trace.</summary>
    public static Activity? StartConsume(string name, string? traceParent, string stream, string entryId)
    {
        ActivityContext.TryParse(traceParent, null, out var parent);
        var activity = Source.StartActivity(name, ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.destination.name", stream);
        activity?.SetTag("messaging.message.id", entryId);
        return activity;
    }
}
