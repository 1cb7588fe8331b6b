using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using GovPublics.Catalog;

namespace GovPublics.Routing.Domain;

/// <summary>
/// Decides for one citizen's message: incident or not, topic and subtopic, urgency, territory and the responsible
/// authority, with a confidence and the evidence behind it. Plain domain logic: the knowledge comes from
/// <see cref="RoutingKnowledge"/>, the registry from the <see cref="CatalogSnapshot"/> passed in. Thread-safe.
/// </summary>
public sealed class MessageClassifier
{
    // How much a regional authority's own page counts for the one topic it owns (Минздрав → healthcare).
    private const double PageTopicWeight = 1.0;
    private const int MaxExplainedWords = 6;

    private readonly RoutingKnowledge _knowledge;
    private readonly RoutingOptions _options;
    private readonly ConditionalWeakTable<CatalogSnapshot, SnapshotIndex> _indexes = new();
    private volatile IndexEntry? _lastIndex;

    public MessageClassifier(RoutingKnowledge knowledge, RoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        ArgumentNullException.ThrowIfNull(options);
        _knowledge = knowledge;
        _options = options;
    }

    public RoutingKnowledge Knowledge => _knowledge;

    public RoutingOptions Options => _options;

    public RoutingDecision Classify(ClassificationInput input, CatalogSnapshot catalog)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(catalog);
        var index = IndexOf(catalog);
        var scratch = ClassifierScratch.Current;
        scratch.Prepare(_knowledge);
        Tokenizer.Tokenize(input.Text ?? "", scratch.Raw, _knowledge.Normalizer.DropRunes);
        ReadWords(scratch);
        FindTerms(scratch);
        FindPlaces(scratch, index);

        var owner = string.IsNullOrEmpty(input.PageOwnerAuthorityId) ? null : catalog.FindAuthority(input.PageOwnerAuthorityId);
        var scores = Score(scratch, index.PageTopic(owner?.Id));
        var verdict = Decide(scratch, scores);
        return Build(input.Text ?? "", catalog, index, scratch, scores, verdict, owner);
    }

    private SnapshotIndex IndexOf(CatalogSnapshot catalog)
    {
        var last = _lastIndex;
        if (last is not null && ReferenceEquals(last.Catalog, catalog))
        {
            return last.Index;
        }

        var index = _indexes.GetValue(catalog, c => new SnapshotIndex(c, _knowledge));
        _lastIndex = new IndexEntry(catalog, index);
        return index;
    }

    private void ReadWords(ClassifierScratch scratch)
    {
        var raw = scratch.Raw;
        var lexicon = _knowledge.Lexicon;
        for (var i = 0; i < raw.Count; i++)
        {
            ref readonly var token = ref raw.Tokens[i];
            var info = lexicon.Lookup(raw.Normalized(token), token.Kind);
            if (info.Parts is { } parts)
            {
                for (var p = 0; p < parts.Length; p++)
                {
                    scratch.AddToken(parts[p], token, p == 0, p == 0 ? info.Note ?? parts[p].Note : parts[p].Note);
                }
            }
            else
            {
                scratch.AddToken(info, token, true, info.Note);
            }
        }
    }

    private static void FindTerms(ClassifierScratch scratch)
    {
        var tokens = scratch.Tokens;
        for (var i = 0; i < scratch.Count; i++)
        {
            foreach (var term in tokens[i].Info.Starts)
            {
                if (scratch.HasSeen(term))
                {
                    continue; // each entry counts once per message, at its first occurrence
                }

                var end = i;
                if (term.Stems.Length == 1 || term.Prefix is not null
                    || MatchPhrase(tokens, scratch.Count, i, term.Stems, term.MaxGap, out end))
                {
                    scratch.MarkSeen(term);
                    scratch.Hits.Add(new Hit(term, i, end));
                }
            }
        }
    }

    private static bool MatchPhrase(Token[] tokens, int count, int start, string[] stems, int maxGap, out int end)
    {
        end = start;
        var clause = tokens[start].Clause;
        for (var k = 1; k < stems.Length; k++)
        {
            var found = false;
            var limit = Math.Min(count - 1, end + 1 + maxGap);
            for (var j = end + 1; j <= limit && tokens[j].Clause == clause; j++)
            {
                if (string.Equals(tokens[j].Info.Stem, stems[k], StringComparison.Ordinal)
                    || string.Equals(tokens[j].Info.AltStem, stems[k], StringComparison.Ordinal))
                {
                    end = j;
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private void FindPlaces(ClassifierScratch scratch, SnapshotIndex index)
    {
        var tokens = scratch.Tokens;
        var i = 0;
        while (i < scratch.Count)
        {
            var next = i + 1;
            if (TryPlaceAt(scratch, index, tokens[i].Info.Stem, i, out var hit)
                || (tokens[i].Info.AltStem is { } alt && TryPlaceAt(scratch, index, alt, i, out hit)))
            {
                scratch.Places.Add(hit);
                next = hit.End + 1;
            }

            i = next;
        }
    }

    private bool TryPlaceAt(ClassifierScratch scratch, SnapshotIndex index, string stem, int i, out PlaceHit hit)
    {
        hit = default;
        if (!index.TryGetPlaces(stem, out var places))
        {
            return false;
        }

        ref readonly var token = ref scratch.Tokens[i];
        foreach (var place in places)
        {
            if (place.RequiresCapital && (!token.Capitalized || token.SentenceStart))
            {
                continue;
            }

            var end = i;
            if (place.Stems.Length == 1 || MatchPhrase(scratch.Tokens, scratch.Count, i, place.Stems, _knowledge.PlaceMaxGap, out end))
            {
                hit = new PlaceHit(place, i, end);
                return true;
            }
        }

        return false;
    }

    private Scores Score(ClassifierScratch scratch, int pageTopic)
    {
        var cues = scratch.Cues;
        foreach (var hit in scratch.Hits)
        {
            var term = hit.Term;
            switch (term.Kind)
            {
                case TermKind.Topic:
                    scratch.TopicScore[term.Topic] += term.Weight;
                    scratch.TopicFirst[term.Topic] = Math.Min(scratch.TopicFirst[term.Topic], hit.Start);
                    if (term.Problem)
                    {
                        scratch.TopicProblem[term.Topic] += term.Weight;
                    }

                    if (term.Subtopic >= 0)
                    {
                        scratch.SubtopicScore[term.Subtopic] += term.Weight;
                        scratch.SubtopicFirst[term.Subtopic] = Math.Min(scratch.SubtopicFirst[term.Subtopic], hit.Start);
                    }

                    break;
                case TermKind.Cue:
                    cues[(int)term.Cue] += term.Weight;
                    break;
                case TermKind.Urgency:
                    scratch.UrgencyMask[term.Rule] |= 1 << term.Group;
                    break;
                case TermKind.UrgencyNone:
                    scratch.UrgencyBlocked[term.Rule] = true;
                    break;
            }
        }

        var spamWords = cues[(int)CueClass.Spam];
        var raw = scratch.Raw;
        AddSignal(cues, "link", Math.Min(raw.Links, 2));
        AddSignal(cues, "mention", Math.Min(raw.Mentions, 2));
        AddSignal(cues, "question", Math.Min(raw.Questions, 1));
        AddSignal(cues, "exclamation", Math.Min(raw.Exclamations, 1));

        if (pageTopic >= 0)
        {
            scratch.TopicScore[pageTopic] += PageTopicWeight;
        }

        int best = -1, second = -1;
        for (var t = 0; t < scratch.TopicScore.Length; t++)
        {
            if (scratch.TopicScore[t] <= 0)
            {
                continue;
            }

            if (best < 0 || Beats(scratch.TopicScore, scratch.TopicFirst, t, best))
            {
                second = best;
                best = t;
            }
            else if (second < 0 || Beats(scratch.TopicScore, scratch.TopicFirst, t, second))
            {
                second = t;
            }
        }

        var problemAll = 0.0;
        foreach (var p in scratch.TopicProblem)
        {
            problemAll += p;
        }

        return new Scores(best, second, pageTopic, spamWords, problemAll);

        static bool Beats(double[] score, int[] first, int a, int b) =>
            score[a] > score[b] || (score[a] == score[b] && first[a] < first[b]);
    }

    private void AddSignal(double[] cues, string name, int count)
    {
        if (count > 0 && _knowledge.Signals.TryGetValue(name, out var signal))
        {
            cues[(int)signal.Class] += signal.Weight * count;
        }
    }

    private Verdict Decide(ClassifierScratch scratch, Scores scores)
    {
        var cues = scratch.Cues;
        var topic = scores.Best >= 0 ? scratch.TopicScore[scores.Best] : 0;
        var problem = scores.Best >= 0 ? scratch.TopicProblem[scores.Best] : 0;
        var request = cues[(int)CueClass.Request];
        var complaintCues = cues[(int)CueClass.Complaint];
        var resolved = cues[(int)CueClass.Resolved];
        var gratitude = cues[(int)CueClass.Gratitude] + (0.5 * resolved);
        var complaint = complaintCues + request + (0.5 * Math.Max(0, scores.ProblemAll - (2 * resolved)));
        var spam = cues[(int)CueClass.Spam];
        var toxic = cues[(int)CueClass.Toxic];
        var opinion = cues[(int)CueClass.Opinion];

        // What speaks for an incident lowers the confidence of a non-incident verdict.
        var competing = complaint + (0.25 * topic);

        // Adverts beat topic words ("ремонт квартир недорого"), unless someone plainly complains or asks.
        if (scores.SpamWords >= 2 && spam >= 3.5 && complaintCues + request < 2)
        {
            return Verdict.Non(CueClass.Spam, spam, competing);
        }

        // Thanks with no complaint is gratitude; "спасибо, что третий день нет воды" is a complaint.
        if (gratitude >= 1.5 && complaint < 1.5)
        {
            return Verdict.Non(CueClass.Gratitude, gratitude, competing);
        }

        if (toxic >= 2 && request < 1 && problem < 2.5 && topic < 3)
        {
            return Verdict.Non(CueClass.Toxic, toxic, competing);
        }

        if (opinion >= 2 && request < 1 && problem < 2 && topic < 3)
        {
            return Verdict.Non(CueClass.Opinion, opinion, competing);
        }

        // An incident names a defect, or asks about a topic, or names its objects strongly; "парк" alone does not.
        if (scores.Best >= 0 && scores.Best != _knowledge.OtherTopic
            && (problem >= 1.5 || topic >= 3 || (topic >= 1 && request + complaintCues >= 1)))
        {
            return Verdict.Incident(scores.Best, request + complaintCues);
        }

        var bestNon = CueClass.Offtopic;
        var bestNonScore = 0.0;
        foreach (var kind in (ReadOnlySpan<CueClass>)[CueClass.Gratitude, CueClass.Spam, CueClass.Offtopic, CueClass.Toxic, CueClass.Opinion])
        {
            var value = kind == CueClass.Gratitude ? gratitude : cues[(int)kind];
            if (value > bestNonScore)
            {
                bestNon = kind;
                bestNonScore = value;
            }
        }

        var hasOther = _knowledge.OtherTopic >= 0;
        if (hasOther && request >= 1.5 && request > bestNonScore)
        {
            return Verdict.Incident(_knowledge.OtherTopic, request + complaintCues);
        }

        // A plain description of a topic's object on an official page, with nothing that marks it as chatter,
        // is a report ("фонари горят через один", "клумбы заросли сорняками").
        if (scores.Best >= 0 && topic >= 2 && bestNonScore < 1)
        {
            return Verdict.Incident(scores.Best, request + complaintCues);
        }

        if (bestNonScore >= 1)
        {
            return Verdict.Non(bestNon, bestNonScore, competing);
        }

        if (hasOther && request + complaintCues >= 1.5)
        {
            return Verdict.Incident(_knowledge.OtherTopic, request + complaintCues);
        }

        return Verdict.Non(CueClass.Offtopic, 0, competing);
    }

    private RoutingDecision Build(
        string text, CatalogSnapshot catalog, SnapshotIndex index, ClassifierScratch scratch, Scores scores, Verdict verdict,
        Authority? owner)
    {
        var evidence = new List<EvidenceItem>(8);
        var place = ChoosePlace(text, scratch, catalog, owner, evidence);
        var territory = place.Territory;
        var where = new Where(
            territory is null ? null : territory.IsMunicipality ? territory : catalog.MunicipalityOf(territory.Id),
            territory is { Kind: TerritoryKind.IntraCityDistrict } ? territory : null);
        return verdict.IsIncident
            ? BuildIncident(text, catalog, index, scratch, scores, verdict, owner, place, where, evidence)
            : BuildNonIncident(text, scratch, verdict, where, evidence);
    }

    private RoutingDecision BuildNonIncident(string text, ClassifierScratch scratch, Verdict verdict, Where where, List<EvidenceItem> evidence)
    {
        var subtype = CueName(verdict.NonIncident);
        var words = Words(text, scratch, h => h.Term.Kind == TermKind.Cue && h.Term.Cue == verdict.NonIncident);
        evidence.Insert(0, new EvidenceItem(EvidenceKinds.NonIncident, words.Length > 0 ? $"{subtype}: {words}" : subtype, Round(verdict.Strength)));
        var confidence = NonIncidentConfidence(verdict, scratch.Count);
        var explanation = new StringBuilder(96).Append("not an incident: ").Append(subtype);
        if (words.Length > 0)
        {
            explanation.Append(" (").Append(words).Append(')');
        }
        else if (verdict.Strength == 0)
        {
            explanation.Append(" (no topic or request recognised)");
        }

        AppendReadings(scratch, explanation);
        explanation.Append(CultureInfo.InvariantCulture, $"; confidence {confidence:0.00}");
        return new RoutingDecision(false, RoutingCodes.None, subtype, false,
            where.Municipality?.Id ?? "", where.Municipality?.Name ?? "", where.District?.Id ?? "", where.District?.Name ?? "", "", "",
            confidence, explanation.ToString(), "", evidence, confidence < _options.ModerationThreshold);
    }

    private RoutingDecision BuildIncident(
        string text, CatalogSnapshot catalog, SnapshotIndex index, ClassifierScratch scratch, Scores scores, Verdict verdict,
        Authority? owner, PlaceChoice place, Where where, List<EvidenceItem> evidence)
    {
        var topicIndex = verdict.Topic;
        var topic = _knowledge.Topics[topicIndex];
        var subtopic = ChooseSubtopic(scratch, topicIndex, topic);
        var topicWords = Words(text, scratch, h => h.Term.Kind == TermKind.Topic && h.Term.Topic == topicIndex);
        var subtopicWords = Words(text, scratch, h => h.Term.Kind == TermKind.Topic && h.Term.Topic == topicIndex
            && h.Term.Subtopic >= 0 && _knowledge.FlatSubtopics[h.Term.Subtopic].Subtopic.Code == subtopic);
        evidence.Insert(0, new EvidenceItem(EvidenceKinds.Topic,
            topicWords.Length > 0 ? $"{topic.Code}: {topicWords}" : topic.Code, Round(scratch.TopicScore[topicIndex])));
        evidence.Insert(1, new EvidenceItem(EvidenceKinds.Subtopic,
            subtopicWords.Length > 0 ? $"{subtopic}: {subtopicWords}" : $"{subtopic} (default)", Round(SubtopicScore(scratch, topicIndex, subtopic))));
        if (scores.PageTopic == topicIndex && owner is not null)
        {
            evidence.Add(new EvidenceItem(EvidenceKinds.PageOwner, $"page of {owner.ShortName} hints at {topic.Code}", PageTopicWeight));
        }

        var explanation = new StringBuilder(200).Append("topic ").Append(topic.Code).Append('/').Append(subtopic)
            .Append(topicWords.Length > 0 ? $" ({topicWords})"
                : topicIndex == _knowledge.OtherTopic ? " (a request with no known topic)" : " (the page owner's topic)");
        var rival = scores.Best == topicIndex ? scores.Second : scores.Best;
        if (rival >= 0 && scratch.TopicScore[rival] >= 2)
        {
            // The main problem wins; the other one stays visible to the moderator and the executor.
            var rivalCode = _knowledge.Topics[rival].Code;
            var rivalWords = Words(text, scratch, h => h.Term.Kind == TermKind.Topic && h.Term.Topic == rival);
            evidence.Add(new EvidenceItem(EvidenceKinds.Topic, $"also {rivalCode}: {rivalWords}", Round(scratch.TopicScore[rival])));
            explanation.Append("; also mentioned ").Append(rivalCode).Append(" (").Append(rivalWords).Append(')');
        }

        var urgent = AppendUrgency(text, scratch, evidence, explanation);
        explanation.Append("; ").Append(place.Explanation);
        var (responsible, ruleId, fallbackFactor) = Responsible(catalog, topic.Code, subtopic, place.Territory, owner, evidence, explanation);

        var territoryFactor = place.Source switch
        {
            PlaceSource.Text => 0.7 + (0.3 * place.Certainty),
            PlaceSource.PageOwner => 0.9,
            _ => index.IsTerritoryIndependent(topic.Code, subtopic) ? 1.0 : 0.7, // healthcare needs no place
        };
        var confidence = Round(Math.Clamp(TopicConfidence(scratch, scores, verdict, topicIndex) * territoryFactor * fallbackFactor, 0, 1));
        var moderation = confidence < _options.ModerationThreshold;
        AppendReadings(scratch, explanation);
        explanation.Append(CultureInfo.InvariantCulture, $"; confidence {confidence:0.00}");
        if (moderation)
        {
            explanation.Append(" (to moderation)");
        }

        return new RoutingDecision(true, topic.Code, subtopic, urgent,
            where.Municipality?.Id ?? "", where.Municipality?.Name ?? "", where.District?.Id ?? "", where.District?.Name ?? "",
            responsible?.Id ?? "", responsible?.Name ?? "", confidence, explanation.ToString(), ruleId, evidence, moderation);
    }

    private bool AppendUrgency(string text, ClassifierScratch scratch, List<EvidenceItem> evidence, StringBuilder explanation)
    {
        var fired = 0;
        for (var r = 0; r < _knowledge.UrgencyRules.Count; r++)
        {
            var all = (1 << _knowledge.UrgencyGroupCounts[r]) - 1;
            if (scratch.UrgencyMask[r] != all || scratch.UrgencyBlocked[r])
            {
                continue;
            }

            var rule = r;
            var id = _knowledge.UrgencyRules[r].Id;
            var words = Words(text, scratch, h => h.Term.Kind == TermKind.Urgency && h.Term.Rule == rule);
            evidence.Add(new EvidenceItem(EvidenceKinds.Urgency, $"{id}: {words}", 1));
            explanation.Append(fired++ == 0 ? "; urgent: " : ", ").Append(id).Append(" (").Append(words).Append(')');
        }

        return fired > 0;
    }

    /// <summary>Names the repairs behind the matched words: "read as тлт=тольятти, отапление≈отоплен".</summary>
    private static void AppendReadings(ClassifierScratch scratch, StringBuilder explanation)
    {
        List<string>? notes = null;
        foreach (var hit in scratch.Hits)
        {
            CollectNotes(scratch, hit.Start, hit.End, ref notes);
        }

        foreach (var place in scratch.Places)
        {
            CollectNotes(scratch, place.Start, place.End, ref notes);
        }

        if (notes is not null)
        {
            explanation.Append("; read as ").AppendJoin(", ", notes);
        }

        static void CollectNotes(ClassifierScratch scratch, int start, int end, ref List<string>? notes)
        {
            for (var i = start; i <= end; i++)
            {
                if (scratch.Tokens[i].Note is { } note && !(notes ??= []).Contains(note) && notes.Count < 4)
                {
                    notes.Add(note);
                }
            }
        }
    }

    /// <summary>The jurisdiction rule's authority; without a rule the page owner; without an owner the ЦУР.</summary>
    private static (Authority? Authority, string RuleId, double Factor) Responsible(
        CatalogSnapshot catalog, string topic, string subtopic, Territory? territory, Authority? owner,
        List<EvidenceItem> evidence, StringBuilder explanation)
    {
        if (catalog.ResolveResponsible(topic, subtopic, territory?.Id) is { } match)
        {
            evidence.Add(new EvidenceItem(EvidenceKinds.Rule, $"{match.Rule.Id} → {match.Authority.Id}", 1));
            explanation.Append("; rule ").Append(match.Rule.Id).Append(" → ").Append(match.Authority.Name);
            return (match.Authority, match.Rule.Id, 1);
        }

        if (owner is not null)
        {
            evidence.Add(new EvidenceItem(EvidenceKinds.Fallback, $"no rule for {topic}/{subtopic}: page owner {owner.Id}", 0.7));
            explanation.Append("; no rule for ").Append(topic).Append('/').Append(subtopic)
                .Append(" → fallback to page owner ").Append(owner.Name);
            return (owner, "", 0.7);
        }

        var cur = catalog.Cur;
        evidence.Add(new EvidenceItem(EvidenceKinds.Fallback,
            cur is null ? "no rule, no page owner, no ЦУР in the catalogue" : $"no rule and no page owner: ЦУР {cur.Id}", cur is null ? 0.2 : 0.5));
        explanation.Append("; no rule and no page owner → fallback to ")
            .Append(cur is null ? "nobody (no ЦУР in the catalogue)" : "ЦУР " + cur.Name);
        return (cur, "", cur is null ? 0.2 : 0.5);
    }

    private double TopicConfidence(ClassifierScratch scratch, Scores scores, Verdict verdict, int topicIndex)
    {
        if (topicIndex == _knowledge.OtherTopic)
        {
            // Something is asked, but of whom is unclear: always below the usual moderation threshold.
            return 0.4 * Math.Min(1, verdict.Strength / 3);
        }

        var score = scratch.TopicScore[topicIndex];
        var rival = scores.Best == topicIndex ? scores.Second : scores.Best;
        var second = rival >= 0 ? scratch.TopicScore[rival] : 0;
        var strength = 1 - Math.Exp(-score / 3);
        var margin = second >= score ? 0 : (score - second) / score;
        var confidence = strength * (0.75 + (0.25 * margin));
        if (scratch.TopicProblem[topicIndex] <= 0 && verdict.Strength < 1)
        {
            confidence *= 0.85; // only objects named ("отопление"), no defect and no ask
        }

        return confidence;
    }

    private static double NonIncidentConfidence(Verdict verdict, int tokenCount)
    {
        if (verdict.Strength <= 0)
        {
            // No cue at all: a short reply is most likely chatter; a long one, or one that names a topic's
            // objects, may hide a problem, so a moderator should look.
            return verdict.Competing > 0 ? 0.35 : tokenCount <= 4 ? 0.6 : 0.4;
        }

        var strength = 1 - Math.Exp(-verdict.Strength / 1.5);
        var competition = verdict.Competing / (verdict.Strength + verdict.Competing);
        return Round(strength * (1 - (0.5 * competition)));
    }

    private string ChooseSubtopic(ClassifierScratch scratch, int topicIndex, TopicInfo topic)
    {
        var best = -1;
        for (var s = 0; s < _knowledge.FlatSubtopics.Count; s++)
        {
            if (_knowledge.FlatSubtopics[s].Topic != topicIndex || scratch.SubtopicScore[s] <= 0)
            {
                continue;
            }

            if (best < 0 || scratch.SubtopicScore[s] > scratch.SubtopicScore[best]
                || (scratch.SubtopicScore[s] == scratch.SubtopicScore[best] && scratch.SubtopicFirst[s] < scratch.SubtopicFirst[best]))
            {
                best = s;
            }
        }

        return best >= 0 ? _knowledge.FlatSubtopics[best].Subtopic.Code : topic.DefaultSubtopic;
    }

    private double SubtopicScore(ClassifierScratch scratch, int topicIndex, string code)
    {
        for (var s = 0; s < _knowledge.FlatSubtopics.Count; s++)
        {
            if (_knowledge.FlatSubtopics[s].Topic == topicIndex && _knowledge.FlatSubtopics[s].Subtopic.Code == code)
            {
                return scratch.SubtopicScore[s];
            }
        }

        return 0;
    }

    private static PlaceChoice ChoosePlace(string text, ClassifierScratch scratch, CatalogSnapshot catalog, Authority? owner, List<EvidenceItem> evidence)
    {
        PlaceHit? chosen = null;
        var chosenScore = double.MinValue;
        var places = scratch.Places;
        foreach (var hit in places)
        {
            var territory = hit.Place.Territory;
            if (territory.Kind == TerritoryKind.Region)
            {
                continue;
            }

            var score = hit.Place.Certainty;
            if (territory.Kind == TerritoryKind.IntraCityDistrict)
            {
                score += 0.1;
                foreach (var other in places)
                {
                    if (other.Place.Territory.Id == territory.ParentId)
                    {
                        score += 0.2; // "Самара, Кировский район": the district and its city agree
                        break;
                    }
                }
            }

            if (score > chosenScore)
            {
                chosen = hit;
                chosenScore = score;
            }
        }

        var ownerTerritory = owner is null ? null : catalog.FindTerritory(owner.TerritoryId);
        if (ownerTerritory is not null && !ownerTerritory.IsMunicipality && ownerTerritory.Kind != TerritoryKind.IntraCityDistrict)
        {
            ownerTerritory = null;
        }

        if (chosen is { } found)
        {
            var territory = found.Place.Territory;
            var tokens = scratch.Tokens;
            var from = tokens[found.Start].Start;
            var surface = text[from..(tokens[found.End].Start + tokens[found.End].Length)];
            evidence.Add(new EvidenceItem(EvidenceKinds.Place, $"«{surface}» → {territory.Id}", Round(found.Place.Certainty)));
            if (ownerTerritory is { Kind: TerritoryKind.IntraCityDistrict } && ownerTerritory.ParentId == territory.Id)
            {
                // The text names the city, the page is one of its districts: the district is the finer answer.
                evidence.Add(new EvidenceItem(EvidenceKinds.PageOwner, $"{owner!.Id} → {ownerTerritory.Id}", 0.9));
                return new PlaceChoice(ownerTerritory, PlaceSource.Text, found.Place.Certainty,
                    $"place «{surface}» in text → {territory.Name}, district {ownerTerritory.Name} from the page owner");
            }

            return new PlaceChoice(territory, PlaceSource.Text, found.Place.Certainty,
                $"place «{surface}» in text → {territory.Name}");
        }

        if (ownerTerritory is not null)
        {
            evidence.Add(new EvidenceItem(EvidenceKinds.PageOwner, $"{owner!.Id} → {ownerTerritory.Id}", 0.9));
            return new PlaceChoice(ownerTerritory, PlaceSource.PageOwner, 0.9,
                $"no place in text, page owner {owner.Name} → {ownerTerritory.Name}");
        }

        if (owner is not null)
        {
            evidence.Add(new EvidenceItem(EvidenceKinds.PageOwner, $"{owner.Id} (regional, no territory)", 0.5));
        }

        return new PlaceChoice(null, PlaceSource.None, 0, "no place in text or from the page → whole region");
    }

    /// <summary>The matched words of the hits that pass the filter, as written, distinct, in text order.</summary>
    private static string Words(string text, ClassifierScratch scratch, Func<Hit, bool> filter)
    {
        var tokens = scratch.Tokens;
        var words = new List<string>(MaxExplainedWords);
        foreach (var hit in scratch.Hits)
        {
            if (!filter(hit))
            {
                continue;
            }

            var word = Surface(text, tokens, hit);
            if (words.Exists(w => ContainsWord(w, word)))
            {
                continue; // "яма" after "яма на дороге"
            }

            words.RemoveAll(w => ContainsWord(word, w)); // "яма на дороге" after "яма"
            words.Add(word);
            if (words.Count == MaxExplainedWords)
            {
                break;
            }
        }

        return string.Join(", ", words);
    }

    private static bool ContainsWord(string phrase, string word)
    {
        var at = phrase.IndexOf(word, StringComparison.Ordinal);
        return at >= 0 && (at == 0 || phrase[at - 1] == ' ') && (at + word.Length == phrase.Length || phrase[at + word.Length] == ' ');
    }

    /// <summary>
    /// The words of a hit as the citizen wrote them, lower-cased: a phrase found with words in between shows only
    /// its own words ("собаки … напали" reads "собаки напали").
    /// </summary>
    private static string Surface(string text, Token[] tokens, Hit hit)
    {
        var sb = new StringBuilder(24);
        var previousStart = -1;
        for (var i = hit.Start; i <= hit.End; i++)
        {
            ref readonly var token = ref tokens[i];
            if (token.Start == previousStart || (i != hit.Start && Array.IndexOf(hit.Term.Stems, token.Info.Stem) < 0
                && (token.Info.AltStem is null || Array.IndexOf(hit.Term.Stems, token.Info.AltStem) < 0)))
            {
                continue; // a word in the gap, or the second part of one written word
            }

            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            var span = text.AsSpan(token.Start, token.Length);
            foreach (var c in span)
            {
                sb.Append(char.ToLowerInvariant(c));
            }

            previousStart = token.Start;
        }

        return sb.ToString();
    }

    private static string CueName(CueClass cue) => cue switch
    {
        CueClass.Gratitude => RoutingCodes.Gratitude,
        CueClass.Spam => RoutingCodes.Spam,
        CueClass.Toxic => RoutingCodes.Toxic,
        CueClass.Opinion => RoutingCodes.Opinion,
        _ => RoutingCodes.Offtopic,
    };

    private static double Round(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);

    private sealed record IndexEntry(CatalogSnapshot Catalog, SnapshotIndex Index);

    private readonly record struct Scores(int Best, int Second, int PageTopic, double SpamWords, double ProblemAll);

    private enum PlaceSource
    {
        None,
        Text,
        PageOwner,
    }

    private sealed record PlaceChoice(Territory? Territory, PlaceSource Source, double Certainty, string Explanation);

    private readonly record struct Where(Territory? Municipality, Territory? District);

    /// <summary>The decision before territory and authority: incident of a topic, or a non-incident subtype.</summary>
    private readonly record struct Verdict(bool IsIncident, int Topic, CueClass NonIncident, double Strength, double Competing)
    {
        public static Verdict Incident(int topic, double asks) => new(true, topic, default, asks, 0);

        public static Verdict Non(CueClass kind, double strength, double competing) => new(false, -1, kind, strength, competing);
    }
}
