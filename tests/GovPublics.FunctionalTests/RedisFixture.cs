using GovPublics.Testing;
using StackExchange.Redis;

namespace GovPublics.FunctionalTests;

/// <summary>A real redis-server per test class, with a connection for inspecting what the services stored.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServerProcess Server { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public IDatabase Db => Connection.GetDatabase();

    public async ValueTask InitializeAsync()
    {
        Server = await RedisServerProcess.StartAsync();
        Connection = await Server.ConnectAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Server.DisposeAsync();
    }
}
