using System.Security.Cryptography;
using System.Text;
using GovPublics.Catalog;

namespace GovPublics.Common.Pipeline;

/// <summary>
/// The deterministic message id: the same platform, page, kind and external id always give the same id, so a
/// platform's retry or an integrator's repeat is recognised as the message already stored.
/// </summary>
public static class MessageIdentity
{
    public static string Derive(Platform platform, string pageExternalId, MessageKind kind, string externalId)
    {
        var source = $"{EnumText.Format(platform)}\n{pageExternalId}\n{(int)kind}\n{externalId}";
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(source), hash);
        // "m" + 26 base32 characters (130 bits): short, URL-safe, case-insensitive.
        return "m" + Base32(hash[..17])[..26];
    }

    private static string Base32(ReadOnlySpan<byte> data)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var sb = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            sb.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return sb.ToString();
    }
}
