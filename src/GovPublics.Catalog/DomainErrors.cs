namespace GovPublics.Catalog;

/// <summary>One invalid field of a request: its contract name (snake_case) and what is wrong with it.</summary>
public sealed record FieldViolation(string Field, string Description)
{
    /// <summary>
    /// The first violations within <paramref name="maxCount"/> and <paramref name="maxBytes"/> UTF-8 bytes of fields
    /// and descriptions, and how many are left out: a refusal travels in the HTTP/2 trailers, which hold 64 KiB.
    /// </summary>
    public static (IReadOnlyList<FieldViolation> Listed, int Left) FirstWithin(IReadOnlyList<FieldViolation> violations, int maxCount, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var bytes = 0;
        var count = 0;
        foreach (var v in violations)
        {
            bytes += System.Text.Encoding.UTF8.GetByteCount(v.Field) + System.Text.Encoding.UTF8.GetByteCount(v.Description);
            if (count == maxCount || bytes > maxBytes)
            {
                break;
            }

            count++;
        }

        return ([.. violations.Take(count)], violations.Count - count);
    }
}

/// <summary>A request that breaks the rules; transports map it to INVALID_ARGUMENT / 400 with the violations.</summary>
public sealed class ValidationFailedException(IReadOnlyList<FieldViolation> violations)
    : Exception(string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}")))
{
    public ValidationFailedException(string field, string description)
        : this([new FieldViolation(field, description)])
    {
    }

    public IReadOnlyList<FieldViolation> Violations { get; } = violations;
}

/// <summary>A named entity that does not exist; transports map it to NOT_FOUND / 404.</summary>
public sealed class EntityNotFoundException(string entity, string id)
    : Exception($"{entity} '{id}' was not found")
{
    public string Entity { get; } = entity;

    public string Id { get; } = id;
}

/// <summary>Collects field violations and throws them all at once.</summary>
public sealed class Validator
{
    private readonly List<FieldViolation> _violations = [];

    public bool IsValid => _violations.Count == 0;

    public Validator Add(string field, string description)
    {
        _violations.Add(new FieldViolation(field, description));
        return this;
    }

    public Validator Require(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
        }

        return this;
    }

    public Validator MaxLength(string field, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            Add(field, $"must be at most {max} characters, got {value.Length}");
        }

        return this;
    }

    public void ThrowIfInvalid()
    {
        if (_violations.Count > 0)
        {
            throw new ValidationFailedException([.. _violations]);
        }
    }
}

/// <summary>A change lost the race against other writers too many times in a row (gRPC ABORTED: retry it).</summary>
public sealed class ContentionException(string message) : Exception(message);

/// <summary>The caller may not act on this entity (an executor on another authority's incident); PERMISSION_DENIED.</summary>
public sealed class AccessDeniedException(string message) : Exception(message);

/// <summary>The entity changed since the caller read it; transports map it to ABORTED (read again, redo).</summary>
public sealed class ConcurrencyConflictException(string entity, string id, long expected, long current)
    : Exception($"{entity} '{id}' was changed by someone else: you sent version {expected}, the current one is {current}. Read it again and redo the change.")
{
    public long CurrentVersion { get; } = current;
}

/// <summary>An entity with this identity exists already; transports map it to ALREADY_EXISTS.</summary>
public sealed class EntityExistsException(string message) : Exception(message);

/// <summary>The change is valid but the catalogue's state forbids it now; transports map it to FAILED_PRECONDITION.</summary>
public sealed class PreconditionFailedException(string message, IReadOnlyList<string> blockers) : Exception(message)
{
    /// <summary>What stands in the way, e.g. "pages/vk-adm-tolyatti".</summary>
    public IReadOnlyList<string> Blockers { get; } = blockers;
}

/// <summary>
/// An action the entity's current state does not allow (taking an incident that is already in progress, resolving
/// one that has no final answer); transports map it to FAILED_PRECONDITION naming the state and the actions it allows.
/// </summary>
public sealed class InvalidStateTransitionException(string entity, string id, string state, string action, IReadOnlyList<string> allowed)
    : Exception($"{entity} '{id}' is {state}: '{action}' is not allowed now; allowed: {(allowed.Count == 0 ? "none" : string.Join(", ", allowed))}")
{
    public string Entity { get; } = entity;

    public string Id { get; } = id;

    /// <summary>The state the entity is in, e.g. "in_progress".</summary>
    public string State { get; } = state;

    /// <summary>The refused action, e.g. "take".</summary>
    public string Action { get; } = action;

    /// <summary>The actions the state allows.</summary>
    public IReadOnlyList<string> Allowed { get; } = allowed;
}

/// <summary>
/// The service lacks reference data the operation needs (a year of a production calendar, say): nothing the caller
/// sent is wrong, and a retry will not help until an operator adds the data. Transports map it to
/// FAILED_PRECONDITION with the message, which names what to add.
/// </summary>
public class ReferenceDataMissingException(string message) : Exception(message);
