using System.Text;
using GovPublics.Sla.Domain.Clock;

namespace GovPublics.UnitTests.Sla;

/// <summary>Loading calendar files, the registry of calendars and the refusal to guess unknown years.</summary>
public sealed class ProductionCalendarLoadingTests
{
    private const string ValidYear = """
        {
          "country": "xx",
          "year": 2030,
          "source": "test decree",
          "non_working_days": ["2030-01-01"],
          "working_weekend_days": ["2030-01-05"],
          "shortened_days": ["2030-01-04"]
        }
        """;

    [Fact]
    public void ShippedRegistry_HasTheRussianCalendarFor2025To2027()
    {
        Assert.Equal(["ru"], SlaTestData.Calendars.Ids);
        Assert.Equal([2025, 2026, 2027], SlaTestData.Ru.Years);
        Assert.True(SlaTestData.Ru.HasYear(2027));
        Assert.False(SlaTestData.Ru.HasYear(2028));
    }

    [Fact]
    public void UnknownYear_ThrowsNamingTheYear_InsteadOfGuessing()
    {
        var ex = Assert.Throws<CalendarYearNotLoadedException>(() => SlaTestData.Ru.IsWorkingDay(new DateOnly(2028, 3, 3)));

        Assert.Equal(2028, ex.Year);
        Assert.Equal("ru", ex.CalendarId);
        Assert.Contains("2028", ex.Message, StringComparison.Ordinal);
        Assert.Throws<CalendarYearNotLoadedException>(() => SlaTestData.Ru.IsShortened(new DateOnly(2024, 12, 28)));
    }

    [Fact]
    public void ClockRunningPastTheLoadedYears_Throws()
    {
        // 2027-12-30 is the last working day of the data; 8 hours from its afternoon need January 2028.
        var ex = Assert.Throws<CalendarYearNotLoadedException>(
            () => SlaTestData.SamaraClock.AddWorkingTime(SlaTestData.Samara(2027, 12, 30, 15), TimeSpan.FromHours(8)));

        Assert.Equal(2028, ex.Year);
    }

    [Fact]
    public void LoadFromStreams_ReadsAllThreeLists()
    {
        var calendar = ProductionCalendar.Load("xx", [Stream(ValidYear)]);

        Assert.False(calendar.IsWorkingDay(new DateOnly(2030, 1, 1))); // Tuesday, holiday
        Assert.True(calendar.IsWorkingDay(new DateOnly(2030, 1, 2))); // ordinary Wednesday
        Assert.True(calendar.IsWorkingDay(new DateOnly(2030, 1, 5))); // working Saturday
        Assert.False(calendar.IsWorkingDay(new DateOnly(2030, 1, 6))); // ordinary Sunday
        Assert.True(calendar.IsShortened(new DateOnly(2030, 1, 4)));
        Assert.False(calendar.IsShortened(new DateOnly(2030, 1, 3)));
    }

    [Theory]
    [InlineData("\"non_working_days\": [\"2030-01-01\"]", "\"non_working_days\": [\"2030-01-06\"]")] // a Sunday
    [InlineData("\"working_weekend_days\": [\"2030-01-05\"]", "\"working_weekend_days\": [\"2030-01-07\"]")] // a Monday
    [InlineData("\"shortened_days\": [\"2030-01-04\"]", "\"shortened_days\": [\"2030-01-01\"]")] // a holiday
    [InlineData("\"non_working_days\": [\"2030-01-01\"]", "\"non_working_days\": [\"2031-01-01\"]")] // other year
    [InlineData("\"non_working_days\": [\"2030-01-01\"]", "\"non_working_days\": [\"2030-01-01\", \"2030-01-01\"]")]
    [InlineData("\"source\": \"test decree\",", "")] // missing member
    [InlineData("\"source\": \"test decree\",", "\"source\": \"test decree\", \"holidays\": [],")] // unknown member
    [InlineData("\"source\": \"test decree\",", "\"source\": null,")]
    public void InvalidYearFile_IsRejected(string replace, string with)
    {
        var json = ValidYear.Replace(replace, with, StringComparison.Ordinal);
        Assert.NotEqual(ValidYear, json);

        Assert.Throws<InvalidDataException>(() => ProductionCalendar.Load("xx", [Stream(json)]));
    }

    [Fact]
    public void SameYearTwice_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => ProductionCalendar.Load("xx", [Stream(ValidYear), Stream(ValidYear)]));
    }

    [Fact]
    public void CalendarSet_KeysCalendarsByFileNameId_AndChecksTheContent()
    {
        var dir = Directory.CreateTempSubdirectory("sla-calendars-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "xx-2030.json"), ValidYear);
            var set = CalendarSet.LoadDirectory(dir.FullName);
            Assert.Equal(["xx"], set.Ids);
            Assert.True(set.Get("xx").HasYear(2030));
            var missing = Assert.Throws<KeyNotFoundException>(() => set.Get("ru"));
            Assert.Contains("'ru'", missing.Message, StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(dir.FullName, "xx-2031.json"), ValidYear); // content says 2030
            Assert.Throws<InvalidDataException>(() => CalendarSet.LoadDirectory(dir.FullName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static MemoryStream Stream(string json) => new(Encoding.UTF8.GetBytes(json));
}
