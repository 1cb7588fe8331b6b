namespace GovPublics.Common.Hosting;

/// <summary>Settings every service shares (section <c>GovPublics</c>).</summary>
public sealed class GovPublicsOptions
{
    public const string Section = "GovPublics";

    /// <summary>The region's code: the Redis hash tag of every key. Samara region is 63.</summary>
    public string Region { get; set; } = "63";

    /// <summary>Deadline of calls to other services.</summary>
    public TimeSpan CallDeadline { get; set; } = TimeSpan.FromSeconds(5);
}
