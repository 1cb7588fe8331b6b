using System.Globalization;
using System.Text;
using System.Text.Json;
using GovPublics.Catalog;
using GovPublics.Routing.Domain;

namespace GovPublics.Routing.Evaluation;

/// <summary>One labelled message of a routing corpus (JSON lines; field names as in the corpus files).</summary>
public sealed record LabelledMessage(
    string Id, string Platform, string Kind, string PageOwner, string Text, bool IsIncident, string Category,
    string Subcategory, bool Urgent, string Municipality, string District, string Responsible);

/// <summary>A labelled message with the decision made for it.</summary>
public sealed record EvaluatedMessage(LabelledMessage Gold, RoutingDecision Decision)
{
    public bool IncidentRight => Gold.IsIncident == Decision.IsIncident;
    public bool TopicRight => Gold.Category == Decision.Category;
    public bool MunicipalityRight => Gold.Municipality == Decision.MunicipalityName;
    public bool ResponsibleRight => Gold.Responsible == Decision.ResponsibleAuthorityName;
}

/// <summary>The scores of a run over a corpus.</summary>
public sealed record EvaluationReport(
    int Messages,
    double IncidentPrecision, double IncidentRecall, double IncidentF1,
    double TopicAccuracy, double TopicMacroF1,
    double UrgentRecall, double UrgentPrecision,
    double MunicipalityAccuracy, double ResponsibleAccuracy,
    IReadOnlyList<EvaluatedMessage> Results);

/// <summary>
/// Runs the classifier over a labelled corpus and scores it the way the ЦУР would: is it an incident, which
/// topic, is it urgent, which municipality, which authority must answer.
/// </summary>
public static class RoutingEvaluator
{
    private static readonly JsonSerializerOptions _json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Reads a JSON-lines corpus; a bad line is reported with its number.</summary>
    public static IReadOnlyList<LabelledMessage> Read(string path)
    {
        var items = new List<LabelledMessage>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                items.Add(JsonSerializer.Deserialize<LabelledMessage>(line, _json) ?? throw new JsonException("empty"));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}, line {number}: {ex.Message}", ex);
            }
        }

        return items;
    }

    public static EvaluationReport Evaluate(IReadOnlyList<LabelledMessage> corpus, MessageClassifier classifier, CatalogSnapshot catalog)
    {
        var results = corpus.Select(m => new EvaluatedMessage(m,
            classifier.Classify(new ClassificationInput(m.Text, string.IsNullOrEmpty(m.PageOwner) ? null : m.PageOwner), catalog))).ToList();
        var (ip, ir, if1) = Binary(results, r => r.Gold.IsIncident, r => r.Decision.IsIncident);
        var (up, ur, _) = Binary(results, r => r.Gold.Urgent, r => r.Decision.Urgent);
        var incidents = results.Where(r => r.Gold.IsIncident).ToList();
        var categories = results.Select(r => r.Gold.Category).Concat(results.Select(r => r.Decision.Category)).Distinct().ToList();
        var macroF1 = categories.Average(c => Binary(results, r => r.Gold.Category == c, r => r.Decision.Category == c).F1);
        return new EvaluationReport(
            results.Count, ip, ir, if1,
            Share(incidents, r => r.TopicRight), macroF1,
            ur, up,
            Share(incidents, r => r.MunicipalityRight), Share(incidents, r => r.ResponsibleRight),
            results);
    }

    /// <summary>The report as text: scores, the topic confusion matrix and the worst mistakes.</summary>
    public static string Format(EvaluationReport report, string title, int worst = 15)
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(c, $"== {title}: {report.Messages} messages");
        sb.AppendLine(c, $"incident detection   precision {report.IncidentPrecision:F3}  recall {report.IncidentRecall:F3}  F1 {report.IncidentF1:F3}   (target F1 >= 0.92)");
        sb.AppendLine(c, $"topic (on incidents) accuracy {report.TopicAccuracy:F3}  macro F1 (all, with none) {report.TopicMacroF1:F3}   (target accuracy >= 0.90)");
        sb.AppendLine(c, $"urgent               recall {report.UrgentRecall:F3}  precision {report.UrgentPrecision:F3}   (target recall >= 0.95)");
        sb.AppendLine(c, $"municipality (on incidents) accuracy {report.MunicipalityAccuracy:F3}");
        sb.AppendLine(c, $"responsible authority (on incidents) accuracy {report.ResponsibleAccuracy:F3}   (target >= 0.90)");
        sb.AppendLine();
        var labels = report.Results.Select(r => r.Gold.Category).Concat(report.Results.Select(r => r.Decision.Category))
            .Distinct().OrderBy(l => l == "none" ? "~" : l, StringComparer.Ordinal).ToList();
        sb.AppendLine("confusion matrix (rows: labelled topic, columns: decided topic)");
        sb.Append(' ', 18);
        foreach (var l in labels)
        {
            sb.Append(c, $"{Short(l),6}");
        }

        sb.AppendLine();
        foreach (var row in labels)
        {
            sb.Append(c, $"{row,-18}");
            foreach (var col in labels)
            {
                var n = report.Results.Count(r => r.Gold.Category == row && r.Decision.Category == col);
                sb.Append(c, $"{(n == 0 ? "." : n.ToString(c)),6}");
            }

            sb.AppendLine();
        }

        sb.AppendLine();
        sb.AppendLine(c, $"worst mistakes (wrong, most confident first; at most {worst})");
        var mistakes = report.Results
            .Where(r => !r.IncidentRight || (r.Gold.IsIncident && (!r.TopicRight || !r.ResponsibleRight)) || (r.Gold.Urgent && !r.Decision.Urgent))
            .OrderByDescending(r => (r.Gold.Urgent && !r.Decision.Urgent ? 10 : 0) + (r.IncidentRight ? 0 : 5) + r.Decision.Confidence)
            .Take(worst);
        foreach (var m in mistakes)
        {
            var g = m.Gold;
            var d = m.Decision;
            sb.AppendLine(c, $"- {g.Id} [{g.PageOwner}] {Truncate(g.Text, 110)}");
            sb.AppendLine(c, $"    labelled: {(g.IsIncident ? "incident" : "no")} {g.Category}/{g.Subcategory}{(g.Urgent ? " URGENT" : "")} → {Or(g.Responsible)} ({Or(g.Municipality)})");
            sb.AppendLine(c, $"    decided:  {(d.IsIncident ? "incident" : "no")} {d.Category}/{d.Subcategory}{(d.Urgent ? " URGENT" : "")} → {Or(d.ResponsibleAuthorityName)} ({Or(d.MunicipalityName)}), confidence {d.Confidence:F2}");
            sb.AppendLine(c, $"    why: {Truncate(d.Explanation, 160)}");
        }

        return sb.ToString();
    }

    private static (double Precision, double Recall, double F1) Binary<T>(IReadOnlyList<T> items, Func<T, bool> gold, Func<T, bool> decided)
    {
        var tp = items.Count(i => gold(i) && decided(i));
        var fp = items.Count(i => !gold(i) && decided(i));
        var fn = items.Count(i => gold(i) && !decided(i));
        var precision = tp + fp == 0 ? 1 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 1 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, f1);
    }

    private static double Share<T>(IReadOnlyList<T> items, Func<T, bool> right) => items.Count == 0 ? 1 : (double)items.Count(right) / items.Count;

    private static string Short(string label) => label.Length <= 5 ? label : label[..5];

    private static string Or(string value) => value.Length == 0 ? "—" : value;

    private static string Truncate(string text, int max) => text.Length <= max ? text.ReplaceLineEndings(" ") : text[..max].ReplaceLineEndings(" ") + "…";
}
