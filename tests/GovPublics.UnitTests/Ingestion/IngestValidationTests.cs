using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Ingestion.Domain;

namespace GovPublics.UnitTests.Ingestion;

public sealed class IngestValidationTests
{
    private static readonly DateTimeOffset _now = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static IncomingMessage Valid() => new(
        Platform.Vk, "-123", MessageKind.Comment, "777", "post-5", "42", "Иван", "  На ул. Победы яма  ", [],
        null, null, null, false, "");

    [Fact]
    public void A_valid_message_is_normalized_with_a_deterministic_id()
    {
        var message = IngestValidation.Normalize(Valid(), _now);
        Assert.Equal("На ул. Победы яма", message.Text);
        Assert.Equal(_now, message.ReceivedAt);
        Assert.Equal(_now, message.CreatedAt);
        Assert.Equal(MessageIdentity.Derive(Platform.Vk, "-123", MessageKind.Comment, "777"), message.MessageId);
    }

    [Fact]
    public void Unspecified_kind_means_comment()
    {
        var message = IngestValidation.Normalize(Valid() with { Kind = null }, _now);
        Assert.Equal(MessageKind.Comment, message.Kind);
    }

    [Fact]
    public void Missing_platform_and_empty_text_are_both_named()
    {
        var ex = Assert.Throws<ValidationFailedException>(() =>
            IngestValidation.Normalize(Valid() with { Platform = Platform.Unspecified, Text = "   " }, _now));
        Assert.Contains(ex.Violations, v => v.Field == "platform");
        Assert.Contains(ex.Violations, v => v.Field == "text");
    }

    [Theory]
    [InlineData("page_external_id")]
    [InlineData("external_id")]
    public void Missing_ids_are_refused(string field)
    {
        var message = field == "external_id" ? Valid() with { ExternalId = "" } : Valid() with { PageExternalId = "" };
        var ex = Assert.Throws<ValidationFailedException>(() => IngestValidation.Normalize(message, _now));
        Assert.Equal(field, Assert.Single(ex.Violations).Field);
    }

    [Fact]
    public void Over_long_text_bad_geo_and_future_times_are_refused()
    {
        var ex = Assert.Throws<ValidationFailedException>(() => IngestValidation.Normalize(Valid() with
        {
            Text = new string('я', IngestValidation.MaxTextLength + 1),
            Latitude = 91,
            Longitude = -181,
            CreatedAt = _now.AddDays(3),
        }, _now));
        Assert.Equal(["text", "geo.latitude", "geo.longitude", "created_at"], ex.Violations.Select(v => v.Field));
    }
}
