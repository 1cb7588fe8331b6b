using Google.Protobuf.WellKnownTypes;
using GovPublics.Contracts.Registry.V1;
using GovPublics.Registry.Storage;

namespace GovPublics.Registry.Grpc;

/// <summary>Knowledge documents and edit results as their contract messages.</summary>
internal static class KnowledgeProtoMapping
{
    /// <summary>At most this many added or removed entries are listed in an answer (the counts have them all).</summary>
    public const int MaxListedEntries = 500;

    public static KnowledgeDocumentInfo ToInfo(StoredKnowledge d) => new()
    {
        Name = d.Name,
        Version = d.Version,
        UpdatedBy = d.UpdatedBy,
        UpdatedAt = d.UpdatedAt == default ? null : Timestamp.FromDateTimeOffset(d.UpdatedAt),
        Comment = d.Comment,
        SizeBytes = d.SizeBytes,
        Label = d.Label,
        CatalogVersion = d.CatalogVersion,
    };

    public static UpdateKnowledgeResponse ToProto(KnowledgeEditResult result) => new()
    {
        Applied = result.Applied,
        Unchanged = result.Plan.Unchanged,
        Document = ToInfo(result.Document),
        KnowledgeVersion = result.Plan.KnowledgeVersion,
        Added = { result.Plan.Diff.Added.Take(MaxListedEntries) },
        Removed = { result.Plan.Diff.Removed.Take(MaxListedEntries) },
        AddedCount = result.Plan.Diff.Added.Count,
        RemovedCount = result.Plan.Diff.Removed.Count,
    };
}
