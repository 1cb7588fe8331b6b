using System.Text.Encodings.Web;
using System.Text.Json;
using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Routing.Evaluation;

namespace GovPublics.Routing.Domain.Moderation;

/// <summary>
/// A moderator's or executor's correction of the classifier, kept as a labelled example for the next dictionary
/// or model update: the message, the classifier's original decision, the corrected one, who and when. Only
/// decisions that route the message differently from the classifier are corrections (see
/// <see cref="DecisionReviser.SameRouting"/>); one example is kept per message, the latest.
/// </summary>
public sealed record LabelledCorrection
{
    public required string MessageId { get; init; }

    /// <summary>The revision of the corrected decision.</summary>
    public required int Revision { get; init; }

    public required DecisionSource Source { get; init; }

    public required string By { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset At { get; init; }

    public required CitizenMessage Message { get; init; }

    /// <summary>The authority that owns the page that received the message; empty when the page is unknown.</summary>
    public string PageOwnerAuthorityId { get; init; } = "";

    /// <summary>The classifier's decision (revision 0).</summary>
    public required RoutedDecision Original { get; init; }

    public required RoutedDecision Corrected { get; init; }

    /// <summary>
    /// The correction of <paramref name="original"/> by <paramref name="corrected"/>, or null when both route the
    /// message the same way (a confirmation, not a correction).
    /// </summary>
    public static LabelledCorrection? Between(
        RoutedDecision original, RoutedDecision corrected, CitizenMessage message, string pageOwnerAuthorityId, RevisionAuthor author) =>
        DecisionReviser.SameRouting(original, corrected) ? null : new LabelledCorrection
        {
            MessageId = message.MessageId,
            Revision = corrected.Revision,
            Source = author.Source,
            By = author.By,
            Reason = author.Reason,
            At = author.At,
            Message = message,
            PageOwnerAuthorityId = pageOwnerAuthorityId,
            Original = original,
            Corrected = corrected,
        };

    /// <summary>The example as a line of the routing corpus (tests/GovPublics.UnitTests/Routing/Corpus/README.md).</summary>
    public LabelledMessage ToCorpusLine() => new(
        MessageId,
        CorpusFormat.Platform(Message.Platform),
        CorpusFormat.Kind(Message.Kind),
        PageOwnerAuthorityId,
        Message.Text,
        Corrected.IsIncident,
        Corrected.Category,
        Corrected.Subcategory,
        Corrected.IsIncident && Corrected.Urgent,
        Corrected.MunicipalityName,
        Corrected.DistrictName,
        Corrected.IsIncident ? Corrected.ResponsibleAuthorityName : "");
}

/// <summary>The JSON-lines format of the routing corpus: the codes and field names the evaluation command reads.</summary>
public static class CorpusFormat
{
    private static readonly JsonSerializerOptions _json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Cyrillic stays readable, as in the corpus files; JSON lines are not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One line (no line break): exactly the corpus fields, in the corpus order.</summary>
    public static string Serialize(LabelledMessage line) => JsonSerializer.Serialize(line, _json);

    public static string Platform(Platform platform) => platform switch
    {
        Catalog.Platform.Vk => "vk",
        Catalog.Platform.Ok => "ok",
        Catalog.Platform.Telegram => "telegram",
        _ => "",
    };

    public static string Kind(MessageKind kind) => kind switch
    {
        MessageKind.Comment => "comment",
        MessageKind.PrivateMessage => "private_message",
        MessageKind.PagePost => "page_post",
        _ => "",
    };
}
