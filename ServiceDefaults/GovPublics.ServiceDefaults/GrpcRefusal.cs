using System.Globalization;
using System.Text;

using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A gRPC call answered before it reaches a service method (by the gateway, or a service's internal-call check): a
/// trailers-only response with the status and the reason.
/// </summary>
public static class GrpcRefusal
{
    public const int PermissionDenied = 7;
    public const int ResourceExhausted = 8;
    public const int Unauthenticated = 16;

    /// <summary>Writes the refusal's headers (a trailers-only response has no body).</summary>
    public static void Write(HttpResponse response, int status, string reason)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = status.ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncoded(reason);
    }

    /// <summary>grpc-message as the gRPC protocol wants it: UTF-8, every byte outside printable ASCII and '%' as %XX.</summary>
    public static string PercentEncoded(string message)
    {
        var builder = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
