using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using GovPublics.AppHost;
using StackExchange.Redis;

namespace GovPublics.Testing;

/// <summary>
/// A real <c>redis-server</c> for one test class: a free loopback port, its own temporary data folder (AOF with
/// fsync on every write, so a kill in a test never loses an acknowledged write),
/// stopped and deleted on dispose. It can be stopped and started again on the same port and data, to test
/// what happens while Redis is away.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly string _executable;
    private Process? _process;

    private RedisServerProcess(string executable, int port, string directory)
    {
        _executable = executable;
        Port = port;
        DataDirectory = directory;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    /// <summary><c>127.0.0.1:port</c>, with fast failure while the server is down.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=3000,asyncTimeout=3000";

    public static async Task<RedisServerProcess> StartAsync()
    {
        var executable = RedisServerInstaller.FindOrInstall(TextWriter.Null);
        var directory = Directory.CreateTempSubdirectory("govpublics-redis-").FullName;
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServerProcess(executable, FreePort(), directory);
            try
            {
                await server.StartAgainAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process took the port between the check and redis-server's bind: take another.
                await server.StopAsync();
            }
        }
    }

    /// <summary>Starts the server (again) on the same port and data folder and waits until it answers.</summary>
    public async Task StartAgainAsync()
    {
        _process = Process.Start(new ProcessStartInfo(_executable)
        {
            ArgumentList =
            {
                "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                "--dir", DataDirectory, "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                "--daemonize", "no",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},connectTimeout=500");
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisException ex) when (DateTime.UtcNow < deadline
                && (ex is RedisConnectionException || ex.Message.StartsWith("LOADING", StringComparison.Ordinal)))
            {
                // Not listening yet, or still replaying its append-only file after a restart.
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"redis-server exited at start (exit code {_process.ExitCode}); port {Port} may be taken.");
                }

                await Task.Delay(50);
            }
        }
    }

    /// <summary>
    /// Freezes the server (SIGSTOP) until <see cref="Resume"/>: its connections stay open and what clients send
    /// waits in the sockets, to be executed when it goes on, after the clients may have given up on it, as with a
    /// server stalled by a long fork or a frozen machine.
    /// </summary>
    public void Pause() => Signal(sigstop: true);

    /// <summary>Lets a paused server go on (SIGCONT).</summary>
    public void Resume() => Signal(sigstop: false);

    private void Signal(bool sigstop)
    {
        var process = _process ?? throw new InvalidOperationException("redis-server is not running");
        // Linux signal numbers: SIGSTOP 19, SIGCONT 18.
        if (kill(process.Id, sigstop ? 19 : 18) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    /// <summary>Kills the server, as a crash would.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async Task<ConnectionMultiplexer> ConnectAsync() => await ConnectionMultiplexer.ConnectAsync(ConnectionString);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>
    /// A loopback port that was free a moment ago, taken below Linux's ephemeral range (32768 and up): ports handed
    /// out by bind(0) are the same ones outgoing connections use, so one could be taken by a client socket before
    /// the server binds it. Never the same port twice in one process.
    /// </summary>
    public static int FreePort()
    {
        lock (_handedOut)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(20_000, 32_000);
                if (_handedOut.Contains(port))
                {
                    continue;
                }

                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    _handedOut.Add(port);
                    return port;
                }
                catch (SocketException)
                {
                    // In use: try another.
                }
            }
        }

        throw new InvalidOperationException("No free loopback port found between 20000 and 32000.");
    }

    private static readonly HashSet<int> _handedOut = [];
}
