using CoManagement.EventStore;
using CoManagement.Projections.Common;
using CoManagement.Projections.Members;
using Npgsql;

namespace CoManagement.Projections.Roster;

/// <summary>
/// The roster (inline): one row per member in <c>roster</c> (see <see cref="MemberTable"/>), with the projection's own
/// copy of the organisation tree for the ancestor arrays and the in-province flag.
/// </summary>
internal sealed class RosterProjection(EventTypeRegistry registry) : DomainProjection(registry, StreamKind.Organization, StreamKind.Member)
{
    public const string Table = "roster";

    private readonly MemberTable _members = new(Table);

    public override string Name => ProjectionNames.Roster;

    /// <summary>2: subtree paths and the covering registration index.</summary>
    public override int Version => 2;

    public override Task CreateAsync(NpgsqlConnection connection, string schema, CancellationToken ct) =>
        Db.ExecuteAsync(connection, OrgTree.Create(schema) + _members.Create(schema), ct);

    public override Task CreateReadIndexesAsync(NpgsqlConnection connection, string schema, CancellationToken ct) =>
        Db.ExecuteAsync(connection, _members.CreateReadIndexes(schema), ct);

    protected override Task ApplyRunAsync(NpgsqlConnection c, string s, StreamKind kind, List<DecodedEvent> events, CancellationToken ct) =>
        kind == StreamKind.Member
            ? _members.ApplyAsync(c, s, events, ct)
            : OrgTree.ApplyAsync(c, s, events, moved => _members.RefreshAncestorsAsync(c, s, moved, ct), ct);
}
