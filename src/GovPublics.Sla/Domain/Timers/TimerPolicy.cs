using GovPublics.Sla.Domain.Clock;

namespace GovPublics.Sla.Domain.Timers;

/// <summary>
/// When the timers of an incident fire, usually loaded from <c>Policies/timers.json</c> (format: Policies/README.md):
/// a warning once <see cref="WarningShare"/> of the deadline's time has passed, a breach at the deadline, then one
/// escalation per interval up the responsible authority's chain, the ЦУР last.
/// </summary>
/// <param name="WarningShare">The share of the deadline's time after which the warning fires, strictly between 0 and 1.</param>
/// <param name="EscalationInterval">Working time between the breach and the first escalation, and between escalations,
/// for deadlines on the working-hours clock (every final answer, and first responses of incidents that are not urgent).</param>
/// <param name="UrgentEscalationInterval">Calendar time between escalations for deadlines on the calendar clock (first
/// responses of urgent incidents: danger to life or health does not wait for the morning).</param>
/// <param name="CurAuthorityId">The ЦУР's authority id: the last step of every escalation chain.</param>
public sealed record TimerPolicy(
    double WarningShare,
    TimeSpan EscalationInterval,
    TimeSpan UrgentEscalationInterval,
    string CurAuthorityId)
{
    /// <summary>The shipped defaults: warning at 75%, escalations every 4 working hours (urgent: every calendar hour), ЦУР "cur".</summary>
    public static TimerPolicy Default { get; } = new(0.75, TimeSpan.FromHours(4), TimeSpan.FromHours(1), "cur");

    /// <summary>Throws <see cref="ArgumentException"/> unless every setting is usable.</summary>
    public void Validate()
    {
        if (!double.IsFinite(WarningShare) || WarningShare <= 0 || WarningShare >= 1)
        {
            throw new ArgumentException($"warning_share must be between 0 and 1 (exclusive), got {WarningShare}.");
        }

        if (EscalationInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("escalation_interval_working_hours must be positive.");
        }

        if (UrgentEscalationInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("urgent_escalation_interval_calendar_hours must be positive.");
        }

        if (string.IsNullOrWhiteSpace(CurAuthorityId))
        {
            throw new ArgumentException("cur_authority_id is required.");
        }
    }

    /// <summary>Loads a policy from a JSON file.</summary>
    public static TimerPolicy LoadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Loads a policy from JSON; <paramref name="origin"/> names the source in error messages.</summary>
    public static TimerPolicy Load(Stream json, string origin = "timer policy")
    {
        var document = PolicyJson.Read<TimerPolicyDocument>(json, origin);
        try
        {
            var policy = new TimerPolicy(
                document.WarningShare,
                Hours(document.EscalationIntervalWorkingHours, "escalation_interval_working_hours"),
                Hours(document.UrgentEscalationIntervalCalendarHours, "urgent_escalation_interval_calendar_hours"),
                document.CurAuthorityId.Trim());
            policy.Validate();
            return policy;
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{origin}: {ex.Message}", ex);
        }
    }

    private static TimeSpan Hours(double hours, string field) =>
        double.IsFinite(hours) && hours > 0
            ? TimeSpan.FromHours(hours)
            : throw new ArgumentException($"{field} must be a positive number of hours, got {hours}.");

    private sealed class TimerPolicyDocument
    {
        public required double WarningShare { get; init; }

        public required double EscalationIntervalWorkingHours { get; init; }

        public required double UrgentEscalationIntervalCalendarHours { get; init; }

        public required string CurAuthorityId { get; init; }
    }
}
