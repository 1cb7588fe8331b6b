using StackExchange.Redis;

namespace GovPublics.Common.Redis;

/// <summary>Which Redis failures mean "not now" and which mean "this request is wrong".</summary>
public static class RedisFailures
{
    /// <summary>
    /// Server replies that mean "not now" (loading, busy, read-only replica, out of memory, cluster trouble), not
    /// a bug: the same request succeeds later. Any other server reply (a script error, WRONGTYPE) fails again.
    /// </summary>
    public static bool IsBusyServer(RedisServerException ex) =>
        ex.Message.StartsWith("LOADING", StringComparison.Ordinal) || ex.Message.StartsWith("BUSY", StringComparison.Ordinal)
        || ex.Message.StartsWith("READONLY", StringComparison.Ordinal) || ex.Message.StartsWith("OOM", StringComparison.Ordinal)
        || ex.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal) || ex.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
        || ex.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal);

    /// <summary>
    /// Redis failed the command or never got it: an error reply, a lost or slow connection, or a command the client
    /// gave up on before it was sent. StackExchange.Redis cancels a command whose time ran out while it waited to be
    /// written (a <see cref="TaskCanceledException"/> although nobody cancelled it): after the process was paused
    /// (a long GC, a frozen VM, a stopped process) or while a stalled connection held the writer. Check the caller's
    /// own cancellation before this.
    /// </summary>
    public static bool IsStoreFailure(Exception ex) => ex is RedisException or TimeoutException or OperationCanceledException;

    /// <summary>The store is away or slow, or busy for now: retrying the same request later can succeed.</summary>
    public static bool IsTransient(Exception ex) =>
        ex is RedisServerException server ? IsBusyServer(server) : IsStoreFailure(ex);
}
