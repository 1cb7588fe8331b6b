namespace GovPublics.Sla.Storage;

/// <summary>Settings of the SLA analytics (section <c>Sla:Analytics</c>).</summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Sla:Analytics";

    /// <summary>The time zone of the per-day incident counts (points of tension).</summary>
    public string TimeZone { get; set; } = "Europe/Samara";

    /// <summary>
    /// How long the facts are kept: older posts, comments, incident index entries and day counts are trimmed.
    /// A year and a bit, so a period can be compared with the same period a year before.
    /// </summary>
    public int RetentionDays { get; set; } = 400;

    /// <summary>A comment thread with no new message for this long is forgotten (an answer after that is not matched).</summary>
    public int ThreadIdleDays { get; set; } = 90;

    /// <summary>How often the first-response watcher looks at the incidents still waiting for one.</summary>
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// At most this many waiting incidents are read per sweep; a longer list is walked over several sweeps (the
    /// backlog gauge is published when a walk completes), so a sweep's cost stays bounded.
    /// </summary>
    public int WatchBatch { get; set; } = 2_000;

    public TimeSpan Retention => TimeSpan.FromDays(RetentionDays);
}
