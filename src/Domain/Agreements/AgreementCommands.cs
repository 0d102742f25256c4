using CoManagement.Domain.Common;

namespace CoManagement.Domain.Agreements;

public interface IAgreementCommand : ICommand
{
    string AgreementId { get; }
}

/// <summary>
/// 共管协议 between an outflow-side and an inflow-side department; offices abroad or mobile committees may join as
/// extra parties. Information must be shared within <paramref name="InformationSharingDays"/> days.
/// </summary>
public sealed record SignAgreement(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string AgreementId, string Title, string OutflowDepartmentId, string InflowDepartmentId,
    IReadOnlyList<string> ExtraPartyIds, IReadOnlyList<Commitment> Commitments, int InformationSharingDays,
    DateTimeOffset SignedAt) : IAgreementCommand;

/// <summary>会商, with the action items agreed there.</summary>
public sealed record HoldConsultation(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string AgreementId, string ConsultationId, string Topic, IReadOnlyList<ActionItem> ActionItems,
    DateTimeOffset HeldAt) : IAgreementCommand;

public sealed record CompleteActionItem(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string AgreementId, string ItemId, DateTimeOffset CompletedAt) : IAgreementCommand;

public sealed record EndAgreement(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string AgreementId, string? Reason, DateTimeOffset EndedAt) : IAgreementCommand;
