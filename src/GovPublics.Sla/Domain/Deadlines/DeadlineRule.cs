namespace GovPublics.Sla.Domain.Deadlines;

/// <summary>A complete set of deadline settings (the policy defaults, or the result of applying overrides).</summary>
/// <param name="FirstResponseWorkingTime">First response due after this much working time.</param>
/// <param name="UrgentFirstResponseTime">Urgent incidents: first response due after this much calendar time.</param>
/// <param name="FinalAnswerWorkingDays">After an intermediate answer, the final answer is due by the end of this
/// working day after the day of the intermediate answer.</param>
public sealed record DeadlineRule(
    TimeSpan FirstResponseWorkingTime,
    TimeSpan UrgentFirstResponseTime,
    int FinalAnswerWorkingDays)
{
    /// <summary>Throws <see cref="ArgumentException"/> unless every setting is positive.</summary>
    public void Validate()
    {
        if (FirstResponseWorkingTime <= TimeSpan.Zero)
        {
            throw new ArgumentException("first_response_working_hours must be positive.");
        }

        if (UrgentFirstResponseTime <= TimeSpan.Zero)
        {
            throw new ArgumentException("urgent_first_response_calendar_hours must be positive.");
        }

        if (FinalAnswerWorkingDays < 1)
        {
            throw new ArgumentException("final_answer_working_days_after_intermediate must be at least 1.");
        }
    }
}
