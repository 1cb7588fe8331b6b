using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using GovPublics.Catalog;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using GovPublics.Common.Redis;
using StackExchange.Redis;
using RpcStatus = Google.Rpc.Status;

namespace GovPublics.Common.Grpc;

/// <summary>
/// The one place where domain exceptions become gRPC statuses: validation → INVALID_ARGUMENT with
/// google.rpc.BadRequest field violations, a missing entity → NOT_FOUND, Redis unreachable → UNAVAILABLE (the
/// caller may retry: nothing was stored). Anything else is INTERNAL without leaking details.
/// </summary>
public sealed class ErrorMappingInterceptor(ILogger<ErrorMappingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } rpc)
        {
            throw rpc;
        }
    }

    private RpcException? Map(Exception ex, ServerCallContext context) => ex switch
    {
        RpcException => null,
        ValidationFailedException v => ToRpcException(v),
        EntityNotFoundException n => new RpcException(new global::Grpc.Core.Status(StatusCode.NotFound, n.Message)),
        ConcurrencyConflictException c => new RpcException(new global::Grpc.Core.Status(StatusCode.Aborted, c.Message)),
        ContentionException c => new RpcException(new global::Grpc.Core.Status(StatusCode.Aborted, c.Message)),
        EntityExistsException e => new RpcException(new global::Grpc.Core.Status(StatusCode.AlreadyExists, e.Message)),
        AccessDeniedException d => new RpcException(new global::Grpc.Core.Status(StatusCode.PermissionDenied, d.Message)),
        PreconditionFailedException f => ToRpcException(f),
        InvalidStateTransitionException t => ToRpcException(t),
        CatalogValidationException c => new RpcException(new global::Grpc.Core.Status(StatusCode.InvalidArgument, c.Message)),
        ReferenceDataMissingException m => LogAndWrap(m, StatusCode.FailedPrecondition, m.Message),
        OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
            new RpcException(new global::Grpc.Core.Status(StatusCode.Cancelled, "The call was cancelled or its deadline passed.")),
        RedisServerException server when !RedisFailures.IsBusyServer(server) => LogAndWrap(ex, StatusCode.Internal, "Internal error."),
        _ when RedisFailures.IsStoreFailure(ex) => LogAndWrap(ex, StatusCode.Unavailable,
            "The store is unavailable or slow; the request may not have taken effect. Retry with back-off: retries are safe."),
        _ => LogAndWrap(ex, StatusCode.Internal, "Internal error."),
    };

    private RpcException LogAndWrap(Exception ex, StatusCode code, string message)
    {
        logger.LogError(ex, "gRPC call failed with {StatusCode}", code);
        return new RpcException(new global::Grpc.Core.Status(code, message));
    }

    /// <summary>The message, or when it is too long its start and the last violation listed (what to do next, often).</summary>
    private static string Shortened(string message, IList<BadRequest.Types.FieldViolation> listed)
    {
        if (message.Length <= MaxMessageLength)
        {
            return message;
        }

        var last = listed.Count > 0 ? $" … {listed[^1].Field}: {listed[^1].Description}" : " …";
        var keep = Math.Max(0, MaxMessageLength - last.Length);
        if (keep > 0 && char.IsHighSurrogate(message[keep - 1]))
        {
            keep--;
        }

        return message[..keep] + last;
    }

    /// <summary>FAILED_PRECONDITION carrying a google.rpc.PreconditionFailure with each blocker.</summary>
    public static RpcException ToRpcException(PreconditionFailedException ex)
    {
        var failure = new PreconditionFailure();
        foreach (var blocker in ex.Blockers)
        {
            failure.Violations.Add(new PreconditionFailure.Types.Violation { Type = "REFERENCED", Subject = blocker, Description = "still refers to it" });
        }

        return new RpcStatus { Code = (int)Code.FailedPrecondition, Message = ex.Message, Details = { Any.Pack(failure) } }.ToRpcException();
    }

    /// <summary>FAILED_PRECONDITION carrying a google.rpc.PreconditionFailure: type STATE, the entity, what it allows.</summary>
    public static RpcException ToRpcException(InvalidStateTransitionException ex)
    {
        var failure = new PreconditionFailure();
        failure.Violations.Add(new PreconditionFailure.Types.Violation
        {
            Type = "STATE",
            Subject = $"{ex.Entity}/{ex.Id}",
            Description = $"is {ex.State}; allowed: {string.Join(", ", ex.Allowed)}",
        });
        return new RpcStatus { Code = (int)Code.FailedPrecondition, Message = ex.Message, Details = { Any.Pack(failure) } }.ToRpcException();
    }

    /// <summary>At most this many field violations travel in one status (see <see cref="ToRpcException(ValidationFailedException)"/>).</summary>
    public const int MaxViolations = 200;

    /// <summary>At most this many UTF-8 bytes of violations' fields and descriptions travel in one status.</summary>
    public const int MaxViolationBytes = 16 * 1024;

    /// <summary>At most this many characters of a status message (it is percent-encoded: a Cyrillic letter takes 6).</summary>
    public const int MaxMessageLength = 4_000;

    /// <summary>
    /// INVALID_ARGUMENT carrying a google.rpc.BadRequest with the field violations: every one, up to
    /// <see cref="MaxViolations"/> and <see cref="MaxViolationBytes"/>, then one saying how many more there are. The
    /// status travels in the HTTP/2 trailers (64 KiB with the headers): an unbounded list (a knowledge document with
    /// hundreds of compile errors) would break the call, and the client would see UNAVAILABLE instead of what is wrong.
    /// </summary>
    public static RpcException ToRpcException(ValidationFailedException ex)
    {
        var badRequest = new BadRequest();
        var (listed, left) = FieldViolation.FirstWithin(ex.Violations, MaxViolations, MaxViolationBytes);
        foreach (var v in listed)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description });
        }

        if (left > 0)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation
            {
                Field = ex.Violations[listed.Count].Field,
                Description = $"and {left} more violation(s) not listed here",
            });
        }

        var status = new RpcStatus
        {
            Code = (int)Code.InvalidArgument,
            Message = Shortened(ex.Message, badRequest.FieldViolations),
            Details = { Any.Pack(badRequest) },
        };
        return status.ToRpcException();
    }
}
