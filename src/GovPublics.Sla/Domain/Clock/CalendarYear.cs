namespace GovPublics.Sla.Domain.Clock;

/// <summary>
/// One year of a production calendar for a five-day (Monday to Friday) week: the weekdays that are not worked
/// (holidays and transferred days off), the Saturdays and Sundays that are worked (transfers) and the pre-holiday
/// days that are one hour shorter. Every other weekday is a working day and every other weekend day is a day off.
/// </summary>
public sealed class CalendarYear
{
    private readonly HashSet<DateOnly> _nonWorkingDays;
    private readonly HashSet<DateOnly> _workingWeekendDays;
    private readonly HashSet<DateOnly> _shortenedDays;

    /// <summary>Creates a validated year; throws <see cref="ArgumentException"/> when the data contradict each other.</summary>
    public CalendarYear(
        string country,
        int year,
        string source,
        IEnumerable<DateOnly> nonWorkingDays,
        IEnumerable<DateOnly> workingWeekendDays,
        IEnumerable<DateOnly> shortenedDays)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(country);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9998);

        Country = country;
        Year = year;
        Source = source;
        _nonWorkingDays = ToSet(nonWorkingDays, year, "non_working_days");
        _workingWeekendDays = ToSet(workingWeekendDays, year, "working_weekend_days");
        _shortenedDays = ToSet(shortenedDays, year, "shortened_days");

        foreach (var day in _nonWorkingDays)
        {
            if (IsWeekend(day))
            {
                throw new ArgumentException(
                    $"non_working_days lists {IsoDate.Format(day)} ({day.DayOfWeek}); only weekdays belong there, weekends are days off anyway.");
            }
        }

        foreach (var day in _workingWeekendDays)
        {
            if (!IsWeekend(day))
            {
                throw new ArgumentException(
                    $"working_weekend_days lists {IsoDate.Format(day)} ({day.DayOfWeek}), which is not a Saturday or Sunday.");
            }
        }

        foreach (var day in _shortenedDays)
        {
            if (!IsWorkingDay(day))
            {
                throw new ArgumentException(
                    $"shortened_days lists {IsoDate.Format(day)} ({day.DayOfWeek}), which is not a working day.");
            }
        }
    }

    /// <summary>Calendar id, e.g. "ru".</summary>
    public string Country { get; }

    /// <summary>The calendar year these data cover.</summary>
    public int Year { get; }

    /// <summary>The legal act the data come from.</summary>
    public string Source { get; }

    /// <summary>Weekdays that are not worked: holidays and days off transferred onto weekdays.</summary>
    public IReadOnlySet<DateOnly> NonWorkingDays => _nonWorkingDays;

    /// <summary>Saturdays and Sundays that are worked because a day off was transferred from them.</summary>
    public IReadOnlySet<DateOnly> WorkingWeekendDays => _workingWeekendDays;

    /// <summary>Pre-holiday working days, one hour shorter.</summary>
    public IReadOnlySet<DateOnly> ShortenedDays => _shortenedDays;

    /// <summary>Whether <paramref name="day"/> (which must lie in <see cref="Year"/>) is a working day.</summary>
    public bool IsWorkingDay(DateOnly day)
    {
        EnsureInYear(day);
        return IsWeekend(day) ? _workingWeekendDays.Contains(day) : !_nonWorkingDays.Contains(day);
    }

    /// <summary>Whether <paramref name="day"/> (which must lie in <see cref="Year"/>) is a shortened pre-holiday working day.</summary>
    public bool IsShortened(DateOnly day)
    {
        EnsureInYear(day);
        return _shortenedDays.Contains(day);
    }

    private void EnsureInYear(DateOnly day)
    {
        if (day.Year != Year)
        {
            throw new ArgumentOutOfRangeException(nameof(day), day, $"The calendar year {Year} was asked about {IsoDate.Format(day)}.");
        }
    }

    private static bool IsWeekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    private static HashSet<DateOnly> ToSet(IEnumerable<DateOnly> days, int year, string field)
    {
        ArgumentNullException.ThrowIfNull(days, field);
        var set = new HashSet<DateOnly>();
        foreach (var day in days)
        {
            if (day.Year != year)
            {
                throw new ArgumentException($"{field} lists {IsoDate.Format(day)}, outside the year {year}.");
            }

            if (!set.Add(day))
            {
                throw new ArgumentException($"{field} lists {IsoDate.Format(day)} twice.");
            }
        }

        return set;
    }
}
