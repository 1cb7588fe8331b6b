using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;

namespace GovPublics.Gateway.Web;

/// <summary>
/// The base64 framing of gRPC-Web (<c>application/grpc-web-text</c>, the default of browser clients), done on the
/// body streams before the gRPC-Web middleware sees the call, which then handles it as binary gRPC-Web. That
/// middleware's own base64 reader and writer serve in-process gRPC services, which use the body pipes; the proxy
/// copies the body streams, and through them they fail (the request on its first read, the response on any write
/// larger than one buffer segment).
/// </summary>
public static class GrpcWebTextFraming
{
    private const string Text = "application/grpc-web-text";
    private const string Binary = "application/grpc-web";

    /// <summary>Decodes a base64 request body and encodes the response as base64, when the call asks for either.</summary>
    public static Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || request.ContentType?.StartsWith(Binary, StringComparison.OrdinalIgnoreCase) != true)
        {
            // Not gRPC-Web (a webhook, a gRPC call): no framing to undo, whatever its Accept header asks for.
            return next();
        }

        if (IsText(request.ContentType))
        {
            request.ContentType = Binary + request.ContentType![Text.Length..];
            var decoded = new CryptoStream(request.Body, new FromBase64Transform(FromBase64TransformMode.IgnoreWhiteSpaces),
                CryptoStreamMode.Read, leaveOpen: true);
            context.Response.RegisterForDispose(decoded);
            request.Body = decoded;
            // The length was the base64 text's.
            request.ContentLength = null;
        }

        if (IsText(request.Headers.Accept))
        {
            request.Headers.Accept = Binary;
            var prior = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
            context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(new Base64ChunkStream(prior.Stream), prior));
            // Runs after the gRPC-Web middleware's own callback (registered later, so called earlier), which names the
            // response binary gRPC-Web.
            context.Response.OnStarting(() =>
            {
                if (context.Response.ContentType is { } type && type.StartsWith(Binary, StringComparison.OrdinalIgnoreCase) && !IsText(type))
                {
                    context.Response.ContentType = Text + type[Binary.Length..];
                }

                return Task.CompletedTask;
            });
        }

        return next();
    }

    private static bool IsText(string? contentType) =>
        contentType?.StartsWith(Text, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// Writes each write as its own padded base64 chunk, as gRPC-Web's text framing allows, so every message of a
    /// server stream reaches the client when it is flushed rather than when three more bytes follow it.
    /// </summary>
    private sealed class Base64ChunkStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.IsEmpty)
            {
                return;
            }

            var encoded = ArrayPool<byte>.Shared.Rent(Base64.GetMaxEncodedToUtf8Length(buffer.Length));
            try
            {
                Base64.EncodeToUtf8(buffer.Span, encoded, out _, out var written);
                await inner.WriteAsync(encoded.AsMemory(0, written), cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(encoded);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
