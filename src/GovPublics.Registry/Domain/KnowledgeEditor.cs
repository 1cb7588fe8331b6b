using GovPublics.Catalog;
using GovPublics.Routing.Domain;

namespace GovPublics.Registry.Domain;

/// <summary>What a knowledge edit would do: the compiled result, its diff against the stored set, and labels.</summary>
/// <param name="Unchanged">The content equals the stored version: nothing to store.</param>
/// <param name="Label">The new document's own "version" label.</param>
/// <param name="KnowledgeVersion">The knowledge version routing will report once the edit is in use.</param>
/// <param name="Diff">The entries the edit adds and removes.</param>
public sealed record KnowledgeEditPlan(bool Unchanged, string Label, string KnowledgeVersion, KnowledgeDiff Diff);

/// <summary>
/// Checks an edit of one routing knowledge document: the request's fields, then the whole knowledge set compiled
/// with this document replaced (the classifier's own compiler, so what passes here compiles in routing). Problems
/// become field violations: <c>content</c> plus the JSON path for the edited document ("content.topics[3].name"),
/// the other document's name plus the path for a problem the edit causes elsewhere ("topics.topics[0].terms[2].words[1]").
/// </summary>
public static class KnowledgeEditor
{
    public const int MaxContentBytes = 1024 * 1024;
    public const int MaxLoginLength = 200;
    public const int MaxCommentLength = 2_000;

    /// <summary>Refuses a name that is not one of the five documents.</summary>
    public static void ValidateName(Validator validator, string name)
    {
        ArgumentNullException.ThrowIfNull(validator);
        if (string.IsNullOrWhiteSpace(name))
        {
            validator.Add("name", "is required");
        }
        else if (!RoutingKnowledge.DocumentNames.Contains(name))
        {
            validator.Add("name", $"'{name}' is not a knowledge document (one of {string.Join(", ", RoutingKnowledge.DocumentNames)})");
        }
    }

    /// <summary>Checks the request's own fields (name, content size, who, comment); throws them all at once.</summary>
    public static void ValidateRequest(string name, string? content, long expectedVersion, string updatedBy, string comment)
    {
        var v = new Validator();
        ValidateName(v, name);
        if (content is not null)
        {
            v.Require("content", content);
            if (System.Text.Encoding.UTF8.GetByteCount(content) > MaxContentBytes)
            {
                v.Add("content", $"must be at most {MaxContentBytes} bytes");
            }
        }

        if (expectedVersion < 0)
        {
            v.Add("expected_version", "must not be negative");
        }

        v.Require("updated_by", updatedBy).MaxLength("updated_by", updatedBy, MaxLoginLength)
            .MaxLength("comment", comment, MaxCommentLength)
            .ThrowIfInvalid();
    }

    /// <summary>
    /// Compiles the stored documents with <paramref name="name"/> replaced by <paramref name="content"/> and
    /// compares the result with the stored set. Throws <see cref="ValidationFailedException"/> listing every problem.
    /// </summary>
    /// <param name="stored">The stored documents' contents and versions by name.</param>
    /// <param name="current">The stored set compiled (null when it does not compile, or is incomplete).</param>
    /// <param name="name">The edited document.</param>
    /// <param name="content">Its new content.</param>
    /// <param name="territoryExists">Checks places' territories against the catalogue (only when places is edited).</param>
    public static (KnowledgeEditPlan Plan, RoutingKnowledge Knowledge) Plan(
        IReadOnlyDictionary<string, (string Content, long Version)> stored, RoutingKnowledge? current,
        string name, string content, Func<string, bool> territoryExists)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var documents = stored.ToDictionary(kv => kv.Key, kv => kv.Value.Content, StringComparer.Ordinal);
        documents[name] = content;
        var revisions = stored.ToDictionary(kv => kv.Key, kv => kv.Value.Version, StringComparer.Ordinal);
        var unchanged = stored.TryGetValue(name, out var old) && old.Content == content;
        revisions[name] = unchanged ? old.Version : old.Version + 1;
        var compiled = RoutingKnowledge.Compile(documents, new KnowledgeOptions
        {
            Revisions = revisions,
            TerritoryExists = name == "places" ? territoryExists : null,
        });
        if (compiled.Compiled is not { } knowledge)
        {
            throw new ValidationFailedException([.. compiled.Errors.Select(e => ToViolation(e, name))]);
        }

        var label = knowledge.FileVersions[name];
        var hash = label.LastIndexOf('#');
        var diff = current is null ? new KnowledgeDiff(knowledge.Entries, []) : KnowledgeDiff.Between(current, knowledge);
        return (new KnowledgeEditPlan(unchanged, hash < 0 ? label : label[..hash], knowledge.Version, diff), knowledge);
    }

    /// <summary>"content.topics[3].terms[0].weight" for the edited document, "cues.classes.spam[0]" for another.</summary>
    public static FieldViolation ToViolation(KnowledgeError error, string editedDocument)
    {
        ArgumentNullException.ThrowIfNull(error);
        var rest = error.Path.StartsWith('$') ? error.Path[1..] : "." + error.Path;
        return error.Document == editedDocument
            ? new FieldViolation("content" + rest, error.Message)
            : new FieldViolation(error.Document + rest, $"{error.Message} (in the stored {error.Document} document, with this change)");
    }
}
