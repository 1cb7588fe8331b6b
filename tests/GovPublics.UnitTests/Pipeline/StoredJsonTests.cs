using System.Text;
using GovPublics.Common.Pipeline;
using GovPublics.UnitTests.Routing.Moderation;

namespace GovPublics.UnitTests.Pipeline;

public sealed class StoredJsonTests
{
    // The shared test message, with an author whose name has the letters escaping used to spoil.
    private static CitizenMessage Message(string text) => ModerationTestData.Message(text) with { AuthorName = "Ольга Ёлкина" };

    [Fact]
    public void Russian_text_is_stored_as_letters_not_escapes()
    {
        var json = PipelineJson.Serialize(Message("Во дворе яма, ёлки!"));
        Assert.Contains("Во дворе яма, ёлки!", json, StringComparison.Ordinal);
        Assert.Contains("Ольга Ёлкина", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u04", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Markup_control_characters_and_emoji_are_still_escaped_and_everything_round_trips()
    {
        var text = "<script>alert('x')</script> \"кавычки\" & tab\t line\n 😡 яма";
        var json = PipelineJson.Serialize(Message(text));
        Assert.DoesNotContain("<script>", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\t", json, StringComparison.Ordinal);
        Assert.Equal(text, PipelineJson.Deserialize<CitizenMessage>(json).Text);
    }

    [Fact]
    public void A_russian_message_takes_about_a_third_of_the_escaped_size()
    {
        var text = string.Concat(Enumerable.Repeat("На улице Мира огромная яма, машины пробивают колёса. ", 4));
        var stored = Encoding.UTF8.GetByteCount(PipelineJson.Serialize(Message(text)));
        var escaped = Encoding.UTF8.GetByteCount(System.Text.Json.JsonSerializer.Serialize(Message(text), PipelineJson.Default.CitizenMessage));
        Assert.True(stored * 2 < escaped, $"stored {stored} B, escaped {escaped} B");
    }

    [Fact]
    public void Records_written_with_escapes_before_the_change_still_read()
    {
        var old = System.Text.Json.JsonSerializer.Serialize(Message("Нет воды"), PipelineJson.Default.CitizenMessage);
        Assert.Contains("\\u041D", old, StringComparison.Ordinal);
        Assert.Equal("Нет воды", PipelineJson.Deserialize<CitizenMessage>(old).Text);
    }

    [Fact]
    public void The_routed_entry_carries_the_explanation_but_not_the_evidence()
    {
        var decision = new RoutedDecision
        {
            IsIncident = true,
            Category = "roads",
            Explanation = "«яма» → roads",
            Evidence = [new DecisionEvidence("topic", "яма", 1.0)],
        };
        var routed = RoutedMessage.ForStream(Message("яма"), decision);
        Assert.Empty(routed.Decision.Evidence);
        Assert.Equal("«яма» → roads", routed.Decision.Explanation);
        Assert.Single(decision.Evidence);
    }

    [Fact]
    public void A_routed_entry_built_from_the_stored_message_bytes_reads_like_one_serialized_whole()
    {
        var message = Message("Во дворе яма <глубокая> 😡") with { Attachments = [new MessageAttachment("photo", "https://vk.com/photo1_2")], Latitude = 53.2 };
        var decision = new RoutedDecision
        {
            IsIncident = true,
            Category = "roads",
            Subcategory = "potholes",
            ResponsibleAuthorityId = "adm-samara",
            Explanation = "«яма» → roads",
            Evidence = [new DecisionEvidence("topic", "яма", 1.0)],
            DecidedAt = DateTimeOffset.UnixEpoch,
        };
        var built = PipelineJson.RoutedEntryUtf8(PipelineJson.SerializeToUtf8(message), decision);
        var read = PipelineJson.Deserialize<RoutedMessage>(built);
        var expected = RoutedMessage.ForStream(message, decision);
        Assert.Equal(PipelineJson.Serialize(expected), Encoding.UTF8.GetString(built));
        Assert.Equal(message.Text, read.Message.Text);
        Assert.Equal(message.Attachments, read.Message.Attachments);
        Assert.Empty(read.Decision.Evidence);
    }

    [Fact]
    public void The_reused_buffer_writes_the_same_bytes_as_a_fresh_serializer_whatever_came_before()
    {
        var big = new RoutedDecision
        {
            IsIncident = true, Category = "roads", Subcategory = "potholes", ResponsibleAuthorityId = "adm-samara",
            Explanation = new string('я', 20_000), Evidence = [new DecisionEvidence("topic", "яма", 1.0)], DecidedAt = DateTimeOffset.UnixEpoch,
        };
        // Escaping must match too: HTML-sensitive, control and astral characters, and a quote.
        var small = big with { Explanation = "«яма» → roads <b>&'\"😡\u0001", ResponsibleAuthorityName = "Администрация г.о. Тольятти" };
        var message = PipelineJson.SerializeToUtf8(Message("Яма"));

        // A large document grows the thread's buffer; the short ones after it must carry nothing of it.
        Assert.Equal(PipelineJson.SerializeToUtf8(big), PipelineJson.DecisionUtf8(big));
        Assert.Equal(PipelineJson.SerializeToUtf8(small), PipelineJson.DecisionUtf8(small));
        Assert.Equal(PipelineJson.SerializeToUtf8(RoutedMessage.ForStream(Message("Яма"), small)), PipelineJson.RoutedEntryUtf8(message, small));
        Assert.Equal(PipelineJson.SerializeToUtf8(small), PipelineJson.DecisionUtf8(small));
    }
}
