using GovPublics.Registry.Storage;

namespace GovPublics.UnitTests.Registry;

/// <summary>
/// A change feed position is a version and the commit that made it: a change follows it only within that commit or
/// as the next version made on top of it, so another history of the store (a backup restored, a re-seed) that
/// reached the same version numbers is told apart.
/// </summary>
public sealed class FeedPositionTests
{
    private static StoredChange Change(long version, int index, string commit, string previous) =>
        new(version, index, CatalogOp.Upsert, EntitySets.Authorities, "a", "{}", commit, previous);

    [Fact]
    public void The_next_version_made_on_top_of_the_positions_commit_follows_it() =>
        Assert.True(Change(11, 0, "c11", "c10").Follows(10, "c10"));

    [Fact]
    public void A_later_change_of_the_positions_own_commit_follows_it() =>
        Assert.True(Change(10, 3, "c10", "c9").Follows(10, "c10"));

    [Fact]
    public void The_next_version_of_another_history_does_not_follow() =>
        Assert.False(Change(11, 0, "x11", "x10").Follows(10, "c10"));

    [Fact]
    public void A_change_of_the_same_version_made_by_another_commit_does_not_follow() =>
        Assert.False(Change(10, 3, "x10", "x9").Follows(10, "c10"));

    [Fact]
    public void A_version_further_on_cannot_be_checked_and_does_not_follow() =>
        Assert.False(Change(12, 0, "c12", "c11").Follows(10, "c10"));

    [Fact]
    public void Changes_stored_before_commits_had_ids_do_not_follow_a_known_commit() =>
        Assert.False(Change(11, 0, "", "").Follows(10, "c10"));

    [Theory]
    [InlineData(11, "x11", "x10")]
    [InlineData(11, "", "")]
    [InlineData(12, "c12", "c11")]
    public void An_unknown_position_commit_is_not_checked(long version, string commit, string previous) =>
        Assert.True(Change(version, 0, commit, previous).Follows(10, ""));
}
