using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
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
internal sealed class CoverageProjection(EventTypeRegistry registry, DomainSettings settings, int heldRows)
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

    private static readonly DerivedColumn[] EpisodeDerived =
    [
        new("o.region", Columns<Placed>.Text("out_region", p => p.Outflow?.Region)),
        new(MemberTable.PlaceRegion, Columns<Placed>.Text("place_region", p => p.PlaceRegion)),
        new(MemberTable.InProvince, Columns<Placed>.Bool("in_province", p => p.InProvince)),
    ];

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

    /// <summary>
    /// The lapse of the windows reads open episodes by their last activity and contact. A rebuild keeps that in memory
    /// (<see cref="HeldCoverage"/>), so the shadow gets these indexes only once, before it is swapped in.
    /// </summary>
    public override Task CreateReadIndexesAsync(NpgsqlConnection connection, string s, CancellationToken ct) =>
        Db.ExecuteUnboundedAsync(connection, $"""
            CREATE INDEX ON {s}.episodes (last_activity_at) WHERE open;
            CREATE INDEX ON {s}.episodes (last_contact_at) WHERE open;
            """, ct);

    protected override async Task ApplyAsync(NpgsqlConnection c, string s, List<DecodedEvent> events, CancellationToken ct)
    {
        var state = await StoredCoverage.LoadAsync(this, c, s, ct).ConfigureAwait(false);
        await ApplyAsync(c, state, events, ct).ConfigureAwait(false);
        await state.SaveClockAsync(c, ct).ConfigureAwait(false);
    }

    /// <summary>A rebuild holds the episodes, counters, cells and year to date in memory (<see cref="HeldCoverage"/>).</summary>
    public override IProjectionSession OpenSession(string schema, bool shadow) => new HeldCoverage.Session(this, schema, shadow);

    /// <summary>Applies decoded events, in feed order, to <paramref name="state"/>, closing months as business time passes them.</summary>
    internal static async Task ApplyAsync(NpgsqlConnection c, CoverageState state, List<DecodedEvent> events, CancellationToken ct)
    {
        foreach (var (kind, run) in Runs(events))
        {
            if (kind == StreamKind.Organization)
            {
                await state.ApplyOrganizationEventsAsync(c, run, ct).ConfigureAwait(false);
                continue;
            }
            var segment = new List<DecodedEvent>(run.Count);
            foreach (var e in run)
            {
                state.OpenMonth ??= Months.Of(e.BusinessTime);
                while (e.BusinessTime >= Months.End(state.OpenMonth.Value))
                {
                    await state.ApplyMemberEventsAsync(c, segment, ct).ConfigureAwait(false);
                    segment.Clear();
                    await state.CloseMonthAsync(c, e.Position, ct).ConfigureAwait(false);
                }
                segment.Add(e);
            }
            await state.ApplyMemberEventsAsync(c, segment, ct).ConfigureAwait(false);
        }
    }

    internal DomainSettings Settings => _settings;

    /// <summary>The most episodes a rebuild session keeps in memory (see <see cref="ProjectionCatalog"/>).</summary>
    internal int HeldRows => heldRows;

    internal MemberRowTable Episodes { get; } = new(new RowTable<MemberRow>("episodes", EpisodeColumns), EpisodeDerived)
    {
        Trim = row => row.KeepEpisodeOnly(),
    };
}
