using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GovPublics.Benchmarks.Ingest;

/// <summary>
/// The whole suite from the real app host (redis-server with AOF everysec, the five services, the gateway), as the
/// system tests start it: gateway on free loopback ports, Redis data in a temporary folder, no demo messages, no
/// OTLP exporter. Every resource's console output (all levels) is written to <see cref="LogDirectory"/>, which is
/// kept after the run: a service that exits during a run leaves its last words there. Disposing stops the app and
/// deletes the data.
/// </summary>
public sealed class SuiteHost : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly List<Task> _logWriters = [];
    private readonly CancellationTokenSource _stopLogs = new();
    private DistributedApplication? _app;

    private SuiteHost(string dataDirectory, int grpcPort, int httpPort)
    {
        _dataDirectory = dataDirectory;
        GatewayGrpcPort = grpcPort;
        GatewayHttpPort = httpPort;
    }

    public int GatewayGrpcPort { get; }

    public int GatewayHttpPort { get; }

    public string GatewayGrpcAddress => $"http://127.0.0.1:{GatewayGrpcPort}";

    public string GatewayHttpAddress => $"http://127.0.0.1:{GatewayHttpPort}";

    /// <summary>Where each resource's console output goes, one file per resource (<c>&lt;name&gt;.log</c>).</summary>
    public string LogDirectory { get; } = Directory.CreateTempSubdirectory("govpublics-bench-logs-").FullName;

    /// <summary>What the app host knows of a resource's state (e.g. "Exited, exit code 134").</summary>
    public string StateOf(string resource) =>
        _app!.ResourceNotifications.TryGetCurrentState(resource, out var current)
            ? $"{current.Snapshot.State?.Text ?? "unknown"}, exit code {current.Snapshot.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"
            : "unknown to the app host";

    /// <summary>The last <paramref name="count"/> lines a resource wrote, or a note that it wrote none.</summary>
    public string LastLogLines(string resource, int count)
    {
        var path = Path.Combine(LogDirectory, resource + ".log");
        if (!File.Exists(path))
        {
            return $"(no output from {resource})";
        }

        // The writer may still append: read what is there without locking it out.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new Queue<string>(count);
        while (reader.ReadLine() is { } line)
        {
            if (lines.Count == count)
            {
                lines.Dequeue();
            }

            lines.Enqueue(line);
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>The suite's Redis, as the services connect to it.</summary>
    public async Task<string> RedisConnectionStringAsync(CancellationToken cancellationToken) =>
        await _app!.GetConnectionStringAsync("redis", cancellationToken)
            ?? throw new InvalidOperationException("The app host gave no connection string for redis.");

    public static async Task<SuiteHost> StartAsync(CancellationToken cancellationToken)
    {
        var grpcPort = FreePort();
        int httpPort;
        do
        {
            httpPort = FreePort();
        }
        while (httpPort == grpcPort);

        var host = new SuiteHost(Directory.CreateTempSubdirectory("govpublics-bench-").FullName, grpcPort, httpPort);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(3));
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.GovPublics_AppHost>(
                [
                    $"--Gateway:GrpcPort={grpcPort}",
                    $"--Gateway:HttpPort={httpPort}",
                    $"--Redis:DataDirectory={host._dataDirectory}",
                    "--Demo:Messages=false",
                ],
                timeout.Token);
            // The resources' console output is forwarded to this process's logger: keep only warnings and errors,
            // or printing them would take the load generator's core. Health checks failing while the services
            // start are expected.
            builder.Services.AddLogging(logging =>
            {
                logging.SetMinimumLevel(LogLevel.Warning);
                logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);
            });
            foreach (var project in builder.Resources.OfType<ProjectResource>())
            {
                // No dashboard here: an exporter pointed at nowhere would only cost time.
                builder.CreateResourceBuilder(project).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
                if (project.Name == "gateway")
                {
                    // The webhook benchmark sends thousands a second from one address: the limit stays in the path,
                    // far above the load, so its cost is measured and it refuses nothing.
                    builder.CreateResourceBuilder(project).WithEnvironment("Gateway__Limits__WebhookRequestsPerSecondPerAddress", "10000000");
                }
            }

            host._app = await builder.BuildAsync(timeout.Token);
            await host._app.StartAsync(timeout.Token);
            // Once started: each resource's logs are kept per instance (e.g. "sla-xkqv"), known only then; what a
            // resource wrote before is kept too.
            host.KeepLogs(builder.Resources);
            await host._app.ResourceNotifications.WaitForResourceHealthyAsync("gateway", timeout.Token);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes each resource's console output to its file in <see cref="LogDirectory"/> until the suite stops.</summary>
    private void KeepLogs(IEnumerable<IResource> resources)
    {
        var logs = _app!.Services.GetRequiredService<ResourceLoggerService>();
        foreach (var resource in resources)
        {
            _logWriters.Add(Task.Run(async () =>
            {
                await using var file = new StreamWriter(Path.Combine(LogDirectory, resource.Name + ".log"), append: false) { AutoFlush = true };
                try
                {
                    await foreach (var batch in logs.WatchAsync(resource).WithCancellation(_stopLogs.Token))
                    {
                        foreach (var line in batch)
                        {
                            await file.WriteLineAsync(line.IsErrorMessage ? "[stderr] " + line.Content : line.Content);
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // The suite stopped.
                }
            }));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            try
            {
                await _app.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("The app did not stop within a minute; disposing it anyway.");
            }

            _stopLogs.Cancel();
            await Task.WhenAll(_logWriters).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _app.DisposeAsync();
            _app = null;
        }

        _stopLogs.Dispose();

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Leftovers in the temp folder are harmless.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
