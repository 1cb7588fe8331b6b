namespace GovPublics.Sla.Domain.Clock;

/// <summary>A continuous stretch of working time within a day, local time, <see cref="Start"/> inclusive, <see cref="End"/> exclusive.</summary>
public readonly record struct WorkingPeriod(TimeOnly Start, TimeOnly End);
