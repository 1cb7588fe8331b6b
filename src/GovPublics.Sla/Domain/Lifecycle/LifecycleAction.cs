using GovPublics.Catalog;

namespace GovPublics.Sla.Domain.Lifecycle;

/// <summary>
/// What can be done to an incident. Staff act through the gRPC API (assign, take, answer, resolve, close, reject,
/// reopen); the pipeline reroutes and dismisses by routing's decisions, records a page's reply in the thread, and
/// reopens when the citizen writes again.
/// </summary>
public enum LifecycleAction
{
    /// <summary>Give the incident to an executor (new, assigned or in progress → assigned).</summary>
    Assign = 1,

    /// <summary>The executor takes it into work (new or assigned → in progress).</summary>
    Take = 2,

    /// <summary>"We are working on it": the first response; starts the final answer's deadline.</summary>
    AnswerIntermediate = 3,

    /// <summary>The answer on the merits.</summary>
    AnswerFinal = 4,

    /// <summary>The problem is solved (needs a final answer).</summary>
    Resolve = 5,

    /// <summary>ЦУР closes it after checking the answer.</summary>
    Close = 6,

    /// <summary>"Not ours": back to ЦУР's moderation to be routed again.</summary>
    Reject = 7,

    /// <summary>Work again on an answered, resolved or closed incident.</summary>
    Reopen = 8,

    /// <summary>Routing's newer decision names another authority or topic.</summary>
    Reroute = 9,

    /// <summary>Routing's newer decision says it is not an incident after all.</summary>
    Dismiss = 10,

    /// <summary>The official page replied in the incident's thread on the platform.</summary>
    PlatformReply = 11,
}

/// <summary>An intermediate answer ("we are on it, answer by …") or the final one.</summary>
public enum AnswerKind
{
    Intermediate = 1,
    Final = 2,
}

public static class LifecycleActionNames
{
    /// <summary>The action's name in the history, the incident feed and error messages, e.g. <c>answer_final</c>.</summary>
    public static string Name(this LifecycleAction action) => EnumText.Format(action);

    /// <summary>The answer action of a kind.</summary>
    public static LifecycleAction Action(this AnswerKind kind) =>
        kind == AnswerKind.Final ? LifecycleAction.AnswerFinal : LifecycleAction.AnswerIntermediate;
}
