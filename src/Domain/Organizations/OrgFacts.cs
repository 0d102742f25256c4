using CoManagement.Domain.Common;

namespace CoManagement.Domain.Organizations;

/// <summary>
/// What a decider may know about an organisation it does not own. <see cref="AncestorIds"/> runs from the root down to
/// the parent: a reparenting must not make a cycle, a branch must lie under the organisation placing a member in it,
/// and only the organisations above a member's formal branch decide on the formal relationship.
/// </summary>
public sealed record OrgFacts(
    string OrganizationId,
    OrganizationKind Kind,
    Side Side,
    RegionCode Region,
    bool IsOpen,
    IReadOnlyList<string>? AncestorIds = null);
