using System.Text;
using GovPublics.Sla.Domain.Deadlines;
using static GovPublics.UnitTests.Sla.SlaTestData;

namespace GovPublics.UnitTests.Sla;

/// <summary>The deadline policy file and the calculator applying it.</summary>
public sealed class DeadlineCalculatorTests
{
    private const string PolicyWithOverrides = """
        {
          "defaults": {
            "first_response_working_hours": 8,
            "urgent_first_response_calendar_hours": 2,
            "final_answer_working_days_after_intermediate": 7
          },
          "overrides": [
            { "topic": "healthcare", "kind": "comment", "first_response_working_hours": 2 },
            { "kind": "comment", "first_response_working_hours": 6, "final_answer_working_days_after_intermediate": 5 },
            { "topic": "healthcare", "first_response_working_hours": 4 },
            { "topic": "roads", "final_answer_working_days_after_intermediate": 3 },
            { "topic": "safety", "urgent_first_response_calendar_hours": 1 }
          ]
        }
        """;

    private static readonly DeadlineCalculator ShippedPolicy =
        new(DeadlinePolicy.LoadFile(Path.Combine(PoliciesDirectory, "deadlines.json")));

    [Fact]
    public void ShippedPolicy_HasTheDocumentedDefaults_AndNoOverrides()
    {
        var policy = DeadlinePolicy.LoadFile(Path.Combine(PoliciesDirectory, "deadlines.json"));

        Assert.Equal(new DeadlineRule(TimeSpan.FromHours(8), TimeSpan.FromHours(2), 7), policy.Defaults);
        Assert.Empty(policy.Overrides);
    }

    [Fact]
    public void FirstResponse_IsEightWorkingHours_WithADescription()
    {
        var result = ShippedPolicy.Compute(Request("roads", DeadlineKinds.Comment, Samara(2025, 10, 17, 17, 30)));

        Assert.Equal(Samara(2025, 10, 20, 17, 30), result.FirstResponseDue);
        Assert.Equal(TimeSpan.Zero, result.FirstResponseDue.Offset);
        Assert.Null(result.FinalAnswerDue);
        Assert.Equal("first response: 8 working hours (Europe/Samara, ru calendar)", result.PolicyDescription);
    }

    [Fact]
    public void UrgentIncident_RunsOnCalendarHours_EvenAtNightOnAHoliday()
    {
        var received = Samara(2026, 1, 3, 2, 10); // Saturday night in the New Year holidays

        var result = ShippedPolicy.Compute(Request("housing_utilities", DeadlineKinds.PrivateMessage, received, urgent: true));

        Assert.Equal(Samara(2026, 1, 3, 4, 10), result.FirstResponseDue);
        Assert.Equal(new DateTimeOffset(2026, 1, 3, 0, 10, 0, TimeSpan.Zero), result.FirstResponseDue);
        Assert.Equal(TimeSpan.Zero, result.FirstResponseDue.Offset);
        Assert.Contains("2 calendar hours (urgent)", result.PolicyDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void FinalAnswer_IsDueAtTheEndOfTheSeventhWorkingDay_AcrossTheNewYearHolidays()
    {
        // Working days after Mon 29 Dec 2025: 30 Dec, then 12, 13, 14, 15, 16, 19 Jan 2026.
        var result = ShippedPolicy.Compute(Request(
            "roads", DeadlineKinds.Comment, Samara(2025, 12, 26, 10), intermediate: Samara(2025, 12, 29, 11)));

        Assert.Equal(Samara(2026, 1, 19, 18), result.FinalAnswerDue);
        Assert.Contains("7th working day after the intermediate answer", result.PolicyDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageOnTheLastWorkingAfternoonOf2026_IsDueOn11January2027()
    {
        // Wed 30 Dec 2026, 15:00 in Samara: 3 h that day; 31 Dec 2026 to 10 Jan 2027 are days off
        // (31 Dec by decree No. 1466, 1–8 Jan holidays, 9–10 Jan weekend); 5 h on Monday 11 January.
        var result = ShippedPolicy.Compute(Request(
            "roads", DeadlineKinds.PrivateMessage, Samara(2026, 12, 30, 15), intermediate: Samara(2026, 12, 30, 16)));

        Assert.Equal(Samara(2027, 1, 11, 15), result.FirstResponseDue);
        Assert.Equal(new DateTimeOffset(2027, 1, 11, 11, 0, 0, TimeSpan.Zero), result.FirstResponseDue);
        // Working days after Wed 30 Dec 2026: 11, 12, 13, 14, 15, 18, 19 Jan 2027.
        Assert.Equal(Samara(2027, 1, 19, 18), result.FinalAnswerDue);
    }

    [Fact]
    public void FinalAnswer_CountsTheWorkingSaturdayOf2027()
    {
        // Working days after Tue 16 Feb 2027: 17, 18, 19, Sat 20 (working), 24, 25, 26 Feb.
        var result = ShippedPolicy.Compute(Request(
            "roads", DeadlineKinds.Comment, Samara(2027, 2, 15, 10), intermediate: Samara(2027, 2, 16, 12)));

        Assert.Equal(Samara(2027, 2, 26, 18), result.FinalAnswerDue);
    }

    [Fact]
    public void FinalAnswer_FallingOnAShortenedDay_IsDueAt17()
    {
        // Working days after Tue 28 Apr 2026: 29, 30 Apr, 4, 5, 6, 7 May, 8 May (pre-holiday, ends 17:00).
        var result = ShippedPolicy.Compute(Request(
            "roads", DeadlineKinds.Comment, Samara(2026, 4, 27, 10), intermediate: Samara(2026, 4, 28, 16)));

        Assert.Equal(Samara(2026, 5, 8, 17), result.FinalAnswerDue);
    }

    [Fact]
    public void FinalAnswer_CountsFromTheLocalDayOfTheIntermediateAnswer_NotTheUtcDay()
    {
        // 01:00 on Tue 21 Oct in Samara is still Mon 20 Oct in UTC; counting starts after the 21st.
        var intermediate = new DateTimeOffset(2025, 10, 20, 21, 0, 0, TimeSpan.Zero);

        var result = ShippedPolicy.Compute(Request("roads", DeadlineKinds.Comment, Samara(2025, 10, 20, 10), intermediate: intermediate));

        Assert.Equal(Samara(2025, 10, 30, 18), result.FinalAnswerDue);
    }

    [Fact]
    public void IntermediateAnswerBeforeTheMessage_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => ShippedPolicy.Compute(Request(
            "roads", DeadlineKinds.Comment, Samara(2025, 10, 20, 10), intermediate: Samara(2025, 10, 20, 9))));
    }

    [Theory]
    [InlineData("healthcare", DeadlineKinds.Comment, 2)] // topic + kind
    [InlineData("Healthcare", DeadlineKinds.Comment, 2)] // codes compare case-insensitively
    [InlineData("healthcare", DeadlineKinds.PrivateMessage, 4)] // topic
    [InlineData("roads", DeadlineKinds.Comment, 6)] // kind
    [InlineData("roads", DeadlineKinds.PrivateMessage, 8)] // default
    public void MostSpecificOverride_Wins(string topic, string kind, double firstResponseHours)
    {
        var policy = Load(PolicyWithOverrides);

        Assert.Equal(TimeSpan.FromHours(firstResponseHours), policy.Resolve(topic, kind).FirstResponseWorkingTime);
    }

    [Theory]
    [InlineData("roads", DeadlineKinds.Comment, 3)] // topic beats kind for this setting
    [InlineData("healthcare", DeadlineKinds.Comment, 5)] // topic+kind and topic do not set it; kind does
    [InlineData("healthcare", DeadlineKinds.PrivateMessage, 7)] // nothing sets it: default
    public void SettingsAnOverrideLeavesOut_ComeFromTheNextMostSpecific(string topic, string kind, int finalDays)
    {
        Assert.Equal(finalDays, Load(PolicyWithOverrides).Resolve(topic, kind).FinalAnswerWorkingDays);
    }

    [Fact]
    public void Overrides_AreAppliedByTheCalculator_AndNamedInTheDescription()
    {
        var calculator = new DeadlineCalculator(Load(PolicyWithOverrides));

        var result = calculator.Compute(Request(
            "healthcare", DeadlineKinds.Comment, Samara(2025, 10, 17, 17, 30), intermediate: Samara(2025, 10, 20, 10)));

        Assert.Equal(Samara(2025, 10, 20, 10, 30), result.FirstResponseDue); // 30 min Friday + 1.5 h Monday
        Assert.Equal(Samara(2025, 10, 27, 18), result.FinalAnswerDue); // 5th working day after Mon 20 Oct
        Assert.StartsWith("first response: 2 working hours (Europe/Samara, ru calendar)", result.PolicyDescription, StringComparison.Ordinal);
        Assert.Contains("5th working day", result.PolicyDescription, StringComparison.Ordinal);
        Assert.Contains("topic healthcare, kind comment", result.PolicyDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void UrgentOverride_ShortensTheCalendarClock()
    {
        var result = new DeadlineCalculator(Load(PolicyWithOverrides))
            .Compute(Request("safety", DeadlineKinds.Comment, Samara(2025, 10, 18, 23, 30), urgent: true));

        Assert.Equal(Samara(2025, 10, 19, 0, 30), result.FirstResponseDue);
        Assert.Contains("1 calendar hour (urgent)", result.PolicyDescription, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"topic\": \"roads\", \"first_response_working_hours\": 4 }, { \"topic\": \"ROADS\", \"first_response_working_hours\": 5 }")] // duplicate scope
    [InlineData("{ \"kind\": \"post\", \"first_response_working_hours\": 4 }")] // unknown kind
    [InlineData("{ \"first_response_working_hours\": 4 }")] // neither topic nor kind
    [InlineData("{ \"topic\": \"roads\" }")] // sets nothing
    [InlineData("{ \"topic\": \"roads\", \"first_response_working_hours\": 0 }")]
    [InlineData("{ \"topic\": \"roads\", \"final_answer_working_days_after_intermediate\": 0 }")]
    [InlineData("{ \"topic\": \"roads\", \"first_response_hours\": 4 }")] // misspelt setting
    public void InvalidOverride_IsRejected(string overrides)
    {
        var json = $$"""
            {
              "defaults": {
                "first_response_working_hours": 8,
                "urgent_first_response_calendar_hours": 2,
                "final_answer_working_days_after_intermediate": 7
              },
              "overrides": [ {{overrides}} ]
            }
            """;

        Assert.Throws<InvalidDataException>(() => Load(json));
    }

    [Fact]
    public void PolicyWithoutDefaults_IsRejected()
    {
        Assert.Throws<InvalidDataException>(() => Load("""{ "overrides": [] }"""));
    }

    private static DeadlinePolicy Load(string json) => DeadlinePolicy.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test");

    private static DeadlineRequest Request(
        string topic,
        string kind,
        DateTimeOffset received,
        bool urgent = false,
        DateTimeOffset? intermediate = null) =>
        new(topic, urgent, kind, received, intermediate, SamaraClock);
}
