using System.Runtime.InteropServices;
using CoManagement.Projections.Common;
using Npgsql;

namespace CoManagement.Projections.Members;

/// <summary>
/// Where a projection's member rows are read from and written to while a batch is folded: their table, batch by batch
/// (<see cref="StoredMemberRows"/>), or a rebuild session's memory (<see cref="HeldMemberRows"/>).
/// </summary>
internal interface IMemberRows
{
    /// <summary>The stored rows of those of <paramref name="memberIds"/> that have one, by member id.</summary>
    Task<Dictionary<string, MemberRow>> LoadAsync(NpgsqlConnection c, string[] memberIds, CancellationToken ct);

    /// <summary>Stores the rows a batch changed; <paramref name="loaded"/> tells which of them <see cref="LoadAsync"/> returned.</summary>
    Task WriteAsync(NpgsqlConnection c, List<MemberRow> rows, Func<MemberRow, bool> loaded, CancellationToken ct);
}

/// <summary>
/// A table of member rows: its columns, and those it derives from the projection's organisation tree when a row is
/// written.
/// </summary>
internal sealed record MemberRowTable(RowTable<MemberRow> Table, IReadOnlyList<DerivedColumn> Derived)
{
    /// <summary>The joins the derived columns read: the outflow organisation <c>o</c> and the inflow one <c>i</c>.</summary>
    public static string OrgJoins(string schema) =>
        $"LEFT JOIN {schema}.orgs o ON o.id = u.outflow_org_id LEFT JOIN {schema}.orgs i ON i.id = u.inflow_org_id";

    /// <summary>Applied to each row a session holds, to keep only what the table stores (none by default).</summary>
    public Action<MemberRow>? Trim { get; init; }

    /// <summary>
    /// Whether a rebuild writes the rows into its shadow in outflow-path order, so a subtree's rows share pages: a city's
    /// members otherwise lie on most of the table's pages, which a query reading them from the heap (the risk counts)
    /// reads nearly whole.
    /// </summary>
    public bool ClusteredBySubtree { get; init; }

    /// <summary>The derived columns as SQL over the row <c>u</c> and <see cref="OrgJoins"/>.</summary>
    public IReadOnlyList<(string Column, string Expression)> DerivedSql { get; } = [.. Derived.Select(d => (d.Value.Name, d.Expression))];

    public IReadOnlyList<Column<Placed>> DerivedValues { get; } = [.. Derived.Select(d => d.Value)];

    public StoredMemberRows Stored(string schema) => new(this, schema);

    public HeldMemberRows Held(string schema, int maxRows, bool shadow) => new(this, schema, maxRows, shadow);
}

/// <summary>
/// A column a member row derives from the organisation tree, defined twice side by side: as SQL over the row <c>u</c>
/// and the organisations <see cref="MemberRowTable.OrgJoins"/> joins (every write that may replace a row), and as the
/// same value computed from a <see cref="Placed"/> row (a rebuild's <c>COPY</c> straight into its empty shadow).
/// <c>Rebuild_equals_incremental</c> compares what the two give, table by table.
/// </summary>
internal sealed record DerivedColumn(string Expression, Column<Placed> Value);

/// <summary>A member row with the organisations it names, looked up in the tree as <see cref="MemberRowTable.OrgJoins"/> joins them.</summary>
internal readonly record struct Placed(MemberRow Row, OrgPlace? Outflow, OrgPlace? Inflow)
{
    public static Placed Of(MemberRow row, IReadOnlyDictionary<string, OrgPlace> tree) =>
        new(row, tree.GetValueOrDefault(row.OutflowOrgId), row.InflowOrgId is { } inflow ? tree.GetValueOrDefault(inflow) : null);

    /// <summary><c>coalesce(i.region, u.destination_region)</c></summary>
    public string PlaceRegion => Inflow?.Region ?? Row.DestinationRegion;

    /// <summary><c>coalesce(left(place_region, 2) = o.province, false)</c></summary>
    public bool InProvince => Outflow is { } outflow
        && PlaceRegion.AsSpan(0, Math.Min(2, PlaceRegion.Length)).SequenceEqual(outflow.Province);

    /// <summary><c>'/' || array_to_string(coalesce(o.ancestors, ARRAY[u.outflow_org_id]), '/') || '/'</c> (see <see cref="MemberTable.Path"/>)</summary>
    public string OutflowPath => Outflow?.Path ?? OrgPlace.PathOf([Row.OutflowOrgId]);

    /// <summary>The same of <c>i</c> and <c>u.inflow_org_id</c>, null without one.</summary>
    public string? InflowPath => Row.InflowOrgId is { } inflow ? Inflow?.Path ?? OrgPlace.PathOf([inflow]) : null;
}

/// <summary>Rows read and written in their table, one statement each per batch.</summary>
internal sealed class StoredMemberRows(MemberRowTable table, string schema) : IMemberRows
{
    public async Task<Dictionary<string, MemberRow>> LoadAsync(NpgsqlConnection c, string[] memberIds, CancellationToken ct) =>
        (await table.Table.LoadAsync(c, schema, memberIds, () => new MemberRow(), ct).ConfigureAwait(false))
            .ToDictionary(r => r.MemberId, StringComparer.Ordinal);

    public Task WriteAsync(NpgsqlConnection c, List<MemberRow> rows, Func<MemberRow, bool> loaded, CancellationToken ct) =>
        table.Table.WriteAsync(c, schema, rows, loaded, ct, table.DerivedSql, MemberRowTable.OrgJoins(schema));
}

/// <summary>
/// Rows a rebuild session holds: each read from the table at most once, folded in memory batch after batch, and
/// written when the session flushes (<see cref="FlushAsync"/>), with one <c>COPY</c>. A member touched by twenty
/// batches of a chunk is written once, not twenty times, and never read back. Held rows share their common strings
/// and keep only what the table stores (<see cref="MemberRowTable.Trim"/>): a million of them stay small, and cheap
/// for the garbage collector to walk. Past <c>maxRows</c> they are written and let go. In a rebuild's shadow
/// (<c>shadow</c>) the first flush into the empty table writes its rows frozen (see <see cref="FlushAsync"/>).
/// </summary>
internal sealed class HeldMemberRows(MemberRowTable table, string schema, int maxRows, bool shadow) : IMemberRows
{
    private readonly Dictionary<string, MemberRow> _rows = new(StringComparer.Ordinal);
    /// <summary>The rows to write at the next flush, each once (<see cref="MemberRow.Unflushed"/>), in the order they first changed.</summary>
    private readonly List<MemberRow> _changed = [];
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private bool _wrote;

    /// <summary>How many times the rows were let go (past <c>maxRows</c>); what was kept beside them went with them.</summary>
    public int Evictions { get; private set; }

    public async Task<Dictionary<string, MemberRow>> LoadAsync(NpgsqlConnection c, string[] memberIds, CancellationToken ct)
    {
        var found = new Dictionary<string, MemberRow>(memberIds.Length, StringComparer.Ordinal);
        List<string>? missing = null;
        foreach (var id in memberIds)
        {
            if (_rows.TryGetValue(id, out var row))
                found[id] = row;
            else
                (missing ??= []).Add(id);
        }
        if (missing is not null)
        {
            foreach (var row in await table.Table.LoadAsync(c, schema, [.. missing], () => new MemberRow(), ct).ConfigureAwait(false))
            {
                _rows[row.MemberId] = found[row.MemberId] = row;
                row.Held = true;
            }
        }
        return found;
    }

    public async Task WriteAsync(NpgsqlConnection c, List<MemberRow> rows, Func<MemberRow, bool> loaded, CancellationToken ct)
    {
        foreach (var row in rows)
        {
            table.Trim?.Invoke(row);
            row.ShareStrings(_strings);
            if (!row.Held)
            {
                // A new episode's row: it takes the member's place, and the row it replaces is not written.
                ref var held = ref CollectionsMarshal.GetValueRefOrAddDefault(_rows, row.MemberId, out _);
                if (held is not null)
                    held.Held = held.Unflushed = false;
                (held, row.Held) = (row, true);
            }
            if (!row.Unflushed)
            {
                row.Unflushed = true;
                _changed.Add(row);
            }
        }
        if (_rows.Count > maxRows)
        {
            // Memory is bounded: write what changed and let every row go; later batches read back the ones they need.
            await FlushAsync(c, ct).ConfigureAwait(false);
            foreach (var row in _rows.Values)
                (row.Held, row.Beside) = (false, null);
            _rows.Clear();
            Evictions++;
        }
    }

    /// <summary>
    /// Writes the rows changed since the last flush, with the organisation tree as it is now. They go in key order, so
    /// the table's primary key grows at its right edge instead of taking a million inserts at random leaf pages (a
    /// million roster rows measured 8.1–8.5 s sorted against 9.2–11.2 s as they came). Into a table still empty (a
    /// rebuild's first flush) they go straight in, with the derived columns computed here; otherwise through a
    /// staging table and an upsert, which may replace rows. Straight into a shadow's table they go frozen, so its pages
    /// are all-visible at once: a <c>VACUUM</c> after the swap cannot set them while any transaction older than the
    /// rows is open (another runner's chunk, a long report), and without that every index-only scan reads the heap
    /// too (roster pages 2–3 times slower). A table <see cref="MemberRowTable.ClusteredBySubtree"/> gets them in
    /// outflow-path order there, its primary key built after them (inserted out of key order it would cost more).
    /// </summary>
    public async Task FlushAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var rows = _changed.Where(r => r.Unflushed).ToArray();
        if (rows.Length == 0)
            return;
        Array.Sort([.. rows.Select(r => r.MemberId)], rows, StringComparer.Ordinal);
        if (!_wrote && await table.Table.IsEmptyAsync(c, schema, ct).ConfigureAwait(false))
        {
            var tree = await OrgTree.PlacesAsync(c, schema, ct).ConfigureAwait(false);
            var clustered = shadow && table.ClusteredBySubtree;
            if (clustered)
                rows = InPathOrder(rows, tree);
            await table.Table.CopyNewAsync(c, schema, rows, row => Placed.Of(row, tree), table.DerivedValues, ct, freeze: shadow, keyAfter: clustered)
                .ConfigureAwait(false);
        }
        else
        {
            await table.Table.CopyAsync(c, schema, rows, ct, table.DerivedSql, MemberRowTable.OrgJoins(schema)).ConfigureAwait(false);
        }
        _wrote = true;
        foreach (var row in rows)
            row.Unflushed = false;
        _changed.Clear();
    }

    /// <summary>Rows in member-id order put in outflow-path order, member id within a path: gathered by path, the paths sorted.</summary>
    private static MemberRow[] InPathOrder(MemberRow[] rows, Dictionary<string, OrgPlace> tree)
    {
        var byPath = new Dictionary<string, List<MemberRow>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var path = Placed.Of(row, tree).OutflowPath;
            if (!byPath.TryGetValue(path, out var same))
                byPath[path] = same = [];
            same.Add(row);
        }
        var paths = byPath.Keys.ToArray();
        Array.Sort(paths, StringComparer.Ordinal);
        return [.. paths.SelectMany(path => byPath[path])];
    }
}
