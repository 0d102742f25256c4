namespace CoManagement.Contracts;

/// <summary>
/// Sent by the parent organisation or one above it (the department that maintains its part of the tree); a root, whose
/// <paramref name="ParentId"/> is null (a Department or Committee at the top of a tree), by itself: the actor names it. <paramref name="Kind"/>:
/// Department | Committee | Branch | MobileBranch | LiaisonStation | ServiceStation | RegistrationPoint | OfficeAbroad;
/// <paramref name="Side"/>: Outflow | Inflow; <paramref name="RegionCode"/>: 6-digit administrative region code.
/// </summary>
public sealed record CreateOrganization(
    string? CommandId, Actor Actor, string OrganizationId, string Name, string? ParentId, string Kind, string Side,
    string RegionCode, DateTimeOffset EstablishedAt) : ICommandMessage;

/// <summary>Sent by the organisation itself or one above it.</summary>
public sealed record RenameOrganization(
    string? CommandId, Actor Actor, string OrganizationId, string Name, DateTimeOffset RenamedAt) : ICommandMessage;

/// <summary>Sent by the organisation itself or one above it; the new parent may not lie below it.</summary>
public sealed record ReparentOrganization(
    string? CommandId, Actor Actor, string OrganizationId, string ParentId, DateTimeOffset ReparentedAt) : ICommandMessage;

/// <summary>Sent by the organisation itself or one above it; a closed organisation takes no new members.</summary>
public sealed record CloseOrganization(string? CommandId, Actor Actor, string OrganizationId, DateTimeOffset ClosedAt) : ICommandMessage;

/// <summary>
/// Sent by the organisation itself or one above it: a year-end target as a fraction 0–1. <paramref name="Metric"/>: ReportRate | CoverageRate |
/// EffectiveCoverage | InProvinceCoverage | OutOfProvinceCoverage | TransferRate | ContactRate | ParticipationRate.
/// </summary>
public sealed record SetTarget(
    string? CommandId, Actor Actor, string OrganizationId, string Metric, int? Year, decimal? Value, DateTimeOffset SetAt) : ICommandMessage;
