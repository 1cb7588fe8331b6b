using GovPublics.Routing.Domain;

namespace GovPublics.UnitTests.Routing;

public sealed class LettersTests
{
    [Fact]
    public void Lowering_matches_the_runtime_for_every_character()
    {
        for (var i = 0; i <= char.MaxValue; i++)
        {
            var c = (char)i;
            if (Letters.ToLowerInvariant(c) != char.ToLowerInvariant(c))
            {
                Assert.Fail($"U+{i:X4}: {(int)Letters.ToLowerInvariant(c):X4}, the runtime says {(int)char.ToLowerInvariant(c):X4}");
            }
        }
    }
}
