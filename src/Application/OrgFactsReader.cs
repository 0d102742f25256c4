using CoManagement.Domain.Organizations;
using CoManagement.EventStore;

namespace CoManagement.Application;

/// <summary>
/// Cross-stream facts for a decider, read from the organisations' own streams (not a projection), so a command never
/// decides on a read model that lags behind. Ancestors are followed up the parent chain for the cycle check.
/// </summary>
public sealed class OrgFactsReader(PostgresEventStore store, EventTypeRegistry registry)
{
    private const int MaxDepth = 16;

    public async Task<OrgDirectory> LoadAsync(IEnumerable<string> organizationIds, CancellationToken ct = default)
    {
        var facts = new List<OrgFacts>();
        foreach (var id in organizationIds)
        {
            if (await FindAsync(id, withAncestors: true, ct).ConfigureAwait(false) is { } f)
                facts.Add(f);
        }
        return new OrgDirectory(facts);
    }

    public async Task<OrgFacts?> FindAsync(string id, bool withAncestors, CancellationToken ct)
    {
        var state = await FoldAsync(id, ct).ConfigureAwait(false);
        var ancestors = new List<string>();
        for (var parent = state.ParentId; withAncestors && parent is not null && ancestors.Count < MaxDepth;)
        {
            ancestors.Insert(0, parent);
            parent = (await FoldAsync(parent, ct).ConfigureAwait(false)).ParentId;
        }
        return state.ToFacts(ancestors);
    }

    private async Task<OrganizationState> FoldAsync(string id, CancellationToken ct)
    {
        var (state, _) = await store.AggregateStreamAsync(Streams.Organization(id), registry, Organization.Initial,
            (s, e) => Organization.Evolve(s, (IOrganizationEvent)e), ct: ct).ConfigureAwait(false);
        return state;
    }
}
