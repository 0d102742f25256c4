using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Projections.Common;
using Npgsql;

namespace CoManagement.Projections.Members;

/// <summary>
/// One row per member (the latest episode), as the roster keeps it. Organisation paths,
/// regions and the in-province flag are joined from the projection's own organisation tree when a row is written.
/// Risk flags are not stored: they are judged at query time from the dates.
/// <para>
/// Indexes are chosen so that the most frequent events (contacts, activities, care visits) change no indexed column and
/// stay HOT updates: the subtree paths, name and status for pages, the destination prefix, and the dates that change
/// rarely (awaiting a report, lost, reported) for the risk lists; contact and activity dates are filtered within a
/// subtree instead.
/// </para>
/// </summary>
internal sealed class MemberTable(string table)
{
    private static readonly Column<MemberRow>[] ColumnList =
    [
        Columns<MemberRow>.Text("member_id", r => r.MemberId, (r, v) => r.MemberId = v!),
        Columns<MemberRow>.Text("name", r => r.Name, (r, v) => r.Name = v!),
        Columns<MemberRow>.Text("id_number", r => r.IdNumber, (r, v) => r.IdNumber = v!),
        Columns<MemberRow>.Text("phone", r => r.Phone, (r, v) => r.Phone = v!),
        Columns<MemberRow>.Int("episode", r => r.Episode, (r, v) => r.Episode = v),
        Columns<MemberRow>.Text("status", r => r.Status.ToString()),
        Columns<MemberRow>.Text("outflow_org_id", r => r.OutflowOrgId, (r, v) => r.OutflowOrgId = v!),
        Columns<MemberRow>.Text("reason", r => r.Reason.ToString(), (r, v) => r.Reason = Enum.Parse<OutflowReason>(v!)),
        Columns<MemberRow>.Text("destination_region", r => r.DestinationRegion, (r, v) => r.DestinationRegion = v!),
        Columns<MemberRow>.Text("destination_place", r => r.DestinationPlace, (r, v) => r.DestinationPlace = v!),
        Columns<MemberRow>.Text("employer", r => r.Employer, (r, v) => r.Employer = v),
        Columns<MemberRow>.Text("address", r => r.Address, (r, v) => r.Address = v),
        Columns<MemberRow>.Text("activity_card_no", r => r.ActivityCardNo, (r, v) => r.ActivityCardNo = v),
        Columns<MemberRow>.RequiredTime("departed_at", r => r.DepartedAt, (r, v) => r.DepartedAt = v),
        Columns<MemberRow>.RequiredTime("registered_at", r => r.RegisteredAt, (r, v) => r.RegisteredAt = v),
        Columns<MemberRow>.RequiredTime("started_at", r => r.StartedAt),
        Columns<MemberRow>.RequiredTime("awaiting_report_since", r => r.AwaitingReportSince),
        Columns<MemberRow>.Time("moved_at", r => r.MovedAt, (r, v) => r.MovedAt = v),
        Columns<MemberRow>.Text("inflow_org_id", r => r.InflowOrgId, (r, v) => r.InflowOrgId = v),
        Columns<MemberRow>.Text("report_channel", r => r.ReportChannel?.ToString(), (r, v) => r.ReportChannel = v is null ? null : Enum.Parse<ReportChannel>(v)),
        Columns<MemberRow>.Time("first_reported_at", r => r.FirstReportedAt, (r, v) => r.FirstReportedAt = v),
        Columns<MemberRow>.Time("reported_at", r => r.ReportedAt, (r, v) => r.ReportedAt = v),
        Columns<MemberRow>.Text("placed_org_id", r => r.PlacedOrgId, (r, v) => r.PlacedOrgId = v),
        Columns<MemberRow>.Text("branch_id", r => r.BranchId, (r, v) => r.BranchId = v),
        Columns<MemberRow>.Time("placed_at", r => r.PlacedAt, (r, v) => r.PlacedAt = v),
        Columns<MemberRow>.Text("transfer_to_org_id", r => r.TransferToOrgId, (r, v) => r.TransferToOrgId = v),
        Columns<MemberRow>.Time("transfer_requested_at", r => r.TransferRequestedAt, (r, v) => r.TransferRequestedAt = v),
        Columns<MemberRow>.Time("lost_at", r => r.LostAt, (r, v) => r.LostAt = v),
        Columns<MemberRow>.Time("suspended_at", r => r.SuspendedAt, (r, v) => r.SuspendedAt = v),
        Columns<MemberRow>.Text("outcome", r => r.Outcome?.ToString(), (r, v) => r.Outcome = v is null ? null : Enum.Parse<EpisodeOutcome>(v)),
        Columns<MemberRow>.Time("closed_at", r => r.ClosedAt, (r, v) => r.ClosedAt = v),
        Columns<MemberRow>.Time("last_contact_at", r => r.LastContactAt, (r, v) => r.LastContactAt = v),
        Columns<MemberRow>.Time("last_activity_at", r => r.LastActivityAt, (r, v) => r.LastActivityAt = v),
        Columns<MemberRow>.Time("last_care_visit_at", r => r.LastCareVisitAt, (r, v) => r.LastCareVisitAt = v),
        Columns<MemberRow>.Int("contacts_outflow", r => r.ContactsOutflow, (r, v) => r.ContactsOutflow = v),
        Columns<MemberRow>.Int("contacts_inflow", r => r.ContactsInflow, (r, v) => r.ContactsInflow = v),
        Columns<MemberRow>.Int("activities_outflow", r => r.ActivitiesOutflow, (r, v) => r.ActivitiesOutflow = v),
        Columns<MemberRow>.Int("activities_inflow", r => r.ActivitiesInflow, (r, v) => r.ActivitiesInflow = v),
        Columns<MemberRow>.Int("care_visits_outflow", r => r.CareVisitsOutflow, (r, v) => r.CareVisitsOutflow = v),
        Columns<MemberRow>.Int("care_visits_inflow", r => r.CareVisitsInflow, (r, v) => r.CareVisitsInflow = v),
        Columns<MemberRow>.Text("registered_by", r => r.RegisteredBy, (r, v) => r.RegisteredBy = v),
        Columns<MemberRow>.Text("registered_by_org", r => r.RegisteredByOrg, (r, v) => r.RegisteredByOrg = v),
        Columns<MemberRow>.Text("registered_by_side", r => r.RegisteredBySide.ToString(), (r, v) => r.RegisteredBySide = Enum.Parse<Side>(v!)),
        Columns<MemberRow>.Text("report_received_by", r => r.ReportReceivedBy, (r, v) => r.ReportReceivedBy = v),
        Columns<MemberRow>.Text("report_received_by_org", r => r.ReportReceivedByOrg, (r, v) => r.ReportReceivedByOrg = v),
        Columns<MemberRow>.Text("report_received_by_side", r => r.ReportReceivedBySide?.ToString(), (r, v) => r.ReportReceivedBySide = v is null ? null : Enum.Parse<Side>(v)),
        Columns<MemberRow>.Text("placed_by", r => r.PlacedBy, (r, v) => r.PlacedBy = v),
        Columns<MemberRow>.Text("placed_by_org", r => r.PlacedByOrg, (r, v) => r.PlacedByOrg = v),
        Columns<MemberRow>.Text("placed_by_side", r => r.PlacedBySide?.ToString(), (r, v) => r.PlacedBySide = v is null ? null : Enum.Parse<Side>(v)),
        Columns<MemberRow>.NullableInt("last_appraisal_year", r => r.LastAppraisalYear, (r, v) => r.LastAppraisalYear = v),
        Columns<MemberRow>.Text("last_appraisal_result", r => r.LastAppraisalResult?.ToString(), (r, v) => r.LastAppraisalResult = v is null ? null : Enum.Parse<AppraisalResult>(v)),
        Columns<MemberRow>.Long("position", r => r.Position, (r, v) => r.Position = v),
    ];

    /// <summary>
    /// Written from the organisation tree, as paths of these arrays (an organisation the tree does not know stands alone):
    /// the place is where the member reported, else the destination.
    /// </summary>
    private const string OutflowAncestors = "coalesce(o.ancestors, ARRAY[u.outflow_org_id])";
    private const string InflowAncestors = "CASE WHEN u.inflow_org_id IS NOT NULL THEN coalesce(i.ancestors, ARRAY[u.inflow_org_id]) END";

    private static readonly DerivedColumn[] Derived =
    [
        new(Path(OutflowAncestors), Columns<Placed>.Text("outflow_path", p => p.OutflowPath)),
        new("o.region", Columns<Placed>.Text("outflow_region", p => p.Outflow?.Region)),
        new(Path(InflowAncestors), Columns<Placed>.Text("inflow_path", p => p.InflowPath)),
        new(PlaceRegion, Columns<Placed>.Text("place_region", p => p.PlaceRegion)),
        new(InProvince, Columns<Placed>.Bool("in_province", p => p.InProvince)),
    ];

    /// <summary>Where the member is: where they reported, else the destination (see <see cref="Placed"/>).</summary>
    public const string PlaceRegion = "coalesce(i.region, u.destination_region)";

    public const string InProvince = $"coalesce(left({PlaceRegion}, 2) = o.province, false)";

    /// <summary>
    /// The ancestors as one string, <c>/root/…/self/</c>: a subtree is a range of it (see <see cref="SubtreeAsync"/>),
    /// which a B-tree serves in order and which index-only scans can count — the GIN arrays cannot do either.
    /// </summary>
    public static string Path(string ancestors) => $"'/' || array_to_string({ancestors}, '/') || '/'";

    /// <summary>
    /// The path range of an organisation's subtree: from its path "/a/b/" up to "/a/b0" ('0' follows '/' in byte
    /// order), or null when the organisation is unknown. Read before the query so the planner sees real bounds and
    /// can tell a province (most rows: walk the sort index) from a branch (few rows: range scan, then sort).
    /// </summary>
    public static async Task<(string From, string To)?> SubtreeAsync(NpgsqlDataSource dataSource, string schema, string orgId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await OrgTree.PathAsync(connection, schema, orgId, ct).ConfigureAwait(false) is { } path ? SubtreeRange(path) : null;
    }

    /// <summary>The paths below <paramref name="path"/>, itself included: from it up to the same with its last '/' as '0'.</summary>
    public static (string From, string To) SubtreeRange(string path) => (path, path[..^1] + "0");

    public string Table { get; } = table;

    /// <summary>The rows with the columns joined from the projection's organisation tree.</summary>
    public MemberRowTable Rows { get; } = new(new RowTable<MemberRow>(table, ColumnList), Derived) { ClusteredBySubtree = true };

    public string Create(string s) => $"""
        CREATE TABLE {s}.{Table} (
            member_id text PRIMARY KEY,
            name text NOT NULL,
            id_number text NOT NULL,
            phone text NOT NULL,
            episode int NOT NULL,
            status text NOT NULL,
            outflow_org_id text NOT NULL,
            outflow_path text COLLATE "C" NOT NULL,
            outflow_region text,
            reason text NOT NULL,
            destination_region text NOT NULL,
            destination_place text NOT NULL,
            employer text,
            address text,
            activity_card_no text,
            departed_at timestamptz NOT NULL,
            registered_at timestamptz NOT NULL,
            started_at timestamptz NOT NULL,
            awaiting_report_since timestamptz NOT NULL,
            moved_at timestamptz,
            inflow_org_id text,
            inflow_path text COLLATE "C",
            place_region text NOT NULL,
            in_province boolean NOT NULL,
            report_channel text,
            first_reported_at timestamptz,
            reported_at timestamptz,
            placed_org_id text,
            branch_id text,
            placed_at timestamptz,
            transfer_to_org_id text,
            transfer_requested_at timestamptz,
            lost_at timestamptz,
            suspended_at timestamptz,
            outcome text,
            closed_at timestamptz,
            last_contact_at timestamptz,
            last_activity_at timestamptz,
            last_care_visit_at timestamptz,
            contacts_outflow int NOT NULL,
            contacts_inflow int NOT NULL,
            activities_outflow int NOT NULL,
            activities_inflow int NOT NULL,
            care_visits_outflow int NOT NULL,
            care_visits_inflow int NOT NULL,
            registered_by text,
            registered_by_org text,
            registered_by_side text NOT NULL,
            report_received_by text,
            report_received_by_org text,
            report_received_by_side text,
            placed_by text,
            placed_by_org text,
            placed_by_side text,
            last_appraisal_year int,
            last_appraisal_result text,
            position bigint NOT NULL
        ) WITH (fillfactor = 80);
        """;

    /// <summary>
    /// Every secondary index serves readers only: applying a batch reads and writes rows by <c>member_id</c>, and the
    /// rare move of a branch of the tree (<see cref="RefreshPathsAsync"/>) takes a range of the path indexes where they
    /// exist and scans where they do not yet (a rebuild's shadow).
    /// </summary>
    public string CreateReadIndexes(string s) => $"""
        CREATE INDEX ON {s}.{Table} (destination_region text_pattern_ops);
        CREATE INDEX ON {s}.{Table} (outflow_path, status) INCLUDE (name, member_id);
        CREATE INDEX ON {s}.{Table} (inflow_path, status) INCLUDE (name, member_id);
        CREATE INDEX ON {s}.{Table} (name, member_id) INCLUDE (outflow_path, inflow_path);
        CREATE INDEX ON {s}.{Table} (status, name, member_id) INCLUDE (outflow_path, inflow_path);
        CREATE INDEX ON {s}.{Table} (registered_at, member_id) INCLUDE (outflow_path, inflow_path, inflow_org_id, destination_region);
        CREATE INDEX ON {s}.{Table} (awaiting_report_since) WHERE closed_at IS NULL AND lost_at IS NULL AND reported_at IS NULL;
        CREATE INDEX ON {s}.{Table} (lost_at) WHERE closed_at IS NULL AND lost_at IS NOT NULL;
        CREATE INDEX ON {s}.{Table} (reported_at) WHERE closed_at IS NULL AND lost_at IS NULL AND transfer_to_org_id IS NULL;
        """;

    /// <summary>Folds the batch's member events into the rows: one read and one write, however many members.</summary>
    public async Task ApplyAsync(NpgsqlConnection c, IMemberRows store, IReadOnlyList<DecodedEvent> memberEvents, CancellationToken ct)
    {
        var byMember = MemberBatch.ByMember(memberEvents);
        var rows = await store.LoadAsync(c, MemberBatch.NeedingStoredRow(byMember), ct).ConfigureAwait(false);
        var written = new List<MemberRow>(byMember.Count);
        foreach (var (memberId, events) in byMember)
        {
            var row = rows.GetValueOrDefault(memberId);
            foreach (var e in events)
                row = MemberRow.Evolve(row, e);
            written.Add(row!);
        }
        await store.WriteAsync(c, written, r => rows.ContainsKey(r.MemberId), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A branch of the tree moved: the rows pointing into it, found by the path it had before (a range of the path
    /// indexes), take the new paths.
    /// </summary>
    public async Task RefreshPathsAsync(NpgsqlConnection c, string s, string oldPath, CancellationToken ct)
    {
        var (from, to) = SubtreeRange(oldPath);
        object[] range = [from, to];
        await Db.ExecuteBatchAsync(c, ct,
            ($"""
            UPDATE {s}.{Table} m SET outflow_path = {Path("o.ancestors")} FROM {s}.orgs o
             WHERE m.outflow_path >= $1 AND m.outflow_path < $2 AND o.id = m.outflow_org_id
            """, range),
            ($"""
            UPDATE {s}.{Table} m SET inflow_path = {Path("o.ancestors")} FROM {s}.orgs o
             WHERE m.inflow_path >= $1 AND m.inflow_path < $2 AND o.id = m.inflow_org_id
            """, range)).ConfigureAwait(false);
    }
}

/// <summary>How a batch's member events are grouped for a set-based fold.</summary>
internal static class MemberBatch
{
    public static string MemberId(DecodedEvent e) => ((IMemberEvent)e.Event).MemberId;

    /// <summary>Each member's events in feed order; members in order of first appearance (so writes are deterministic).</summary>
    public static Dictionary<string, List<DecodedEvent>> ByMember(IEnumerable<DecodedEvent> memberEvents)
    {
        // Sized for one member per event at most: grown from empty, it was reallocated about eight times per batch.
        var byMember = new Dictionary<string, List<DecodedEvent>>(memberEvents.TryGetNonEnumeratedCount(out var count) ? count : 0, StringComparer.Ordinal);
        foreach (var e in memberEvents)
        {
            var id = MemberId(e);
            if (!byMember.TryGetValue(id, out var list))
                byMember[id] = list = [];
            list.Add(e);
        }
        return byMember;
    }

    /// <summary>A member whose events here start with a registration needs no stored row: a new episode starts clean.</summary>
    public static string[] NeedingStoredRow(Dictionary<string, List<DecodedEvent>> byMember) =>
        [.. byMember.Where(kv => kv.Value[0].Event is not OutflowRegistered).Select(kv => kv.Key)];
}
