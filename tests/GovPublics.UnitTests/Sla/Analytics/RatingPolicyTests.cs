using System.Text;
using GovPublics.Sla.Domain.Analytics;
using static GovPublics.UnitTests.Sla.SlaTestData;

namespace GovPublics.UnitTests.Sla.Analytics;

public sealed class RatingPolicyTests
{
    private const string Components = """
        "components": {
          "posts_per_week": { "weight": 20, "zero_at": 0, "full_at": 7 },
          "visual_share": { "weight": 15, "zero_at": 0, "full_at": 0.8 },
          "engagement_per_post_per_1000": { "weight": 25, "zero_at": 0, "full_at": 10 },
          "comments_answered_share": { "weight": 25, "zero_at": 0, "full_at": 0.8 },
          "median_response_working_hours": { "weight": 15, "zero_at": 8, "full_at": 1 }
        }
        """;

    private static RatingPolicy Load(string components = Components, string classes = """[{ "code": "business_card", "name": "визитка" }]""") =>
        RatingPolicy.Load(new MemoryStream(Encoding.UTF8.GetBytes($$"""
            {
              "version": "t",
              "visual_attachment_types": ["photo"],
              "engagement_weights": { "likes": 1, "comments": 1, "reposts": 1, "views": 0 },
              {{components}},
              "classes": {{classes}}
            }
            """)));

    [Fact]
    public void The_shipped_policy_loads_with_three_classes_and_the_three_posts_a_week_rule()
    {
        var policy = RatingPolicy.LoadFile(Path.Combine(PoliciesDirectory, "ratings.json"));

        Assert.Equal(["flagship", "active", "business_card"], policy.Classes.Select(c => c.Code));
        Assert.Equal(["флагманский", "активный", "визитка"], policy.Classes.Select(c => c.Name));
        Assert.All(policy.Classes.SkipLast(1), c => Assert.Equal(3, c.PostsPerWeekAbove));
        Assert.Equal(100, policy.Components.Sum(c => c.Scale.Weight));
        Assert.Equal("business_card", policy.ClassOf(3, 99).Code);
        Assert.Equal("flagship", policy.ClassOf(3.5, 70).Code);
        Assert.Equal("active", policy.ClassOf(3.5, 69.9).Code);
    }

    [Fact]
    public void A_lower_is_better_scale_scores_backwards_and_clamps()
    {
        var scale = new RatingScale(1, ZeroAt: 8, FullAt: 1);
        Assert.Equal(100, scale.Score(0.5));
        Assert.Equal(50, scale.Score(4.5), 12);
        Assert.Equal(0, scale.Score(30));
    }

    [Fact]
    public void Inconsistent_policies_are_refused_at_load()
    {
        Assert.Equal("t", Load().Version);
        Assert.Throws<InvalidDataException>(() => Load(Components.Replace("\"visual_share\"", "\"colour_share\"", StringComparison.Ordinal)));
        Assert.Throws<InvalidDataException>(() => Load(Components.Replace(
            "\"weight\": 15, \"zero_at\": 0, \"full_at\": 0.8", "\"weight\": 15, \"zero_at\": 0.8, \"full_at\": 0.8", StringComparison.Ordinal)));
        Assert.Throws<InvalidDataException>(() => Load(Components.Replace("\"weight\": 20", "\"weight\": -20", StringComparison.Ordinal)));
        Assert.Throws<InvalidDataException>(() => Load(classes: """[{ "code": "active", "name": "активный", "posts_per_week_above": 3 }]"""));
        Assert.Throws<InvalidDataException>(() => Load(classes: """[{ "code": "x", "name": "a" }, { "code": "x", "name": "b" }]"""));
        Assert.Throws<InvalidDataException>(() => Load(classes: """[{ "code": "x", "name": "a", "colour": "red" }]"""));
    }
}
