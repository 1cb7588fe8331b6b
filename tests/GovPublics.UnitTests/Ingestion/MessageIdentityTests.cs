using GovPublics.Catalog;
using GovPublics.Common.Pipeline;

namespace GovPublics.UnitTests.Ingestion;

public sealed class MessageIdentityTests
{
    [Fact]
    public void The_same_message_always_gets_the_same_id()
    {
        Assert.Equal(
            MessageIdentity.Derive(Platform.Vk, "-1", MessageKind.Comment, "5"),
            MessageIdentity.Derive(Platform.Vk, "-1", MessageKind.Comment, "5"));
    }

    [Fact]
    public void Platform_page_kind_and_external_id_each_change_the_id()
    {
        var ids = new[]
        {
            MessageIdentity.Derive(Platform.Vk, "-1", MessageKind.Comment, "5"),
            MessageIdentity.Derive(Platform.Ok, "-1", MessageKind.Comment, "5"),
            MessageIdentity.Derive(Platform.Vk, "-2", MessageKind.Comment, "5"),
            MessageIdentity.Derive(Platform.Vk, "-1", MessageKind.PrivateMessage, "5"),
            MessageIdentity.Derive(Platform.Vk, "-1", MessageKind.Comment, "6"),
            // The separator keeps "1"+"25" and "12"+"5" apart.
            MessageIdentity.Derive(Platform.Vk, "-1", MessageKind.Comment, "25"),
            MessageIdentity.Derive(Platform.Vk, "-12", MessageKind.Comment, "5"),
        };
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^m[a-z2-7]{26}$", id));
    }
}
