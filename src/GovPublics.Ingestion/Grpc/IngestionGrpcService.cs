using GovPublics.Catalog;
using GovPublics.Common.Pipeline;
using GovPublics.Common.Registry;
using GovPublics.Contracts.Ingestion.V1;
using GovPublics.Ingestion.Domain;
using GovPublics.Ingestion.Storage;
using Grpc.Core;
using StackExchange.Redis;
using CommonPb = GovPublics.Contracts.Common.V1;

namespace GovPublics.Ingestion.Grpc;

/// <summary>The integrators' ingest API: validate, normalize, store atomically, answer with the message id.</summary>
public sealed class IngestionGrpcService(MessageStore store, TimeProvider time) : IngestionService.IngestionServiceBase
{
    /// <summary>At most this many messages in one batch call.</summary>
    public const int MaxBatch = 10_000;

    public override async Task<IngestResponse> Ingest(IngestRequest request, ServerCallContext context)
    {
        var message = IngestValidation.Normalize(ToIncoming(request), time.GetUtcNow());
        var result = await store.StoreAsync(message);
        return new IngestResponse { MessageId = result.MessageId, Duplicate = result.Duplicate };
    }

    public override async Task<IngestBatchResponse> IngestBatch(IAsyncStreamReader<IngestRequest> requestStream, ServerCallContext context)
    {
        var response = new IngestBatchResponse();
        var pending = new List<(IngestResult Result, Task<StoreResult> Store)>();
        var index = 0;
        await foreach (var request in requestStream.ReadAllAsync(context.CancellationToken))
        {
            if (index >= MaxBatch)
            {
                throw new ValidationFailedException("requests", $"a batch holds at most {MaxBatch} messages; send the rest in another batch");
            }

            var result = new IngestResult { Index = index++ };
            response.Results.Add(result);
            try
            {
                var message = IngestValidation.Normalize(ToIncoming(request), time.GetUtcNow());
                result.MessageId = message.MessageId;
                // Writes are pipelined on the shared connection; every one is awaited before the answer.
                pending.Add((result, store.StoreAsync(message)));
            }
            catch (ValidationFailedException ex)
            {
                result.Error = new IngestError
                {
                    Code = "INVALID_ARGUMENT",
                    Message = ex.Message,
                    FieldViolations = { ex.Violations.Select(v => new Contracts.Ingestion.V1.FieldViolation { Field = v.Field, Description = v.Description }) },
                };
                response.Rejected++;
            }
        }

        foreach (var (result, storeTask) in pending)
        {
            try
            {
                var stored = await storeTask;
                result.Duplicate = stored.Duplicate;
                if (stored.Duplicate)
                {
                    response.Duplicates++;
                }
                else
                {
                    response.Accepted++;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // This message was not stored: say so for it alone, so the client retries exactly these.
                result.Error = new IngestError { Code = "UNAVAILABLE", Message = "The store is unavailable; this message was not stored. Retry it." };
                response.Rejected++;
            }
        }

        return response;
    }

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
        r.CreatedAt?.ToDateTimeOffset(),
        r.FromPage,
        r.ReplyToExternalId);
}
