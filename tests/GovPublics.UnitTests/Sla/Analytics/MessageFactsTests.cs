using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Sla.Domain.Analytics;
using static GovPublics.UnitTests.Sla.SlaTestData;

namespace GovPublics.UnitTests.Sla.Analytics;

public sealed class MessageFactsTests
{
    private static readonly RatingPolicy _policy = RatingPolicy.LoadFile(Path.Combine(PoliciesDirectory, "ratings.json"));

    private static RoutedMessage Routed(MessageKind kind, bool fromPage, DateTimeOffset created, DateTimeOffset received,
        MessageAttachment[]? attachments = null, RoutedDecision? decision = null) => new(
        new CitizenMessage
        {
            MessageId = "m1", Platform = Platform.Vk, PageExternalId = "-1", Kind = kind, ExternalId = "post:7", ThreadId = "wall-1_7",
            Text = "t", CreatedAt = created, ReceivedAt = received, FromPage = fromPage, Attachments = attachments ?? [],
        },
        decision ?? new RoutedDecision { IsIncident = false, Category = "none" });

    [Theory]
    [InlineData(MessageKind.PagePost, true, MessageRole.PagePost)]
    [InlineData(MessageKind.PagePost, false, MessageRole.Other)]
    [InlineData(MessageKind.Comment, true, MessageRole.PageReply)]
    [InlineData(MessageKind.Comment, false, MessageRole.CitizenComment)]
    [InlineData(MessageKind.PrivateMessage, false, MessageRole.Other)]
    [InlineData(MessageKind.PrivateMessage, true, MessageRole.Other)]
    public void The_role_on_the_page_follows_kind_and_author(MessageKind kind, bool fromPage, MessageRole role)
    {
        var at = Samara(2026, 3, 16, 10);
        Assert.Equal(role, MessageFacts.From(Routed(kind, fromPage, at, at), _policy).Role);
    }

    [Fact]
    public void A_post_with_a_photo_or_cards_is_visual_and_a_link_is_not()
    {
        var at = Samara(2026, 3, 16, 10);
        Assert.True(MessageFacts.From(Routed(MessageKind.PagePost, true, at, at, [new("link", ""), new("Photo", "x")]), _policy).HasVisuals);
        Assert.True(MessageFacts.From(Routed(MessageKind.PagePost, true, at, at, [new("pretty_cards", "")]), _policy).HasVisuals);
        Assert.False(MessageFacts.From(Routed(MessageKind.PagePost, true, at, at, [new("link", ""), new("poll", "")]), _policy).HasVisuals);
        // Only page posts are rated for visuals.
        Assert.False(MessageFacts.From(Routed(MessageKind.Comment, false, at, at, [new("photo", "")]), _policy).HasVisuals);
    }

    [Fact]
    public void The_written_time_never_passes_the_received_time()
    {
        var received = Samara(2026, 3, 16, 10);
        Assert.Equal(received, MessageFacts.From(Routed(MessageKind.Comment, false, received.AddHours(5), received), _policy).WrittenAt);
        Assert.Equal(received.AddDays(-3), MessageFacts.From(Routed(MessageKind.Comment, false, received.AddDays(-3), received), _policy).WrittenAt);
    }

    [Fact]
    public void An_incident_is_placed_on_its_municipality_and_district_on_the_local_day_it_was_written()
    {
        // 22:30 UTC on the 15th is 02:30 on the 16th in Samara; it was received a day later.
        var written = new DateTimeOffset(2026, 3, 15, 22, 30, 0, TimeSpan.Zero);
        var decision = new RoutedDecision
        {
            IsIncident = true, Category = "housing_utilities", MunicipalityId = "samara", DistrictId = "samara-kirovsky",
            ResponsibleAuthorityId = "adm-samara-kirovsky", Revision = 2,
        };
        var placement = IncidentPlacement.From(Routed(MessageKind.Comment, false, written, written.AddDays(1), decision: decision), SamaraZone)!;

        Assert.Equal("adm-samara-kirovsky", placement.AuthorityId);
        Assert.Equal(written.AddDays(1), placement.ReceivedAt);
        Assert.Equal(new DateOnly(2026, 3, 16), placement.Day);
        Assert.Equal([new TensionCell("samara", "housing_utilities"), new TensionCell("samara-kirovsky", "housing_utilities")], placement.Cells);
    }

    [Fact]
    public void An_incident_without_a_place_counts_for_its_authority_but_in_no_cell()
    {
        var at = Samara(2026, 3, 16, 10);
        var decision = new RoutedDecision { IsIncident = true, Category = "healthcare", ResponsibleAuthorityId = "minzdrav" };

        var placement = IncidentPlacement.From(Routed(MessageKind.PrivateMessage, false, at, at, decision: decision), SamaraZone)!;

        Assert.Equal("minzdrav", placement.AuthorityId);
        Assert.Empty(placement.Cells);
        Assert.Null(IncidentPlacement.From(Routed(MessageKind.Comment, false, at, at), SamaraZone));
    }
}
