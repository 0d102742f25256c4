using CoManagement.Domain.Common;

namespace CoManagement.Domain.Organizations;

public interface IOrganizationEvent : IDomainEvent
{
    string OrganizationId { get; }

    string IDomainEvent.StreamId => OrganizationId;
}

public sealed record OrganizationCreated(
    string OrganizationId, string Name, string? ParentId, OrganizationKind Kind, Side Side, RegionCode Region,
    DateTimeOffset EstablishedAt) : IOrganizationEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => EstablishedAt;
}

public sealed record OrganizationRenamed(string OrganizationId, string Name, DateTimeOffset RenamedAt) : IOrganizationEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => RenamedAt;
}

/// <summary>Carries the previous parent so a subtree projection can move the branch without reading state.</summary>
public sealed record OrganizationReparented(
    string OrganizationId, string? PreviousParentId, string ParentId, DateTimeOffset ReparentedAt) : IOrganizationEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => ReparentedAt;
}

public sealed record OrganizationClosed(string OrganizationId, DateTimeOffset ClosedAt) : IOrganizationEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => ClosedAt;
}

public sealed record TargetSet(
    string OrganizationId, TargetMetric Metric, int Year, decimal Value, DateTimeOffset SetAt) : IOrganizationEvent
{
    DateTimeOffset IDomainEvent.OccurredAt => SetAt;
}
