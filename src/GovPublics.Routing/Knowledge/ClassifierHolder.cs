using GovPublics.Routing.Domain;

namespace GovPublics.Routing.Knowledge;

/// <summary>
/// The classifier in use, with the knowledge version it was built from. A new knowledge version is a new
/// <see cref="MessageClassifier"/> swapped in whole (one reference write), so each caller that reads
/// <see cref="Current"/> once classifies a message with one consistent version, however often it changes.
/// </summary>
public sealed class ClassifierHolder
{
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile MessageClassifier? _current;
    private volatile string? _lastError;

    /// <summary>The classifier in use; throws until the first knowledge is loaded (check <see cref="IsLoaded"/>).</summary>
    public MessageClassifier Current => _current ?? throw new InvalidOperationException("The routing knowledge is not loaded yet.");

    public bool IsLoaded => _current is not null;

    /// <summary>Where the knowledge in use came from: "registry" or the shipped files' directory.</summary>
    public string Source { get; private set; } = "";

    /// <summary>Why the last knowledge version could not be used (the previous one is still in use), or null.</summary>
    public string? LastError => _lastError;

    /// <summary>Waits until the first knowledge is loaded.</summary>
    public Task WaitLoadedAsync(CancellationToken cancellationToken) => _loaded.Task.WaitAsync(cancellationToken);

    /// <summary>Puts a classifier built on new knowledge in use and clears the last error.</summary>
    public void Swap(MessageClassifier classifier, string source)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        Source = source;
        _lastError = null;
        _current = classifier;
        _loaded.TrySetResult();
    }

    /// <summary>Records that a new version was refused; the classifier in use stays.</summary>
    public void Refused(string error) => _lastError = error;
}
