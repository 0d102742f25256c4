namespace CoManagement.Contracts;

/// <summary>
/// A command for the co-management service. Sent by the party-affairs systems of either side (outflow: the member's
/// formal branch and its department; inflow: the destination's committees, stations and branches) to the service's
/// command queue (<c>comanagement-commands</c> by default) as a request; received by the service, which replies with
/// <see cref="CommandAccepted"/> or <see cref="CommandRejected"/>.
/// <para>
/// <see cref="CommandId"/> (a UUID chosen by the sender) makes the command idempotent for ever: sending it again appends
/// nothing and gets the first answer again — accepted as a duplicate, or the same rejection, even if the command would be
/// accepted now (to try again after a rejection, send a new command id). When it is null the message id is used, so a
/// redelivered message is recognised too.
/// The actor's organisation must exist and be on the side the actor names; commands on the formal relationship
/// (registering, requesting a transfer, recording a return, suspending, restoring, concluding) come from the member's
/// formal branch or an organisation above it (an inflow organisation that found a member may register them too); an
/// organisation is created by its parent or one above it (a root by itself) and changed by itself or one above it; an
/// agreement is acted on by a party or an organisation above one. Anyone else is rejected with <c>actor.not-responsible</c>.
/// Enumerations travel as their names (case-insensitive); times are ISO 8601 with an offset.
/// A message the service cannot read (a missing field, an unknown name, a malformed id) sent as a request is answered
/// with <see cref="CommandRejected"/>, reason code <c>command.unreadable</c> (under the command id if it is a UUID, else
/// the message id); one sent without a response address goes to the queue's <c>_error</c> queue with the reason in its
/// <c>MT-Fault-Message</c> header. Neither is remembered: the same command id, readable, is judged afresh.
/// A request the service could not handle because its database was unreachable (after a few seconds of retries) is
/// rejected with <c>service.unavailable</c>; that answer is not remembered either: send the same command id again later.
/// </para>
/// </summary>
public interface ICommandMessage
{
    string? CommandId { get; }

    Actor Actor { get; }
}

/// <summary>Who issues a command: a user acting for one organisation on one side (<c>Outflow</c> | <c>Inflow</c>).</summary>
public sealed record Actor(string UserId, string OrganizationId, string Side);

/// <summary>
/// Reply to the sender of a command: it was accepted and the stream is now at <paramref name="Version"/>.
/// No <paramref name="EventTypes"/> means there was nothing to do (the state already held); <paramref name="Duplicate"/>
/// means the command id was seen before and this is the first answer again.
/// </summary>
public sealed record CommandAccepted(Guid CommandId, string StreamId, long Version, IReadOnlyList<string> EventTypes, bool Duplicate);

/// <summary>
/// Reply to the sender of a command: a business rule refused it; <paramref name="ReasonCode"/> is stable
/// (e.g. <c>member.not-reported</c>).
/// </summary>
public sealed record CommandRejected(Guid CommandId, string ReasonCode, string Message);
