namespace GovPublics.Sla.Domain.Clock;

/// <summary>
/// An authority's working hours on a working day, in its local time. The default is 09:00 to 18:00 with a
/// 13:00 to 14:00 break (8 working hours); a pre-holiday (shortened) day ends at 17:00.
/// </summary>
public sealed record WorkingSchedule
{
    /// <summary>09:00 to 18:00, break 13:00 to 14:00, shortened days end at 17:00.</summary>
    public static WorkingSchedule Default { get; } = new();

    /// <summary>Start of the working day.</summary>
    public TimeOnly DayStart { get; init; } = new(9, 0);

    /// <summary>End of a normal working day.</summary>
    public TimeOnly DayEnd { get; init; } = new(18, 0);

    /// <summary>Start of the break, or null for no break (then <see cref="BreakEnd"/> must be null too).</summary>
    public TimeOnly? BreakStart { get; init; } = new(13, 0);

    /// <summary>End of the break.</summary>
    public TimeOnly? BreakEnd { get; init; } = new(14, 0);

    /// <summary>End of a shortened (pre-holiday) working day.</summary>
    public TimeOnly ShortenedDayEnd { get; init; } = new(17, 0);

    /// <summary>Throws <see cref="ArgumentException"/> unless the times are consistent.</summary>
    public void Validate()
    {
        if (DayStart >= DayEnd)
        {
            throw new ArgumentException($"Working schedule: the day start {DayStart} must be before the day end {DayEnd}.");
        }

        if (ShortenedDayEnd <= DayStart || ShortenedDayEnd > DayEnd)
        {
            throw new ArgumentException(
                $"Working schedule: the shortened day end {ShortenedDayEnd} must be after {DayStart} and not after {DayEnd}.");
        }

        if (BreakStart is null != BreakEnd is null)
        {
            throw new ArgumentException("Working schedule: set both the break start and end, or neither.");
        }

        if (BreakStart is { } breakStart && BreakEnd is { } breakEnd
            && (breakStart <= DayStart || breakEnd >= DayEnd || breakStart >= breakEnd))
        {
            throw new ArgumentException(
                $"Working schedule: the break {breakStart} to {breakEnd} must lie strictly inside {DayStart} to {DayEnd}.");
        }
    }

    /// <summary>The working periods of a day, in local time, ascending and non-empty.</summary>
    public IReadOnlyList<WorkingPeriod> PeriodsOf(bool shortened)
    {
        Validate();
        var end = shortened ? ShortenedDayEnd : DayEnd;
        var periods = new List<WorkingPeriod>(2);
        if (BreakStart is { } breakStart && BreakEnd is { } breakEnd)
        {
            periods.Add(new WorkingPeriod(DayStart, breakStart < end ? breakStart : end));
            if (breakEnd < end)
            {
                periods.Add(new WorkingPeriod(breakEnd, end));
            }
        }
        else
        {
            periods.Add(new WorkingPeriod(DayStart, end));
        }

        return periods;
    }

    /// <summary>The working time of a normal or shortened day (8 h and 7 h by default).</summary>
    public TimeSpan WorkingTimeOf(bool shortened) =>
        PeriodsOf(shortened).Aggregate(TimeSpan.Zero, (sum, period) => sum + (period.End - period.Start));
}
