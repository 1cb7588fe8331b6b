using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using GovPublics.Catalog;

namespace GovPublics.Routing.Domain;

/// <summary>
/// Decides for one citizen's message: incident or not, topic and subtopic, urgency, territory and the responsible
/// authority, with a confidence and the evidence behind it. Plain domain logic: the knowledge comes from
/// <see cref="RoutingKnowledge"/>, the registry from the <see cref="CatalogSnapshot"/> passed in. Thread-safe. One
/// instance serves one knowledge version for its whole life (its per-catalogue indexes are built from that
/// knowledge): a new version is a new classifier, swapped in whole, so a message is classified with one version.
/// </summary>
public sealed class MessageClassifier
{
    // How much a regional authority's own page counts for the one topic it owns (Минздрав → healthcare).
    private const double PageTopicWeight = 1.0;

    // How much a topic gains when its own words name the danger an urgency rule found (the serious problem is the main).
    private const double DangerTopicWeight = 2.0;

    private const int MaxExplainedWords = 6;

    // "Когда??" or "Ну и?" alone is chatter; an ask needs a few words to be a request worth routing.
    private const int MinWordsOfABareAsk = 3;

    // The first place named is usually where the problem is; later ones are often where people go ("езжай в Сызрань").
    private const double FirstPlaceBonus = 0.25;

    // A place named as the writer's home ("живу на Управленческом, а дача в Царевщине") yields to another one.
    private const double HomePlacePenalty = 0.5;
    private const int HomeWordReach = 3;

    // Gazetteer entries below this certainty are guesses, used only when the page gives no territory.
    private const double WeakPlaceCertainty = 0.7;

    // "Дорога из Варламово в Сызрань": at most this many words between the two settlements of a road.
    private const int MaxWordsBetweenRoutePlaces = 3;

    // "ском" is left out: «под Октябрьском» is the town.
    private static readonly string[] _adjectiveEndingsInSk =
        ["ская", "ской", "скую", "ское", "ские", "ских", "ским", "скими", "ский", "ского", "скому"];

    // Forms a neuter adjective name (Борское) never takes: «Красноармейская улица» is not Красноармейское.
    private static readonly string[] _notNeuterEndings = ["ая", "ой", "ую", "ий", "ый", "ие", "ые"];

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
        FindPlaces(scratch, index);
        FindTerms(scratch);

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
                    scratch.AddToken(parts[p], token, p == 0, p == parts.Length - 1, p == 0 ? info.Note ?? parts[p].Note : parts[p].Note);
                }
            }
            else
            {
                scratch.AddToken(info, token, true, true, info.Note);
            }
        }
    }

    private static void FindTerms(ClassifierScratch scratch)
    {
        var tokens = scratch.Tokens;
        for (var i = 0; i < scratch.Count; i++)
        {
            var negated = i > 0 && tokens[i - 1].Info.Negation && tokens[i - 1].Clause == tokens[i].Clause;
            var name = tokens[i].Name;
            foreach (var term in tokens[i].Info.Starts)
            {
                var single = term.Stems.Length == 1 || term.Prefix is not null;
                if (scratch.HasSeen(term) || (negated && term.Negatable) || (name && single))
                {
                    continue; // each entry counts once per message, at its first occurrence that is not negated
                }

                var end = i;
                if (single || (AllPresent(scratch, term.StemIds)
                    && MatchPhrase(tokens, scratch.Count, i, term.Stems, term.FirstMaxGap, term.MaxGap, !term.HasNegation, out end)))
                {
                    scratch.MarkSeen(term);
                    scratch.Hits.Add(new Hit(term, i, end));
                }
            }
        }

        DropSubsumedHits(scratch);
    }

    /// <summary>
    /// A word inside a longer phrase does not count on its own: «контейнерная площадка» is not a playground, «лифт в
    /// больнице» not the management company's lift, «за два дня» (a fast fix) not «два дня» (a complaint), and «никто
    /// не убирает» is one complaint, not two (the heavier of the two readings counts). Only a topic-wide word of the
    /// phrase's own topic adds up ("яма на дороге" and "дорога").
    /// </summary>
    private static void DropSubsumedHits(ClassifierScratch scratch)
    {
        var hits = scratch.Hits;
        var phrases = 0;
        foreach (var hit in hits)
        {
            if (hit.Term.Kind is TermKind.Topic or TermKind.Cue && hit.Term.Stems.Length > 1)
            {
                phrases++;
            }
        }

        if (phrases == 0)
        {
            return; // nothing can hold another entry
        }

        var tokens = scratch.Tokens;
        var dropped = scratch.DroppedHits(hits.Count);
        var any = false;
        for (var g = 0; g < hits.Count; g++)
        {
            var inner = hits[g];
            if (inner.Term.Kind is not (TermKind.Topic or TermKind.Cue))
            {
                continue;
            }

            for (var h = 0; h < hits.Count; h++)
            {
                var outer = hits[h];
                if (h == g || outer.Term.Kind != inner.Term.Kind || dropped[h]
                    || outer.Term.Stems.Length <= inner.Term.Stems.Length
                    || outer.Start > inner.Start || inner.End > outer.End
                    || !IsPhraseWord(tokens[inner.Start].Info, outer.Term.Stems)
                    || !IsPhraseWord(tokens[inner.End].Info, outer.Term.Stems))
                {
                    continue;
                }

                if (inner.Term.Kind == TermKind.Cue)
                {
                    // "за два дня" (a fast fix) is not "два дня" (a complaint).
                    dropped[g] = inner.Term.Cue != outer.Term.Cue;
                }
                else if (outer.Term.Topic != inner.Term.Topic)
                {
                    dropped[g] = true;
                }
                else if (outer.Term.Subtopic >= 0 && inner.Term.Subtopic >= 0)
                {
                    // One piece of evidence counts once, at the weight of its heavier reading.
                    if (outer.Term.Weight >= inner.Term.Weight)
                    {
                        dropped[g] = true;
                    }
                    else
                    {
                        dropped[h] = true;
                    }
                }

                if (dropped[g] || dropped[h])
                {
                    any = true;
                }

                if (dropped[g])
                {
                    break;
                }
            }
        }

        if (!any)
        {
            return;
        }

        var kept = 0;
        for (var g = 0; g < hits.Count; g++)
        {
            if (!dropped[g])
            {
                hits[kept++] = hits[g];
            }
        }

        hits.RemoveRange(kept, hits.Count - kept);
    }

    private static bool AllPresent(ClassifierScratch scratch, int[] stemIds)
    {
        var seen = scratch.StemSeen;
        var stamp = scratch.Stamp;
        for (var k = 1; k < stemIds.Length; k++)
        {
            if (seen[stemIds[k]] != stamp)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPhraseWord(WordInfo word, string[] stems) =>
        Array.IndexOf(stems, word.Stem) >= 0 || (word.AltStem is { } alt && Array.IndexOf(stems, alt) >= 0);

    /// <summary>
    /// Finds the rest of a phrase after its first word, in order, with at most <paramref name="maxGap"/> words between
    /// (<paramref name="firstMaxGap"/> after the first word) and within one clause. A negation in a gap breaks a
    /// phrase that has none of its own ("батареи не холодные").
    /// </summary>
    private static bool MatchPhrase(
        Token[] tokens, int count, int start, string[] stems, int firstMaxGap, int maxGap, bool stopAtNegation, out int end)
    {
        end = start;
        var clause = tokens[start].Clause;
        for (var k = 1; k < stems.Length; k++)
        {
            var found = false;
            var limit = Math.Min(count - 1, end + 1 + (k == 1 ? firstMaxGap : maxGap));
            for (var j = end + 1; j <= limit && tokens[j].Clause == clause; j++)
            {
                if (string.Equals(tokens[j].Info.Stem, stems[k], StringComparison.Ordinal)
                    || string.Equals(tokens[j].Info.AltStem, stems[k], StringComparison.Ordinal))
                {
                    end = j;
                    found = true;
                    break;
                }

                if (stopAtNegation && tokens[j].Info.Negation)
                {
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
                for (var j = hit.Start; j <= hit.End; j++)
                {
                    tokens[j].Name = true;
                }
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

        var tokens = scratch.Tokens;
        ref readonly var token = ref tokens[i];
        foreach (var place in places)
        {
            if (place.RequiresCapital && !token.Capitalized)
            {
                continue;
            }

            var end = i;
            if (place.Stems.Length > 1 && !MatchPlaceName(tokens, scratch.Count, i, place.Stems, _knowledge.PlaceMaxGap, out end))
            {
                continue;
            }

            // An ambiguous name opening a sentence counts only standing alone, like a heading: «Отрадный, ул. Мира»,
            // not «Кошки гадят в подъезде».
            if (place.RequiresCapital && token.SentenceStart && !tokens[end].PunctuationAfter)
            {
                continue;
            }

            if (!FormAgrees(place.Form, token.Info.Word))
            {
                continue; // «на Октябрьской» is a street, not Октябрьск
            }

            hit = new PlaceHit(place, i, end);
            return true;
        }

        return false;
    }

    /// <summary>A place phrase with words between its own; a capitalised word there is another name and breaks it.</summary>
    private static bool MatchPlaceName(Token[] tokens, int count, int start, string[] stems, int maxGap, out int end)
    {
        if (!MatchPhrase(tokens, count, start, stems, maxGap, maxGap, false, out end))
        {
            return false;
        }

        for (var j = start + 1; j < end; j++)
        {
            if (tokens[j].Capitalized && !tokens[j].SentenceStart && !IsPhraseWord(tokens[j].Info, stems))
            {
                return false; // «Волжский Красноярского района» is not «Волжский район»
            }
        }

        return true;
    }

    private static bool FormAgrees(PlaceForm form, string word)
    {
        var endings = form switch
        {
            PlaceForm.NounInSk => _adjectiveEndingsInSk,
            PlaceForm.NeuterAdjective => _notNeuterEndings,
            _ => null,
        };
        if (endings is null)
        {
            return true;
        }

        foreach (var ending in endings)
        {
            if (word.EndsWith(ending, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
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

        AddDangerBonus(scratch);

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

    /// <summary>
    /// Of two problems the dangerous one is the main one: a topic whose words are the words of a fired urgency rule
    /// ("провода искрят" under a fallen tree, "нет воды" next to a pothole) gains a fixed weight, once.
    /// </summary>
    private void AddDangerBonus(ClassifierScratch scratch)
    {
        var anyFired = false;
        for (var r = 0; r < scratch.UrgencyMask.Length && !anyFired; r++)
        {
            anyFired = scratch.UrgencyMask[r] != 0 && Fired(scratch, r);
        }

        if (!anyFired)
        {
            return; // most messages are not urgent
        }

        var hits = scratch.Hits;
        var topics = scratch.TopicScore.Length;
        for (var t = 0; t < topics; t++)
        {
            if (scratch.TopicScore[t] <= 0)
            {
                continue;
            }

            var dangerous = false;
            foreach (var urgent in hits)
            {
                if (urgent.Term.Kind != TermKind.Urgency || !Fired(scratch, urgent.Term.Rule))
                {
                    continue;
                }

                foreach (var hit in hits)
                {
                    if (hit.Term.Kind == TermKind.Topic && hit.Term.Topic == t && hit.Term.Problem
                        && hit.Start <= urgent.End && urgent.Start <= hit.End)
                    {
                        dangerous = true;
                        break;
                    }
                }

                if (dangerous)
                {
                    break;
                }
            }

            if (dangerous)
            {
                scratch.TopicScore[t] += DangerTopicWeight;
            }
        }
    }

    private bool Fired(ClassifierScratch scratch, int rule) =>
        scratch.UrgencyMask[rule] == (1 << _knowledge.UrgencyGroupCounts[rule]) - 1 && !scratch.UrgencyBlocked[rule];

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

        // What the text itself says about the topic, without the receiving page's hint.
        var textTopic = scores.Best >= 0 && scores.Best == scores.PageTopic ? topic - PageTopicWeight : topic;
        var problem = scores.Best >= 0 ? scratch.TopicProblem[scores.Best] : 0;
        var request = cues[(int)CueClass.Request];
        var complaintCues = cues[(int)CueClass.Complaint];
        var asks = request + complaintCues;
        var resolved = cues[(int)CueClass.Resolved];
        var gratitude = cues[(int)CueClass.Gratitude] + (0.5 * resolved);
        var complaint = asks + (0.5 * Math.Max(0, scores.ProblemAll - (2 * resolved)));
        var spam = cues[(int)CueClass.Spam];
        var toxic = cues[(int)CueClass.Toxic];
        var opinion = cues[(int)CueClass.Opinion];
        var isOther = scores.Best >= 0 && scores.Best == _knowledge.OtherTopic;

        // What speaks for an incident lowers the confidence of a non-incident verdict.
        var competing = complaint + (0.25 * topic);

        // Adverts beat topic words ("ремонт квартир недорого"), unless someone plainly complains or asks.
        if (scores.SpamWords >= 2 && spam >= 3.5 && asks < 2)
        {
            return Verdict.Non(CueClass.Spam, spam, competing);
        }

        // Thanks with no complaint is gratitude; "спасибо, что третий день нет воды" is a complaint.
        if (gratitude >= 1.5 && complaint < 1.5)
        {
            return Verdict.Non(CueClass.Gratitude, gratitude, competing);
        }

        if (toxic >= 2 && request < 1 && problem < 2.5 && textTopic < 3)
        {
            return Verdict.Non(CueClass.Toxic, toxic, competing);
        }

        // An opinion about a topic names no defect and asks nothing ("лучше бы отопление сделали, а не фестиваль");
        // a strong one survives a rhetorical imperative ("считаю, это грабёж, транспорт сделайте нормальным").
        if ((opinion >= 2 && request < 1 && problem < 2 && textTopic < 3)
            || (opinion >= 1 && problem <= 0 && asks < 1)
            || (opinion >= 2 && problem <= 0 && request < 2 && complaintCues < 1))
        {
            return Verdict.Non(CueClass.Opinion, opinion, competing);
        }

        // An incident names a defect, or asks about a topic, or names its objects strongly; "парк" alone does not.
        if (scores.Best >= 0 && !isOther && (problem >= 1.5 || textTopic >= 3 || (textTopic >= 1 && asks >= 1)))
        {
            return Verdict.Incident(scores.Best, asks);
        }

        // A plain ask on a regional authority's own page is about its topic ("помогите, третий месяц без ответа").
        if (scores.Best >= 0 && !isOther && textTopic <= 0 && request >= 1.5)
        {
            return Verdict.Incident(scores.Best, asks);
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

        // A matter of the "other" topic (a memorial plaque, the post, a pool) with an ask is an incident for a moderator.
        if (isOther && textTopic >= 2 && request >= 1 && request + textTopic > bestNonScore)
        {
            return Verdict.Incident(_knowledge.OtherTopic, asks);
        }

        // A bare ask with no topic ("прошу помочь разобраться") goes to moderation as "other"; a lone "Когда??" is chatter.
        if (hasOther && request >= 1.5 && request > bestNonScore && scratch.Count >= MinWordsOfABareAsk)
        {
            return Verdict.Incident(_knowledge.OtherTopic, asks);
        }

        // A plain description of a topic's object on an official page, with nothing that marks it as chatter,
        // is a report ("фонари горят через один", "клумбы заросли сорняками").
        if (scores.Best >= 0 && textTopic >= 2 && bestNonScore < 1)
        {
            return Verdict.Incident(scores.Best, asks);
        }

        if (bestNonScore >= 1)
        {
            return Verdict.Non(bestNon, bestNonScore, competing);
        }

        if (hasOther && asks >= 1.5 && scratch.Count >= MinWordsOfABareAsk)
        {
            return Verdict.Incident(_knowledge.OtherTopic, asks);
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
            confidence, explanation.ToString(), "", evidence, confidence < _options.ModerationThreshold)
        {
            KnowledgeVersion = _knowledge.Version,
        };
    }

    private RoutingDecision BuildIncident(
        string text, CatalogSnapshot catalog, SnapshotIndex index, ClassifierScratch scratch, Scores scores, Verdict verdict,
        Authority? owner, PlaceChoice place, Where where, List<EvidenceItem> evidence)
    {
        var topicIndex = verdict.Topic;
        var topic = _knowledge.Topics[topicIndex];
        var subtopic = ChooseSubtopic(scratch, topicIndex, topic);
        var scoredTopic = topicIndex;
        var redirect = FindRedirect(scratch, topicIndex, subtopic);
        string? redirectedFrom = null;
        if (redirect >= 0)
        {
            // "Во дворе ни одного фонаря" is the yard's, "в больнице лифт не работает" the hospital's.
            var rule = _knowledge.Redirects[redirect];
            var contextWords = Words(text, scratch, h => h.Term.Kind == TermKind.Context && h.Term.Rule == redirect);
            redirectedFrom = $"{topic.Code}/{subtopic} named with «{contextWords}»";
            topicIndex = rule.ToTopic;
            topic = _knowledge.Topics[topicIndex];
            subtopic = rule.ToSubtopic;
        }

        var shownTopic = topicIndex;
        var shownSubtopic = subtopic;
        var topicWords = Words(text, scratch, h => h.Term.Kind == TermKind.Topic && h.Term.Topic == shownTopic);
        var subtopicWords = Words(text, scratch, h => h.Term.Kind == TermKind.Topic && h.Term.Topic == shownTopic
            && h.Term.Subtopic >= 0 && _knowledge.FlatSubtopics[h.Term.Subtopic].Subtopic.Code == shownSubtopic);
        evidence.Insert(0, new EvidenceItem(EvidenceKinds.Topic,
            topicWords.Length > 0 ? $"{topic.Code}: {topicWords}" : topic.Code, Round(scratch.TopicScore[topicIndex])));
        evidence.Insert(1, new EvidenceItem(EvidenceKinds.Subtopic,
            redirectedFrom is not null ? $"{subtopic}: {redirectedFrom}"
                : subtopicWords.Length > 0 ? $"{subtopic}: {subtopicWords}" : $"{subtopic} (default)",
            Round(SubtopicScore(scratch, topicIndex, subtopic))));
        if (scores.PageTopic == topicIndex && owner is not null)
        {
            evidence.Add(new EvidenceItem(EvidenceKinds.PageOwner, $"page of {owner.ShortName} hints at {topic.Code}", PageTopicWeight));
        }

        var explanation = new StringBuilder(200).Append("topic ").Append(topic.Code).Append('/').Append(subtopic)
            .Append(redirectedFrom is not null ? $" ({redirectedFrom})"
                : topicWords.Length > 0 ? $" ({topicWords})"
                : topicIndex == _knowledge.OtherTopic ? " (a request with no known topic)" : " (the page owner's topic)");
        var rival = scores.Best == scoredTopic ? scores.Second : scores.Best;
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
        var confidence = Round(Math.Clamp(TopicConfidence(scratch, scores, verdict, scoredTopic) * territoryFactor * fallbackFactor, 0, 1));
        var moderation = confidence < _options.ModerationThreshold;
        AppendReadings(scratch, explanation);
        explanation.Append(CultureInfo.InvariantCulture, $"; confidence {confidence:0.00}");
        if (moderation)
        {
            explanation.Append(" (to moderation)");
        }

        return new RoutingDecision(true, topic.Code, subtopic, urgent,
            where.Municipality?.Id ?? "", where.Municipality?.Name ?? "", where.District?.Id ?? "", where.District?.Name ?? "",
            responsible?.Id ?? "", responsible?.Name ?? "", confidence, explanation.ToString(), ruleId, evidence, moderation)
        {
            KnowledgeVersion = _knowledge.Version,
        };
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

    /// <summary>
    /// The first redirect that takes the decided topic and subtopic and whose context word opens a clause part with
    /// one of their words after it ("В школе ... холодно") or follows one right away ("лифт не работает в больнице");
    /// -1 if none. The clause keeps "во дворе нет воды. А дорога вся в ямах" a road problem, the order "нет воды,
    /// дети в школу ушли немытые" a water problem.
    /// </summary>
    private int FindRedirect(ClassifierScratch scratch, int topicIndex, string subtopic)
    {
        var redirects = _knowledge.Redirects;
        var hits = scratch.Hits;
        var tokens = scratch.Tokens;
        for (var r = 0; r < redirects.Count; r++)
        {
            if (!redirects[r].Takes(topicIndex, subtopic))
            {
                continue;
            }

            if (redirects[r].BetweenPlaces && NamesTwoSettlements(scratch))
            {
                return r;
            }

            foreach (var context in hits)
            {
                if (context.Term.Kind != TermKind.Context || context.Term.Rule != r)
                {
                    continue;
                }

                var clause = tokens[context.Start].Clause;
                foreach (var hit in hits)
                {
                    if (hit.Term.Kind == TermKind.Topic && hit.Term.Topic == topicIndex && tokens[hit.Start].Clause == clause
                        && (context.Start < hit.Start || context.Start - hit.End == 1)
                        && (hit.Term.Subtopic < 0 || _knowledge.FlatSubtopics[hit.Term.Subtopic].Subtopic.Code == subtopic))
                    {
                        return r;
                    }
                }
            }
        }

        return -1;
    }

    /// <summary>Two places of different municipalities named side by side, in one clause: "Кинель — Богатое".</summary>
    private static bool NamesTwoSettlements(ClassifierScratch scratch)
    {
        var places = scratch.Places;
        var tokens = scratch.Tokens;
        for (var i = 0; i + 1 < places.Count; i++)
        {
            var a = places[i];
            var b = places[i + 1];
            if (b.Start - a.End <= MaxWordsBetweenRoutePlaces && tokens[a.Start].Clause == tokens[b.Start].Clause
                && a.Place.Territory.Kind != TerritoryKind.Region && b.Place.Territory.Kind != TerritoryKind.Region
                && a.Place.Certainty >= WeakPlaceCertainty && b.Place.Certainty >= WeakPlaceCertainty
                && MunicipalityId(a.Place.Territory) != MunicipalityId(b.Place.Territory))
            {
                return true;
            }
        }

        return false;

        static string MunicipalityId(Territory t) => t.IsMunicipality ? t.Id : t.ParentId;
    }

    private PlaceChoice ChoosePlace(
        string text, ClassifierScratch scratch, CatalogSnapshot catalog, Authority? owner, List<EvidenceItem> evidence)
    {
        PlaceHit? chosen = null;
        var chosenScore = double.MinValue;
        var places = scratch.Places;
        Territory? first = null;
        foreach (var hit in places)
        {
            if (hit.Place.Territory.Kind != TerritoryKind.Region)
            {
                first = hit.Place.Territory;
                break;
            }
        }

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

            if (first is not null && (territory.Id == first.Id || territory.ParentId == first.Id || first.ParentId == territory.Id))
            {
                score += FirstPlaceBonus; // the first place named, its city or its districts
            }

            if (IsHome(scratch, hit.Start))
            {
                score -= HomePlacePenalty;
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

        // A guess (a street, a numbered квартал, a village name several districts share) yields to the page's territory.
        if (chosen is { } guess && guess.Place.Certainty < WeakPlaceCertainty && ownerTerritory is not null)
        {
            chosen = null;
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
                // The text names the city (or a street across districts), the page is one of its districts: the
                // district is the finer answer.
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

    /// <summary>Whether a home word ("живу", "проживаю") stands just before the place, in its clause.</summary>
    private bool IsHome(ClassifierScratch scratch, int start)
    {
        var homes = _knowledge.HomeWordStems;
        if (homes.Count == 0)
        {
            return false;
        }

        var tokens = scratch.Tokens;
        for (var j = start - 1; j >= 0 && j >= start - HomeWordReach && tokens[j].Clause == tokens[start].Clause; j--)
        {
            if (homes.Contains(tokens[j].Info.Stem))
            {
                return true;
            }
        }

        return false;
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
                sb.Append(Letters.ToLowerInvariant(c));
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
