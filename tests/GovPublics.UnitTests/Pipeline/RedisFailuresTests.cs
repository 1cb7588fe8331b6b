using GovPublics.Common.Redis;
using StackExchange.Redis;

namespace GovPublics.UnitTests.Pipeline;

/// <summary>Which failures of the Redis client every service retries (503, UNAVAILABLE, a later poll) and which it reports.</summary>
public sealed class RedisFailuresTests
{
    public static TheoryData<Exception> StoreFailures => new()
    {
        new RedisConnectionException(ConnectionFailureType.SocketFailure, "the socket closed"),
        new RedisTimeoutException("timed out", CommandStatus.Sent),
        new TimeoutException("slow"),
        // What the client throws for a command it gave up on before sending it (a dead connection torn down).
        new TaskCanceledException(),
        new RedisServerException("LOADING Redis is loading the dataset in memory"),
    };

    [Theory]
    [MemberData(nameof(StoreFailures))]
    public void The_store_away_slow_busy_or_a_command_the_client_gave_up_on_is_transient(Exception failure)
    {
        Assert.True(RedisFailures.IsStoreFailure(failure));
        Assert.True(RedisFailures.IsTransient(failure));
    }

    [Fact]
    public void A_script_error_is_a_store_failure_but_fails_again_and_again()
    {
        var scriptError = new RedisServerException("ERR user_script:3: Script attempted to access a non local key");

        Assert.True(RedisFailures.IsStoreFailure(scriptError));
        Assert.False(RedisFailures.IsTransient(scriptError));
    }

    [Fact]
    public void A_bug_is_neither()
    {
        var bug = new InvalidOperationException("a bug");

        Assert.False(RedisFailures.IsStoreFailure(bug));
        Assert.False(RedisFailures.IsTransient(bug));
    }
}
