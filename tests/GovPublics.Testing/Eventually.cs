using Grpc.Core;

namespace GovPublics.Testing;

/// <summary>Bounded waiting for things that happen asynchronously (a consumer, a service start).</summary>
public static class Eventually
{
    /// <summary>60 s, or GOVPUBLICS_TEST_TIMEOUT_SECONDS: generous, for a loaded 2-core CI machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("GOVPUBLICS_TEST_TIMEOUT_SECONDS"), out var s) && s > 0 ? s : 60);

    /// <summary>Retries a gRPC call while it fails with UNAVAILABLE (a service still starting or loading).</summary>
    public static Task<T> GrpcReady<T>(Func<Task<T>> call, TimeSpan? timeout = null) =>
        Retry(call, ex => ex is RpcException { StatusCode: StatusCode.Unavailable }, timeout);

    /// <summary>Retries a gRPC call while it fails with NOT_FOUND or UNAVAILABLE (a result still in the pipeline).</summary>
    public static Task<T> Found<T>(Func<Task<T>> call, TimeSpan? timeout = null) =>
        Retry(call, ex => ex is RpcException { StatusCode: StatusCode.NotFound or StatusCode.Unavailable }, timeout);

    /// <summary>
    /// Polls until the condition holds; fails the test after the timeout. An exception while checking (a
    /// connection still reconnecting) counts as "not yet" until the deadline, then is reported.
    /// </summary>
    public static async Task True(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            Exception? last = null;
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (DateTime.UtcNow < deadline)
            {
                last = ex;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what}", last);
            }

            await Task.Delay(25);
        }
    }

    private static async Task<T> Retry<T>(Func<Task<T>> call, Func<Exception, bool> retryable, TimeSpan? timeout)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (retryable(ex) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(25);
            }
        }
    }
}
