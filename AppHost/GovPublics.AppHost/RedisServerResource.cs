using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GovPublics.AppHost;

/// <summary>
/// A local <c>redis-server</c> process run by the app host (no container, so no Docker is needed), with a
/// connection string for the services and a readiness check that really speaks to it.
/// </summary>
public sealed class RedisServerResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    private EndpointReference? _endpoint;

    public EndpointReference PrimaryEndpoint => _endpoint ??= new(this, EndpointName);

    /// <summary><c>host:port</c>, the StackExchange.Redis form the services' <c>AddRedisClient</c> reads.</summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

public static class RedisServerResourceExtensions
{
    /// <summary>
    /// Adds a <c>redis-server</c> on a free loopback port with AOF on (<c>appendfsync everysec</c>) and its data
    /// in <paramref name="dataDirectory"/>. The resource is healthy once the server answers PING.
    /// </summary>
    public static IResourceBuilder<RedisServerResource> AddRedisServer(
        this IDistributedApplicationBuilder builder, string name, string redisServerPath, string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var resource = new RedisServerResource(name, redisServerPath, dataDirectory);
        var healthCheck = $"{name}-ping";
        builder.Services.AddHealthChecks().AddCheck(healthCheck, new RedisPingHealthCheck(resource));
        return builder.AddResource(resource)
            .WithEndpoint(RedisServerResource.EndpointName, e =>
            {
                e.UriScheme = "tcp";
                e.IsProxied = false;
            })
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--dir");
                context.Args.Add(dataDirectory);
                context.Args.Add("--appendonly");
                context.Args.Add("yes");
                context.Args.Add("--appendfsync");
                context.Args.Add("everysec");
                context.Args.Add("--save");
                context.Args.Add("");
                context.Args.Add("--daemonize");
                context.Args.Add("no");
                context.Args.Add("--protected-mode");
                context.Args.Add("yes");
            })
            .WithHealthCheck(healthCheck);
    }

    private sealed class RedisPingHealthCheck(RedisServerResource resource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!resource.PrimaryEndpoint.IsAllocated)
            {
                return HealthCheckResult.Unhealthy("the port is not allocated yet");
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", resource.PrimaryEndpoint.Port, timeout.Token);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
                var buffer = new byte[64];
                var read = await stream.ReadAsync(buffer, timeout.Token);
                var answer = Encoding.ASCII.GetString(buffer, 0, read);
                return answer.StartsWith("+PONG", StringComparison.Ordinal)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"PING answered '{answer.Trim()}'");
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("redis-server does not answer PING", ex);
            }
        }
    }
}

/// <summary>
/// Finds <c>redis-server</c>, and on a Debian machine without it installs the <c>redis-server</c> package, so
/// the run command works on a fresh machine that has only the .NET SDK.
/// </summary>
public static class RedisServerInstaller
{
    private static readonly string[] _wellKnown = ["/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server"];

    /// <summary>The path of <c>redis-server</c>, installing it first when it is missing.</summary>
    public static string FindOrInstall(TextWriter log)
    {
        if (Find() is { } found)
        {
            return found;
        }

        if (!File.Exists("/usr/bin/apt-get"))
        {
            throw new InvalidOperationException(
                "redis-server was not found and this machine has no apt-get to install it: install Redis 7, or give an external Redis with ConnectionStrings:redis.");
        }

        // Test processes and the app host may all find it missing at once: one installs, the others wait for it
        // (dpkg allows one install at a time). The lock file stays: deleting it on close would let a waiter lock
        // the unlinked file while a newcomer locks a new one.
        using var installLock = AcquireInstallLock();
        if (Find() is { } installedMeanwhile)
        {
            return installedMeanwhile;
        }

        var root = Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root";
        var sudo = root ? "" : "sudo -n ";
        log.WriteLine($"redis-server is missing: installing the Debian package ({sudo}apt-get install -y redis-server) ...");
        Run("/bin/sh", $"-c \"{sudo}apt-get update -qq && DEBIAN_FRONTEND=noninteractive {sudo}apt-get install -y -qq -o DPkg::Lock::Timeout=600 redis-server\"", log);
        return Find() ?? throw new InvalidOperationException(
            "Installing redis-server failed (see the output above). Install it with 'sudo apt-get install -y redis-server' and run again.");
    }

    private static FileStream AcquireInstallLock()
    {
        var path = Path.Combine(Path.GetTempPath(), "govpublics-redis-install.lock");
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(500);
            }
        }
    }

    private static string? Find()
    {
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "redis-server"));
        return fromPath.Concat(_wellKnown).FirstOrDefault(File.Exists);
    }

    private static void Run(string file, string arguments, TextWriter log)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"Could not start {file}.");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.WriteLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("Installing redis-server took more than 10 minutes.");
        }
    }
}
