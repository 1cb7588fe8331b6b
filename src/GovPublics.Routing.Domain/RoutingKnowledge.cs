using System.Collections.Frozen;
using System.Globalization;

namespace GovPublics.Routing.Domain;

/// <summary>A gazetteer entry: a name (as stems) of a place inside a catalogue territory.</summary>
internal sealed record GazetteerName(string Text, string[] Stems, string TerritoryId, double Certainty, bool Capitalized);

/// <summary>Signal weights the tokenizer's counts add to cue classes.</summary>
internal sealed record CueSignal(CueClass Class, double Weight);

/// <summary>
/// The classifier's knowledge, compiled from five JSON documents: topics, cues, urgency, normalization and places.
/// They come from the registry (<see cref="FromDocuments"/>, each edit a new version) or from the shipped files in
/// Knowledge/ (<see cref="Load"/>). Immutable once compiled; the word cache inside it is thread-safe, so one instance
/// serves every thread, and a new version is a new instance swapped in whole.
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
        IReadOnlyList<RedirectInfo> redirects,
        IReadOnlyList<string> entries)
    {
        Redirects = redirects;
        Entries = entries;
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

    /// <summary>
    /// "cues@2025.11.1;normalization@…;places@…;topics@…;urgency@…": every document's own version label, followed
    /// by its registry version when it came from the registry ("topics@2025.11.2#3").
    /// </summary>
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

    /// <summary>The five knowledge documents by name (the file name without ".json"), in a stable order.</summary>
    public static IReadOnlyList<string> DocumentNames { get; } = ["topics", "cues", "urgency", "normalization", "places"];

    /// <summary>Knowledge/ next to the running assembly: the shipped documents.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "Knowledge");

    /// <summary>Every entry the knowledge holds, one line each ("topics roads/potholes: «яма» weight 3, problem"): what a diff compares.</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>The knowledge shipped next to the running assembly, in Knowledge/.</summary>
    public static RoutingKnowledge LoadDefault() => Load(DefaultDirectory);

    /// <summary>The documents of a directory by name; a missing file is left out (compiling reports it).</summary>
    public static IReadOnlyDictionary<string, string> ReadDocuments(string directory)
    {
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in DocumentNames)
        {
            var path = Path.Combine(directory, name + ".json");
            if (File.Exists(path))
            {
                documents[name] = File.ReadAllText(path);
            }
        }

        return documents;
    }

    /// <summary>
    /// Loads and checks every knowledge file of a directory. Throws <see cref="KnowledgeValidationException"/>
    /// listing all problems found.
    /// </summary>
    public static RoutingKnowledge Load(string directory) =>
        Compile(ReadDocuments(directory)).Knowledge(directory);

    /// <summary>
    /// Builds the knowledge from the five JSON documents in memory (by name: topics, cues, urgency, normalization,
    /// places). Throws <see cref="KnowledgeValidationException"/> listing every problem by document and JSON path.
    /// </summary>
    public static RoutingKnowledge FromDocuments(IReadOnlyDictionary<string, string> documents, KnowledgeOptions? options = null) =>
        Compile(documents, options).Knowledge("the knowledge documents");

    /// <summary>
    /// Compiles the five documents: the knowledge, or every problem found (document, JSON path, what is wrong).
    /// Never throws for bad content: missing documents, bad JSON, wrong types, misspelt or null fields, unknown
    /// codes and classes, empty entries, weights that are not positive, duplicate codes and ids.
    /// </summary>
    public static KnowledgeCompilation Compile(IReadOnlyDictionary<string, string> documents, KnowledgeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(documents);
        options ??= new KnowledgeOptions();
        var errors = new KnowledgeErrorList();
        foreach (var name in documents.Keys.Where(k => !DocumentNames.Contains(k)))
        {
            errors.Add(name, "$", $"is not a knowledge document (expected one of {string.Join(", ", DocumentNames)})");
        }

        var topicsFile = KnowledgeJson.Read<TopicsFile>(documents, "topics", errors);
        var cuesFile = KnowledgeJson.Read<CuesFile>(documents, "cues", errors);
        var urgencyFile = KnowledgeJson.Read<UrgencyFile>(documents, "urgency", errors);
        var normalizationFile = KnowledgeJson.Read<NormalizationFile>(documents, "normalization", errors);
        var placesFile = KnowledgeJson.Read<PlacesFile>(documents, "places", errors);
        // The rest is checked too (every problem at once), but not a document that is missing or unreadable: its
        // empty stand-in would only add noise ("needs the topic 'other'").
        var unreadable = errors.Select(e => e.Document).ToHashSet(StringComparer.Ordinal);
        var readErrors = errors.Count;
        try
        {
            var built = Build(topicsFile, cuesFile, urgencyFile, normalizationFile, placesFile, options, errors);
            if (unreadable.Count == 0)
            {
                return built;
            }

            return new KnowledgeCompilation(null, [.. errors.Where((e, i) => i < readErrors || !unreadable.Contains(e.Document))]);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IndexOutOfRangeException or FormatException)
        {
            // A combination the checks above did not foresee: refuse it with the reason rather than fail later.
            errors.Add("knowledge", "$", $"cannot be compiled: {ex.Message}");
            return new KnowledgeCompilation(null, errors);
        }
    }

    private static KnowledgeCompilation Build(
        TopicsFile topicsFile, CuesFile cuesFile, UrgencyFile urgencyFile, NormalizationFile normalizationFile,
        PlacesFile placesFile, KnowledgeOptions options, KnowledgeErrorList errors)
    {
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
            errors.Add(name, "$.version", "is required (a label of this edition, e.g. \"2025.11.2\")");
        }

        if (options.Revisions is { } revisions)
        {
            foreach (var name in DocumentNames)
            {
                if (revisions.TryGetValue(name, out var revision))
                {
                    versions[name] = $"{versions[name]}#{revision.ToString(CultureInfo.InvariantCulture)}";
                }
            }
        }

        CheckMaxGap("topics", topicsFile.MaxGap, errors);
        CheckMaxGap("cues", cuesFile.MaxGap, errors);
        CheckMaxGap("urgency", urgencyFile.MaxGap, errors);
        CheckMaxGap("places", placesFile.MaxGap, errors);
        CheckNormalization(normalizationFile, errors);

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
                errors.Add("cues", $"$.signals.{name}.class", $"names an unknown class '{signal.Class}' (expected one of {string.Join(", ", _cueClasses.Keys)})");
                continue;
            }

            signals[name] = new CueSignal(cueClass, signal.Weight);
        }

        var gazetteer = new List<GazetteerName>();
        for (var p = 0; p < placesFile.Places.Count; p++)
        {
            var place = placesFile.Places[p];
            var path = $"$.places[{p}]";
            if (string.IsNullOrWhiteSpace(place.Territory))
            {
                errors.Add("places", path + ".territory", $"is required: the catalogue territory id of '{string.Join(", ", place.Names)}'");
                continue;
            }

            if (options.TerritoryExists is { } exists && !exists(place.Territory))
            {
                errors.Add("places", path + ".territory", $"'{place.Territory}' is not a territory of the catalogue");
            }

            if (place.Certainty is <= 0 or > 1)
            {
                errors.Add("places", path + ".certainty", $"{place.Certainty.ToString(CultureInfo.InvariantCulture)} is not in (0, 1]");
                continue;
            }

            if (place.Names.Count == 0)
            {
                errors.Add("places", path + ".names", "needs at least one name");
            }

            for (var n = 0; n < place.Names.Count; n++)
            {
                var stems = normalizer.PhraseStems(place.Names[n]);
                if (stems.Length > 0)
                {
                    gazetteer.Add(new GazetteerName(place.Names[n], stems, place.Territory, place.Certainty, place.Capitalized));
                }
                else
                {
                    errors.Add("places", $"{path}.names[{n}]", $"'{place.Names[n]}' has no words");
                }
            }
        }

        if (errors.Count > 0)
        {
            return new KnowledgeCompilation(null, errors);
        }

        foreach (var term in terms)
        {
            term.HasNegation = term.Prefix is null && term.Stems.Any(normalizer.NegationWords.Contains);
            term.FirstMaxGap = FirstGap(term.Stems, term.MaxGap, normalizer);
        }

        var lexicon = new Lexicon(normalizer, terms, gazetteer.SelectMany(g => g.Stems));
        var entries = KnowledgeEntries.Describe(topicsFile, cuesFile, urgencyFile, normalizationFile, placesFile, topics, redirects, rules, terms);
        var knowledge = new RoutingKnowledge(versions, topics, rules, groupCounts, terms, normalizer, lexicon, gazetteer, placesFile,
            signals.ToFrozenDictionary(StringComparer.Ordinal), redirects, entries);
        return new KnowledgeCompilation(knowledge, errors);
    }

    private static void CheckMaxGap(string document, int maxGap, KnowledgeErrorList errors)
    {
        if (maxGap is < 0 or > 10)
        {
            errors.Add(document, "$.max_gap", $"{maxGap} is not in 0..10");
        }
    }

    private static void CheckNormalization(NormalizationFile file, KnowledgeErrorList errors)
    {
        foreach (var (from, to) in file.Abbreviations)
        {
            if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to))
            {
                errors.Add("normalization", $"$.abbreviations.{from}", "needs a key and an expansion");
            }
        }

        for (var i = 0; i < file.Transliteration.Count; i++)
        {
            if (file.Transliteration[i].Count != 2 || file.Transliteration[i].Any(string.IsNullOrEmpty))
            {
                errors.Add("normalization", $"$.transliteration[{i}]", "must be a pair [latin, cyrillic] of non-empty strings");
            }
        }
    }

    private static List<TopicInfo> BuildTopics(TopicsFile file, TextNormalizer normalizer, List<Term> terms, KnowledgeErrorList errors)
    {
        var topics = new List<TopicInfo>();
        var codes = new HashSet<string>(StringComparer.Ordinal);
        var flatIndex = 0;
        for (var t = 0; t < file.Topics.Count; t++)
        {
            var topic = file.Topics[t];
            var path = $"$.topics[{t}]";
            if (string.IsNullOrWhiteSpace(topic.Code))
            {
                errors.Add("topics", path + ".code", "is required");
                continue;
            }

            if (!codes.Add(topic.Code))
            {
                errors.Add("topics", path + ".code", $"'{topic.Code}' is already the code of another topic");
            }

            if (topic.Subtopics.Count == 0)
            {
                errors.Add("topics", path + ".subtopics", $"topic '{topic.Code}' needs at least one subtopic");
                continue;
            }

            var topicIndex = topics.Count;
            var subtopics = topic.Subtopics.Select(s => new SubtopicInfo(s.Code, s.Name)).ToList();
            var subtopicCodes = new HashSet<string>(StringComparer.Ordinal);
            for (var s = 0; s < subtopics.Count; s++)
            {
                if (string.IsNullOrWhiteSpace(subtopics[s].Code))
                {
                    errors.Add("topics", $"{path}.subtopics[{s}].code", "is required");
                }
                else if (!subtopicCodes.Add(subtopics[s].Code))
                {
                    errors.Add("topics", $"{path}.subtopics[{s}].code", $"'{subtopics[s].Code}' is already a subtopic of '{topic.Code}'");
                }
            }

            var defaultSubtopic = string.IsNullOrEmpty(topic.DefaultSubtopic) ? subtopics[0].Code : topic.DefaultSubtopic;
            if (subtopics.All(s => s.Code != defaultSubtopic))
            {
                errors.Add("topics", path + ".default_subtopic", $"'{defaultSubtopic}' is not one of the subtopics of '{topic.Code}'");
            }

            AddGroups(topic.Terms, "topics", path + ".terms", normalizer, terms, errors,
                (text, stems, group, prefix) => new Term
                {
                    Id = terms.Count, Kind = TermKind.Topic, Text = text, Stems = stems, Weight = group.Weight,
                    MaxGap = file.MaxGap, Problem = group.Problem, Prefix = prefix, Topic = topicIndex,
                });
            for (var s = 0; s < topic.Subtopics.Count; s++)
            {
                var subtopicIndex = flatIndex++;
                AddGroups(topic.Subtopics[s].Terms, "topics", $"{path}.subtopics[{s}].terms", normalizer, terms, errors,
                    (text, stems, group, prefix) => new Term
                    {
                        Id = terms.Count, Kind = TermKind.Topic, Text = text, Stems = stems, Weight = group.Weight,
                        MaxGap = file.MaxGap, Problem = group.Problem, Prefix = prefix, Topic = topicIndex,
                        Subtopic = subtopicIndex,
                    });
            }

            topics.Add(new TopicInfo(topic.Code, topic.Name, defaultSubtopic, subtopics));
        }

        if (topics.All(t => t.Code != RoutingCodes.Other))
        {
            errors.Add("topics", "$.topics", $"needs the topic '{RoutingCodes.Other}' (where a request with no known topic goes)");
        }

        return topics;
    }

    private static List<RedirectInfo> BuildRedirects(
        TopicsFile file, List<TopicInfo> topics, TextNormalizer normalizer, List<Term> terms, KnowledgeErrorList errors)
    {
        var redirects = new List<RedirectInfo>();
        for (var r = 0; r < file.Redirects.Count; r++)
        {
            var redirect = file.Redirects[r];
            var path = $"$.redirects[{r}]";
            var name = $"{string.Join('|', redirect.From)} → {redirect.To}";
            var from = new List<(int Topic, string? Subtopic)>();
            for (var f = 0; f < redirect.From.Count; f++)
            {
                if (FindCode(topics, redirect.From[f], allowTopic: true) is { } found)
                {
                    from.Add((found.Topic, found.Subtopic < 0 ? null : topics[found.Topic].Subtopics[found.Subtopic].Code));
                }
                else
                {
                    errors.Add("topics", $"{path}.from[{f}]", $"redirect '{name}' names an unknown topic or subtopic '{redirect.From[f]}'");
                }
            }

            var to = FindCode(topics, redirect.To, allowTopic: false);
            if (to is null)
            {
                errors.Add("topics", path + ".to", $"redirect '{name}' needs a known 'topic/subtopic', not '{redirect.To}'");
            }

            if (redirect.Context.Count == 0 && !redirect.BetweenPlaces)
            {
                errors.Add("topics", path + ".context", $"redirect '{name}' needs context words (or between_places)");
            }

            if (redirect.From.Count == 0)
            {
                errors.Add("topics", path + ".from", $"redirect '{name}' needs the topics it takes over");
            }

            if (to is null || from.Count == 0 || (redirect.Context.Count == 0 && !redirect.BetweenPlaces))
            {
                continue;
            }

            var index = redirects.Count;
            AddWords(redirect.Context, "topics", path + ".context", normalizer, terms, errors, (text, stems) => new Term
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

    private static void BuildCues(CuesFile file, TextNormalizer normalizer, List<Term> terms, KnowledgeErrorList errors)
    {
        foreach (var (name, groups) in file.Classes)
        {
            if (!_cueClasses.TryGetValue(name, out var cueClass))
            {
                errors.Add("cues", $"$.classes.{name}", $"unknown class '{name}' (expected one of {string.Join(", ", _cueClasses.Keys)})");
                continue;
            }

            AddGroups(groups, "cues", $"$.classes.{name}", normalizer, terms, errors,
                (text, stems, group, prefix) => new Term
                {
                    Id = terms.Count, Kind = TermKind.Cue, Text = text, Stems = stems, Weight = group.Weight,
                    MaxGap = file.MaxGap, Prefix = prefix, Cue = cueClass,
                });
        }
    }

    private static (List<UrgencyRuleInfo> Rules, int[] GroupCounts) BuildUrgency(
        UrgencyFile file, TextNormalizer normalizer, List<Term> terms, KnowledgeErrorList errors)
    {
        var rules = new List<UrgencyRuleInfo>();
        var counts = new List<int>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < file.Rules.Count; r++)
        {
            var rule = file.Rules[r];
            var path = $"$.rules[{r}]";
            if (string.IsNullOrWhiteSpace(rule.Id))
            {
                errors.Add("urgency", path + ".id", "is required");
                continue;
            }

            if (!ids.Add(rule.Id))
            {
                errors.Add("urgency", path + ".id", $"'{rule.Id}' is already the id of another rule");
            }

            if (rule.All.Count is 0 or > 30)
            {
                errors.Add("urgency", path + ".all", $"rule '{rule.Id}' needs 1 to 30 groups, has {rule.All.Count}");
                continue;
            }

            var ruleIndex = rules.Count;
            for (var g = 0; g < rule.All.Count; g++)
            {
                var group = g;
                if (rule.All[g].Count == 0)
                {
                    errors.Add("urgency", $"{path}.all[{g}]", $"rule '{rule.Id}': an empty group never matches");
                }

                AddWords(rule.All[g], "urgency", $"{path}.all[{g}]", normalizer, terms, errors, (text, stems) => new Term
                {
                    Id = terms.Count, Kind = TermKind.Urgency, Text = text, Stems = stems, Weight = 1,
                    MaxGap = file.MaxGap, Rule = ruleIndex, Group = group,
                });
            }

            for (var n = 0; n < rule.None.Count; n++)
            {
                AddWords(rule.None[n], "urgency", $"{path}.none[{n}]", normalizer, terms, errors, (text, stems) => new Term
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
        List<TermGroupDto> groups, string document, string path, TextNormalizer normalizer, List<Term> terms,
        KnowledgeErrorList errors, Func<string, string[], TermGroupDto, string?, Term> create)
    {
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            var groupPath = $"{path}[{g}]";
            if (group.Weight <= 0 || double.IsNaN(group.Weight))
            {
                errors.Add(document, groupPath + ".weight", $"{group.Weight.ToString(CultureInfo.InvariantCulture)} must be positive");
                continue;
            }

            AddWords(group.Words, document, groupPath + ".words", normalizer, terms, errors, (text, stems) => create(text, stems, group, null));
            for (var p = 0; p < group.Prefixes.Count; p++)
            {
                var prefix = group.Prefixes[p];
                var normalized = TextNormalizer.NormalizeWord(prefix);
                if (normalized.Length < 3)
                {
                    errors.Add(document, $"{groupPath}.prefixes[{p}]", $"prefix '{prefix}' is shorter than three letters");
                    continue;
                }

                terms.Add(create(prefix, [normalized], group, normalized));
            }
        }
    }

    private static void AddWords(
        List<string> words, string document, string path, TextNormalizer normalizer, List<Term> terms, KnowledgeErrorList errors,
        Func<string, string[], Term> create)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var w = 0; w < words.Count; w++)
        {
            var word = words[w];
            var stems = normalizer.PhraseStems(word);
            if (stems.Length == 0)
            {
                errors.Add(document, $"{path}[{w}]", $"'{word}' has no words");
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
