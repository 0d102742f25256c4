using CoManagement.EventStore;
using CoManagement.Projections.Common;
using Npgsql;

namespace CoManagement.Projections.Orgs;

/// <summary>
/// Organisations (inline): <c>orgs</c> (id, name, parent, kind, side, region, province, open/closed, ancestors root→self
/// with a GIN index, depth) and <c>targets</c> (org, metric, year, value, with the position that set it).
/// </summary>
internal sealed class OrgsProjection(EventTypeRegistry registry) : DomainProjection(registry, StreamKind.Organization)
{
    public override string Name => ProjectionNames.Orgs;

    public override Task CreateAsync(NpgsqlConnection connection, string schema, CancellationToken ct) =>
        Db.ExecuteAsync(connection, OrgTree.Create(schema), ct);

    protected override Task ApplyRunAsync(NpgsqlConnection c, string s, StreamKind kind, List<DecodedEvent> events, CancellationToken ct) =>
        OrgTree.ApplyAsync(c, s, events, null, ct);
}
