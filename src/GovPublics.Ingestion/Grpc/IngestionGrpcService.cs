using GovPublics.Catalog;
using GovPublics.Common.Grpc;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Redis;
using GovPublics.Common.Registry;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Ingestion.Domain;
using GovPublics.Ingestion.Storage;
using Grpc.Core;
using CommonPb = GovPublics.Contracts.Common.V1;

namespace GovPublics.Ingestion.Grpc;

/// <summary>The integrators' ingest API: validate, normalize, store atomically, answer with the message id.</summary>
public sealed class IngestionGrpcService(MessageStore store, QuarantineStore quarantine, CatalogCache catalog, TimeProvider time)
    : IngestionService.IngestionServiceBase
{
    /// <summary>At most this many messages in one batch call.</summary>
    public const int MaxBatch = 10_000;

    public override async Task<IngestResponse> Ingest(IngestRequest request, ServerCallContext context)
    {
        var message = IngestValidation.Normalize(ToIncoming(request), time.GetUtcNow());
        if (PageRefusal(CallerIdentity.From(context.RequestHeaders), message) is { } refusal)
        {
            throw new AccessDeniedException(refusal);
        }

        var result = await store.StoreAsync(message, cancellationToken: context.CancellationToken);
        return new IngestResponse { MessageId = result.MessageId, Duplicate = result.Duplicate };
    }

    public override async Task<IngestBatchResponse> IngestBatch(IAsyncStreamReader<IngestRequest> requestStream, ServerCallContext context)
    {
        var response = new IngestBatchResponse();
        var caller = CallerIdentity.From(context.RequestHeaders);
        var overLimit = false;
        // Valid messages are stored in chunks, one script call each, pipelined while the stream is still read.
        var pending = new List<(List<IngestResult> Results, Task<IReadOnlyList<StoreResult>> Store)>();
        var chunk = new List<CitizenMessage>(MessageStore.MaxPerCall);
        var chunkResults = new List<IngestResult>(MessageStore.MaxPerCall);
        void Flush()
        {
            if (chunk.Count > 0)
            {
                pending.Add(([.. chunkResults], store.StoreManyAsync([.. chunk])));
                chunk.Clear();
                chunkResults.Clear();
            }
        }

        try
        {
            var index = 0;
            await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
            {
                if (index == MaxBatch)
                {
                    // Stop reading: results for an endless stream would outgrow any response (and this process's
                    // memory). What was read is stored first (the finally below); a resend of it is answered duplicate.
                    overLimit = true;
                    break;
                }

                var result = new IngestResult { Index = index++ };
                response.Results.Add(result);

                try
                {
                    var message = IngestValidation.Normalize(ToIncoming(request), time.GetUtcNow());
                    if (PageRefusal(caller, message) is { } refusal)
                    {
                        result.Error = Error("PERMISSION_DENIED", refusal);
                        continue;
                    }

                    result.MessageId = message.MessageId;
                    chunk.Add(message);
                    chunkResults.Add(result);
                    if (chunk.Count == MessageStore.MaxPerCall)
                    {
                        Flush();
                    }
                }
                catch (ValidationFailedException ex)
                {
                    result.Error = Error("INVALID_ARGUMENT", ex.Message);
                    result.Error.FieldViolations.Add(ex.Violations.Select(v => new Contracts.Ingestion.V1.FieldViolation { Field = v.Field, Description = v.Description }));
                }
            }

            Flush();
        }
        finally
        {
            // Whatever ends the call (a cancelled client, a broken stream), every write already started is awaited
            // and its outcome recorded: none is left running unobserved.
            foreach (var (results, storeTask) in pending)
            {
                try
                {
                    var stored = await storeTask;
                    for (var i = 0; i < results.Count; i++)
                    {
                        results[i].Duplicate = stored[i].Duplicate;
                    }
                }
                catch (Exception ex) when (RedisFailures.IsStoreFailure(ex))
                {
                    // These messages may not be stored: say so for each, so the client retries exactly these
                    // (a retry is safe: the message id deduplicates).
                    foreach (var result in results)
                    {
                        result.Error = Error("UNAVAILABLE", "The store is unavailable; this message may not be stored. Retry it.");
                    }
                }
            }
        }

        if (overLimit)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"A batch holds at most {MaxBatch} messages; this call sent more. Its first {MaxBatch} messages were taken in " +
                $"({response.Results.Count(r => r.Error is null)} stored or duplicates, the rest refused or not stored); send the " +
                "messages after them in another call. Resending any of the first ones is safe: a repeat is answered duplicate."));
        }

        response.Accepted = response.Results.Count(r => r.Error is null && !r.Duplicate);
        response.Duplicates = response.Results.Count(r => r.Error is null && r.Duplicate);
        response.Rejected = response.Results.Count(r => r.Error is not null);
        return response;
    }

    public override async Task<ListQuarantineResponse> ListQuarantine(ListQuarantineRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0)
        {
            throw new ValidationFailedException("page_size", "must not be negative");
        }

        if (request.PageToken.Length > 0 && !QuarantineStore.IsPageToken(request.PageToken))
        {
            throw new ValidationFailedException("page_token", "is not a token this call gave: pass next_page_token of the previous page as it is, or nothing for the newest");
        }

        var size = request.PageSize == 0 ? 50 : Math.Min(request.PageSize, 500);
        var (items, next) = await quarantine.ListAsync(size, request.PageToken.Length == 0 ? null : request.PageToken);
        return new ListQuarantineResponse
        {
            Requests =
            {
                items.Select(q => new QuarantinedRequest
                {
                    Id = q.Id, Platform = q.Platform, Status = q.Status, Reason = q.Reason, Body = q.Body, Truncated = q.Truncated,
                    ReceivedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(q.ReceivedAt),
                }),
            },
            NextPageToken = next ?? "",
        };
    }

    /// <summary>
    /// Why the caller may not send this message, or null when it may: a client the gateway bound to some authorities'
    /// pages sends only for those pages, which the catalogue must know.
    /// </summary>
    private string? PageRefusal(CallerIdentity caller, CitizenMessage message)
    {
        if (caller.PageOwners.Count == 0)
        {
            return null;
        }

        if (!catalog.IsLoaded)
        {
            throw new RpcException(new Status(StatusCode.Unavailable,
                "The catalogue is still loading, and this client's pages are checked against it; retry shortly."));
        }

        return caller.PageRefusal($"{message.Platform}:{message.PageExternalId}",
            catalog.Current.FindPage(message.Platform, message.PageExternalId)?.OwnerAuthorityId);
    }

    private static IngestError Error(string code, string message) => new() { Code = code, Message = message };

    private static IncomingMessage ToIncoming(IngestRequest r) => new(
        r.Platform.ToDomain(),
        r.PageExternalId,
        r.Kind == CommonPb.MessageKind.Unspecified ? null : (MessageKind)(int)r.Kind,
        r.ExternalId,
        r.ThreadId,
        r.Author?.Id ?? "",
        r.Author?.DisplayName ?? "",
        r.Text,
        [.. r.Attachments.Select(a => new MessageAttachment(a.Type, a.Url))],
        r.Geo?.Latitude,
        r.Geo?.Longitude,
        ToTime(r.CreatedAt),
        r.FromPage,
        r.ReplyToExternalId);

    /// <summary>A timestamp the protobuf runtime can convert; anything else is a field violation, not INTERNAL.</summary>
    private static DateTimeOffset? ToTime(Google.Protobuf.WellKnownTypes.Timestamp? t)
    {
        var v = new Validator();
        var at = RequestTimestamps.Optional(v, "created_at", t);
        v.ThrowIfInvalid();
        return at;
    }
}
