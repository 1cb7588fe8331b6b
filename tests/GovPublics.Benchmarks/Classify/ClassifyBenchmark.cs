using System.Diagnostics;
using System.Globalization;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Routing.Pipeline;
using GovPublics.Routing.Domain;
using GovPublics.Routing.Evaluation;

namespace GovPublics.Benchmarks.Classify;

/// <summary>
/// `classify` mode: the routing classifier in process, as the routing consumer calls it, over every labelled
/// message of the corpus and the holdout (the real knowledge files and the real seed catalogue). One thread:
/// warm-up, then the best of several rounds, reported as messages per second per core with the bytes allocated
/// per message. Then all cores at once, for reference. Target (issue 5): at least 20,000 messages/s per core.
/// </summary>
public static class ClassifyBenchmark
{
    private const double Target = 20_000;

    public static int Run(string[] args)
    {
        var rounds = 5;
        var roundTime = TimeSpan.FromSeconds(1);
        foreach (var arg in args)
        {
            if (arg.StartsWith("--rounds=", StringComparison.Ordinal))
            {
                rounds = int.Parse(arg["--rounds=".Length..], CultureInfo.InvariantCulture);
            }
            else if (arg.StartsWith("--round-ms=", StringComparison.Ordinal))
            {
                roundTime = TimeSpan.FromMilliseconds(int.Parse(arg["--round-ms=".Length..], CultureInfo.InvariantCulture));
            }
        }

        var baseDir = AppContext.BaseDirectory;
        var catalog = CatalogDocument.LoadAsync(Path.Combine(baseDir, "Seed", "samara-region.json"), CancellationToken.None)
            .GetAwaiter().GetResult().ToSnapshot(1);
        var classifier = new MessageClassifier(RoutingKnowledge.Load(Path.Combine(baseDir, "Knowledge")), new RoutingOptions());
        var inputs = Directory.GetFiles(Path.Combine(baseDir, "Corpus"), "*.jsonl").Order(StringComparer.Ordinal)
            .SelectMany(RoutingEvaluator.Read)
            .Select(m => new ClassificationInput(m.Text, string.IsNullOrEmpty(m.PageOwner) ? null : m.PageOwner))
            .ToArray();
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        Console.WriteLine(FormattableString.Invariant(
            $"classify: {inputs.Length} labelled messages (mean {inputs.Average(i => i.Text.Length):F0} chars), {Environment.ProcessorCount} usable core(s), load average {load}"));

        // Warm up until the classifier's code is tier-1 and its per-thread buffers exist.
        Measure(classifier, catalog, inputs, TimeSpan.FromSeconds(2));
        var best = 0.0;
        var bytes = 0.0;
        for (var round = 0; round < rounds; round++)
        {
            var (rate, allocated) = Measure(classifier, catalog, inputs, roundTime);
            Console.WriteLine(FormattableString.Invariant($"  round {round + 1}: {rate,12:N0} messages/s, {allocated:N0} B allocated per message"));
            best = Math.Max(best, rate);
            bytes = Math.Max(bytes, allocated);
        }

        // The routing consumer's whole in-process work per message, for comparison with its CPU per message in the
        // ingest benchmark's drain: the entry's JSON read, the classifier, the decision as routed and as stored
        // (UTF-8), and the routed entry built from the stored message bytes.
        var messages = inputs.Select((input, i) => PipelineJson.SerializeToUtf8(new CitizenMessage
        {
            MessageId = FormattableString.Invariant($"m{i}"), Platform = Platform.Vk, PageExternalId = "-205832150",
            Kind = MessageKind.Comment, ExternalId = FormattableString.Invariant($"{i}"), ThreadId = "wall-1", AuthorId = "1001",
            AuthorName = "Житель", Text = input.Text, CreatedAt = DateTimeOffset.UnixEpoch, ReceivedAt = DateTimeOffset.UnixEpoch,
        })).ToArray();
        MeasureConsumerPath(classifier, catalog, inputs, messages, TimeSpan.FromSeconds(3));
        var (pathRate, pathBytes) = MeasureConsumerPath(classifier, catalog, inputs, messages, roundTime);
        Console.WriteLine(FormattableString.Invariant(
            $"  consumer path (read the entry's JSON, classify, write the decision and the routed entry): {pathRate:N0} messages/s = {1e6 / pathRate:F1} µs per message, {pathBytes:N0} B allocated per message"));

        var threads = Environment.ProcessorCount;
        var total = 0.0;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            var (rate, _) = Measure(classifier, catalog, inputs, roundTime);
            lock (inputs)
            {
                total += rate;
            }
        });

        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant($"all {threads} cores at once: {total:N0} messages/s in total"));
        Console.WriteLine(FormattableString.Invariant(
            $"Classify: {best:N0} messages/s per core (best of {rounds} rounds of {roundTime.TotalMilliseconds:N0} ms), {bytes:N0} B per message (target ≥ {Target:N0}/s per core)"));
        return best >= Target ? 0 : 1;
    }

    private static (double Rate, double BytesPerMessage) MeasureConsumerPath(
        MessageClassifier classifier, CatalogSnapshot catalog, ClassificationInput[] inputs, byte[][] messages, TimeSpan duration)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        long done = 0;
        var sink = 0;
        while (watch.Elapsed < duration)
        {
            for (var i = 0; i < messages.Length; i++)
            {
                var message = PipelineJson.Deserialize<CitizenMessage>(messages[i]);
                var decision = MessageRouter.ToPipeline(classifier.Classify(new ClassificationInput(message.Text, inputs[i].PageOwnerAuthorityId), catalog), DateTimeOffset.UnixEpoch);
                sink += PipelineJson.DecisionUtf8(decision).Length + PipelineJson.RoutedEntryUtf8(messages[i], decision).Length;
            }

            done += messages.Length;
        }

        watch.Stop();
        GC.KeepAlive(sink);
        return (done / watch.Elapsed.TotalSeconds, (double)(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / done);
    }

    private static (double Rate, double BytesPerMessage) Measure(
        MessageClassifier classifier, CatalogSnapshot catalog, ClassificationInput[] inputs, TimeSpan duration)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        long done = 0;
        var sink = 0;
        while (watch.Elapsed < duration)
        {
            foreach (var input in inputs)
            {
                sink += classifier.Classify(input, catalog).Category.Length;
            }

            done += inputs.Length;
        }

        watch.Stop();
        GC.KeepAlive(sink);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return (done / watch.Elapsed.TotalSeconds, (double)allocated / done);
    }
}
