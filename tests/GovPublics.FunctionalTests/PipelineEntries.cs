using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Testing;
using StackExchange.Redis;

namespace GovPublics.FunctionalTests;

/// <summary>Writes stream entries exactly as the upstream service would, to test one service alone.</summary>
public static class PipelineEntries
{
    public const string Messages = "gp:{63}:messages";
    public const string Routed = "gp:{63}:routed";

    public static CitizenMessage Message(string externalId, string text, string page = "-1", Platform platform = Platform.Vk)
    {
        var now = DateTimeOffset.UtcNow;
        return new CitizenMessage
        {
            MessageId = MessageIdentity.Derive(platform, page, MessageKind.Comment, externalId),
            Platform = platform,
            PageExternalId = page,
            Kind = MessageKind.Comment,
            ExternalId = externalId,
            Text = text,
            CreatedAt = now,
            ReceivedAt = now,
        };
    }

    public static Task<RedisValue> AddMessageAsync(IDatabaseAsync db, CitizenMessage message) =>
        db.StreamAddAsync(Messages, [new("id", message.MessageId), new("data", PipelineJson.Serialize(message)), new("tp", "")]);

    public static Task<RedisValue> AddRoutedAsync(IDatabase db, RoutedMessage routed) =>
        db.StreamAddAsync(Routed, [new("id", routed.Message.MessageId), new("data", PipelineJson.Serialize(routed)), new("tp", "")]);

    /// <summary>Waits until each of <paramref name="groups"/> has handled and acknowledged every entry of the routed stream.</summary>
    public static Task RoutedCaughtUpAsync(IDatabase db, params string[] groups) => Eventually.True(async () =>
    {
        var last = (await db.StreamInfoAsync(Routed)).LastGeneratedId;
        var infos = await db.StreamGroupInfoAsync(Routed);
        return groups.All(g => infos.Single(x => x.Name == g) is var info && info.LastDeliveredId == last && info.PendingMessageCount == 0);
    }, $"the {string.Join(" and ", groups)} group(s) caught up with the routed stream");
}
