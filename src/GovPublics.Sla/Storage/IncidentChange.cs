using GovPublics.Sla.Domain.Incidents;

namespace GovPublics.Sla.Storage;

/// <summary>The result of a change function for <see cref="IncidentStore.ApplyAsync"/>: the changed incident, and an
/// entry for another stream to append in the same script.</summary>
public sealed record IncidentChange(Incident Incident, IncidentOutboxEntry? Outbox = null);

/// <summary>A stream entry written atomically with an incident's change: fields id (a message id), incident, data, tp.</summary>
/// <param name="Stream">The stream's key.</param>
/// <param name="MessageId">The <c>id</c> field: the message the entry is about.</param>
/// <param name="Payload">The <c>data</c> field, JSON.</param>
public sealed record IncidentOutboxEntry(string Stream, string MessageId, string Payload);
