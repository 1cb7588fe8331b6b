using GovPublics.Catalog;
using GovPublics.Routing.Domain;
using GovPublics.Routing.Evaluation;

// Scores the routing logic (the same classifier and knowledge files the service runs) on labelled JSON-lines
// files. Usage: dotnet run --project src/GovPublics.Routing.Evaluation -- FILE.jsonl [FILE.jsonl ...]
//   [--catalog seed.json] [--knowledge DIR] [--worst N]
var files = new List<string>();
var catalogPath = Path.Combine(AppContext.BaseDirectory, "Seed", "samara-region.json");
var knowledge = Path.Combine(AppContext.BaseDirectory, "Knowledge");
var worst = 15;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--catalog": catalogPath = args[++i]; break;
        case "--knowledge": knowledge = args[++i]; break;
        case "--worst": worst = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        default: files.Add(args[i]); break;
    }
}

if (files.Count == 0)
{
    Console.Error.WriteLine("usage: dotnet run --project src/GovPublics.Routing.Evaluation -- FILE.jsonl [FILE.jsonl ...] [--catalog seed.json] [--knowledge DIR] [--worst N]");
    return 2;
}

var catalog = (await CatalogDocument.LoadAsync(catalogPath, CancellationToken.None)).ToSnapshot(1);
var classifier = new MessageClassifier(RoutingKnowledge.Load(knowledge), new RoutingOptions());
foreach (var file in files)
{
    var report = RoutingEvaluator.Evaluate(RoutingEvaluator.Read(file), classifier, catalog);
    Console.WriteLine(RoutingEvaluator.Format(report, Path.GetFileName(file), worst));
}

return 0;
