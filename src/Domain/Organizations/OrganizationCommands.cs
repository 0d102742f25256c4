using CoManagement.Domain.Common;

namespace CoManagement.Domain.Organizations;

public interface IOrganizationCommand : ICommand
{
    string OrganizationId { get; }
}

/// <summary>Creates an organisation; <paramref name="ParentId"/> is null only for a root department or committee.</summary>
public sealed record CreateOrganization(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string OrganizationId, string Name, string? ParentId, OrganizationKind Kind, Side Side, string RegionCode,
    DateTimeOffset EstablishedAt) : IOrganizationCommand;

public sealed record RenameOrganization(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string OrganizationId, string Name, DateTimeOffset RenamedAt) : IOrganizationCommand;

public sealed record ReparentOrganization(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string OrganizationId, string ParentId, DateTimeOffset ReparentedAt) : IOrganizationCommand;

public sealed record CloseOrganization(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string OrganizationId, DateTimeOffset ClosedAt) : IOrganizationCommand;

/// <summary>A year-end target for one figure, as a fraction 0–1.</summary>
public sealed record SetTarget(
    Guid CommandId, Actor Actor, DateTimeOffset Now,
    string OrganizationId, TargetMetric Metric, int Year, decimal Value, DateTimeOffset SetAt) : IOrganizationCommand;
