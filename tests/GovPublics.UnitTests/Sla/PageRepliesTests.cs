using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Sla.Domain.Lifecycle;
using static GovPublics.UnitTests.Sla.SlaTestData;

namespace GovPublics.UnitTests.Sla;

/// <summary>Which incidents a page's reply concerns, and which kept reply answers an incident created after it.</summary>
public sealed class PageRepliesTests
{
    private const string Page = "-208424532";
    private const string Thread = "wall-208424532_1201";
    private static readonly DateTimeOffset Written = Samara(2026, 3, 2, 10);
    private static readonly string Citizens = MessageIdentity.Derive(Platform.Vk, Page, MessageKind.Comment, "wall-208424532_1300");

    [Fact]
    public void A_reply_names_the_message_it_replies_to_but_not_the_threads_root()
    {
        Assert.Null(PageReplies.RepliedTo(Reply("r-1", Written, replyTo: "")));
        Assert.Equal(Citizens, PageReplies.RepliedTo(Reply("r-2", Written, replyTo: "wall-208424532_1300")));
        Assert.Null(PageReplies.RepliedTo(Reply("r-3", Written, replyTo: Thread)));

        // Telegram: a comment under a channel post replies to the post; the thread is "{chat}:{post}".
        var telegram = Reply("7002", Written, replyTo: "7000") with { Platform = Platform.Telegram, PageExternalId = "-100555", ThreadId = "-100555:7000" };
        Assert.Null(PageReplies.RepliedTo(telegram));
        Assert.NotNull(PageReplies.RepliedTo(telegram with { ReplyToExternalId = "7001" }));
    }

    [Fact]
    public void The_first_reply_written_after_the_message_that_names_it_or_nothing_answers_it()
    {
        var before = Reply("r-before", Written.AddMinutes(-1), replyTo: "");
        var toOther = Reply("r-other", Written.AddMinutes(10), replyTo: "wall-208424532_1400");
        var toIt = Reply("r-to-it", Written.AddMinutes(30), replyTo: "wall-208424532_1300");
        var toAll = Reply("r-all", Written.AddMinutes(20), replyTo: "");

        Assert.Equal("r-all", PageReplies.FirstAnswering(Citizens, Written, [toIt, toOther, before, toAll])?.MessageId);
        Assert.Equal("r-to-it", PageReplies.FirstAnswering(Citizens, Written, [toIt, toOther, before])?.MessageId);
        Assert.Equal("r-same-second", PageReplies.FirstAnswering(Citizens, Written, [Reply("r-same-second", Written, replyTo: "")])?.MessageId);
        Assert.Null(PageReplies.FirstAnswering(Citizens, Written, [before, toOther]));
        Assert.Null(PageReplies.FirstAnswering(Citizens, Written, []));
    }

    private static CitizenMessage Reply(string id, DateTimeOffset at, string replyTo) =>
        CitizenMessageOf(id, at) with { AuthorId = Page, FromPage = true, Text = "Передали в дорожную службу", ReplyToExternalId = replyTo };
}
