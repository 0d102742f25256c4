using CoManagement.Domain.Members;
using CoManagement.Projections.Common;
using CoManagement.Projections.Members;
using Npgsql;

namespace CoManagement.Projections.Coverage;

/// <summary>
/// What coverage events are applied to: the clock and open month, the episodes, and the counters, flows and cells.
/// <see cref="StoredCoverage"/> reads and writes the tables batch by batch; <see cref="HeldCoverage"/> keeps them in
/// memory through a rebuild. The folding, the clock and the month close are the same for both, here.
/// </summary>
internal abstract class CoverageState(CoverageProjection projection, string schema)
{
    protected CoverageProjection Projection { get; } = projection;

    protected string Schema { get; } = schema;

    /// <summary>The latest business time applied (see <see cref="CoverageProjection"/>).</summary>
    public DateTimeOffset? Clock { get; protected set; }

    public DateOnly? OpenMonth { get; set; }

    protected abstract IMemberRows Episodes { get; }

    public virtual Task ApplyOrganizationEventsAsync(NpgsqlConnection c, List<DecodedEvent> events, CancellationToken ct) =>
        OrgTree.ApplyAsync(c, Schema, events, null, ct);

    /// <summary>Applies member events, none dated after the open month, with one load and a few writes.</summary>
    public async Task ApplyMemberEventsAsync(NpgsqlConnection c, List<DecodedEvent> events, CancellationToken ct)
    {
        if (events.Count == 0)
            return;
        var latest = events.Max(e => e.BusinessTime);
        await AdvanceClockAsync(c, Clock is { } clock && clock > latest ? clock : latest, ct).ConfigureAwait(false);

        var byMember = MemberBatch.ByMember(events);
        var rows = await Episodes.LoadAsync(c, MemberBatch.NeedingStoredRow(byMember), ct).ConfigureAwait(false);
        var regions = await RegionsAsync(c, rows.Values, events, ct).ConfigureAwait(false);
        var deltas = DeltasFor(Clock!.Value, regions);
        var written = new List<MemberRow>(byMember.Count);
        foreach (var (memberId, memberEvents) in byMember)
        {
            var row = rows.GetValueOrDefault(memberId);
            var before = deltas.Of(row);
            foreach (var e in memberEvents)
            {
                row = MemberRow.Evolve(row, e);
                deltas.Flow(row, e);
            }
            deltas.Change(before, deltas.Of(row));
            // Care visits, appraisals and new phone numbers change no stored column: the row need not be written.
            if (row is not null && (!rows.ContainsKey(memberId) || memberEvents.Any(e => e.Event is not (CareVisitRecorded or AppraisalRecorded or DetailsChanged))))
                written.Add(row);
        }
        await Episodes.WriteAsync(c, written, r => rows.ContainsKey(r.MemberId), ct).ConfigureAwait(false);
        await WriteAsync(c, deltas, written, ct).ConfigureAwait(false);
    }

    /// <summary>An empty set of deltas for a batch at <paramref name="clock"/>.</summary>
    protected virtual Deltas DeltasFor(DateTimeOffset clock, Dictionary<string, string> regions) => new(Projection.Settings, clock, regions);

    /// <summary>Moves the clock to the end of the open month, then freezes the month's figures.</summary>
    public async Task CloseMonthAsync(NpgsqlConnection c, long closingPosition, CancellationToken ct)
    {
        var month = OpenMonth!.Value;
        await AdvanceClockAsync(c, Months.End(month), ct).ConfigureAwait(false);
        await FreezeMonthAsync(c, month, ct).ConfigureAwait(false);
        await Db.ExecuteAsync(c, $"INSERT INTO {Schema}.months VALUES ($1, $2, $3)", ct,
            new NpgsqlParameter<DateOnly> { TypedValue = month }, closingPosition, Clock!.Value).ConfigureAwait(false);
        OpenMonth = month.AddMonths(1);
    }

    /// <summary>
    /// Rolls the counters and the year to date up over the tree as it is now into <c>monthly</c> (one row per
    /// organisation subtree, scope and in-province), and copies the cells into <c>monthly_cells</c>.
    /// </summary>
    protected virtual Task FreezeMonthAsync(NpgsqlConnection c, DateOnly month, CancellationToken ct)
    {
        var s = Schema;
        return Db.ExecuteBatchAsync(c, ct,
            ($"""
            INSERT INTO {s}.monthly
            SELECT $1, a.org_id, x.scope, x.in_province, sum(x.n), sum(x.reported), sum(x.placed), sum(x.active),
                   sum(x.effective), sum(x.contacted), sum(x.lost), sum(x.transferring),
                   sum(x.transferred), sum(x.care_outflow), sum(x.care_inflow)
              FROM (SELECT org_id, scope, in_province, n, reported, placed, active, effective, contacted, lost, transferring,
                           0 AS transferred, 0 AS care_outflow, 0 AS care_inflow
                      FROM {s}.counters
                    UNION ALL
                    SELECT org_id, scope, in_province, 0, 0, 0, 0, 0, 0, 0, 0, transferred, care_outflow, care_inflow
                      FROM {s}.ytd WHERE year = $2) x
              JOIN {s}.orgs o ON o.id = x.org_id
             CROSS JOIN LATERAL unnest(o.ancestors) AS a(org_id)
             GROUP BY a.org_id, x.scope, x.in_province
            HAVING sum(x.n) <> 0 OR sum(x.transferred) <> 0 OR sum(x.care_outflow) <> 0 OR sum(x.care_inflow) <> 0
            """, [new NpgsqlParameter<DateOnly> { TypedValue = month }, month.Year]),
            ($"INSERT INTO {s}.monthly_cells SELECT $1, from_region, to_region, n FROM {s}.cells WHERE n <> 0",
                [new NpgsqlParameter<DateOnly> { TypedValue = month }]));
    }

    /// <summary>
    /// Moves the clock forward, subtracting first, for every open episode, the window flags that lapse between the old
    /// clock and <paramref name="to"/>: last activity or contact fell out of the 90/30-day window.
    /// </summary>
    private async Task AdvanceClockAsync(NpgsqlConnection c, DateTimeOffset to, CancellationToken ct)
    {
        if (Clock is { } from && to > from)
            await LapseAsync(c, from, to, ct).ConfigureAwait(false);
        if (Clock is null || to > Clock)
            Clock = to;
    }

    /// <summary>Subtracts the window flags of the stored episodes whose activity or contact lapses in (from, to].</summary>
    protected abstract Task LapseAsync(NpgsqlConnection c, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>The regions of the organisations the rows and events name.</summary>
    protected abstract Task<Dictionary<string, string>> RegionsAsync(NpgsqlConnection c, IEnumerable<MemberRow> rows, List<DecodedEvent> events, CancellationToken ct);

    /// <summary>Adds a batch's deltas; <paramref name="written"/> are the episodes it stored.</summary>
    protected abstract Task WriteAsync(NpgsqlConnection c, Deltas deltas, List<MemberRow> written, CancellationToken ct);

    public Task SaveClockAsync(NpgsqlConnection c, CancellationToken ct) =>
        Db.ExecuteAsync(c, $"UPDATE {Schema}.clock SET clock = $1, open_month = $2", ct,
            Db.Time(Clock), OpenMonth is { } m ? new NpgsqlParameter<DateOnly> { TypedValue = m } : new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });

    protected async Task LoadClockAsync(NpgsqlConnection c, CancellationToken ct)
    {
        await using var cmd = Db.Command(c, $"SELECT clock, open_month FROM {Schema}.clock");
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        Clock = reader.Time(0);
        OpenMonth = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateOnly>(1);
    }
}

/// <summary>One batch's work on the stored tables: the clock and open month are read at its start and saved at its end.</summary>
internal sealed class StoredCoverage : CoverageState
{
    private StoredCoverage(CoverageProjection projection, string schema) : base(projection, schema) =>
        Episodes = projection.Episodes.Stored(schema);

    protected override IMemberRows Episodes { get; }

    public static async Task<StoredCoverage> LoadAsync(CoverageProjection projection, NpgsqlConnection c, string schema, CancellationToken ct)
    {
        var state = new StoredCoverage(projection, schema);
        await state.LoadClockAsync(c, ct).ConfigureAwait(false);
        return state;
    }

    /// <summary>One indexed range per window over the open episodes; touched episodes are then re-counted at the new clock.</summary>
    protected override Task LapseAsync(NpgsqlConnection c, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var (s, settings) = (Schema, Projection.Settings);
        return Db.ExecuteAsync(c, $"""
            WITH x AS (
                SELECT outflow_org_id, inflow_org_id, in_province, placed,
                       last_activity_at > $1 AND last_activity_at <= $2 AS idle,
                       last_contact_at > $3 AND last_contact_at <= $4 AS uncontacted
                  FROM {s}.episodes
                 WHERE open AND (last_activity_at > $1 AND last_activity_at <= $2 OR last_contact_at > $3 AND last_contact_at <= $4)),
            d AS (
                SELECT outflow_org_id AS org_id, '{CoverageProjection.Out}' AS scope, in_province,
                       count(*) FILTER (WHERE idle) AS idle, count(*) FILTER (WHERE idle AND placed) AS idle_placed,
                       count(*) FILTER (WHERE uncontacted) AS uncontacted
                  FROM x GROUP BY 1, 3
                UNION ALL
                SELECT inflow_org_id, '{CoverageProjection.In}', in_province,
                       count(*) FILTER (WHERE idle), count(*) FILTER (WHERE idle AND placed), count(*) FILTER (WHERE uncontacted)
                  FROM x WHERE inflow_org_id IS NOT NULL GROUP BY 1, 3)
            UPDATE {s}.counters k
               SET active = k.active - d.idle, effective = k.effective - d.idle_placed, contacted = k.contacted - d.uncontacted
              FROM d
             WHERE k.org_id = d.org_id AND k.scope = d.scope AND k.in_province = d.in_province
            """, ct, from - settings.Idle, to - settings.Idle, from - settings.ContactOverdue, to - settings.ContactOverdue);
    }

    protected override async Task<Dictionary<string, string>> RegionsAsync(NpgsqlConnection c, IEnumerable<MemberRow> rows, List<DecodedEvent> events, CancellationToken ct)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            ids.Add(r.OutflowOrgId);
            if (r.InflowOrgId is { } i)
                ids.Add(i);
        }
        foreach (var e in events)
        {
            if (e.Event is OutflowRegistered o)
                ids.Add(o.OutflowOrgId);
            else if (e.Event is ReportedAtInflow r)
                ids.Add(r.InflowOrgId);
        }
        return await Regions.ReadAsync(c, Schema, ids.ToArray(), ct).ConfigureAwait(false);
    }

    protected override Task WriteAsync(NpgsqlConnection c, Deltas deltas, List<MemberRow> written, CancellationToken ct) =>
        deltas.WriteAsync(c, Schema, ct);
}

internal static class Regions
{
    /// <summary>The regions of <paramref name="ids"/> from the projection's tree.</summary>
    public static async Task<Dictionary<string, string>> ReadAsync(NpgsqlConnection c, string schema, string[] ids, CancellationToken ct)
    {
        var regions = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var cmd = Db.Command(c, $"SELECT id, region FROM {schema}.orgs WHERE id = ANY($1)", (object)ids);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            regions[reader.GetString(0)] = reader.GetString(1);
        return regions;
    }
}
