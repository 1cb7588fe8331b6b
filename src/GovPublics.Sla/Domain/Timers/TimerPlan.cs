using System.Globalization;
using GovPublics.Catalog;
using GovPublics.Sla.Domain.Clock;
using GovPublics.Sla.Domain.Incidents;

namespace GovPublics.Sla.Domain.Timers;

/// <summary>The deadline an incident's timers follow right now.</summary>
/// <param name="Deadline"><see cref="TimerDeadlines.FirstResponse"/> or <see cref="TimerDeadlines.FinalAnswer"/>.</param>
/// <param name="AuthorityId">Who must meet it: escalations go up this authority's chain.</param>
/// <param name="Start">When its clock started.</param>
/// <param name="Due">When it is due.</param>
/// <param name="CalendarClock">True when it runs on calendar time (an urgent incident's first response), false on working time.</param>
/// <param name="Generation">Deadline, authority and due time: a new due time or a new authority is a new generation
/// whose steps fire again; the steps of one generation fire once.</param>
public sealed record ActiveDeadline(
    string Deadline,
    string AuthorityId,
    DateTimeOffset Start,
    DateTimeOffset Due,
    bool CalendarClock,
    string Generation);

/// <summary>One step of a deadline's timers.</summary>
/// <param name="Key">Unique per incident: <c>&lt;generation&gt;/warning</c>, <c>/breach</c>, <c>/escalation/&lt;level&gt;</c>.</param>
/// <param name="Kind">Warning, breach or escalation.</param>
/// <param name="Level">The escalation level (1 = the parent authority); 0 for warnings and breaches.</param>
/// <param name="Deadline">The deadline it belongs to.</param>
/// <param name="At">When it is due to fire.</param>
public sealed record TimerStep(string Key, TimerStepKind Kind, int Level, ActiveDeadline Deadline, DateTimeOffset At)
{
    /// <summary>The incident-feed event and history action of this step.</summary>
    public string EventName => Kind switch
    {
        TimerStepKind.Warning => TimerEvents.Warning,
        TimerStepKind.Breach => TimerEvents.Breach,
        _ => TimerEvents.Escalated,
    };
}

/// <summary>An authority an incident can be escalated to.</summary>
public sealed record EscalationTarget(string AuthorityId, string AuthorityName);

/// <summary>
/// The timers of an incident, as plain functions of the incident, the <see cref="TimerPolicy"/> and the responsible
/// authority's working clock. Only one deadline is followed at a time: the first response while it has not been
/// given; after an intermediate answer, the final answer while it has not been given; none once the incident is
/// resolved, closed or rejected. For that deadline the steps are, in order:
/// <list type="bullet">
/// <item>a warning once <see cref="TimerPolicy.WarningShare"/> of the time from its start to its due time has
/// passed, measured on the clock the deadline used (working time; calendar time for an urgent first response);</item>
/// <item>a breach at the due time;</item>
/// <item>escalation <c>k</c> at the due time plus <c>k</c> intervals (<see cref="TimerPolicy.EscalationInterval"/> of
/// working time, or <see cref="TimerPolicy.UrgentEscalationInterval"/> of calendar time), to the <c>k</c>-th
/// authority up the chain (parent, its parent, …, the ЦУР last), stopping once the ЦУР was reached.</item>
/// </list>
/// Each step has a key that includes the deadline's generation (deadline, authority, due time): a reopened or
/// re-assigned incident with a new due time fires its steps again; a step already fired never fires twice.
/// </summary>
public sealed class TimerPlan
{
    /// <summary>A guard far beyond any real chain: no deadline escalates more often than this.</summary>
    public const int MaxEscalationLevels = 16;

    private readonly Func<string, WorkingClock> _clockOf;

    /// <summary>Creates a plan for <paramref name="policy"/>; <paramref name="clockOf"/> gives an authority's working clock.</summary>
    public TimerPlan(TimerPolicy policy, Func<string, WorkingClock> clockOf)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(clockOf);
        policy.Validate();
        Policy = policy;
        _clockOf = clockOf;
    }

    public TimerPolicy Policy { get; }

    /// <summary>The generation of a deadline: its steps' keys start with it.</summary>
    public static string GenerationOf(string deadline, string authorityId, DateTimeOffset due) =>
        $"{deadline}/{authorityId}/{due.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}";

    /// <summary>The deadline the timers follow, or null when none is open.</summary>
    public ActiveDeadline? ActiveDeadlineOf(Incident incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        if (Open(incident) is not { } open)
        {
            return null;
        }

        var start = incident.TimerWindow is { } window && window.Generation == open.Generation ? window.Start : open.NaturalStart;
        return new ActiveDeadline(open.Deadline, incident.AuthorityId, start, open.Due, open.CalendarClock, open.Generation);
    }

    /// <summary>The earliest step not fired yet, or null when nothing more will fire for the current deadline.</summary>
    public TimerStep? NextStep(Incident incident)
    {
        if (ActiveDeadlineOf(incident) is not { } deadline)
        {
            return null;
        }

        var warning = deadline.Generation + "/warning";
        if (!Fired(incident, warning))
        {
            return new TimerStep(warning, TimerStepKind.Warning, 0, deadline, WarningAt(deadline));
        }

        var breach = deadline.Generation + "/breach";
        if (!Fired(incident, breach))
        {
            return new TimerStep(breach, TimerStepKind.Breach, 0, deadline, deadline.Due);
        }

        // The ЦУР has nobody to escalate to; neither has a chain that already reached it.
        var prefix = deadline.Generation + "/escalation/";
        if (string.Equals(deadline.AuthorityId, Policy.CurAuthorityId, StringComparison.Ordinal)
            || incident.Escalations.Any(e => e.Final && e.TimerKey.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return null;
        }

        var level = 1 + incident.FiredTimers.Count(f => f.Key.StartsWith(prefix, StringComparison.Ordinal));
        return level > MaxEscalationLevels
            ? null
            : new TimerStep(prefix + level.ToString(CultureInfo.InvariantCulture), TimerStepKind.Escalation, level, deadline, EscalationAt(deadline, level));
    }

    /// <summary>When the next step is due, or null: the score of the incident in the timer index.</summary>
    public DateTimeOffset? NextTimerAt(Incident incident) => NextStep(incident)?.At;

    /// <summary>The next step when it is due at <paramref name="now"/>, otherwise null.</summary>
    public TimerStep? NextDue(Incident incident, DateTimeOffset now) => NextStep(incident) is { } step && step.At <= now ? step : null;

    /// <summary>
    /// The timer bookkeeping of an incident about to be stored: the start of its deadline's clock
    /// (<see cref="Incident.TimerWindow"/>) and <see cref="Incident.NextTimerAt"/>. A new incident's first response
    /// counts from its receipt; when a change brings a new deadline generation (a new due time, another authority, the
    /// final answer after an intermediate one), its clock starts at the later of its natural start (receipt,
    /// intermediate answer) and <paramref name="now"/>, so a reopened incident is warned at a share of the time it has.
    /// </summary>
    public Incident Schedule(Incident? before, Incident after, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(after);
        if (Open(after) is not { } open)
        {
            return after with { NextTimerAt = null };
        }

        TimerWindow window;
        if (after.TimerWindow is { } kept && kept.Generation == open.Generation)
        {
            window = kept;
        }
        else if (before is null || Open(before)?.Generation == open.Generation)
        {
            // A new incident, or a record stored before timers kept their windows.
            window = new TimerWindow(open.Generation, open.NaturalStart);
        }
        else
        {
            window = new TimerWindow(open.Generation, open.NaturalStart > now ? open.NaturalStart : now);
        }

        var scheduled = after with { TimerWindow = window };
        return scheduled with { NextTimerAt = NextTimerAt(scheduled) };
    }

    /// <summary>
    /// The authorities escalations go to, in order: the responsible authority's parent, its parent, and so on, then
    /// the ЦУР (<see cref="TimerPolicy.CurAuthorityId"/>, or the catalogue's ЦУР when that id is unknown). Never empty.
    /// </summary>
    public IReadOnlyList<EscalationTarget> EscalationTargets(CatalogSnapshot catalog, string authorityId)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var targets = new List<EscalationTarget>();
        foreach (var authority in catalog.EscalationChain(authorityId).Skip(1))
        {
            if (authority.Kind == AuthorityKind.Cur || string.Equals(authority.Id, Policy.CurAuthorityId, StringComparison.Ordinal))
            {
                break;
            }

            targets.Add(new EscalationTarget(authority.Id, authority.Name));
        }

        var cur = catalog.FindAuthority(Policy.CurAuthorityId) ?? catalog.Cur;
        targets.Add(cur is null ? new EscalationTarget(Policy.CurAuthorityId, "ЦУР") : new EscalationTarget(cur.Id, cur.Name));
        return targets;
    }

    /// <summary>
    /// Records that <paramref name="step"/> fired at <paramref name="now"/>: a fired timer, a history entry by
    /// <see cref="SystemActors.Timers"/> and, for an escalation, an escalation to the <paramref name="step"/>'s level of
    /// <paramref name="targets"/> (the last target for levels beyond the chain). The status does not change.
    /// </summary>
    public Incident Fire(Incident incident, TimerStep step, DateTimeOffset now, IReadOnlyList<EscalationTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(targets);
        var deadline = step.Deadline;
        var name = deadline.Deadline == TimerDeadlines.FirstResponse ? "first response" : "final answer";
        var due = Local(deadline.AuthorityId, deadline.Due);
        IncidentEscalation? escalation = null;
        string comment;
        switch (step.Kind)
        {
            case TimerStepKind.Warning:
                comment = $"{name} due {due}: {Policy.WarningShare.ToString("0.##%", CultureInfo.InvariantCulture)} of its time has passed";
                break;
            case TimerStepKind.Breach:
                comment = $"{name} overdue: it was due {due}";
                break;
            default:
                if (targets.Count == 0)
                {
                    throw new ArgumentException("An escalation needs at least one target.", nameof(targets));
                }

                var target = targets[Math.Min(step.Level, targets.Count) - 1];
                var final = step.Level >= targets.Count;
                var reason = $"{name} overdue since {due}";
                escalation = new IncidentEscalation(step.Level, target.AuthorityId, target.AuthorityName, now, deadline.Deadline, deadline.Due, reason, final, step.Key);
                comment = $"{reason}; escalated to {target.AuthorityName} ({target.AuthorityId}), level {step.Level}{(final ? ", the last step" : "")}";
                break;
        }

        return incident with
        {
            FiredTimers = [.. incident.FiredTimers, new FiredTimer(step.Key, step.Kind, deadline.Deadline, step.Level, deadline.Due, step.At, now)],
            Escalations = escalation is null ? incident.Escalations : [.. incident.Escalations, escalation],
            History = [.. incident.History, new IncidentHistoryEntry(now, SystemActors.Timers, step.EventName, incident.Status, incident.Status, comment)],
            UpdatedAt = now,
        };
    }

    /// <summary>The warning's moment: the warning share of the deadline's time, on the deadline's clock.</summary>
    public DateTimeOffset WarningAt(ActiveDeadline deadline)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        if (deadline.Due <= deadline.Start)
        {
            return deadline.Due;
        }

        if (!deadline.CalendarClock)
        {
            try
            {
                var clock = _clockOf(deadline.AuthorityId);
                var working = clock.WorkingTimeBetween(deadline.Start, deadline.Due);
                if (working > TimeSpan.Zero)
                {
                    var at = clock.AddWorkingTime(deadline.Start, working * Policy.WarningShare);
                    return at < deadline.Due ? at : deadline.Due;
                }
            }
            catch (CalendarYearNotLoadedException)
            {
                // A year without calendar data: fall back to calendar time rather than block the incident's writes.
            }
        }

        return deadline.Start + (deadline.Due - deadline.Start) * Policy.WarningShare;
    }

    /// <summary>The moment of escalation <paramref name="level"/>: the due time plus that many intervals on the deadline's clock.</summary>
    public DateTimeOffset EscalationAt(ActiveDeadline deadline, int level)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        if (deadline.CalendarClock)
        {
            return deadline.Due + Policy.UrgentEscalationInterval * level;
        }

        try
        {
            return _clockOf(deadline.AuthorityId).AddWorkingTime(deadline.Due, Policy.EscalationInterval * level);
        }
        catch (CalendarYearNotLoadedException)
        {
            // As above: a missing calendar year must not stop the timers.
            return deadline.Due + Policy.EscalationInterval * level;
        }
    }

    private static bool Fired(Incident incident, string key) => incident.FiredTimers.Any(f => string.Equals(f.Key, key, StringComparison.Ordinal));

    /// <summary>The open deadline with its natural start (receipt, or the intermediate answer), or null.</summary>
    private static (string Deadline, DateTimeOffset Due, DateTimeOffset NaturalStart, bool CalendarClock, string Generation)? Open(Incident incident)
    {
        if (incident.Status is IncidentStatus.Resolved or IncidentStatus.Closed or IncidentStatus.Rejected)
        {
            return null;
        }

        if (incident.FirstResponseAt is null)
        {
            return (TimerDeadlines.FirstResponse, incident.FirstResponseDue, incident.ReceivedAt, incident.Urgent,
                GenerationOf(TimerDeadlines.FirstResponse, incident.AuthorityId, incident.FirstResponseDue));
        }

        if (incident.FinalAnswerDue is { } finalDue && incident.FinalAnswerAt is null)
        {
            // The final answer's deadline counts working days, also for urgent incidents.
            return (TimerDeadlines.FinalAnswer, finalDue, incident.IntermediateAnswerAt ?? incident.FirstResponseAt.Value, false,
                GenerationOf(TimerDeadlines.FinalAnswer, incident.AuthorityId, finalDue));
        }

        return null;
    }

    private string Local(string authorityId, DateTimeOffset moment)
    {
        var zone = _clockOf(authorityId).TimeZone;
        return $"{TimeZoneInfo.ConvertTime(moment, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} ({zone.Id})";
    }
}
