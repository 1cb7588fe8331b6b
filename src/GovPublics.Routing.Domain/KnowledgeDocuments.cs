using System.Globalization;

namespace GovPublics.Routing.Domain;

/// <summary>
/// One problem of a knowledge document: the document ("topics"), the JSON path in it
/// ("$.topics[3].subtopics[0].terms[1].weight") and what is wrong.
/// </summary>
public sealed record KnowledgeError(string Document, string Path, string Message)
{
    public override string ToString() => Path == "$" ? $"{Document}.json: {Message}" : $"{Document}.json {Path}: {Message}";
}

/// <summary>Knowledge documents that do not compile, with every problem found.</summary>
public sealed class KnowledgeValidationException(string what, IReadOnlyList<KnowledgeError> errors)
    : Exception($"{what} has {errors.Count} problem(s): {string.Join("; ", errors.Take(20))}")
{
    public IReadOnlyList<KnowledgeError> Errors { get; } = errors;
}

/// <summary>Options of compiling the knowledge documents.</summary>
public sealed record KnowledgeOptions
{
    /// <summary>
    /// The registry's version of each document, by name. When given, <see cref="RoutingKnowledge.Version"/> names it
    /// after the document's own label ("topics@2025.11.2#3"), so a decision shows exactly which edit made it.
    /// </summary>
    public IReadOnlyDictionary<string, long>? Revisions { get; init; }

    /// <summary>When set, every place must name a territory this accepts (the registry checks against its catalogue).</summary>
    public Func<string, bool>? TerritoryExists { get; init; }
}

/// <summary>The result of compiling the knowledge documents: the knowledge, or the problems (never both).</summary>
public sealed record KnowledgeCompilation(RoutingKnowledge? Compiled, IReadOnlyList<KnowledgeError> Errors)
{
    public bool Succeeded => Compiled is not null;

    /// <summary>The knowledge, or <see cref="KnowledgeValidationException"/> naming <paramref name="what"/> was compiled.</summary>
    public RoutingKnowledge Knowledge(string what) => Compiled ?? throw new KnowledgeValidationException($"Routing knowledge in {what}", Errors);
}

/// <summary>What a new knowledge version changes: the entries it adds and removes (see <see cref="RoutingKnowledge.Entries"/>).</summary>
public sealed record KnowledgeDiff(IReadOnlyList<string> Added, IReadOnlyList<string> Removed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0;

    public static KnowledgeDiff Between(RoutingKnowledge before, RoutingKnowledge after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var old = before.Entries.ToHashSet(StringComparer.Ordinal);
        var now = after.Entries.ToHashSet(StringComparer.Ordinal);
        return new KnowledgeDiff(
            [.. after.Entries.Where(e => !old.Contains(e)).Distinct(StringComparer.Ordinal)],
            [.. before.Entries.Where(e => !now.Contains(e)).Distinct(StringComparer.Ordinal)]);
    }
}

/// <summary>Problems collected while compiling, each with its document and JSON path.</summary>
internal sealed class KnowledgeErrorList : List<KnowledgeError>
{
    public void Add(string document, string path, string message) => Add(new KnowledgeError(document, path, message));
}

/// <summary>Every entry of compiled knowledge as one readable line, for diffs of one version against another.</summary>
internal static class KnowledgeEntries
{
    public static IReadOnlyList<string> Describe(
        TopicsFile topicsFile, CuesFile cuesFile, UrgencyFile urgencyFile, NormalizationFile normalization, PlacesFile places,
        IReadOnlyList<TopicInfo> topics, IReadOnlyList<RedirectInfo> redirects, IReadOnlyList<UrgencyRuleInfo> rules, IReadOnlyList<Term> terms)
    {
        var entries = new List<string>
        {
            $"topics max_gap {topicsFile.MaxGap}",
            $"cues max_gap {cuesFile.MaxGap}",
            $"urgency max_gap {urgencyFile.MaxGap}",
            $"places max_gap {places.MaxGap}",
        };
        var subtopicCodes = topics.SelectMany(t => t.Subtopics.Select(s => $"{t.Code}/{s.Code}")).ToList();
        foreach (var topic in topics)
        {
            entries.Add($"topic {topic.Code} «{topic.Name}», default subtopic {topic.DefaultSubtopic}");
            entries.AddRange(topic.Subtopics.Select(s => $"subtopic {topic.Code}/{s.Code} «{s.Name}»"));
        }

        entries.AddRange(redirects.Select(r => $"redirect {r.Name}{(r.BetweenPlaces ? " between places" : "")}"));
        entries.AddRange(rules.Select(r => $"urgency rule {r.Id} «{r.Name}»"));
        entries.AddRange(cuesFile.Signals.Select(kv => $"cues signal {kv.Key}: {kv.Value.Class} weight {Number(kv.Value.Weight)}"));
        foreach (var term in terms)
        {
            var text = term.Prefix is null ? $"«{term.Text}»" : $"prefix «{term.Text}»";
            entries.Add(term.Kind switch
            {
                TermKind.Topic => $"topics {(term.Subtopic >= 0 ? subtopicCodes[term.Subtopic] : topics[term.Topic].Code)}: {text} weight {Number(term.Weight)}{(term.Problem ? ", problem" : "")}",
                TermKind.Cue => $"cues {term.Cue.ToString().ToLowerInvariant()}: {text} weight {Number(term.Weight)}",
                TermKind.Urgency => $"urgency {rules[term.Rule].Id} all[{term.Group}]: {text}",
                TermKind.UrgencyNone => $"urgency {rules[term.Rule].Id} none: {text}",
                _ => $"redirect {redirects[term.Rule].Name} context: {text}",
            });
        }

        entries.AddRange(normalization.Abbreviations.Select(kv => $"normalization abbreviation «{kv.Key}» → «{kv.Value}»"));
        entries.AddRange(normalization.Transliteration.Select(p => $"normalization transliteration «{string.Join("» → «", p)}»"));
        entries.AddRange(normalization.GlueWords.Select(w => $"normalization glue word «{w}»"));
        entries.AddRange(normalization.GlueWordsAfter.Select(w => $"normalization glue word after «{w}»"));
        entries.AddRange(normalization.Variation.Where(w => w.Length > 0).Select(w => $"normalization dropped character U+{(int)w[0]:X4}"));
        entries.AddRange(normalization.NegationWords.Select(w => $"normalization negation word «{w}»"));
        entries.AddRange(places.DistrictWords.Select(w => $"places district word «{w}»"));
        entries.AddRange(places.AmbiguousWords.Select(w => $"places ambiguous word «{w}»"));
        entries.AddRange(places.HomeWords.Select(w => $"places home word «{w}»"));
        foreach (var place in places.Places)
        {
            entries.AddRange(place.Names.Select(n =>
                $"places {place.Territory}: «{n}» certainty {Number(place.Certainty)}{(place.Capitalized ? ", capitalized" : "")}"));
        }

        return entries;
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
