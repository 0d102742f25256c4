using CoManagement.Domain.Common;

namespace CoManagement.Domain.Organizations;

/// <summary>
/// What a decider may know about an organisation it does not own. <see cref="AncestorIds"/> runs from the root down to
/// the parent; it is only needed to refuse a reparenting that would make a cycle, so it may be left empty elsewhere.
/// </summary>
public sealed record OrgFacts(
    string OrganizationId,
    OrganizationKind Kind,
    Side Side,
    RegionCode Region,
    bool IsOpen,
    IReadOnlyList<string>? AncestorIds = null);
