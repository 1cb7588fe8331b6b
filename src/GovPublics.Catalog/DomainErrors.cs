namespace GovPublics.Catalog;

/// <summary>One invalid field of a request: its contract name (snake_case) and what is wrong with it.</summary>
public sealed record FieldViolation(string Field, string Description);

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
