namespace GovPublics.Testing;

/// <summary>
/// A clock for services under test that stands still until the test moves it (<see cref="Advance"/>), so hours of
/// SLA time pass without waiting for them. Only the time of day is manual: timers and delays made from it (poll
/// intervals, back-offs) run on real time, so background loops keep their pace. (FakeTimeProvider freezes those too,
/// which would stall every poll loop of a whole service until the test advances time.) Thread-safe; one instance
/// may drive several service hosts, like replicas sharing a wall clock.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long _utcTicks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    /// <summary>Moves the time forward by <paramref name="by"/>.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _utcTicks, by.Ticks);
    }

    /// <summary>Moves the time forward to <paramref name="moment"/> (never back).</summary>
    public void AdvanceTo(DateTimeOffset moment) => Advance(moment - GetUtcNow());
}
