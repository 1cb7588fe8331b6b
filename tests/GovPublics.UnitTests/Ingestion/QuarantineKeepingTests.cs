using System.Text;
using GovPublics.Ingestion.Storage;

namespace GovPublics.UnitTests.Ingestion;

/// <summary>What the quarantine keeps of a refused body: no secret, and never more than its byte limit.</summary>
public sealed class QuarantineKeepingTests
{
    [Theory]
    [InlineData("""{"type":"wall_reply_new","secret":"vk_secret-Tlt-2026","group_id":1}""", """{"type":"wall_reply_new","secret":"***","group_id":1}""")]
    [InlineData("""{ "secret" : "a\"b\\c", "secret":"x" }""", """{ "secret" : "***", "secret":"***" }""")]
    [InlineData("""{"type":"x","secret":"cut off before its quote""", """{"type":"x","secret":"***""")]
    [InlineData("""{"secretary":"Анна","text":"my secret"}""", """{"secretary":"Анна","text":"my secret"}""")]
    public void Secret_members_are_masked_and_nothing_else(string body, string kept) =>
        Assert.Equal(kept, QuarantineStore.Redacted(body));

    [Fact]
    public void A_body_is_kept_whole_under_the_limit()
    {
        var (text, truncated) = QuarantineStore.Kept(Encoding.UTF8.GetBytes("{\"text\":\"яма\"}"));
        Assert.Equal("{\"text\":\"яма\"}", text);
        Assert.False(truncated);
    }

    [Fact]
    public void Invalid_bytes_cannot_triple_what_is_stored()
    {
        // Each 0xFF becomes U+FFFD, three bytes in UTF-8: the limit counts the bytes stored.
        var body = Enumerable.Repeat((byte)0xFF, QuarantineStore.MaxBodyBytes).ToArray();
        var (text, truncated) = QuarantineStore.Kept(body);
        Assert.True(truncated);
        Assert.InRange(Encoding.UTF8.GetByteCount(text), QuarantineStore.MaxBodyBytes - 3, QuarantineStore.MaxBodyBytes);
    }

    [Fact]
    public void A_long_body_is_cut_at_a_character_boundary_and_marked()
    {
        var body = Encoding.UTF8.GetBytes("{\"text\":\"" + string.Concat(Enumerable.Repeat("я😀", QuarantineStore.MaxBodyBytes)) + "\"}");
        var (text, truncated) = QuarantineStore.Kept(body);
        Assert.True(truncated);
        Assert.True(Encoding.UTF8.GetByteCount(text) <= QuarantineStore.MaxBodyBytes);
        Assert.DoesNotContain('\uFFFD', text[..^1]);
        Assert.False(char.IsHighSurrogate(text[^1]));
    }

    [Theory]
    [InlineData("1764300000000-0", true)]
    [InlineData("0-1", true)]
    [InlineData("abc", false)]
    [InlineData("1-", false)]
    [InlineData("(1-0", false)]
    [InlineData("1-0 ", false)]
    [InlineData("", false)]
    public void Only_stream_entry_ids_are_page_tokens(string token, bool valid) =>
        Assert.Equal(valid, QuarantineStore.IsPageToken(token));
}
