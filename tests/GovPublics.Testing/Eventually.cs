using Grpc.Core;

namespace GovPublics.Testing;

/// <summary>Bounded waiting for things that happen asynchronously (a consumer, a service start).</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Retries a gRPC call while it fails with UNAVAILABLE (a service still starting or loading).</summary>
    public static Task<T> GrpcReady<T>(Func<Task<T>> call, TimeSpan? timeout = null) =>
        Retry(call, ex => ex is RpcException { StatusCode: StatusCode.Unavailable }, timeout);

    /// <summary>Retries a gRPC call while it fails with NOT_FOUND or UNAVAILABLE (a result still in the pipeline).</summary>
    public static Task<T> Found<T>(Func<Task<T>> call, TimeSpan? timeout = null) =>
        Retry(call, ex => ex is RpcException { StatusCode: StatusCode.NotFound or StatusCode.Unavailable }, timeout);

    /// <summary>Polls until the condition holds; fails the test after the timeout.</summary>
    public static async Task True(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
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
