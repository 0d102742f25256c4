using CoManagement.Application;
using CoManagement.Domain.Common;
using CoManagement.Domain.Organizations;

namespace CoManagement.Host.Auth;

/// <summary>
/// Answers "is this organisation in that one's subtree?" from the organisations' own streams (the same source the
/// deciders trust), caching per request. Masking: ID and phone numbers are shown in full only to staff and auditors
/// whose organisation is the owning (formal) organisation or above it; analysts always see them masked.
/// </summary>
public sealed class OrgScope(OrgFactsReader orgs)
{
    private readonly Dictionary<string, OrgFacts?> _facts = new(StringComparer.Ordinal);

    public async Task<bool> ContainsAsync(string root, string? organizationId, CancellationToken ct)
    {
        if (organizationId is null)
            return false;
        if (organizationId == root)
            return true;
        return await FindAsync(organizationId, ct).ConfigureAwait(false) is { AncestorIds: { } ancestors } && ancestors.Contains(root);
    }

    public async Task<bool> ExistsAsync(string organizationId, CancellationToken ct) =>
        await FindAsync(organizationId, ct).ConfigureAwait(false) is not null;

    /// <summary>
    /// Whether a member's record is in the caller's scope: an outflow-side caller's subtree must hold the organisation
    /// that owns the member, an inflow-side caller's the one the member reported to. The one rule for staff reading the
    /// roster and auditors reading the streams; a caller whose organisation does not exist sees no one.
    /// </summary>
    public Task<bool> SeesMemberAsync(Caller caller, string? outflowOrgId, string? inflowOrgId, CancellationToken ct) =>
        ContainsAsync(caller.OrganizationId, caller.Side == Side.Outflow ? outflowOrgId : inflowOrgId, ct);

    public async Task<bool> SeesUnmaskedAsync(Caller caller, string? owningOrgId, CancellationToken ct) =>
        caller.Role != Roles.Analyst && await ContainsAsync(caller.OrganizationId, owningOrgId, ct).ConfigureAwait(false);

    private async Task<OrgFacts?> FindAsync(string id, CancellationToken ct)
    {
        if (!_facts.TryGetValue(id, out var facts))
            _facts[id] = facts = await orgs.FindAsync(id, withAncestors: true, ct).ConfigureAwait(false);
        return facts;
    }
}
