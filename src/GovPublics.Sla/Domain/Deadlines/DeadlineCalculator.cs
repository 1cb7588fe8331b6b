using System.Globalization;

namespace GovPublics.Sla.Domain.Deadlines;

/// <summary>Applies a <see cref="DeadlinePolicy"/> to a message and the responsible authority's working clock.</summary>
public sealed class DeadlineCalculator
{
    private readonly DeadlinePolicy _policy;

    /// <summary>Creates a calculator for <paramref name="policy"/>.</summary>
    public DeadlineCalculator(DeadlinePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
    }

    /// <summary>
    /// First response: <see cref="DeadlineRule.UrgentFirstResponseTime"/> calendar time after receipt when urgent,
    /// otherwise <see cref="DeadlineRule.FirstResponseWorkingTime"/> working time. Final answer (only after an
    /// intermediate answer): the end of the <see cref="DeadlineRule.FinalAnswerWorkingDays"/>-th working day after the
    /// local day of the intermediate answer.
    /// </summary>
    public DeadlineResult Compute(DeadlineRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Topic, nameof(request.Topic));
        ArgumentNullException.ThrowIfNull(request.Kind, nameof(request.Kind));
        ArgumentNullException.ThrowIfNull(request.Clock, nameof(request.Clock));
        if (request.IntermediateAnswerAt < request.ReceivedAt)
        {
            throw new ArgumentException("The intermediate answer cannot precede the message.", nameof(request));
        }

        var clock = request.Clock;
        var rule = _policy.Resolve(request.Topic, request.Kind);
        var parts = new List<string>(3);

        DateTimeOffset firstDue;
        if (request.Urgent)
        {
            firstDue = request.ReceivedAt.ToUniversalTime() + rule.UrgentFirstResponseTime;
            parts.Add($"first response: {Hours(rule.UrgentFirstResponseTime, "calendar")} (urgent)");
        }
        else
        {
            firstDue = clock.AddWorkingTime(request.ReceivedAt, rule.FirstResponseWorkingTime);
            parts.Add($"first response: {Hours(rule.FirstResponseWorkingTime, "working")} ({clock.Description})");
        }

        DateTimeOffset? finalDue = null;
        if (request.IntermediateAnswerAt is { } intermediate)
        {
            var dueDay = clock.AddWorkingDays(clock.LocalDate(intermediate), rule.FinalAnswerWorkingDays);
            finalDue = clock.EndOfWorkingDay(dueDay);
            parts.Add(
                $"final answer: by the end of the {Ordinal(rule.FinalAnswerWorkingDays)} working day after the intermediate answer ({clock.Description})");
        }

        var applied = _policy.MatchingOverrides(request.Topic, request.Kind);
        if (applied.Count > 0)
        {
            parts.Add($"overrides: {string.Join("; ", applied.Select(o => o.Scope))}");
        }

        return new DeadlineResult(firstDue, finalDue, string.Join("; ", parts));
    }

    private static string Hours(TimeSpan time, string adjective)
    {
        var hours = time.TotalHours;
        var number = hours.ToString("0.##", CultureInfo.InvariantCulture);
        return $"{number} {adjective} {(hours == 1 ? "hour" : "hours")}";
    }

    private static string Ordinal(int n)
    {
        var suffix = (n % 100) switch
        {
            11 or 12 or 13 => "th",
            _ => (n % 10) switch
            {
                1 => "st",
                2 => "nd",
                3 => "rd",
                _ => "th",
            },
        };
        return n.ToString(CultureInfo.InvariantCulture) + suffix;
    }
}
