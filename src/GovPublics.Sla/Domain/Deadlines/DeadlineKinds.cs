namespace GovPublics.Sla.Domain.Deadlines;

/// <summary>The kinds of citizen messages a deadline override may name.</summary>
public static class DeadlineKinds
{
    /// <summary>A public comment under a post of a page.</summary>
    public const string Comment = "comment";

    /// <summary>A private message to a page.</summary>
    public const string PrivateMessage = "private_message";

    /// <summary>All known kinds.</summary>
    public static IReadOnlyList<string> All { get; } = [Comment, PrivateMessage];
}
