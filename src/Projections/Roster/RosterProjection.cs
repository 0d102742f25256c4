using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using CoManagement.Projections.Common;
using CoManagement.Projections.Members;
using Npgsql;

namespace CoManagement.Projections.Roster;

/// <summary>
/// The roster (inline): one row per member in <c>roster</c> (see <see cref="MemberTable"/>), with the projection's own
/// copy of the organisation tree for the subtree paths and the in-province flag. A rebuild holds the rows in memory
/// (<see cref="Session"/>).
/// </summary>
internal sealed class RosterProjection(EventTypeRegistry registry, int heldRows) : DomainProjection(registry, StreamKind.Organization, StreamKind.Member)
{
    public const string Table = "roster";

    private readonly MemberTable _members = new(Table);
    private readonly int _heldRows = heldRows;

    public override string Name => ProjectionNames.Roster;

    /// <summary>
    /// 2: subtree paths and the covering registration index; 3: the paths without the ancestor arrays beside them;
    /// 4: a move on clears who received the report (rows written before kept it).
    /// </summary>
    public override int Version => 4;

    public override Task CreateAsync(NpgsqlConnection connection, string schema, CancellationToken ct) =>
        Db.ExecuteAsync(connection, OrgTree.Create(schema) + _members.Create(schema), ct);

    public override Task CreateReadIndexesAsync(NpgsqlConnection connection, string schema, CancellationToken ct) =>
        Db.ExecuteUnboundedAsync(connection, _members.CreateReadIndexes(schema), ct);

    public override IProjectionSession OpenSession(string schema, bool shadow) => new Session(this, schema, shadow);

    protected override Task ApplyRunAsync(NpgsqlConnection c, string s, StreamKind kind, List<DecodedEvent> events, CancellationToken ct) =>
        kind == StreamKind.Member ? _members.ApplyAsync(c, _members.Rows.Stored(s), events, ct) : ApplyOrgRunAsync(c, s, events, ct);

    private Task ApplyOrgRunAsync(NpgsqlConnection c, string s, List<DecodedEvent> events, CancellationToken ct) =>
        OrgTree.ApplyAsync(c, s, events, oldPath => _members.RefreshPathsAsync(c, s, oldPath, ct), ct);

    /// <summary>
    /// A rebuild's roster: the members' rows stay in memory and are written when the runner ends a chunk. Before an
    /// organisation is created or moved the held rows are written first, so every row gets the paths and regions it
    /// would have got batch by batch.
    /// </summary>
    private sealed class Session(RosterProjection p, string s, bool shadow) : IProjectionSession
    {
        private readonly HeldMemberRows _rows = p._members.Rows.Held(s, p._heldRows, shadow);

        public async Task ApplyAsync(NpgsqlConnection c, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
        {
            foreach (var (kind, run) in Runs(p.DecodePage(events)))
            {
                if (kind == StreamKind.Member)
                {
                    await p._members.ApplyAsync(c, _rows, run, ct).ConfigureAwait(false);
                    continue;
                }
                if (OrgTree.ChangesShape(run))
                    await _rows.FlushAsync(c, ct).ConfigureAwait(false);
                await p.ApplyOrgRunAsync(c, s, run, ct).ConfigureAwait(false);
            }
        }

        public Task FlushAsync(NpgsqlConnection c, CancellationToken ct) => _rows.FlushAsync(c, ct);
    }
}
