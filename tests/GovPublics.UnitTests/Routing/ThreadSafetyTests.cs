using System.Collections.Concurrent;
using GovPublics.Routing.Domain;

namespace GovPublics.UnitTests.Routing;

public sealed class ThreadSafetyTests
{
    private static readonly (string Text, string? Owner)[] _messages =
    [
        ("В Тольятти огромная яма на дороге", "minzdrav"),
        ("Спасибо администрации за то, что третий день нет воды", "adm-syzran"),
        ("В подъезде пахнет газом!", "adm-samara-kirovsky"),
        ("Спасибо, молодцы!", null),
        ("Продам гараж недорого https://avito.ru/1", null),
        ("net vody tretiy den v tlt", null),
        ("На Металлурге не вывозят мусор", "adm-samara"),
        ("отапление не работает, батареи халодные", "adm-chapaevsk"),
        ("Не могу записаться к врачу в Сызрани", null),
        ("Уроды", null),
        ("Когда это закончится?", "minsocdem"),
        ("В Смышляевке вырубают лес", null),
    ];

    [Fact]
    public void Many_threads_on_one_classifier_get_the_same_decisions_as_one_thread()
    {
        // A fresh classifier and knowledge, so the word cache and the place index are built under contention.
        var knowledge = RoutingKnowledge.Load(RoutingTestData.KnowledgeDirectory);
        var classifier = new MessageClassifier(knowledge, new RoutingOptions());
        var catalog = RoutingTestData.Catalog;
        var parallel = new ConcurrentDictionary<int, RoutingDecision>();

        Parallel.For(0, 2400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var (text, owner) = _messages[i % _messages.Length];
            parallel[i] = classifier.Classify(new ClassificationInput(text, owner), catalog);
        });

        var sequential = new MessageClassifier(RoutingTestData.Knowledge, new RoutingOptions());
        for (var i = 0; i < _messages.Length; i++)
        {
            var expected = sequential.Classify(new ClassificationInput(_messages[i].Text, _messages[i].Owner), catalog);
            for (var j = i; j < 2400; j += _messages.Length)
            {
                var actual = parallel[j];
                Assert.Equal(Key(expected), Key(actual));
                Assert.Equal(expected.Explanation, actual.Explanation);
                Assert.Equal(expected.Evidence, actual.Evidence);
            }
        }
    }

    [Fact]
    public void Alternating_catalogue_snapshots_from_many_threads_keep_their_own_places()
    {
        var classifier = new MessageClassifier(RoutingTestData.Knowledge, new RoutingOptions());
        var seed = RoutingTestData.Catalog;
        var tiny = RoutingTestData.TinyCatalog();
        var wrong = 0;

        Parallel.For(0, 2000, i =>
        {
            var useTiny = i % 2 == 0;
            var decision = classifier.Classify(
                new ClassificationInput(useTiny ? "В Городке яма на дороге" : "В Тольятти яма на дороге", null), useTiny ? tiny : seed);
            if (decision.MunicipalityId != (useTiny ? "gorodok" : "tolyatti"))
            {
                Interlocked.Increment(ref wrong);
            }
        });

        Assert.Equal(0, wrong);
    }

    private static object Key(RoutingDecision d) =>
        (d.IsIncident, d.Category, d.Subcategory, d.Urgent, d.MunicipalityId, d.DistrictId, d.ResponsibleAuthorityId, d.RuleId,
            d.Confidence, d.NeedsModeration);
}
