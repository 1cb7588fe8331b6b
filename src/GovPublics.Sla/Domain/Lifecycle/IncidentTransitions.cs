using System.Collections.Frozen;
using GovPublics.Catalog;
using GovPublics.Sla.Domain.Incidents;

namespace GovPublics.Sla.Domain.Lifecycle;

/// <summary>
/// The lifecycle's transition table: which action is legal in which status, and the status it leads to. Two
/// guards refine it on answered incidents: a final answer is given once (answered with a final answer refuses
/// another), and resolving needs the final answer. Reopening leads to in progress when someone has worked on the
/// incident, otherwise to new.
/// </summary>
public static class IncidentTransitions
{
    private static readonly FrozenDictionary<(IncidentStatus From, LifecycleAction Action), IncidentStatus> _table = Build();

    /// <summary>Every (status, action) → status pair of the table, before guards.</summary>
    public static IReadOnlyDictionary<(IncidentStatus From, LifecycleAction Action), IncidentStatus> Table => _table;

    /// <summary>Every action, in declaration order.</summary>
    public static IReadOnlyList<LifecycleAction> Actions { get; } = Enum.GetValues<LifecycleAction>();

    /// <summary>The status <paramref name="action"/> leads <paramref name="incident"/> to, or null when it is not allowed now.</summary>
    public static IncidentStatus? Target(Incident incident, LifecycleAction action)
    {
        if (!_table.TryGetValue((incident.Status, action), out var target))
        {
            return null;
        }

        return action switch
        {
            LifecycleAction.AnswerFinal when incident.Status == IncidentStatus.Answered && incident.FinalAnswerAt is not null => null,
            LifecycleAction.Resolve when incident.FinalAnswerAt is null => null,
            LifecycleAction.Reopen when incident.AssigneeId.Length == 0 => IncidentStatus.New,
            _ => target,
        };
    }

    /// <summary>The actions people take through the API (the others are the pipeline's).</summary>
    public static IReadOnlyList<LifecycleAction> StaffActions { get; } =
    [
        LifecycleAction.Assign, LifecycleAction.Take, LifecycleAction.AnswerIntermediate, LifecycleAction.AnswerFinal,
        LifecycleAction.Resolve, LifecycleAction.Close, LifecycleAction.Reject, LifecycleAction.Reopen,
    ];

    /// <summary>The actions allowed on <paramref name="incident"/> now.</summary>
    public static IReadOnlyList<LifecycleAction> Allowed(Incident incident) =>
        [.. Actions.Where(a => Target(incident, a) is not null)];

    /// <summary>The actions people may take on <paramref name="incident"/> now.</summary>
    public static IReadOnlyList<LifecycleAction> AllowedToStaff(Incident incident) =>
        [.. StaffActions.Where(a => Target(incident, a) is not null)];

    /// <summary>
    /// The target status of <paramref name="action"/>, or <see cref="InvalidStateTransitionException"/> naming the
    /// incident's status and the actions it allows (to people, when a person's action was refused).
    /// </summary>
    public static IncidentStatus Require(Incident incident, LifecycleAction action) =>
        Target(incident, action) ?? throw new InvalidStateTransitionException(
            "incident", incident.Id, StatusName(incident), action.Name(),
            [.. (StaffActions.Contains(action) ? AllowedToStaff(incident) : Allowed(incident)).Select(a => a.Name())]);

    /// <summary>The status as the contract spells it, e.g. "in_progress"; answered says which answer it has.</summary>
    public static string StatusName(Incident incident) => incident.Status switch
    {
        IncidentStatus.Answered when incident.FinalAnswerAt is not null => "answered (final answer given)",
        IncidentStatus.Answered => "answered (intermediate answer given)",
        var s => EnumText.Format(s),
    };

    private static FrozenDictionary<(IncidentStatus, LifecycleAction), IncidentStatus> Build()
    {
        const IncidentStatus New = IncidentStatus.New, Assigned = IncidentStatus.Assigned, InProgress = IncidentStatus.InProgress,
            Answered = IncidentStatus.Answered, Resolved = IncidentStatus.Resolved, Closed = IncidentStatus.Closed,
            Rejected = IncidentStatus.Rejected;
        var table = new Dictionary<(IncidentStatus, LifecycleAction), IncidentStatus>();
        void Allow(LifecycleAction action, IncidentStatus to, params IncidentStatus[] from)
        {
            foreach (var status in from)
            {
                table.Add((status, action), to);
            }
        }

        Allow(LifecycleAction.Assign, Assigned, New, Assigned, InProgress);
        Allow(LifecycleAction.Take, InProgress, New, Assigned);
        Allow(LifecycleAction.AnswerIntermediate, Answered, New, Assigned, InProgress);
        Allow(LifecycleAction.AnswerFinal, Answered, New, Assigned, InProgress, Answered);
        Allow(LifecycleAction.Resolve, Resolved, Answered);
        Allow(LifecycleAction.Close, Closed, Answered, Resolved);
        Allow(LifecycleAction.Reject, Rejected, New, Assigned, InProgress);
        Allow(LifecycleAction.Reopen, InProgress, Answered, Resolved, Closed);
        Allow(LifecycleAction.Reroute, New, New, Assigned, InProgress, Answered, Resolved, Closed, Rejected);
        Allow(LifecycleAction.Dismiss, Closed, New, Assigned, InProgress, Answered, Resolved, Closed, Rejected);
        Allow(LifecycleAction.PlatformReply, Answered, New, Assigned, InProgress);
        return table.ToFrozenDictionary();
    }
}
