using System.Collections.Frozen;
using System.Globalization;

namespace GovPublics.Routing.Domain;

/// <summary>A gazetteer entry: a name (as stems) of a place inside a catalogue territory.</summary>
internal sealed record GazetteerName(string Text, string[] Stems, string TerritoryId, double Certainty, bool Capitalized);

/// <summary>Signal weights the tokenizer's counts add to cue classes.</summary>
internal sealed record CueSignal(CueClass Class, double Weight);

/// <summary>
/// The classifier's knowledge, loaded from the versioned JSON files of a directory (Knowledge/ next to the
/// service): topics.json, cues.json, urgency.json, normalization.json and places.json. Immutable once loaded; the
/// word cache inside it is thread-safe, so one instance serves every thread.
/// </summary>
public sealed class RoutingKnowledge
{
    public const string TopicsFile = "topics.json";
    public const string CuesFile = "cues.json";
    public const string UrgencyFile = "urgency.json";
    public const string NormalizationFile = "normalization.json";
    public const string PlacesFile = "places.json";

    private const int MaxPrepositionLength = 2;

    private static readonly FrozenDictionary<string, CueClass> _cueClasses = new Dictionary<string, CueClass>
    {
        ["gratitude"] = CueClass.Gratitude,
        ["spam"] = CueClass.Spam,
        ["offtopic"] = CueClass.Offtopic,
        ["toxic"] = CueClass.Toxic,
        ["opinion"] = CueClass.Opinion,
        ["complaint"] = CueClass.Complaint,
        ["request"] = CueClass.Request,
        ["resolved"] = CueClass.Resolved,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private RoutingKnowledge(
        IReadOnlyDictionary<string, string> fileVersions,
        IReadOnlyList<TopicInfo> topics,
        IReadOnlyList<UrgencyRuleInfo> urgencyRules,
        int[] urgencyGroupCounts,
        IReadOnlyList<Term> terms,
        TextNormalizer normalizer,
        Lexicon lexicon,
        IReadOnlyList<GazetteerName> gazetteer,
        PlacesFile places,
        FrozenDictionary<string, CueSignal> signals,
        IReadOnlyList<RedirectInfo> redirects)
    {
        Redirects = redirects;
        FileVersions = fileVersions;
        Version = string.Join(';', fileVersions.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}@{kv.Value}"));
        Topics = topics;
        UrgencyRules = urgencyRules;
        UrgencyGroupCounts = urgencyGroupCounts;
        Terms = terms;
        Normalizer = normalizer;
        Lexicon = lexicon;
        Gazetteer = gazetteer;
        PlaceMaxGap = Math.Max(0, places.MaxGap);
        DistrictWordStems = [.. places.DistrictWords.Select(w => normalizer.PhraseStems(w)).Where(s => s.Length > 0)];
        AmbiguousPlaceStems = places.AmbiguousWords
            .Select(w => normalizer.PhraseStems(w))
            .Where(s => s.Length > 0)
            .Select(s => s[0])
            .ToFrozenSet(StringComparer.Ordinal);
        HomeWordStems = places.HomeWords
            .Select(w => normalizer.PhraseStems(w))
            .Where(s => s.Length == 1)
            .Select(s => s[0])
            .ToFrozenSet(StringComparer.Ordinal);
        Signals = signals;
        SubtopicCount = topics.Sum(t => t.Subtopics.Count);
        var flat = new List<(int Topic, SubtopicInfo Subtopic)>();
        for (var t = 0; t < topics.Count; t++)
        {
            flat.AddRange(topics[t].Subtopics.Select(s => (t, s)));
        }

        FlatSubtopics = flat;
        OtherTopic = -1;
        for (var t = 0; t < topics.Count; t++)
        {
            if (topics[t].Code == RoutingCodes.Other)
            {
                OtherTopic = t;
            }
        }
    }

    /// <summary>"cues@2025.11.1;normalization@…;places@…;topics@…;urgency@…": every file's version.</summary>
    public string Version { get; }

    /// <summary>The version of each knowledge file, by file name without extension.</summary>
    public IReadOnlyDictionary<string, string> FileVersions { get; }

    public IReadOnlyList<TopicInfo> Topics { get; }

    public IReadOnlyList<UrgencyRuleInfo> UrgencyRules { get; }

    internal int[] UrgencyGroupCounts { get; }

    internal IReadOnlyList<Term> Terms { get; }

    /// <summary>Context redirects from topics.json, in file order (the first that applies wins).</summary>
    internal IReadOnlyList<RedirectInfo> Redirects { get; }

    internal TextNormalizer Normalizer { get; }

    internal Lexicon Lexicon { get; }

    internal IReadOnlyList<GazetteerName> Gazetteer { get; }

    internal int PlaceMaxGap { get; }

    internal IReadOnlyList<string[]> DistrictWordStems { get; }

    internal FrozenSet<string> AmbiguousPlaceStems { get; }

    /// <summary>Stems of the words that name where the writer lives ("живу"), not where the problem is.</summary>
    internal FrozenSet<string> HomeWordStems { get; }

    internal FrozenDictionary<string, CueSignal> Signals { get; }

    internal int SubtopicCount { get; }

    internal IReadOnlyList<(int Topic, SubtopicInfo Subtopic)> FlatSubtopics { get; }

    /// <summary>Index of the "other" topic, or -1.</summary>
    internal int OtherTopic { get; }

    /// <summary>The knowledge shipped next to the running assembly, in Knowledge/.</summary>
    public static RoutingKnowledge LoadDefault() => Load(Path.Combine(AppContext.BaseDirectory, "Knowledge"));

    /// <summary>
    /// Loads and checks every knowledge file of a directory. Throws <see cref="InvalidDataException"/> listing all
    /// problems found (missing file or version, unknown cue class, empty entry, a weight that is not positive).
    /// </summary>
    public static RoutingKnowledge Load(string directory)
    {
        var errors = new List<string>();
        var topicsFile = KnowledgeJson.Read<TopicsFile>(directory, TopicsFile, errors);
        var cuesFile = KnowledgeJson.Read<CuesFile>(directory, CuesFile, errors);
        var urgencyFile = KnowledgeJson.Read<UrgencyFile>(directory, UrgencyFile, errors);
        var normalizationFile = KnowledgeJson.Read<NormalizationFile>(directory, NormalizationFile, errors);
        var placesFile = KnowledgeJson.Read<PlacesFile>(directory, PlacesFile, errors);
        var versions = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["topics"] = topicsFile.Version,
            ["cues"] = cuesFile.Version,
            ["urgency"] = urgencyFile.Version,
            ["normalization"] = normalizationFile.Version,
            ["places"] = placesFile.Version,
        };
        foreach (var (name, version) in versions.Where(kv => string.IsNullOrWhiteSpace(kv.Value)))
        {
            errors.Add($"{name}.json: version is required");
        }

        var normalizer = new TextNormalizer(normalizationFile);
        var terms = new List<Term>();
        var topics = BuildTopics(topicsFile, normalizer, terms, errors);
        var redirects = BuildRedirects(topicsFile, topics, normalizer, terms, errors);
        BuildCues(cuesFile, normalizer, terms, errors);
        var (rules, groupCounts) = BuildUrgency(urgencyFile, normalizer, terms, errors);
        var signals = new Dictionary<string, CueSignal>(StringComparer.Ordinal);
        foreach (var (name, signal) in cuesFile.Signals)
        {
            if (!_cueClasses.TryGetValue(signal.Class, out var cueClass))
            {
                errors.Add($"cues.json: signal '{name}' names an unknown class '{signal.Class}'");
                continue;
            }

            signals[name] = new CueSignal(cueClass, signal.Weight);
        }

        var gazetteer = new List<GazetteerName>();
        foreach (var place in placesFile.Places)
        {
            if (string.IsNullOrWhiteSpace(place.Territory) || place.Certainty is <= 0 or > 1)
            {
                errors.Add($"places.json: '{string.Join(", ", place.Names)}' needs a territory and a certainty in (0, 1]");
                continue;
            }

            foreach (var name in place.Names)
            {
                var stems = normalizer.PhraseStems(name);
                if (stems.Length > 0)
                {
                    gazetteer.Add(new GazetteerName(name, stems, place.Territory, place.Certainty, place.Capitalized));
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidDataException($"Routing knowledge in {directory} has {errors.Count} problem(s): " + string.Join("; ", errors.Take(20)));
        }

        foreach (var term in terms)
        {
            term.HasNegation = term.Prefix is null && term.Stems.Any(normalizer.NegationWords.Contains);
            term.FirstMaxGap = FirstGap(term.Stems, term.MaxGap, normalizer);
        }

        var lexicon = new Lexicon(normalizer, terms, gazetteer.SelectMany(g => g.Stems));
        return new RoutingKnowledge(versions, topics, rules, groupCounts, terms, normalizer, lexicon, gazetteer, placesFile,
            signals.ToFrozenDictionary(StringComparer.Ordinal), redirects);
    }

    private static List<TopicInfo> BuildTopics(TopicsFile file, TextNormalizer normalizer, List<Term> terms, List<string> errors)
    {
        var topics = new List<TopicInfo>();
        var flatIndex = 0;
        foreach (var topic in file.Topics)
        {
            if (string.IsNullOrWhiteSpace(topic.Code) || topic.Subtopics.Count == 0)
            {
                errors.Add($"topics.json: topic '{topic.Code}' needs a code and at least one subtopic");
                continue;
            }

            var topicIndex = topics.Count;
            var subtopics = topic.Subtopics.Select(s => new SubtopicInfo(s.Code, s.Name)).ToList();
            var defaultSubtopic = string.IsNullOrEmpty(topic.DefaultSubtopic) ? subtopics[0].Code : topic.DefaultSubtopic;
            if (subtopics.All(s => s.Code != defaultSubtopic))
            {
                errors.Add($"topics.json: topic '{topic.Code}' has default_subtopic '{defaultSubtopic}' that is not one of its subtopics");
            }

            AddGroups(topic.Terms, $"topics.json {topic.Code}", normalizer, terms, errors,
                (text, stems, group, prefix) => new Term
                {
                    Id = terms.Count, Kind = TermKind.Topic, Text = text, Stems = stems, Weight = group.Weight,
                    MaxGap = file.MaxGap, Problem = group.Problem, Prefix = prefix, Topic = topicIndex,
                });
            foreach (var subtopic in topic.Subtopics)
            {
                var subtopicIndex = flatIndex++;
                AddGroups(subtopic.Terms, $"topics.json {topic.Code}/{subtopic.Code}", normalizer, terms, errors,
                    (text, stems, group, prefix) => new Term
                    {
                        Id = terms.Count, Kind = TermKind.Topic, Text = text, Stems = stems, Weight = group.Weight,
                        MaxGap = file.MaxGap, Problem = group.Problem, Prefix = prefix, Topic = topicIndex,
                        Subtopic = subtopicIndex,
                    });
            }

            topics.Add(new TopicInfo(topic.Code, topic.Name, defaultSubtopic, subtopics));
        }

        return topics;
    }

    private static List<RedirectInfo> BuildRedirects(
        TopicsFile file, List<TopicInfo> topics, TextNormalizer normalizer, List<Term> terms, List<string> errors)
    {
        var redirects = new List<RedirectInfo>();
        foreach (var redirect in file.Redirects)
        {
            var name = $"{string.Join('|', redirect.From)} → {redirect.To}";
            var from = new List<(int Topic, string? Subtopic)>();
            foreach (var code in redirect.From)
            {
                if (FindCode(topics, code, allowTopic: true) is { } found)
                {
                    from.Add((found.Topic, found.Subtopic < 0 ? null : topics[found.Topic].Subtopics[found.Subtopic].Code));
                }
                else
                {
                    errors.Add($"topics.json: redirect '{name}' names an unknown topic or subtopic '{code}'");
                }
            }

            var to = FindCode(topics, redirect.To, allowTopic: false);
            if (to is null || (redirect.Context.Count == 0 && !redirect.BetweenPlaces) || from.Count == 0)
            {
                errors.Add($"topics.json: redirect '{name}' needs context words (or between_places), 'from' codes and a 'to' topic/subtopic");
                continue;
            }

            var index = redirects.Count;
            AddWords(redirect.Context, $"topics.json redirect {name}", normalizer, terms, errors, (text, stems) => new Term
            {
                Id = terms.Count, Kind = TermKind.Context, Text = text, Stems = stems, Weight = 1, MaxGap = file.MaxGap, Rule = index,
            });
            redirects.Add(new RedirectInfo(
                name, [.. from], to.Value.Topic, topics[to.Value.Topic].Subtopics[to.Value.Subtopic].Code, redirect.BetweenPlaces));
        }

        return redirects;
    }

    /// <summary>A phrase opening with a preposition ("в", "на", "у") lets one word at most follow it.</summary>
    internal static int FirstGap(string[] stems, int maxGap, TextNormalizer normalizer) =>
        stems.Length > 1 && stems[0].Length <= MaxPrepositionLength && TextNormalizer.IsCyrillicWord(stems[0])
            && !normalizer.NegationWords.Contains(stems[0])
                ? Math.Min(maxGap, 1)
                : maxGap;

    /// <summary>"topic/subtopic" as (topic index, subtopic index within the topic), or "topic" as (index, -1).</summary>
    private static (int Topic, int Subtopic)? FindCode(List<TopicInfo> topics, string code, bool allowTopic)
    {
        var slash = code.IndexOf('/', StringComparison.Ordinal);
        var topicCode = slash < 0 ? code : code[..slash];
        var t = topics.FindIndex(x => x.Code == topicCode);
        if (t < 0)
        {
            return null;
        }

        if (slash < 0)
        {
            return allowTopic ? (t, -1) : null;
        }

        var subtopicCode = code[(slash + 1)..];
        var st = topics[t].Subtopics.ToList().FindIndex(x => x.Code == subtopicCode);
        return st < 0 ? null : (t, st);
    }

    private static void BuildCues(CuesFile file, TextNormalizer normalizer, List<Term> terms, List<string> errors)
    {
        foreach (var (name, groups) in file.Classes)
        {
            if (!_cueClasses.TryGetValue(name, out var cueClass))
            {
                errors.Add($"cues.json: unknown class '{name}' (expected one of {string.Join(", ", _cueClasses.Keys)})");
                continue;
            }

            AddGroups(groups, $"cues.json {name}", normalizer, terms, errors,
                (text, stems, group, prefix) => new Term
                {
                    Id = terms.Count, Kind = TermKind.Cue, Text = text, Stems = stems, Weight = group.Weight,
                    MaxGap = file.MaxGap, Prefix = prefix, Cue = cueClass,
                });
        }
    }

    private static (List<UrgencyRuleInfo> Rules, int[] GroupCounts) BuildUrgency(
        UrgencyFile file, TextNormalizer normalizer, List<Term> terms, List<string> errors)
    {
        var rules = new List<UrgencyRuleInfo>();
        var counts = new List<int>();
        foreach (var rule in file.Rules)
        {
            if (string.IsNullOrWhiteSpace(rule.Id) || rule.All.Count is 0 or > 30)
            {
                errors.Add($"urgency.json: rule '{rule.Id}' needs an id and 1 to 30 groups in 'all'");
                continue;
            }

            var ruleIndex = rules.Count;
            for (var g = 0; g < rule.All.Count; g++)
            {
                var group = g;
                AddWords(rule.All[g], $"urgency.json {rule.Id}", normalizer, terms, errors, (text, stems) => new Term
                {
                    Id = terms.Count, Kind = TermKind.Urgency, Text = text, Stems = stems, Weight = 1,
                    MaxGap = file.MaxGap, Rule = ruleIndex, Group = group,
                });
            }

            foreach (var none in rule.None)
            {
                AddWords(none, $"urgency.json {rule.Id} none", normalizer, terms, errors, (text, stems) => new Term
                {
                    Id = terms.Count, Kind = TermKind.UrgencyNone, Text = text, Stems = stems, Weight = 1,
                    MaxGap = file.MaxGap, Rule = ruleIndex,
                });
            }

            rules.Add(new UrgencyRuleInfo(rule.Id, rule.Name));
            counts.Add(rule.All.Count);
        }

        return (rules, [.. counts]);
    }

    private static void AddGroups(
        List<TermGroupDto> groups, string where, TextNormalizer normalizer, List<Term> terms,
        List<string> errors, Func<string, string[], TermGroupDto, string?, Term> create)
    {
        foreach (var group in groups)
        {
            if (group.Weight <= 0)
            {
                errors.Add($"{where}: weight {group.Weight.ToString(CultureInfo.InvariantCulture)} must be positive");
                continue;
            }

            AddWords(group.Words, where, normalizer, terms, errors, (text, stems) => create(text, stems, group, null));
            foreach (var prefix in group.Prefixes)
            {
                var normalized = TextNormalizer.NormalizeWord(prefix);
                if (normalized.Length < 3)
                {
                    errors.Add($"{where}: prefix '{prefix}' is shorter than three letters");
                    continue;
                }

                terms.Add(create(prefix, [normalized], group, normalized));
            }
        }
    }

    private static void AddWords(
        List<string> words, string where, TextNormalizer normalizer, List<Term> terms, List<string> errors,
        Func<string, string[], Term> create)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            var stems = normalizer.PhraseStems(word);
            if (stems.Length == 0)
            {
                errors.Add($"{where}: '{word}' has no words");
                continue;
            }

            // Two forms with one stem ("яма", "ямы") are one entry: a message must not score twice for it; nor do
            // the two orders of a two-word phrase ("нет воды", "воды нет"), which match either way.
            var key = stems.Length == 2 && string.CompareOrdinal(stems[0], stems[1]) > 0 && !stems.Any(normalizer.NegationWords.Contains)
                ? stems[1] + " " + stems[0]
                : string.Join(' ', stems);
            if (seen.Add(key))
            {
                terms.Add(create(word, stems));
            }
        }
    }
}
