using System.Collections.Immutable;
using CoManagement.Domain.Common;

namespace CoManagement.Domain.Organizations;

public enum OrganizationStatus
{
    None,
    Open,
    Closed,
}

public sealed record OrganizationState
{
    public static readonly OrganizationState Initial = new();

    public OrganizationStatus Status { get; init; }

    public string OrganizationId { get; init; } = "";

    public string Name { get; init; } = "";

    public string? ParentId { get; init; }

    public OrganizationKind Kind { get; init; }

    public Side Side { get; init; }

    public RegionCode Region { get; init; }

    public DateTimeOffset? EstablishedAt { get; init; }

    public DateTimeOffset? ClosedAt { get; init; }

    public ImmutableDictionary<(TargetMetric Metric, int Year), decimal> Targets { get; init; } =
        ImmutableDictionary<(TargetMetric, int), decimal>.Empty;

    /// <summary>The facts other deciders need; ancestors come from the tree, which one stream does not know.</summary>
    public OrgFacts? ToFacts(IReadOnlyList<string>? ancestorIds = null) =>
        Status == OrganizationStatus.None ? null
        : new OrgFacts(OrganizationId, Kind, Side, Region, Status == OrganizationStatus.Open, ancestorIds);
}
