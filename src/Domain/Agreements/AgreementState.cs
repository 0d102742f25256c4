using System.Collections.Immutable;
using CoManagement.Domain.Common;

namespace CoManagement.Domain.Agreements;

public enum AgreementStatus
{
    None,
    Active,
    Ended,
}

public sealed record AgreementState
{
    public static readonly AgreementState Initial = new();

    public AgreementStatus Status { get; init; }

    public string AgreementId { get; init; } = "";

    public string Title { get; init; } = "";

    public string OutflowDepartmentId { get; init; } = "";

    public string InflowDepartmentId { get; init; } = "";

    public IReadOnlyList<string> ExtraPartyIds { get; init; } = [];

    public IReadOnlyList<Commitment> Commitments { get; init; } = [];

    public int InformationSharingDays { get; init; }

    public DateTimeOffset? SignedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Consultation id → when it was held.</summary>
    public ImmutableDictionary<string, DateTimeOffset> Consultations { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;

    public ImmutableDictionary<string, ActionItemState> ActionItems { get; init; } = ImmutableDictionary<string, ActionItemState>.Empty;

    public IEnumerable<string> Parties => ExtraPartyIds.Prepend(InflowDepartmentId).Prepend(OutflowDepartmentId);
}

public sealed record ActionItemState(string ConsultationId, ActionItem Item, DateTimeOffset AgreedAt, DateTimeOffset? CompletedAt = null);
