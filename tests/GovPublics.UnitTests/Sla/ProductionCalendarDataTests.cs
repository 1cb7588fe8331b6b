using GovPublics.Sla.Domain.Clock;

namespace GovPublics.UnitTests.Sla;

/// <summary>The shipped Russian calendar data checked against the official totals of the decrees.</summary>
public sealed class ProductionCalendarDataTests
{
    [Theory]
    [InlineData(2025, 247)]
    [InlineData(2026, 247)]
    [InlineData(2027, 247)]
    public void WorkingDaysPerYear_MatchOfficialTotal(int year, int expected)
    {
        Assert.Equal(expected, DaysOf(year).Count(SlaTestData.Ru.IsWorkingDay));
    }

    [Theory]
    [InlineData(2025, 1972)]
    [InlineData(2026, 1972)]
    [InlineData(2027, 1972)]
    public void WorkingHoursPerYearFor40HourWeek_MatchOfficialTotal(int year, int expected)
    {
        var hours = DaysOf(year)
            .Where(SlaTestData.Ru.IsWorkingDay)
            .Sum(day => WorkingSchedule.Default.WorkingTimeOf(SlaTestData.Ru.IsShortened(day)).TotalHours);

        Assert.Equal(expected, hours);
    }

    [Theory]
    [InlineData(2025, 1972)]
    [InlineData(2026, 1972)]
    [InlineData(2027, 1972)]
    public void WorkingClockMeasuresTheWholeYear_AsTheOfficialHourTotal(int year, int expected)
    {
        var from = SlaTestData.Samara(year, 1, 1, 0);
        var to = SlaTestData.Samara(year, 12, 31, 23, 59);

        Assert.Equal(TimeSpan.FromHours(expected), SlaTestData.SamaraClock.WorkingTimeBetween(from, to));
    }

    [Fact]
    public void WorkingDaysPerMonth2025_MatchOfficialCalendar()
    {
        int[] expected = [17, 20, 21, 22, 18, 19, 23, 21, 22, 23, 19, 22];

        var actual = Enumerable.Range(1, 12)
            .Select(month => DaysOf(2025).Count(day => day.Month == month && SlaTestData.Ru.IsWorkingDay(day)));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void WorkingDaysAndHoursPerQuarter2026_MatchOfficialCalendar()
    {
        int[] expectedDays = [55, 62, 66, 64];
        int[] expectedHours = [440, 493, 528, 511];

        var quarters = Enumerable.Range(0, 4)
            .Select(q => DaysOf(2026).Where(day => (day.Month - 1) / 3 == q && SlaTestData.Ru.IsWorkingDay(day)).ToList())
            .ToList();

        Assert.Equal(expectedDays, quarters.Select(q => q.Count));
        Assert.Equal(
            expectedHours,
            quarters.Select(q => (int)q.Sum(day => WorkingSchedule.Default.WorkingTimeOf(SlaTestData.Ru.IsShortened(day)).TotalHours)));
    }

    [Fact]
    public void WorkingDaysPerMonth2027_MatchOfficialCalendar()
    {
        // Decree No. 1187 of 17.09.2026. 2027 has the weekday layout and the transfers of 2021 (decree No. 1648),
        // whose published calendar has the same first half-year (15, 19, 22 | 22, 19, 21) and 247 working days.
        int[] expected = [15, 19, 22, 22, 19, 21, 22, 22, 22, 21, 20, 22];

        var actual = Enumerable.Range(1, 12)
            .Select(month => DaysOf(2027).Count(day => day.Month == month && SlaTestData.Ru.IsWorkingDay(day)));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void WorkingDaysAndHoursPerQuarter2027_MatchOfficialCalendar()
    {
        int[] expectedDays = [56, 62, 66, 63];
        int[] expectedHours = [447, 494, 528, 503];

        var quarters = Enumerable.Range(0, 4)
            .Select(q => DaysOf(2027).Where(day => (day.Month - 1) / 3 == q && SlaTestData.Ru.IsWorkingDay(day)).ToList())
            .ToList();

        Assert.Equal(expectedDays, quarters.Select(q => q.Count));
        Assert.Equal(
            expectedHours,
            quarters.Select(q => (int)q.Sum(day => WorkingSchedule.Default.WorkingTimeOf(SlaTestData.Ru.IsShortened(day)).TotalHours)));
    }

    [Fact]
    public void Year2027_HasOneWorkingSaturday_MovedByTheDecreeTo22February()
    {
        var year = SlaTestData.Ru.GetYear(2027);

        Assert.Equal([new DateOnly(2027, 2, 20)], year.WorkingWeekendDays);
        Assert.Equal(118, DaysOf(2027).Count(day => !SlaTestData.Ru.IsWorkingDay(day)));
    }

    [Theory]
    [InlineData("2025-01-08", false)] // last New Year holiday
    [InlineData("2025-01-09", true)]
    [InlineData("2025-02-24", true)] // 23 Feb fell on a Sunday; its day off was moved to 8 May
    [InlineData("2025-03-10", true)] // 8 Mar fell on a Saturday; moved to 13 June
    [InlineData("2025-05-02", false)] // from Saturday 4 January
    [InlineData("2025-05-08", false)] // from Sunday 23 February
    [InlineData("2025-06-13", false)] // from Saturday 8 March
    [InlineData("2025-11-01", true)] // working Saturday
    [InlineData("2025-11-03", false)] // from Saturday 1 November
    [InlineData("2025-12-30", true)]
    [InlineData("2025-12-31", false)] // from Sunday 5 January
    [InlineData("2025-10-18", false)] // ordinary Saturday
    [InlineData("2025-10-20", true)] // ordinary Monday
    [InlineData("2026-01-09", false)] // from Saturday 3 January
    [InlineData("2026-01-12", true)]
    [InlineData("2026-02-23", false)]
    [InlineData("2026-03-09", false)] // 8 Mar on a Sunday: art. 112 moves the day off to Monday
    [InlineData("2026-05-11", false)] // 9 May on a Saturday: art. 112 moves the day off to Monday
    [InlineData("2026-11-04", false)]
    [InlineData("2026-12-31", false)] // from Sunday 4 January
    [InlineData("2027-01-01", false)]
    [InlineData("2027-01-04", false)] // New Year holidays, Monday to Friday 4–8 January
    [InlineData("2027-01-08", false)]
    [InlineData("2027-01-11", true)] // first working day of 2027
    [InlineData("2027-02-20", true)] // working Saturday: its day off moved to Monday 22 February
    [InlineData("2027-02-22", false)] // from Saturday 20 February
    [InlineData("2027-02-23", false)]
    [InlineData("2027-03-08", false)]
    [InlineData("2027-05-03", false)] // 1 May on a Saturday: art. 112 moves the day off to Monday
    [InlineData("2027-05-10", false)] // 9 May on a Sunday: art. 112 moves the day off to Monday
    [InlineData("2027-06-14", false)] // 12 June on a Saturday: art. 112 moves the day off to Monday
    [InlineData("2027-11-04", false)]
    [InlineData("2027-11-05", false)] // from Saturday 2 January
    [InlineData("2027-11-13", false)] // ordinary Saturday (a pre-decree forecast had made it a working day)
    [InlineData("2027-12-30", true)] // last working day of 2027
    [InlineData("2027-12-31", false)] // from Sunday 3 January
    public void DayStatus_FollowsTheDecrees(string date, bool working)
    {
        Assert.Equal(working, SlaTestData.Ru.IsWorkingDay(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("2025-03-07")]
    [InlineData("2025-04-30")]
    [InlineData("2025-06-11")]
    [InlineData("2025-11-01")]
    [InlineData("2026-04-30")]
    [InlineData("2026-05-08")]
    [InlineData("2026-06-11")]
    [InlineData("2026-11-03")]
    [InlineData("2027-02-20")] // working Saturday before 21–23 February
    [InlineData("2027-04-30")]
    [InlineData("2027-06-11")]
    [InlineData("2027-11-03")]
    public void PreHolidayDays_AreShortened(string date)
    {
        Assert.True(SlaTestData.Ru.IsShortened(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("2027-03-05")] // Friday before a weekend and the Monday holiday 8 March: not directly before it
    [InlineData("2027-05-07")] // Friday before Saturday 8 May, a day off, not a holiday
    [InlineData("2027-12-30")] // 31 December is a transferred day off, not a holiday
    [InlineData("2027-02-19")] // Friday before the working Saturday
    public void WorkingDaysNotDirectlyBeforeAHoliday_AreNotShortened(string date)
    {
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(SlaTestData.Ru.IsWorkingDay(day));
        Assert.False(SlaTestData.Ru.IsShortened(day));
    }

    [Theory]
    [InlineData(2025, "№ 1335")]
    [InlineData(2026, "№ 1466")]
    [InlineData(2027, "№ 1187")]
    public void EachYear_NamesItsDecree(int year, string decree)
    {
        Assert.Contains(decree, SlaTestData.Ru.GetYear(year).Source, StringComparison.Ordinal);
    }

    private static IEnumerable<DateOnly> DaysOf(int year)
    {
        for (var day = new DateOnly(year, 1, 1); day.Year == year; day = day.AddDays(1))
        {
            yield return day;
        }
    }
}
