using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Routing.Domain.Moderation;
using Microsoft.Extensions.Time.Testing;

namespace GovPublics.UnitTests.Routing.Moderation;

public sealed class ModerationItemTests
{
    private static readonly TimeSpan _lease = TimeSpan.FromMinutes(15);

    private static ModerationItem Item() =>
        ModerationItem.ForLowConfidence(ModerationTestData.Message(), ModerationTestData.Roads(0.31), "adm-tolyatti", 0.5, ModerationTestData.Now)
            with { Id = "MOD-000042" };

    [Fact]
    public void A_low_confidence_item_says_how_sure_the_classifier_was_and_waits()
    {
        var item = Item();
        Assert.Equal(ModerationReasonKind.LowConfidence, item.ReasonKind);
        Assert.Equal("confidence 0.31 below the threshold 0.50", item.Reason);
        Assert.Equal(ModerationState.Waiting, item.StateAt(ModerationTestData.Now, _lease));
        Assert.Null(item.LeaseEndsAt(_lease));
        Assert.Equal(42, item.Sequence);
        Assert.Equal("low_confidence", ModerationItem.KindCode(item.ReasonKind));
    }

    [Fact]
    public void A_rejection_item_names_the_authority_and_quotes_its_reason()
    {
        var rejection = new IncidentRejection
        {
            IncidentId = "INC-000007", MessageId = "m-test-1", AuthorityId = "adm-tolyatti", Reason = "дорога региональная",
            By = "petrov", RejectedAt = ModerationTestData.Now,
        };
        var item = ModerationItem.ForRejection(rejection, ModerationTestData.Message(), ModerationTestData.Roads(), "adm-tolyatti", "Администрация г.о. Тольятти", ModerationTestData.Now);
        Assert.Equal("rejected by Администрация г.о. Тольятти: дорога региональная", item.Reason);
        Assert.Equal(("INC-000007", "adm-tolyatti", "petrov"), (item.IncidentId, item.RejectedByAuthorityId, item.RejectedBy));
        Assert.Equal("rejected", ModerationItem.KindCode(item.ReasonKind));

        var unknown = ModerationItem.ForRejection(rejection, ModerationTestData.Message(), ModerationTestData.Roads(), "", "", ModerationTestData.Now);
        Assert.Equal("rejected by adm-tolyatti: дорога региональная", unknown.Reason);
    }

    [Fact]
    public void A_taken_item_is_the_moderators_for_the_lease_and_waits_again_after_it()
    {
        var clock = new FakeTimeProvider(ModerationTestData.Now);
        var taken = Item().Take("ivanova", clock.GetUtcNow(), _lease);
        Assert.Equal(ModerationState.Taken, taken.StateAt(clock.GetUtcNow(), _lease));
        Assert.Equal(ModerationTestData.Now + _lease, taken.LeaseEndsAt(_lease));

        clock.Advance(_lease - TimeSpan.FromSeconds(1));
        var conflict = Assert.Throws<PreconditionFailedException>(() => taken.Take("sidorov", clock.GetUtcNow(), _lease));
        Assert.Contains("taken by ivanova", conflict.Message, StringComparison.Ordinal);
        Assert.Contains((ModerationTestData.Now + _lease).ToString("O"), conflict.Message, StringComparison.Ordinal);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ModerationState.Waiting, taken.StateAt(clock.GetUtcNow(), _lease));
        var retaken = taken.Take("sidorov", clock.GetUtcNow(), _lease);
        Assert.Equal("sidorov", retaken.TakenBy);
        Assert.Equal(clock.GetUtcNow(), retaken.TakenAt);
    }

    [Fact]
    public void The_same_moderator_taking_again_renews_the_lease_whatever_the_case_of_the_login()
    {
        var clock = new FakeTimeProvider(ModerationTestData.Now);
        var taken = Item().Take("ivanova", clock.GetUtcNow(), _lease);
        clock.Advance(TimeSpan.FromMinutes(10));
        var renewed = taken.Take("IVANOVA", clock.GetUtcNow(), _lease);
        Assert.Equal(clock.GetUtcNow() + _lease, renewed.LeaseEndsAt(_lease));
    }

    [Fact]
    public void Deciding_closes_the_item_for_good()
    {
        var taken = Item().Take("ivanova", ModerationTestData.Now, _lease);
        var later = ModerationTestData.Now.AddMinutes(5);
        var decided = taken.Decide("ivanova", later, _lease, 1, "это ЖКХ");
        Assert.True(decided.Decided);
        Assert.Equal(ModerationState.Decided, decided.StateAt(later, _lease));
        Assert.Equal(("ivanova", later, 1, "это ЖКХ"), (decided.DecidedBy, decided.DecidedAt!.Value, decided.DecidedRevision, decided.Comment));
        Assert.Equal(ModerationTestData.Now, decided.TakenAt);
        Assert.Null(decided.LeaseEndsAt(_lease));

        var again = Assert.Throws<PreconditionFailedException>(() => decided.Decide("ivanova", later, _lease, 2, ""));
        Assert.Contains("already decided by ivanova", again.Message, StringComparison.Ordinal);
        Assert.Throws<PreconditionFailedException>(() => decided.Take("sidorov", later.AddHours(1), _lease));
    }

    [Fact]
    public void Only_the_lease_holder_decides_a_taken_item_and_anyone_an_untaken_one()
    {
        var taken = Item().Take("ivanova", ModerationTestData.Now, _lease);
        var refused = Assert.Throws<PreconditionFailedException>(() => taken.Decide("sidorov", ModerationTestData.Now.AddMinutes(1), _lease, 1, ""));
        Assert.Contains("taken by ivanova", refused.Message, StringComparison.Ordinal);

        var direct = Item().Decide("sidorov", ModerationTestData.Now, _lease, 1, "");
        Assert.Equal(("sidorov", "sidorov"), (direct.TakenBy, direct.DecidedBy));

        var expired = taken.Decide("sidorov", ModerationTestData.Now + _lease, _lease, 1, "");
        Assert.Equal("sidorov", expired.DecidedBy);
    }
}
