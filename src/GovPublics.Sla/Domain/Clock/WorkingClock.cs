namespace GovPublics.Sla.Domain.Clock;

/// <summary>
/// Working-time arithmetic for one authority: its production calendar, its working schedule and its time zone
/// (e.g. "Europe/Samara"). All results are UTC (offset zero) <see cref="DateTimeOffset"/> values; inputs may carry
/// any offset. The clock walks working periods day by day, never minute by minute.
/// </summary>
public sealed class WorkingClock
{
    private readonly IReadOnlyList<WorkingPeriod> _normalDay;
    private readonly IReadOnlyList<WorkingPeriod> _shortenedDay;

    /// <summary>Creates a clock; throws <see cref="ArgumentException"/> for an inconsistent schedule.</summary>
    public WorkingClock(ProductionCalendar calendar, WorkingSchedule schedule, TimeZoneInfo timeZone)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(timeZone);
        schedule.Validate();
        Calendar = calendar;
        Schedule = schedule;
        TimeZone = timeZone;
        _normalDay = schedule.PeriodsOf(shortened: false);
        _shortenedDay = schedule.PeriodsOf(shortened: true);
    }

    /// <summary>The production calendar (holidays, transfers, shortened days).</summary>
    public ProductionCalendar Calendar { get; }

    /// <summary>The working hours of a day.</summary>
    public WorkingSchedule Schedule { get; }

    /// <summary>The authority's time zone.</summary>
    public TimeZoneInfo TimeZone { get; }

    /// <summary>Short human-readable description, e.g. "Europe/Samara, ru calendar".</summary>
    public string Description => $"{TimeZone.Id}, {Calendar.Id} calendar";

    /// <summary>The local calendar date of <paramref name="moment"/> in <see cref="TimeZone"/>.</summary>
    public DateOnly LocalDate(DateTimeOffset moment) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(moment, TimeZone).DateTime);

    /// <summary>Whether <paramref name="day"/> is a working day of <see cref="Calendar"/>.</summary>
    public bool IsWorkingDay(DateOnly day) => Calendar.IsWorkingDay(day);

    /// <summary>
    /// <paramref name="moment"/> itself when it is inside a working period, otherwise the start of the next working
    /// period (the end of a period is not inside it: 18:00 moves to the next working morning).
    /// </summary>
    public DateTimeOffset NextWorkingMoment(DateTimeOffset moment) => AddWorkingTime(moment, TimeSpan.Zero);

    /// <summary>
    /// The earliest moment by which <paramref name="workingTime"/> of working time has elapsed since
    /// <paramref name="start"/>. A start outside working hours counts from the next working moment; a sum that runs
    /// out exactly at the end of a period ends there (18:00), not at the next period's start. With a zero
    /// <paramref name="workingTime"/> the result is <see cref="NextWorkingMoment"/>.
    /// </summary>
    public DateTimeOffset AddWorkingTime(DateTimeOffset start, TimeSpan workingTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workingTime, TimeSpan.Zero);
        var cursor = start.ToUniversalTime();
        var remaining = workingTime;
        for (var day = LocalDate(cursor); ; day = day.AddDays(1))
        {
            foreach (var (periodStart, periodEnd) in PeriodsOn(day))
            {
                if (periodEnd <= cursor)
                {
                    continue;
                }

                var from = periodStart > cursor ? periodStart : cursor;
                var available = periodEnd - from;
                if (remaining <= available)
                {
                    return from + remaining;
                }

                remaining -= available;
                cursor = periodEnd;
            }
        }
    }

    /// <summary>
    /// The working time between two moments (negative when <paramref name="to"/> is before <paramref name="from"/>).
    /// </summary>
    public TimeSpan WorkingTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from)
        {
            return -WorkingTimeBetween(to, from);
        }

        var total = TimeSpan.Zero;
        var lastDay = LocalDate(to);
        for (var day = LocalDate(from); day <= lastDay; day = day.AddDays(1))
        {
            foreach (var (periodStart, periodEnd) in PeriodsOn(day))
            {
                var start = periodStart > from ? periodStart : from;
                var end = periodEnd < to ? periodEnd : to;
                if (end > start)
                {
                    total += end - start;
                }
            }
        }

        return total;
    }

    /// <summary>The end of the working day <paramref name="day"/> (18:00, or 17:00 when shortened), in UTC.</summary>
    /// <exception cref="ArgumentException"><paramref name="day"/> is not a working day.</exception>
    public DateTimeOffset EndOfWorkingDay(DateOnly day)
    {
        if (!Calendar.IsWorkingDay(day))
        {
            throw new ArgumentException(
                $"{IsoDate.Format(day)} is not a working day in the '{Calendar.Id}' calendar.", nameof(day));
        }

        var periods = Calendar.IsShortened(day) ? _shortenedDay : _normalDay;
        return ToUtc(day, periods[^1].End);
    }

    /// <summary>The <paramref name="n"/>-th working day after <paramref name="day"/> (<paramref name="day"/> itself is not counted).</summary>
    public DateOnly AddWorkingDays(DateOnly day, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var current = day;
        while (n > 0)
        {
            current = current.AddDays(1);
            if (Calendar.IsWorkingDay(current))
            {
                n--;
            }
        }

        return current;
    }

    private IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> PeriodsOn(DateOnly day)
    {
        if (!Calendar.IsWorkingDay(day))
        {
            yield break;
        }

        foreach (var period in Calendar.IsShortened(day) ? _shortenedDay : _normalDay)
        {
            yield return (ToUtc(day, period.Start), ToUtc(day, period.End));
        }
    }

    /// <summary>Local wall-clock time to UTC; a time skipped by a DST jump maps past the jump, a repeated one to its first occurrence.</summary>
    private DateTimeOffset ToUtc(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (TimeZone.IsAmbiguousTime(local))
        {
            offset = TimeZone.GetAmbiguousTimeOffsets(local).Max();
        }
        else if (TimeZone.IsInvalidTime(local))
        {
            offset = TimeZone.GetUtcOffset(local.AddDays(-1));
        }
        else
        {
            offset = TimeZone.GetUtcOffset(local);
        }

        return new DateTimeOffset(local - offset, TimeSpan.Zero);
    }
}
