namespace CoManagement.Contracts;

/// <summary>
/// Sent by either party department: a 共管协议 between an outflow-side and an inflow-side department;
/// <paramref name="ExtraPartyIds"/> may be omitted. <paramref name="Commitments"/>: MemberCoManagement | ResourceSharing |
/// JointOrganisationBuilding | JointActivities | JointRoleEffect.
/// </summary>
public sealed record SignAgreement(
    string? CommandId, Actor Actor, string AgreementId, string Title, string OutflowDepartmentId, string InflowDepartmentId,
    IReadOnlyList<string>? ExtraPartyIds, IReadOnlyList<string> Commitments, int? InformationSharingDays,
    DateTimeOffset SignedAt) : ICommandMessage;

/// <summary>Sent by a party department: a 会商, with the action items agreed there (the list may be empty).</summary>
public sealed record HoldConsultation(
    string? CommandId, Actor Actor, string AgreementId, string ConsultationId, string Topic, IReadOnlyList<ActionItem> ActionItems,
    DateTimeOffset HeldAt) : ICommandMessage;

/// <summary>A task agreed at a consultation, owned by one side (<c>Outflow</c> | <c>Inflow</c>), due by a date that may lie ahead.</summary>
public sealed record ActionItem(string ItemId, string Text, string Owner, DateTimeOffset DueAt);

/// <summary>Sent by a party department (or one above it), usually of the side that owns the action item.</summary>
public sealed record CompleteActionItem(
    string? CommandId, Actor Actor, string AgreementId, string ItemId, DateTimeOffset CompletedAt) : ICommandMessage;

/// <summary>Sent by a party department.</summary>
public sealed record EndAgreement(
    string? CommandId, Actor Actor, string AgreementId, string? Reason, DateTimeOffset EndedAt) : ICommandMessage;
