using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using GovPublics.AppHost;
using GovPublics.Contracts.Common.V1;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Contracts.Sla.V1;
using GovPublics.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using GovPublics.Common.Redis;
using StackExchange.Redis;

namespace GovPublics.Benchmarks.Ingest;

/// <summary>
/// <c>ingest</c> mode: ingestion through the gateway of the real suite (issue 4), in one run. Unary <c>Ingest</c>
/// against a near-no-op unary call through the same gateway (<c>RegistryService/GetAuthority</c>, a dictionary
/// read), client-streaming <c>IngestBatch</c>, and the VK Callback webhook on the gateway's HTTP/1.1 port.
/// By default the suite runs on core 1 and this process (the load) on core 0; <c>--cores=shared</c> lets all use both. See docs/benchmarks.md.
/// </summary>
public static class IngestBenchmark
{
    private const double RatioTarget = 0.6;
    private const double BatchTarget = 20_000;
    private const int Channels = 4;
    private const int UnaryConcurrency = 64;
    private const int BatchSize = 1_000;
    private const int WebhookConcurrency = 64;
    private const int WarmUpBatches = 30;
    private const string VkGroup = "208424532"; // vk-adm-tolyatti in the seed
    // --cores=split (default): the suite on core 1, the load generator on core 0, so the load never takes the suite's
    // CPU. --cores=shared: every process may use both cores, the issue's "targets on 2 cores" with the load
    // generator sharing them (it costs the suite some CPU, so shared rates are conservative).
    private static ulong SuiteMask = 0b10;
    private static ulong LoadMask = 0b01;
    private static string Placement = "the suite on core 1, the load on core 0";

    private static readonly string[] _texts =
    [
        "В Тольятти на Южном шоссе огромная яма, машины пробивают колёса. Когда отремонтируют?",
        "Во дворе дома 12 по улице Мира третий день не вывозят мусор, контейнеры переполнены.",
        "На остановке Центральная не горят фонари, вечером очень темно и опасно.",
        "Спасибо администрации за новую детскую площадку в нашем квартале!",
        "В доме 5 на Ленинском проспекте нет горячей воды с понедельника, управляющая компания не отвечает.",
        "Когда починят светофор на перекрёстке Революционной и Победы? Уже неделю мигает жёлтым.",
        "Подскажите, где можно записаться на приём к главе района?",
        "В поликлинике номер 3 невозможно дозвониться в регистратуру, телефон всё время занят.",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        // Every loop is bounded: each call has a deadline, each workload a fixed window, the whole run 20 minutes.
        using var whole = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        // Ctrl+C or SIGTERM end the run early but still stop the suite.
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            whole.Cancel();
        };
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            whole.Cancel();
        });
        try
        {
            return await RunCoreAsync(args, whole.Token);
        }
        catch (OperationCanceledException) when (whole.IsCancellationRequested)
        {
            Console.WriteLine("INVALID: the run was cancelled or exceeded 20 minutes; the suite was stopped.");
            return 2;
        }
        catch (ConsumerGoneException ex)
        {
            Console.WriteLine($"FAILED: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> RunCoreAsync(string[] args, CancellationToken token)
    {
        var warmUp = TimeSpan.FromSeconds(Option(args, "--warmup", 3));
        var window = TimeSpan.FromSeconds(Option(args, "--duration", 10));
        var batchesInFlight = Option(args, "--batches", 4);
        var ratioRounds = Option(args, "--ratio-rounds", 3);
        // --consumers=paused (default): routing and SLA are stopped while ingestion is measured (they run on other
        // machines in production, and here they would take the two cores the ingestion figures are about); afterwards
        // each is continued alone and its own rate is measured on the backlog. --consumers=running: the whole
        // pipeline at once, draining between workloads.
        var consumersRun = args.Contains("--consumers=running");
        if (args.Contains("--cores=shared"))
        {
            SuiteMask = LoadMask = 0b11;
            Placement = "the suite and the load sharing both cores";
        }
        var runId = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + "-" + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);

        Console.WriteLine(Invariant($"ingest: the real suite from the app host, through the gateway; {Environment.ProcessorCount} usable core(s), load average {LoadAverage()}"));
        Console.WriteLine(Invariant($"warm-up {warmUp.TotalSeconds:F0} s and measured window {window.TotalSeconds:F0} s per workload; run id {runId}"));
        var started = Stopwatch.StartNew();
        await using var suite = await SuiteHost.StartAsync(token);
        Console.WriteLine(Invariant($"suite healthy after {started.Elapsed.TotalSeconds:F1} s: gateway gRPC {suite.GatewayGrpcAddress}, HTTP/1.1 {suite.GatewayHttpAddress}; resource logs in {suite.LogDirectory}"));

        var processes = CpuPinning.SuiteProcesses(Environment.ProcessId);
        PinAll(processes, verbose: true);

        // The workloads call as the demo integrator (every gRPC call through the gateway carries a client token, and
        // the gateway checks it); setting the page's secret takes the admin.
        var channels = Enumerable.Range(0, Channels).Select(_ => Channel(suite, DemoClients.Integrator)).ToArray();
        using var adminChannel = Channel(suite, DemoClients.Admin);
        try
        {
            var ingestion = channels.Select(c => new IngestionService.IngestionServiceClient(c)).ToArray();
            var registry = channels.Select(c => new RegistryService.RegistryServiceClient(c)).ToArray();
            var sla = new SlaService.SlaServiceClient(channels[0]);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = WebhookConcurrency })
            {
                BaseAddress = new Uri(suite.GatewayHttpAddress),
                Timeout = TimeSpan.FromSeconds(10),
            };

            // What the workloads ask for: real authorities and real VK pages of the seed.
            var authorities = (await registry[0].ListAuthoritiesAsync(new ListAuthoritiesRequest { PageSize = 1000 }, cancellationToken: token))
                .Authorities.Select(a => a.Id).ToArray();
            var pages = (await registry[0].ListPagesAsync(new ListPagesRequest { Platform = Platform.Vk, PageSize = 1000 }, cancellationToken: token))
                .Pages.Where(p => p.Status == PageStatus.Active).Select(p => p.ExternalId).ToArray();
            var secret = $"bench_{runId}";
            var vk = (await registry[0].ResolvePageAsync(new ResolvePageRequest { Platform = Platform.Vk, ExternalId = "-" + VkGroup }, cancellationToken: token)).Page;
            await new RegistryService.RegistryServiceClient(adminChannel).SetPageSecretAsync(new SetPageSecretRequest { PageId = vk.Id, Version = vk.Version, Secret = secret, ConfirmationCode = "c0nf1rm" }, cancellationToken: token);
            var webhookTemplate = WebhookTemplate(secret);
            Console.WriteLine(Invariant($"{authorities.Length} authorities for GetAuthority, {pages.Length} VK pages for Ingest; secret set on {vk.Id} (VK {VkGroup})"));

            // The secret reaches ingestion through the change feed: wait (bounded) until the webhook answers "ok".
            var smoke = await Eventually(async () =>
                (await PostWebhookAsync(http, webhookTemplate, $"{runId}-smoke", 1, token)).Error is null, TimeSpan.FromSeconds(30), token);
            if (!smoke)
            {
                Console.WriteLine("FAILED: the VK webhook did not answer \"ok\" within 30 s of setting the secret.");
                return 1;
            }

            var results = new List<LoadResult>();
            var drains = new List<string>();
            var redisOptions = ConfigurationOptions.Parse(await suite.RedisConnectionStringAsync(token));
            redisOptions.AllowAdmin = true; // CONFIG RESETSTAT and INFO commandstats around each drain
            using var redisConnection = await ConnectionMultiplexer.ConnectAsync(redisOptions);
            var redisServer = redisConnection.GetServer(redisConnection.GetEndPoints()[0]);
            var db = redisConnection.GetDatabase();
            var keys = new RedisKeys("63");
            var routingProcesses = processes.Where(p => IsRouting(p.Name)).ToArray();
            var slaProcesses = processes.Where(p => IsSla(p.Name)).ToArray();
            if (!consumersRun)
            {
                if (routingProcesses.Length == 0 || slaProcesses.Length == 0)
                {
                    Console.WriteLine("FAILED: the routing or SLA process was not found among the suite's processes.");
                    return 1;
                }

                // A production replica runs for days on optimized code; one stopped right after its start would be
                // measured on tier-0 code, with the JIT competing for the same cores. So the consumers first work
                // through real traffic (WarmUpBatches batches), then stop once routing has caught up (bounded).
                for (var i = 0; i < WarmUpBatches; i++)
                {
                    var warm = await IngestBatchAsync(ingestion[i % Channels], runId, $"warm-{i}", pages, token);
                    if (warm.Error is not null)
                    {
                        Console.WriteLine($"FAILED: the consumers' warm-up batch was refused: {warm.Error}");
                        return 1;
                    }
                }

                var warmed = Stopwatch.StartNew();
                await Eventually(async () => (await ConsumerDrain.BacklogAsync(db, keys.MessagesStream, "routing")) == (0, 0), TimeSpan.FromSeconds(60), token);
                Console.WriteLine(Invariant($"consumers warmed on {WarmUpBatches * BatchSize:N0} messages (routing caught up {warmed.Elapsed.TotalSeconds:F1} s after the last batch)"));
                ConsumerDrain.Pause([.. routingProcesses, .. slaProcesses]);
                Console.WriteLine(Invariant($"consumers paused (SIGSTOP) while ingestion is measured: routing pid {string.Join(", ", routingProcesses.Select(p => p.Pid))}, SLA pid {string.Join(", ", slaProcesses.Select(p => p.Pid))}"));
            }

            async Task<LoadResult> Run(string name, string unit, int concurrency, Func<int, long, CancellationToken, Task<Outcome>> operation)
            {
                var stray = Repin(processes);
                Console.WriteLine();
                Console.WriteLine(Invariant($"{name}: {concurrency} in flight, {warmUp.TotalSeconds:F0} s warm-up + {window.TotalSeconds:F0} s measured{(stray > 0 ? $" ({stray} stray threads re-pinned first)" : "")}"));
                var result = await ClosedLoop.RunAsync(name, unit, concurrency, warmUp, window, processes, operation, token,
                    windowStarts: () => redisServer.ConfigResetStatisticsAsync());
                Print(result);
                // Redis's script calls from the window's start to its last operation's end: for Ingest, how many
                // callers' messages one group-commit call carried on average.
                var scripts = (await CommandStatsAsync(redisServer)).FirstOrDefault(c => c.Name == "evalsha");
                if (scripts.Calls > 0)
                {
                    Console.WriteLine(Invariant($"  redis: {scripts.Calls:N0} script calls ({scripts.Usec / (double)scripts.Calls:F0} µs each) in the window; {result.Units / (double)scripts.Calls:F1} {unit} per script call"));
                }

                results.Add(result);
                return result;
            }

            async Task Drain(string after)
            {
                if (!consumersRun)
                {
                    return;
                }

                // The routing and SLA consumers work off what was just stored, on the same core: wait (bounded) until
                // a marker stored now has its incident, so the next workload starts on an idle suite.
                var clock = Stopwatch.StartNew();
                var marker = await ingestion[0].IngestAsync(new IngestRequest
                {
                    Platform = Platform.Vk, PageExternalId = "-" + VkGroup, Kind = MessageKind.Comment,
                    ExternalId = $"{runId}-marker-{after}", ThreadId = "wall-1",
                    Author = new Author { Id = "501", DisplayName = "Олег" },
                    Text = "На Южном шоссе огромная яма, уже третья машина пробила колесо. Когда отремонтируют?",
                }, cancellationToken: token);
                var done = await Eventually(async () =>
                {
                    try
                    {
                        await sla.GetIncidentByMessageAsync(new GetIncidentByMessageRequest { MessageId = marker.MessageId }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: token);
                        return true;
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                    {
                        return false;
                    }
                }, TimeSpan.FromMinutes(3), token);
                var line = Invariant($"pipeline after {after}: {(done ? "drained" : "NOT drained")} in {clock.Elapsed.TotalSeconds:F1} s (routing + SLA caught up with a marker message)");
                drains.Add(line);
                Console.WriteLine(line);
            }

            async Task<DrainResult> MeasureDrain(string name, string stream, string group, SuiteProcess[] consumers, TimeSpan limit)
            {
                var (lag, pending) = await ConsumerDrain.BacklogAsync(db, stream, group);
                Console.WriteLine();
                Console.WriteLine(Invariant($"{name} consumer alone: continued on a backlog of {lag:N0} unread and {pending:N0} pending entries of {stream}; {warmUp.TotalSeconds:F0} s warm-up, then measured until drained"));
                await redisServer.ConfigResetStatisticsAsync();
                DrainResult drain;
                try
                {
                    drain = await ConsumerDrain.RunAsync(name, db, stream, group, consumers, processes, warmUp, limit, token);
                }
                catch (ConsumerGoneException)
                {
                    // Its last words, while the suite still runs (the log files stay in the folder named).
                    var resource = name.ToLowerInvariant();
                    Console.WriteLine(Invariant($"  {resource}: {suite.StateOf(resource)}; its last lines (all of it in {suite.LogDirectory}):"));
                    Console.WriteLine(suite.LastLogLines(resource, 40));
                    throw;
                }

                // Where Redis's time went: the commands that took most of it (usec, calls, per call).
                var commands = (await CommandStatsAsync(redisServer)).Take(6);
                var memory = (await redisServer.InfoAsync("memory")).SelectMany(g => g).FirstOrDefault(kv => kv.Key == "used_memory_human").Value;
                var (finished, running) = await AofRewritesAsync(redisServer);
                Console.WriteLine(Invariant($"  redis: {finished} AOF rewrite(s) finished during the drain{(running ? ", one running at its end" : "")} (each forks and writes the whole dataset), {memory} used at the end"));
                Console.WriteLine("  redis commands by time: " + string.Join(", ", commands.Select(c => Invariant($"{c.Name} {c.Usec / 1e6:F1} s in {c.Calls:N0} calls ({(double)c.Usec / Math.Max(1, c.Calls):F0} µs each)"))));
                var shares = drain.CoreShareByProcess.Where(s => s.Value >= 0.005).OrderByDescending(s => s.Value).Select(s => Invariant($"{s.Key} {s.Value * 100:F0}%"));
                Console.WriteLine(Invariant($"  {(drain.Drained ? Invariant($"drained {drain.Total.TotalSeconds:F1} s after the continue") : Invariant($"NOT drained within {limit.TotalSeconds:F0} s"))}; measured: {drain.Entries:N0} entries in {drain.Elapsed.TotalSeconds:F2} s = {drain.EntriesPerSecond:N0} entries/s"));
                Console.WriteLine(Invariant($"  CPU, % of one core: {string.Join(", ", shares)}; per entry: {drain.MicrosecondsPerEntry(n => consumers.Any(c => c.Name == n)):F0} µs of {name}, {drain.MicrosecondsPerEntry(n => n.StartsWith("redis", StringComparison.Ordinal)):F0} µs of redis, {drain.MicrosecondsPerEntry():F0} µs of the whole suite"));
                Console.WriteLine(Invariant($"  cores busy: {string.Join(", ", drain.Cores.Select((c, i) => $"core {i} {c.Busy * 100:F0}%"))}"));
                return drain;
            }

            // The two sides of the ratio alternate (no-op, Ingest, no-op, Ingest, ...) and each side's median round
            // is taken: on a shared machine a disturbance then hits one round, not one side of the ratio.
            var noops = new List<LoadResult>();
            var unaries = new List<LoadResult>();
            for (var round = 1; round <= ratioRounds; round++)
            {
                noops.Add(await Run(Invariant($"GetAuthority (no-op), round {round} of {ratioRounds}"), "calls", UnaryConcurrency, async (worker, sequence, ct) =>
                {
                    var id = authorities[(int)((sequence * 7 + worker) % authorities.Length)];
                    var reply = await registry[worker % Channels].GetAuthorityAsync(new GetAuthorityRequest { Id = id }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
                    return reply.Id == id ? Outcome.Ok(1) : Outcome.Failed($"asked for {id}, got {reply.Id}");
                }));
                var stream = Invariant($"u{round}");
                unaries.Add(await Run(Invariant($"Ingest, round {round} of {ratioRounds}"), "calls", UnaryConcurrency, async (worker, sequence, ct) =>
                {
                    var reply = await ingestion[worker % Channels].IngestAsync(Message(runId, stream, worker, sequence, pages), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
                    return reply.Duplicate || reply.MessageId.Length == 0 ? Outcome.Failed("answered duplicate: nothing new was stored") : Outcome.Ok(1);
                }));
            }

            var noop = Median(noops);
            var unary = Median(unaries);
            Console.WriteLine();
            Console.WriteLine(Invariant($"rounds: no-op {string.Join(" / ", noops.Select(r => r.UnitsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))} calls/s, Ingest {string.Join(" / ", unaries.Select(r => r.UnitsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))} calls/s; ratio per round {string.Join(" / ", unaries.Zip(noops, (u, n) => (u.UnitsPerSecond / n.UnitsPerSecond).ToString("F2", CultureInfo.InvariantCulture)))}"));
            await Drain("Ingest");

            var webhook = await Run("VK webhook wall_reply_new", "requests", WebhookConcurrency, (worker, sequence, ct) =>
                PostWebhookAsync(http, webhookTemplate, $"{runId}-{worker}-{sequence}", 1_000_000 + sequence * WebhookConcurrency + worker, ct));
            await Drain("the webhook");

            var batch = await Run("IngestBatch x1000", "messages", batchesInFlight, (worker, sequence, ct) =>
                IngestBatchAsync(ingestion[worker % Channels], runId, $"b{worker}-{sequence}", pages, ct));

            var off = processes.Sum(p => CpuPinning.Check(p.Pid, SuiteMask).Off) + CpuPinning.Check(Environment.ProcessId, LoadMask).Off;
            DrainResult? routingDrain = null;
            if (!consumersRun)
            {
                // Each consumer's own rate on the backlog of every workload above, alone on the suite's cores (the
                // load generator idle): routing first, then SLA on what routing published.
                Repin(processes);
                routingDrain = await MeasureDrain("routing", keys.MessagesStream, "routing", routingProcesses, TimeSpan.FromMinutes(5));
                // SLA has no rate target: a minute of it shows its rate.
                await MeasureDrain("SLA", keys.RoutedStream, "sla", slaProcesses, TimeSpan.FromMinutes(1));
            }

            return Summarize(noop, unary, batch, webhook, results, off, routingDrain);
        }
        finally
        {
            // A stopped process cannot stop: continue the consumers before the suite is shut down.
            ConsumerDrain.Resume(processes.Where(p => IsRouting(p.Name) || IsSla(p.Name)));
            foreach (var channel in channels)
            {
                channel.Dispose();
            }

            Console.WriteLine("stopping the suite");
        }
    }

    /// <summary>Redis's time by command since the statistics were reset (<c>INFO commandstats</c>), most first.</summary>
    private static async Task<List<(string Name, long Usec, long Calls)>> CommandStatsAsync(IServer redisServer) =>
        [.. (await redisServer.InfoAsync("commandstats")).SelectMany(g => g)
            .Select(c => (Name: c.Key.Replace("cmdstat_", "", StringComparison.Ordinal), Stats: c.Value.Split(',').Select(kv => kv.Split('=')).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1])))
            .Where(c => c.Stats.ContainsKey("usec") && c.Stats.ContainsKey("calls"))
            .Select(c => (c.Name, Usec: long.Parse(c.Stats["usec"], CultureInfo.InvariantCulture), Calls: long.Parse(c.Stats["calls"], CultureInfo.InvariantCulture)))
            .OrderByDescending(c => c.Usec)];

    /// <summary>AOF rewrites finished since the statistics were reset (<c>CONFIG RESETSTAT</c>), and whether one is running.</summary>
    private static async Task<(long Finished, bool Running)> AofRewritesAsync(IServer server)
    {
        var info = (await server.InfoAsync("persistence")).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
        return (long.Parse(info.GetValueOrDefault("aof_rewrites", "0"), CultureInfo.InvariantCulture), info.GetValueOrDefault("aof_rewrite_in_progress") == "1");
    }

    /// <summary>The round with the median rate (the lower middle one of an even count).</summary>
    private static LoadResult Median(List<LoadResult> rounds) => rounds.OrderBy(r => r.UnitsPerSecond).ElementAt((rounds.Count - 1) / 2);

    private static bool IsRouting(string processName) => processName.StartsWith("GovPublics.Rout", StringComparison.Ordinal);

    private static bool IsSla(string processName) => processName.StartsWith("GovPublics.Sla", StringComparison.Ordinal);

    private static int Summarize(LoadResult noop, LoadResult unary, LoadResult batch, LoadResult webhook, List<LoadResult> all, int threadsOffCore, DrainResult? routing)
    {
        var ratio = unary.UnitsPerSecond / noop.UnitsPerSecond;
        var errors = all.Sum(r => r.Errors);
        var ratioMet = ratio >= RatioTarget;
        var batchMet = batch.UnitsPerSecond >= BatchTarget;
        Console.WriteLine();
        Console.WriteLine(Invariant($"summary (rates over the measured windows; {Placement}):"));
        Console.WriteLine(Invariant($"  GetAuthority (no-op)       {noop.UnitsPerSecond,10:N0} calls/s (median round)"));
        Console.WriteLine(Invariant($"  Ingest                     {unary.UnitsPerSecond,10:N0} calls/s (median round)"));
        Console.WriteLine(Invariant($"  Ingest / no-op             {ratio,10:F2}   (target ≥ {RatioTarget:F2}) {(ratioMet ? "met" : "MISSED")}"));
        Console.WriteLine(Invariant($"  IngestBatch x{BatchSize}          {batch.UnitsPerSecond,10:N0} messages/s (target ≥ {BatchTarget:N0}) {(batchMet ? "met" : "MISSED")}"));
        Console.WriteLine(Invariant($"  VK webhook                 {webhook.UnitsPerSecond,10:N0} requests/s ({webhook.UnitsPerSecond / noop.UnitsPerSecond:F2} × the no-op)"));
        static bool Consumer(string name) => IsRouting(name) || IsSla(name);
        Console.WriteLine(Invariant($"  suite CPU per call          no-op {noop.SuiteMicrosecondsPerUnit():F0} µs, Ingest {unary.SuiteMicrosecondsPerUnit():F0} µs (routing + SLA consumers {unary.SuiteMicrosecondsPerUnit(Consumer):F0} µs of it), webhook {webhook.SuiteMicrosecondsPerUnit():F0} µs, batch {batch.SuiteMicrosecondsPerUnit():F0} µs per message"));
        Console.WriteLine(Invariant($"  Ingest / no-op by CPU       {noop.SuiteMicrosecondsPerUnit() / unary.SuiteMicrosecondsPerUnit(),9:F2}   (suite CPU µs per no-op call ÷ per Ingest call)"));
        Console.WriteLine(Invariant($"  errors                     {errors,10:N0}   ({string.Join(", ", all.Select(r => $"{r.Name}: {r.Errors}"))})"));
        var keepsUp = routing is null || (routing.Drained && routing.EntriesPerSecond >= batch.UnitsPerSecond);
        if (routing is not null)
        {
            Console.WriteLine(Invariant($"  routing consumer alone      {routing.EntriesPerSecond,10:N0} messages/s ({routing.EntriesPerSecond / batch.UnitsPerSecond:F2} × the IngestBatch rate: {(keepsUp ? "keeps up" : "does NOT keep up")})"));
        }
        else
        {
            Console.WriteLine("  consumers ran during the workloads (--consumers=running): the rates above include their work");
        }

        if (threadsOffCore > 0)
        {
            Console.WriteLine(Invariant($"  note: {threadsOffCore} thread(s) were off their core at the end"));
        }

        if (errors > 0)
        {
            Console.WriteLine("INVALID: the run had errors, so it is not a measurement.");
            return 1;
        }

        var met = ratioMet && batchMet && keepsUp;
        Console.WriteLine(met ? "All targets met." : "A target was MISSED.");
        return met ? 0 : 1;
    }

    private static void Print(LoadResult r)
    {
        Console.WriteLine(Invariant($"  {r.UnitsPerSecond:N0} {r.Unit}/s ({r.Units:N0} {r.Unit} in {r.Operations:N0} operations over {r.Window.TotalSeconds:F2} s); errors {r.Errors} ({r.ErrorsInWindow} in the window)"));
        foreach (var error in r.SampleErrors)
        {
            Console.WriteLine($"    error: {error}");
        }

        var shares = r.CoreShareByProcess.Where(s => s.Value >= 0.005).OrderByDescending(s => s.Value).Select(s => Invariant($"{s.Key} {s.Value * 100:F0}%"));
        Console.WriteLine(Invariant($"  CPU, % of one core: suite {r.CoreShareByProcess.Values.Sum() * 100:F0}% ({string.Join(", ", shares)}); load generator {r.ClientCoreShare * 100:F0}%"));
        Console.WriteLine(Invariant($"  suite CPU per {r.Unit.TrimEnd('s')}: {r.SuiteMicrosecondsPerUnit():F0} µs; cores busy (all processes): {string.Join(", ", r.Cores.Select((c, i) => $"core {i} {c.Busy * 100:F0}% (softirq {c.SoftIrq * 100:F0}%, steal {c.Steal * 100:F0}%)"))}"));
    }

    private static GrpcChannel Channel(SuiteHost suite, DemoClients.Client client) =>
        GrpcChannel.ForAddress(suite.GatewayGrpcAddress, ClientToken.On(client.Token, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
        }));

    private static void PinAll(IReadOnlyList<SuiteProcess> processes, bool verbose)
    {
        var self = CpuPinning.Pin(Environment.ProcessId, LoadMask);
        Console.WriteLine(Invariant($"pinned: this process (pid {Environment.ProcessId}, load generator and in-process app host) to mask 0b{Convert.ToString((long)LoadMask, 2)}: {CpuPinning.Check(Environment.ProcessId, LoadMask).Total} threads{(self.Failed > 0 ? $", {self.Failed} FAILED" : "")}"));
        foreach (var process in processes)
        {
            var (_, failed) = CpuPinning.Pin(process.Pid, SuiteMask);
            if (verbose)
            {
                var command = process.CommandLine.Length > 110 ? process.CommandLine[..110] + "…" : process.CommandLine;
                Console.WriteLine(Invariant($"pinned: pid {process.Pid,-7} {process.Name,-22} to mask 0b{Convert.ToString((long)SuiteMask, 2)}: {CpuPinning.Check(process.Pid, SuiteMask).Total} threads{(failed > 0 ? $", {failed} FAILED" : "")}  [{command}]"));
            }
        }
    }

    private static int Repin(IReadOnlyList<SuiteProcess> processes) =>
        processes.Sum(p => CpuPinning.Pin(p.Pid, SuiteMask).Moved) + CpuPinning.Pin(Environment.ProcessId, LoadMask).Moved;

    /// <summary>One client-streaming batch of <see cref="BatchSize"/> new messages; every result must be a stored, new message.</summary>
    private static async Task<Outcome> IngestBatchAsync(IngestionService.IngestionServiceClient client, string runId, string batchName, string[] pages, CancellationToken ct)
    {
        using var call = client.IngestBatch(deadline: DateTime.UtcNow.AddSeconds(60), cancellationToken: ct);
        for (var i = 0; i < BatchSize; i++)
        {
            await call.RequestStream.WriteAsync(Message(runId, batchName, i, 0, pages), ct);
        }

        await call.RequestStream.CompleteAsync();
        var response = await call;
        var bad = response.Results.FirstOrDefault(r => r.Error is not null || r.Duplicate || r.MessageId.Length == 0);
        if (response.Results.Count != BatchSize || response.Accepted != BatchSize || bad is not null)
        {
            return Outcome.Failed(Invariant($"batch of {BatchSize}: {response.Results.Count} results, {response.Accepted} accepted, {response.Duplicates} duplicates, {response.Rejected} rejected; first bad: {bad}"));
        }

        return Outcome.Ok(BatchSize);
    }

    private static IngestRequest Message(string runId, string stream, int worker, long sequence, string[] pages) => new()
    {
        Platform = Platform.Vk,
        PageExternalId = pages[(int)((sequence + worker) % pages.Length)],
        Kind = MessageKind.Comment,
        ExternalId = Invariant($"{runId}-{stream}-{worker}-{sequence}"),
        // Many citizens under many posts, as a region's pages see them: 5,000 people, 200 posts per page.
        ThreadId = Invariant($"wall-{(sequence * 31 + worker) % 200}"),
        Author = new Author { Id = Invariant($"{10_000 + (sequence * 7 + worker * 13) % 5_000}"), DisplayName = "Житель" },
        Text = _texts[(int)((sequence + worker) % _texts.Length)],
    };

    /// <summary>The real VK payload of a comment, addressed to the registered community, with the secret and a citizen's text.</summary>
    private static JsonObject WebhookTemplate(string secret)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "vk_wall_reply_new.vknet.json")))!.AsObject();
        json["group_id"] = long.Parse(VkGroup, CultureInfo.InvariantCulture);
        json["secret"] = secret;
        var comment = json["object"]!.AsObject();
        comment["post_owner_id"] = -long.Parse(VkGroup, CultureInfo.InvariantCulture);
        comment["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        comment["text"] = _texts[0];
        return json;
    }

    private static async Task<Outcome> PostWebhookAsync(HttpClient http, JsonObject template, string eventId, long commentId, CancellationToken cancellationToken)
    {
        var json = template.DeepClone().AsObject();
        json["event_id"] = eventId;
        json["object"]!["id"] = commentId;
        // Many citizens under many posts, as a region's pages see them: 5,000 people, 200 posts.
        json["object"]!["from_id"] = 10_000 + commentId % 5_000;
        json["object"]!["post_id"] = 1 + commentId % 200;
        using var content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/webhooks/vk", content, cancellationToken);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.StatusCode == HttpStatusCode.OK && answer == "ok"
            ? Outcome.Ok(1)
            : Outcome.Failed($"HTTP {(int)response.StatusCode}: {(answer.Length > 200 ? answer[..200] : answer)}");
    }

    private static async Task<bool> Eventually(Func<Task<bool>> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is RpcException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not yet.
            }

            await Task.Delay(250, cancellationToken);
        }

        return false;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var value = args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
        return value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : fallback;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
