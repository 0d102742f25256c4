using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.EventStore;
using CoManagement.Projections.Common;
using CoManagement.Projections.Members;
using Npgsql;

namespace CoManagement.Projections.Coverage;

/// <summary>
/// Coverage figures (async). How "as of a month end" stays fixed:
/// <list type="bullet">
/// <item><c>episodes</c>: each member's latest episode (the fields the figures need), flagged open/placed/in-province.</item>
/// <item><c>counters</c>: per organisation the member is directly attached to (outflow org, scope <c>out</c>; place
/// reported at, scope <c>in</c>) and in/out of province: open episodes, reported, placed, lost, transferring, and the
/// windowed ones (organisational life in the last 90 days, effective = placed and active, contact in the last 30 days)
/// judged at the projection's clock. <c>flows</c>: care visits by side and completed transfers per business month,
/// and <c>ytd</c> the same per business year: no flow is dated after the clock, so the year's row is the year to date
/// of the open month, and the live figures and the month close read 1 row per organisation instead of up to 12.
/// <c>cells</c>: open episodes per (outflow region, inflow region).</item>
/// <item>The clock is the latest business time applied. As it moves, episodes whose last activity/contact falls out of
/// the window are subtracted (one indexed range per batch), so no per-day histograms are needed.</item>
/// <item>A month closes when the first member event dated after it is applied: the counters are rolled up over the
/// tree as it is then into <c>monthly</c> (one row per org subtree, scope, in-province) and <c>monthly_cells</c>.
/// That is bitemporal by construction: a closed month holds what happened by its end and was recorded before it
/// closed; a late event (old business time, recorded after the close) moves the live counters and later months only.
/// Closing on business time rather than the wall clock lets a historical import close its months as it goes, and
/// makes a rebuild close the same months at the same events.</item>
/// </list>
/// Current figures add the subtree's leaf counters at query time and subtract what expired between the clock and now.
/// </summary>
internal sealed class CoverageProjection(EventTypeRegistry registry, DomainSettings settings)
    : DomainProjection(registry, StreamKind.Organization, StreamKind.Member)
{
    public const string Out = "out";
    public const string In = "in";

    private static readonly Column<MemberRow>[] EpisodeColumns =
    [
        Columns<MemberRow>.Text("member_id", r => r.MemberId, (r, v) => r.MemberId = v!),
        Columns<MemberRow>.Int("episode", r => r.Episode, (r, v) => r.Episode = v),
        Columns<MemberRow>.Text("outflow_org_id", r => r.OutflowOrgId, (r, v) => r.OutflowOrgId = v!),
        Columns<MemberRow>.Text("destination_region", r => r.DestinationRegion, (r, v) => r.DestinationRegion = v!),
        Columns<MemberRow>.RequiredTime("departed_at", r => r.DepartedAt, (r, v) => r.DepartedAt = v),
        Columns<MemberRow>.RequiredTime("registered_at", r => r.RegisteredAt, (r, v) => r.RegisteredAt = v),
        Columns<MemberRow>.Time("moved_at", r => r.MovedAt, (r, v) => r.MovedAt = v),
        Columns<MemberRow>.Text("inflow_org_id", r => r.InflowOrgId, (r, v) => r.InflowOrgId = v),
        Columns<MemberRow>.Time("reported_at", r => r.ReportedAt, (r, v) => r.ReportedAt = v),
        Columns<MemberRow>.Time("placed_at", r => r.PlacedAt, (r, v) => r.PlacedAt = v),
        Columns<MemberRow>.Text("transfer_to_org_id", r => r.TransferToOrgId, (r, v) => r.TransferToOrgId = v),
        Columns<MemberRow>.Time("lost_at", r => r.LostAt, (r, v) => r.LostAt = v),
        Columns<MemberRow>.Time("suspended_at", r => r.SuspendedAt, (r, v) => r.SuspendedAt = v),
        Columns<MemberRow>.Text("outcome", r => r.Outcome?.ToString(), (r, v) => r.Outcome = v is null ? null : Enum.Parse<EpisodeOutcome>(v)),
        Columns<MemberRow>.Time("closed_at", r => r.ClosedAt, (r, v) => r.ClosedAt = v),
        Columns<MemberRow>.Time("last_contact_at", r => r.LastContactAt, (r, v) => r.LastContactAt = v),
        Columns<MemberRow>.Time("last_activity_at", r => r.LastActivityAt, (r, v) => r.LastActivityAt = v),
        Columns<MemberRow>.Bool("open", r => r.IsOpen),
        Columns<MemberRow>.Bool("placed", r => r.CountsPlaced),
    ];

    private static readonly (string, string)[] EpisodeDerived =
    [
        ("out_region", "o.region"),
        ("place_region", "coalesce(i.region, u.destination_region)"),
        ("in_province", "coalesce(left(coalesce(i.region, u.destination_region), 2) = o.province, false)"),
    ];

    private readonly RowTable<MemberRow> _episodes = new("episodes", EpisodeColumns);
    private readonly DomainSettings _settings = settings;

    public override string Name => ProjectionNames.Coverage;

    /// <summary>2: the <c>ytd</c> table.</summary>
    public override int Version => 2;

    public override Task CreateAsync(NpgsqlConnection connection, string s, CancellationToken ct) =>
        Db.ExecuteAsync(connection, OrgTree.Create(s) + $"""
            CREATE TABLE {s}.episodes (
                member_id text PRIMARY KEY,
                episode int NOT NULL,
                outflow_org_id text NOT NULL,
                destination_region text NOT NULL,
                departed_at timestamptz NOT NULL,
                registered_at timestamptz NOT NULL,
                moved_at timestamptz,
                inflow_org_id text,
                reported_at timestamptz,
                placed_at timestamptz,
                transfer_to_org_id text,
                lost_at timestamptz,
                suspended_at timestamptz,
                outcome text,
                closed_at timestamptz,
                last_contact_at timestamptz,
                last_activity_at timestamptz,
                open boolean NOT NULL,
                placed boolean NOT NULL,
                out_region text,
                place_region text NOT NULL,
                in_province boolean NOT NULL
            ) WITH (fillfactor = 80);
            CREATE INDEX ON {s}.episodes (last_activity_at) WHERE open;
            CREATE INDEX ON {s}.episodes (last_contact_at) WHERE open;
            CREATE TABLE {s}.counters (
                org_id text NOT NULL,
                scope text NOT NULL,
                in_province boolean NOT NULL,
                n bigint NOT NULL,
                reported bigint NOT NULL,
                placed bigint NOT NULL,
                active bigint NOT NULL,
                effective bigint NOT NULL,
                contacted bigint NOT NULL,
                lost bigint NOT NULL,
                transferring bigint NOT NULL,
                PRIMARY KEY (org_id, scope, in_province));
            CREATE TABLE {s}.flows (
                org_id text NOT NULL,
                scope text NOT NULL,
                in_province boolean NOT NULL,
                month date NOT NULL,
                care_outflow bigint NOT NULL,
                care_inflow bigint NOT NULL,
                transferred bigint NOT NULL,
                PRIMARY KEY (org_id, scope, in_province, month));
            CREATE TABLE {s}.ytd (
                org_id text NOT NULL,
                scope text NOT NULL,
                in_province boolean NOT NULL,
                year int NOT NULL,
                care_outflow bigint NOT NULL,
                care_inflow bigint NOT NULL,
                transferred bigint NOT NULL,
                PRIMARY KEY (year, org_id, scope, in_province));
            CREATE TABLE {s}.cells (
                from_region text NOT NULL,
                to_region text NOT NULL,
                n bigint NOT NULL,
                PRIMARY KEY (from_region, to_region));
            CREATE TABLE {s}.clock (
                id boolean PRIMARY KEY DEFAULT true CHECK (id),
                clock timestamptz,
                open_month date);
            INSERT INTO {s}.clock DEFAULT VALUES;
            CREATE TABLE {s}.months (
                month date PRIMARY KEY,
                closed_before_position bigint NOT NULL,
                clock timestamptz NOT NULL);
            CREATE TABLE {s}.monthly (
                month date NOT NULL,
                org_id text NOT NULL,
                scope text NOT NULL,
                in_province boolean NOT NULL,
                n bigint NOT NULL,
                reported bigint NOT NULL,
                placed bigint NOT NULL,
                active bigint NOT NULL,
                effective bigint NOT NULL,
                contacted bigint NOT NULL,
                lost bigint NOT NULL,
                transferring bigint NOT NULL,
                transferred_ytd bigint NOT NULL,
                care_outflow_ytd bigint NOT NULL,
                care_inflow_ytd bigint NOT NULL,
                PRIMARY KEY (month, org_id, scope, in_province));
            CREATE TABLE {s}.monthly_cells (
                month date NOT NULL,
                from_region text NOT NULL,
                to_region text NOT NULL,
                n bigint NOT NULL,
                PRIMARY KEY (month, from_region, to_region));
            """, ct);

    protected override async Task ApplyAsync(NpgsqlConnection c, string s, List<DecodedEvent> events, CancellationToken ct)
    {
        var batch = await Batch.LoadAsync(this, c, s, ct).ConfigureAwait(false);
        foreach (var (kind, run) in Runs(events))
        {
            if (kind == StreamKind.Organization)
            {
                await OrgTree.ApplyAsync(c, s, run, null, ct).ConfigureAwait(false);
                continue;
            }
            var segment = new List<DecodedEvent>(run.Count);
            foreach (var e in run)
            {
                batch.OpenMonth ??= Months.Of(e.BusinessTime);
                while (e.BusinessTime >= Months.End(batch.OpenMonth.Value))
                {
                    await batch.ApplyMemberEventsAsync(segment, ct).ConfigureAwait(false);
                    segment.Clear();
                    await batch.CloseMonthAsync(e.Position, ct).ConfigureAwait(false);
                }
                segment.Add(e);
            }
            await batch.ApplyMemberEventsAsync(segment, ct).ConfigureAwait(false);
        }
        await batch.SaveAsync(ct).ConfigureAwait(false);
    }

    /// <summary>One batch's work on one schema: the clock and the open month travel with it, never in the (shared) projection.</summary>
    private sealed class Batch(CoverageProjection p, NpgsqlConnection c, string s)
    {
        public DateTimeOffset? Clock { get; private set; }

        public DateOnly? OpenMonth { get; set; }

        public static async Task<Batch> LoadAsync(CoverageProjection p, NpgsqlConnection c, string s, CancellationToken ct)
        {
            var batch = new Batch(p, c, s);
            await using var cmd = Db.Command(c, $"SELECT clock, open_month FROM {s}.clock");
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            batch.Clock = reader.Time(0);
            batch.OpenMonth = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateOnly>(1);
            return batch;
        }

        public Task SaveAsync(CancellationToken ct) =>
            Db.ExecuteAsync(c, $"UPDATE {s}.clock SET clock = $1, open_month = $2", ct,
                Db.Time(Clock), OpenMonth is { } m ? new NpgsqlParameter<DateOnly> { TypedValue = m } : new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });

        /// <summary>Applies member events, none dated after the open month, with one load and a few writes.</summary>
        public async Task ApplyMemberEventsAsync(List<DecodedEvent> events, CancellationToken ct)
        {
            if (events.Count == 0)
                return;
            var latest = events.Max(e => e.BusinessTime);
            await AdvanceClockAsync(Clock is { } clock && clock > latest ? clock : latest, ct).ConfigureAwait(false);

            var byMember = MemberBatch.ByMember(events);
            var rows = (await p._episodes.LoadAsync(c, s, MemberBatch.NeedingStoredRow(byMember), () => new MemberRow(), ct).ConfigureAwait(false))
                .ToDictionary(r => r.MemberId, StringComparer.Ordinal);
            var regions = await RegionsAsync(rows.Values, events, ct).ConfigureAwait(false);
            var deltas = new Deltas(p._settings, Clock!.Value, regions);
            var written = new List<MemberRow>(byMember.Count);
            foreach (var (memberId, memberEvents) in byMember)
            {
                var row = rows.GetValueOrDefault(memberId);
                if (row is not null)
                    deltas.Contribute(row, -1);
                foreach (var e in memberEvents)
                {
                    row = MemberRow.Evolve(row, e);
                    deltas.Flow(row, e);
                }
                deltas.Contribute(row!, +1);
                // Care visits, appraisals and new phone numbers change no stored column: the row need not be written.
                if (row is not null && (!rows.ContainsKey(memberId) || memberEvents.Any(e => e.Event is not (CareVisitRecorded or AppraisalRecorded or DetailsChanged))))
                    written.Add(row);
            }
            await p._episodes.WriteAsync(c, s, written, r => rows.ContainsKey(r.MemberId), ct, EpisodeDerived,
                $"LEFT JOIN {s}.orgs o ON o.id = u.outflow_org_id LEFT JOIN {s}.orgs i ON i.id = u.inflow_org_id").ConfigureAwait(false);
            await deltas.WriteAsync(c, s, ct).ConfigureAwait(false);
        }

        /// <summary>Moves the clock to the end of the open month, then freezes the month's figures.</summary>
        public async Task CloseMonthAsync(long closingPosition, CancellationToken ct)
        {
            var month = OpenMonth!.Value;
            await AdvanceClockAsync(Months.End(month), ct).ConfigureAwait(false);
            var m = new NpgsqlParameter<DateOnly> { TypedValue = month };
            await Db.ExecuteBatchAsync(c, ct,
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
                """, [m, month.Year]),
                ($"INSERT INTO {s}.monthly_cells SELECT $1, from_region, to_region, n FROM {s}.cells WHERE n <> 0",
                    [new NpgsqlParameter<DateOnly> { TypedValue = month }]),
                ($"INSERT INTO {s}.months VALUES ($1, $2, $3)", [new NpgsqlParameter<DateOnly> { TypedValue = month }, closingPosition, Clock!.Value]))
                .ConfigureAwait(false);
            OpenMonth = month.AddMonths(1);
        }

        /// <summary>
        /// Subtracts, for every open episode, the window flags that lapse between the old clock and <paramref name="to"/>:
        /// last activity or contact fell out of the 90/30-day window. Touched episodes are then re-counted at the new clock.
        /// </summary>
        private async Task AdvanceClockAsync(DateTimeOffset to, CancellationToken ct)
        {
            if (Clock is { } from && to > from)
            {
                await Db.ExecuteAsync(c, $"""
                    WITH x AS (
                        SELECT outflow_org_id, inflow_org_id, in_province, placed,
                               last_activity_at > $1 AND last_activity_at <= $2 AS idle,
                               last_contact_at > $3 AND last_contact_at <= $4 AS uncontacted
                          FROM {s}.episodes
                         WHERE open AND (last_activity_at > $1 AND last_activity_at <= $2 OR last_contact_at > $3 AND last_contact_at <= $4)),
                    d AS (
                        SELECT outflow_org_id AS org_id, '{Out}' AS scope, in_province,
                               count(*) FILTER (WHERE idle) AS idle, count(*) FILTER (WHERE idle AND placed) AS idle_placed,
                               count(*) FILTER (WHERE uncontacted) AS uncontacted
                          FROM x GROUP BY 1, 3
                        UNION ALL
                        SELECT inflow_org_id, '{In}', in_province,
                               count(*) FILTER (WHERE idle), count(*) FILTER (WHERE idle AND placed), count(*) FILTER (WHERE uncontacted)
                          FROM x WHERE inflow_org_id IS NOT NULL GROUP BY 1, 3)
                    UPDATE {s}.counters k
                       SET active = k.active - d.idle, effective = k.effective - d.idle_placed, contacted = k.contacted - d.uncontacted
                      FROM d
                     WHERE k.org_id = d.org_id AND k.scope = d.scope AND k.in_province = d.in_province
                    """, ct, from - p._settings.Idle, to - p._settings.Idle, from - p._settings.ContactOverdue, to - p._settings.ContactOverdue).ConfigureAwait(false);
            }
            if (Clock is null || to > Clock)
                Clock = to;
        }

        private async Task<Dictionary<string, string>> RegionsAsync(IEnumerable<MemberRow> rows, List<DecodedEvent> events, CancellationToken ct)
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
            var regions = new Dictionary<string, string>(StringComparer.Ordinal);
            await using var cmd = Db.Command(c, $"SELECT id, region FROM {s}.orgs WHERE id = ANY($1)", (object)ids.ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                regions[reader.GetString(0)] = reader.GetString(1);
            return regions;
        }
    }
}
