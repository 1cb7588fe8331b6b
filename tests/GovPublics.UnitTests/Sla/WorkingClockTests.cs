using GovPublics.Sla.Domain.Clock;
using static GovPublics.UnitTests.Sla.SlaTestData;

namespace GovPublics.UnitTests.Sla;

/// <summary>Working-time arithmetic of the Samara clock (UTC+4, Mon–Fri 09:00–18:00, break 13:00–14:00).</summary>
public sealed class WorkingClockTests
{
    private static readonly TimeSpan EightHours = TimeSpan.FromHours(8);

    [Theory]
    // Friday 17:30: 30 min on Friday, then Monday 09:00–13:00 (4 h) and 14:00–17:30 (3.5 h).
    [InlineData("2025-10-17T17:30", "2025-10-20T17:30")]
    // Saturday: counting starts Monday 09:00 and takes the whole day.
    [InlineData("2025-10-18T11:00", "2025-10-20T18:00")]
    // During the break: counting starts at 14:00; 4 h on Tuesday, 4 h on Wednesday morning, ends at the break start.
    [InlineData("2025-10-21T13:20", "2025-10-22T13:00")]
    // Before the working day: the whole day from 09:00.
    [InlineData("2025-10-21T08:00", "2025-10-21T18:00")]
    // Exactly at the end of the day: the whole next day.
    [InlineData("2025-10-21T18:00", "2025-10-22T18:00")]
    // Late evening on Friday: the whole of Monday.
    [InlineData("2025-10-17T22:45", "2025-10-20T18:00")]
    // New Year: 3 h on 30 Dec 2025, 31 Dec to 11 Jan are days off, 5 h on 12 Jan 2026.
    [InlineData("2025-12-30T15:00", "2026-01-12T15:00")]
    // Friday before the working Saturday 1 Nov 2025 (shortened, ends 17:00): 2 h + 4 h + 2 h.
    [InlineData("2025-10-31T16:00", "2025-11-01T16:00")]
    // On the working Saturday: 2 h until 17:00, 2–4 Nov are days off, 6 h on Wednesday 5 Nov.
    [InlineData("2025-11-01T15:00", "2025-11-05T16:00")]
    // Shortened Friday 7 Mar 2025 ends 17:00: 1 h, then Monday 10 Mar (8 Mar fell on a Saturday, moved to June).
    [InlineData("2025-03-07T16:00", "2025-03-10T17:00")]
    // Shortened 30 Apr 2025: 12–13 and 14–17 (4 h), 1–4 May off, 4 h on 5 May.
    [InlineData("2025-04-30T12:00", "2025-05-05T13:00")]
    // Shortened 11 Jun 2025: a 7-hour day, then 12–15 June off, 1 h on 16 June.
    [InlineData("2025-06-11T09:00", "2025-06-16T10:00")]
    // May 2026: 30 Apr is shortened (30 min left), 1–3 May off, 7.5 h on Monday 4 May.
    [InlineData("2026-04-30T16:30", "2026-05-04T17:30")]
    // May 2026: 8 May is shortened (6 h from 10:00), 9–11 May off, 2 h on 12 May.
    [InlineData("2026-05-08T10:00", "2026-05-12T11:00")]
    // 23 Feb 2026 is a Monday holiday.
    [InlineData("2026-02-20T14:00", "2026-02-24T13:00")]
    // New Year 2027: 3 h on Wed 30 Dec 2026 (a full day), 31 Dec to 10 Jan are days off, 5 h on Mon 11 Jan 2027.
    [InlineData("2026-12-30T15:00", "2027-01-11T15:00")]
    // Holiday eve in the New Year: the whole of 11 January.
    [InlineData("2026-12-31T10:00", "2027-01-11T18:00")]
    // Working Saturday 20 Feb 2027 (shortened, ends 17:00): 2 h, 21–23 Feb off, 6 h on Wednesday 24 Feb.
    [InlineData("2027-02-20T15:00", "2027-02-24T16:00")]
    // Shortened Wed 3 Nov 2027: 1 h, 4–7 Nov off (5 Nov from Saturday 2 January), 7 h on Monday 8 Nov.
    [InlineData("2027-11-03T16:00", "2027-11-08T17:00")]
    // 1 May 2027 on a Saturday: shortened 30 Apr (1 h), 1–3 May off, 7 h on Tuesday 4 May.
    [InlineData("2027-04-30T16:00", "2027-05-04T17:00")]
    public void AddEightWorkingHours(string receivedLocal, string dueLocal)
    {
        var due = SamaraClock.AddWorkingTime(Local(receivedLocal), EightHours);

        Assert.Equal(Local(dueLocal), due);
        Assert.Equal(TimeSpan.Zero, due.Offset);
    }

    [Fact]
    public void RemainingTimeEndingExactlyAtTheEndOfAPeriod_EndsThere_NotAtTheNextStart()
    {
        Assert.Equal(Local("2025-10-21T18:00"), SamaraClock.AddWorkingTime(Local("2025-10-21T17:00"), TimeSpan.FromHours(1)));
        Assert.Equal(Local("2025-10-21T13:00"), SamaraClock.AddWorkingTime(Local("2025-10-21T12:15"), TimeSpan.FromMinutes(45)));
        Assert.Equal(Local("2025-11-01T17:00"), SamaraClock.AddWorkingTime(Local("2025-11-01T16:00"), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void StartGivenInAnotherOffset_GivesTheSameInstant()
    {
        var samara = Local("2025-10-17T17:30");
        var moscow = samara.ToOffset(TimeSpan.FromHours(3));
        var utc = samara.ToUniversalTime();

        var expected = SamaraClock.AddWorkingTime(samara, EightHours);
        Assert.Equal(expected, SamaraClock.AddWorkingTime(moscow, EightHours));
        Assert.Equal(expected, SamaraClock.AddWorkingTime(utc, EightHours));
        Assert.Equal(new DateTimeOffset(2025, 10, 20, 13, 30, 0, TimeSpan.Zero), expected);
    }

    [Fact]
    public void TheSameWallClockInMoscow_IsAnHourLaterInUtc()
    {
        var moscowClock = new WorkingClock(Ru, WorkingSchedule.Default, TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow"));
        var moscowStart = new DateTimeOffset(2025, 10, 17, 17, 30, 0, TimeSpan.FromHours(3));

        Assert.Equal(new DateTimeOffset(2025, 10, 20, 14, 30, 0, TimeSpan.Zero), moscowClock.AddWorkingTime(moscowStart, EightHours));
    }

    [Fact]
    public void ClockInAZoneWithDaylightSaving_UsesEachDaysOwnOffset()
    {
        // Berlin moves from UTC+1 to UTC+2 on Sunday 30 March 2025.
        var berlin = new WorkingClock(Ru, WorkingSchedule.Default, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        var friday = new DateTimeOffset(2025, 3, 28, 17, 0, 0, TimeSpan.FromHours(1));

        Assert.Equal(new DateTimeOffset(2025, 3, 31, 8, 0, 0, TimeSpan.Zero), berlin.AddWorkingTime(friday, TimeSpan.FromHours(2)));
    }

    [Theory]
    [InlineData("2025-10-21T10:00", "2025-10-21T10:00")] // inside a period
    [InlineData("2025-10-21T13:00", "2025-10-21T14:00")] // break start
    [InlineData("2025-10-21T18:00", "2025-10-22T09:00")] // end of day
    [InlineData("2025-10-17T18:30", "2025-10-20T09:00")] // Friday evening
    [InlineData("2025-12-30T19:00", "2026-01-12T09:00")] // New Year holidays
    [InlineData("2025-11-01T07:00", "2025-11-01T09:00")] // working Saturday
    [InlineData("2026-12-30T19:00", "2027-01-11T09:00")] // New Year holidays 2026/2027
    [InlineData("2027-02-20T07:00", "2027-02-20T09:00")] // working Saturday
    public void NextWorkingMoment(string local, string expected)
    {
        Assert.Equal(Local(expected), SamaraClock.NextWorkingMoment(Local(local)));
    }

    [Theory]
    [InlineData("2025-10-17T17:30", "2025-10-20T17:30", 8.0)]
    [InlineData("2025-12-30T15:00", "2026-01-12T15:00", 8.0)]
    [InlineData("2025-10-21T13:10", "2025-10-21T13:50", 0.0)] // inside the break
    [InlineData("2025-10-18T00:00", "2025-10-19T23:59", 0.0)] // weekend
    [InlineData("2025-10-20T00:00", "2025-10-27T00:00", 40.0)] // ordinary week
    [InlineData("2025-10-27T00:00", "2025-11-03T00:00", 47.0)] // the six-day week ending on the shortened Saturday
    [InlineData("2027-02-15T00:00", "2027-02-22T00:00", 47.0)] // the six-day week of 2027, same shape
    [InlineData("2026-12-30T15:00", "2027-01-11T15:00", 8.0)]
    [InlineData("2025-10-20T17:30", "2025-10-17T17:30", -8.0)] // reversed
    public void WorkingTimeBetween(string fromLocal, string toLocal, double hours)
    {
        Assert.Equal(TimeSpan.FromHours(hours), SamaraClock.WorkingTimeBetween(Local(fromLocal), Local(toLocal)));
    }

    [Theory]
    [InlineData("2025-12-24T00:00")]
    [InlineData("2026-12-24T00:00")]
    public void AddingThenMeasuring_GivesBackTheAddedTime_ForManyStarts(string from)
    {
        TimeSpan[] durations = [TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), EightHours, TimeSpan.FromHours(17.5), TimeSpan.FromHours(100)];
        var start = Local(from);
        for (var t = start; t < start.AddDays(25); t = t.AddMinutes(97))
        {
            foreach (var duration in durations)
            {
                var due = SamaraClock.AddWorkingTime(t, duration);
                Assert.Equal(duration, SamaraClock.WorkingTimeBetween(t, due));
                Assert.True(due > t);
            }
        }
    }

    [Theory]
    // 1972 working hours from 1 January end exactly when 30 December, the last working day, closes.
    [InlineData("2025-01-01T00:00", "2025-12-30T18:00")]
    [InlineData("2027-01-01T00:00", "2027-12-30T18:00")]
    public void AWholeYearOfWorkingHours_EndsAtTheCloseOfTheLastWorkingDay(string from, string expected)
    {
        Assert.Equal(Local(expected), SamaraClock.AddWorkingTime(Local(from), TimeSpan.FromHours(1972)));
    }

    [Fact]
    public void NegativeWorkingTime_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SamaraClock.AddWorkingTime(Local("2025-10-21T10:00"), TimeSpan.FromMinutes(-1)));
    }

    [Theory]
    [InlineData("2025-10-21", "2025-10-21T18:00")]
    [InlineData("2025-03-07", "2025-03-07T17:00")] // shortened
    [InlineData("2025-11-01", "2025-11-01T17:00")] // working Saturday, shortened
    [InlineData("2027-02-20", "2027-02-20T17:00")] // working Saturday, shortened
    [InlineData("2027-12-30", "2027-12-30T18:00")] // not shortened: 31 December is a transferred day off
    public void EndOfWorkingDay(string day, string expected)
    {
        Assert.Equal(Local(expected), SamaraClock.EndOfWorkingDay(Day(day)));
    }

    [Fact]
    public void EndOfWorkingDay_OfADayOff_Throws()
    {
        Assert.Throws<ArgumentException>(() => SamaraClock.EndOfWorkingDay(Day("2025-12-31")));
    }

    [Theory]
    [InlineData("2025-10-16", 1, "2025-10-17")]
    [InlineData("2025-10-17", 1, "2025-10-20")]
    [InlineData("2025-10-18", 1, "2025-10-20")] // from a Saturday
    [InlineData("2025-10-31", 1, "2025-11-01")] // working Saturday
    [InlineData("2025-10-31", 2, "2025-11-05")]
    [InlineData("2025-12-30", 1, "2026-01-12")]
    [InlineData("2026-04-29", 7, "2026-05-12")]
    [InlineData("2026-12-30", 1, "2027-01-11")]
    [InlineData("2027-02-19", 1, "2027-02-20")] // working Saturday
    [InlineData("2027-02-19", 2, "2027-02-24")]
    public void AddWorkingDays(string day, int n, string expected)
    {
        Assert.Equal(Day(expected), SamaraClock.AddWorkingDays(Day(day), n));
    }

    [Fact]
    public void AddWorkingDays_NeedsAPositiveCount()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SamaraClock.AddWorkingDays(Day("2025-10-21"), 0));
    }

    [Fact]
    public void OtherSchedule_WithoutBreak_IsHonoured()
    {
        var schedule = new WorkingSchedule
        {
            DayStart = new TimeOnly(8, 0),
            DayEnd = new TimeOnly(17, 0),
            BreakStart = null,
            BreakEnd = null,
            ShortenedDayEnd = new TimeOnly(16, 0),
        };
        var clock = new WorkingClock(Ru, schedule, SamaraZone);

        Assert.Equal(Local("2025-10-21T16:00"), clock.AddWorkingTime(Local("2025-10-21T07:00"), EightHours));
        Assert.Equal(Local("2025-03-07T16:00"), clock.EndOfWorkingDay(Day("2025-03-07")));
        Assert.Equal(TimeSpan.FromHours(9), schedule.WorkingTimeOf(shortened: false));
    }

    [Fact]
    public void DefaultSchedule_IsEightHoursAndSevenOnShortenedDays()
    {
        Assert.Equal(EightHours, WorkingSchedule.Default.WorkingTimeOf(shortened: false));
        Assert.Equal(TimeSpan.FromHours(7), WorkingSchedule.Default.WorkingTimeOf(shortened: true));
    }

    [Fact]
    public void InconsistentSchedule_IsRejected()
    {
        var breakOutsideDay = WorkingSchedule.Default with { BreakStart = new TimeOnly(19, 0), BreakEnd = new TimeOnly(20, 0) };
        var halfBreak = WorkingSchedule.Default with { BreakEnd = null };

        Assert.Throws<ArgumentException>(() => new WorkingClock(Ru, breakOutsideDay, SamaraZone));
        Assert.Throws<ArgumentException>(() => new WorkingClock(Ru, halfBreak, SamaraZone));
    }

    private static DateTimeOffset Local(string samaraWallClock) =>
        new(DateTime.Parse(samaraWallClock, System.Globalization.CultureInfo.InvariantCulture), SamaraOffset);

    private static DateOnly Day(string iso) => DateOnly.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);
}
