using CoManagement.Domain.Common;

namespace CoManagement.Domain.Agreements;

public interface IAgreementEvent : IDomainEvent
{
    string AgreementId { get; }

    string IDomainEvent.StreamId => AgreementId;
}

public sealed record AgreementSigned(
    string AgreementId, string Title, string OutflowDepartmentId, string InflowDepartmentId,
    IReadOnlyList<string> ExtraPartyIds, IReadOnlyList<Commitment> Commitments, int InformationSharingDays,
    DateTimeOffset SignedAt) : IAgreementEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => SignedAt;
}

public sealed record ConsultationHeld(
    string AgreementId, string ConsultationId, string Topic, IReadOnlyList<ActionItem> ActionItems,
    DateTimeOffset HeldAt) : IAgreementEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => HeldAt;
}

public sealed record ActionItemCompleted(string AgreementId, string ItemId, DateTimeOffset CompletedAt) : IAgreementEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => CompletedAt;
}

public sealed record AgreementEnded(string AgreementId, string? Reason, DateTimeOffset EndedAt) : IAgreementEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => EndedAt;
}
