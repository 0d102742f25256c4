using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Projections.Common;
using CoManagement.Projections.Members;
using Npgsql;

namespace CoManagement.Projections.Queries;

public sealed record AgreementSummary(
    string AgreementId,
    string Title,
    string OutflowDepartmentId,
    string? OutflowDepartmentName,
    string InflowDepartmentId,
    string? InflowDepartmentName,
    IReadOnlyList<string> ExtraPartyIds,
    IReadOnlyList<Commitment> Commitments,
    int InformationSharingDays,
    DateTimeOffset SignedAt,
    DateTimeOffset? EndedAt,
    string? EndReason);

/// <summary>What each side did for one member: counts by side and who did the registration, report and placement.</summary>
public sealed record SideActions(long Registrations, long ReportsReceived, long Placements, long Contacts, long Activities, long CareVisits);

public sealed record AgreementTotals(
    long Members,
    long Reported,
    long Placed,
    long NotReportedPastDuty,
    long FoundByInflow,
    double? AverageReportLagDays,
    double? MedianReportLagDays,
    SideActions Outflow,
    SideActions Inflow);

public sealed record AgreementMember(
    string MemberId,
    string Name,
    string IdNumber,
    string Phone,
    MemberStatus Status,
    string OutflowOrgId,
    string? InflowOrgId,
    string DestinationRegion,
    DateTimeOffset RegisteredAt,
    string? RegisteredBy,
    string? RegisteredByOrg,
    Side RegisteredBySide,
    DateTimeOffset? ReportedAt,
    string? ReportReceivedBy,
    string? ReportReceivedByOrg,
    DateTimeOffset? PlacedAt,
    string? PlacedBy,
    string? PlacedByOrg,
    string? BranchId,
    int ContactsOutflow,
    int ContactsInflow,
    int ActivitiesOutflow,
    int ActivitiesInflow,
    int CareVisitsOutflow,
    int CareVisitsInflow,
    double? ReportLagDays,
    bool NotReportedPastDuty,
    bool FoundByInflow);

public sealed record ActionItemView(
    string ItemId,
    string ConsultationId,
    string Text,
    Side Owner,
    DateTimeOffset DueAt,
    DateTimeOffset? CompletedAt,
    bool Overdue);

public sealed record ConsultationView(string ConsultationId, string Topic, DateTimeOffset HeldAt, IReadOnlyList<ActionItemView> ActionItems);

public enum AgreementMemberSet
{
    All,
    NotReportedPastDuty,
    FoundByInflow,
    Reported,
    NotReported,
}

public sealed record AgreementView(
    AgreementSummary Agreement,
    DateTimeOffset At,
    AgreementTotals Totals,
    Page<AgreementMember> Members,
    IReadOnlyList<ConsultationView> Consultations,
    long OverdueActionItems);

/// <summary>
/// Co-management agreements and their bilateral audit view. A member is covered by an agreement when the formal
/// (outflow) organisation is in the outflow department's subtree and either the place they reported at is in the inflow
/// department's subtree or, not reported yet, the destination lies in the inflow department's region (its code with
/// trailing "00" pairs dropped as a prefix: 440100 → "4401").
/// </summary>
public sealed class AgreementQuery(NpgsqlDataSource dataSource, ProjectionCatalog catalog, TimeProvider? time = null)
{
    private readonly QueryContext _q = new(dataSource, catalog, time);

    private string S => catalog.SchemaOf(ProjectionNames.Bilateral);

    /// <summary>Members and their actions by side come from the roster (see <c>BilateralProjection</c>).</summary>
    private string Members => catalog.SchemaOf(ProjectionNames.Roster) + ".roster";

    /// <summary>
    /// Agreements, newest first, optionally only those <paramref name="orgId"/> is a party to, under or above (see
    /// <see cref="VisibleTo"/>); a page of them and how many there are, in one round trip.
    /// </summary>
    public async Task<Page<AgreementSummary>> ListAsync(string? orgId = null, int page = 1, int pageSize = 50, CancellationToken ct = default)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, RosterQuery.MaxPageSize);
        var sql = VisibleTo(new SqlBuilder(), orgId);
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(sql.BatchCommand($"SELECT count(*) FROM {S}.agreements a {sql.WhereClause}"));
        batch.BatchCommands.Add(sql.BatchCommand($"""
            {SummarySelect} {sql.WhereClause} ORDER BY a.signed_at DESC, a.id LIMIT {pageSize} OFFSET {(long)(page - 1) * pageSize}
            """));
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        var items = new List<AgreementSummary>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            items.Add(ReadSummary(reader));
        return new Page<AgreementSummary>(items, total, page, pageSize);
    }

    /// <summary>Whether the agreement is among those <see cref="ListAsync"/> gives <paramref name="orgId"/>.</summary>
    public async Task<bool> IsVisibleToAsync(string orgId, string agreementId, CancellationToken ct = default)
    {
        var sql = VisibleTo(new SqlBuilder(), orgId);
        sql.Where($"a.id = {sql.Value(agreementId)}");
        await using var cmd = sql.Command(dataSource, $"SELECT EXISTS (SELECT 1 FROM {S}.agreements a {sql.WhereClause})");
        return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>The agreements (alias <c>a</c>) <paramref name="orgId"/> is a party to, or in the subtree of a party of, or above one.</summary>
    private SqlBuilder VisibleTo(SqlBuilder sql, string? orgId)
    {
        if (orgId is null)
            return sql;
        var org = sql.Value(orgId);
        return sql.Where($"""
            ({org} = ANY(a.extra_party_ids)
             OR EXISTS (SELECT 1 FROM {S}.orgs x WHERE x.id = {org} AND x.ancestors && ARRAY[a.outflow_department_id, a.inflow_department_id])
             OR EXISTS (SELECT 1 FROM {S}.orgs od WHERE od.id = a.outflow_department_id AND od.ancestors @> ARRAY[{org}])
             OR EXISTS (SELECT 1 FROM {S}.orgs idp WHERE idp.id = a.inflow_department_id AND idp.ancestors @> ARRAY[{org}]))
            """);
    }

    public async Task<AgreementView?> GetAsync(string agreementId, AgreementMemberSet set = AgreementMemberSet.All,
        int page = 1, int pageSize = 50, DateTimeOffset? now = null, CancellationToken ct = default)
    {
        var at = now ?? _q.Now;
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, RosterQuery.MaxPageSize);

        AgreementSummary summary;
        string? inflowRegion;
        await using (var cmd = dataSource.CreateCommand($"{SummarySelect} WHERE a.id = $1"))
        {
            cmd.Parameters.Add(Db.Parameter(agreementId));
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                return null;
            summary = ReadSummary(reader);
            inflowRegion = reader.Text(12)?.Trim();
        }

        // Covered: formal org under the outflow department, and reported under the inflow department or, not reported
        // yet, bound for the inflow department's region (its code without trailing "00" pairs, as a prefix).
        var sql = new SqlBuilder();
        var roster = catalog.SchemaOf(ProjectionNames.Roster);
        var outflow = await MemberTable.SubtreeAsync(dataSource, roster, summary.OutflowDepartmentId, ct).ConfigureAwait(false) ?? ("", "");
        var inflow = await MemberTable.SubtreeAsync(dataSource, roster, summary.InflowDepartmentId, ct).ConfigureAwait(false) ?? ("", "");
        var covered = $"""
            m.outflow_path >= {sql.Value(outflow.From)} AND m.outflow_path < {sql.Value(outflow.To)}
            AND (m.inflow_path >= {sql.Value(inflow.From)} AND m.inflow_path < {sql.Value(inflow.To)}
                 OR (m.inflow_org_id IS NULL AND m.destination_region LIKE {sql.Value(RegionScope(inflowRegion))}))
            """;
        var pastDuty = $"""
            (m.closed_at IS NULL AND m.reported_at IS NULL
             AND coalesce(m.moved_at, m.registered_at) < {sql.Value(at - TimeSpan.FromDays(summary.InformationSharingDays))})
            """;
        const string lag = "extract(epoch FROM m.first_reported_at - m.registered_at) / 86400.0";
        var filter = set switch
        {
            AgreementMemberSet.NotReportedPastDuty => " AND " + pastDuty,
            AgreementMemberSet.FoundByInflow => " AND m.registered_by_side = 'Inflow'",
            AgreementMemberSet.Reported => " AND m.reported_at IS NOT NULL",
            AgreementMemberSet.NotReported => " AND m.reported_at IS NULL",
            _ => "",
        };
        var limit = sql.Value(pageSize);
        var offset = sql.Value((long)(page - 1) * pageSize);
        var agreement = sql.Value(agreementId);

        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(sql.BatchCommand($"""
            SELECT count(*), count(*) FILTER (WHERE m.reported_at IS NOT NULL), count(*) FILTER (WHERE m.placed_at IS NOT NULL),
                   count(*) FILTER (WHERE {pastDuty}), count(*) FILTER (WHERE m.registered_by_side = 'Inflow'),
                   avg({lag}), percentile_cont(0.5) WITHIN GROUP (ORDER BY {lag}),
                   {SideTotals("Outflow")}, {SideTotals("Inflow")}
              FROM {Members} m WHERE {covered}
            """));
        // The page's keys first: with no extra filter an index-only walk of (registered_at, member_id), whose included
        // columns decide coverage without visiting the rows it skips; then those rows.
        batch.BatchCommands.Add(sql.BatchCommand($"""
            WITH page AS (
                SELECT m.member_id FROM {Members} m WHERE {covered}{filter}
                 ORDER BY m.registered_at, m.member_id LIMIT {limit} OFFSET {offset})
            SELECT m.member_id, m.name, m.id_number, m.phone, m.status, m.outflow_org_id, m.inflow_org_id, m.destination_region,
                   m.registered_at, m.registered_by, m.registered_by_org, m.registered_by_side, m.reported_at,
                   m.report_received_by, m.report_received_by_org, m.placed_at, m.placed_by, m.placed_by_org, m.branch_id,
                   m.contacts_outflow, m.contacts_inflow, m.activities_outflow, m.activities_inflow,
                   m.care_visits_outflow, m.care_visits_inflow, {lag}, {pastDuty}
              FROM page JOIN {Members} m ON m.member_id = page.member_id
             ORDER BY m.registered_at, m.member_id
            """));
        // Every covered member is counted by the totals already; only a narrower set needs its own count.
        if (filter.Length > 0)
            batch.BatchCommands.Add(sql.BatchCommand($"SELECT count(*) FROM {Members} m WHERE {covered}{filter}"));
        batch.BatchCommands.Add(sql.BatchCommand($"""
            SELECT c.consultation_id, c.topic, c.held_at, i.item_id, i.text, i.owner_side, i.due_at, i.completed_at
              FROM {S}.consultations c LEFT JOIN {S}.action_items i ON i.agreement_id = c.agreement_id AND i.consultation_id = c.consultation_id
             WHERE c.agreement_id = {agreement}
             ORDER BY c.held_at, c.consultation_id, i.due_at, i.item_id
            """));

        await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await r.ReadAsync(ct).ConfigureAwait(false);
        var totals = new AgreementTotals(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4),
            r.IsDBNull(5) ? null : (double)r.GetDecimal(5), r.IsDBNull(6) ? null : r.GetDouble(6),
            ReadSide(r, 7), ReadSide(r, 13));

        await r.NextResultAsync(ct).ConfigureAwait(false);
        var members = new List<AgreementMember>(pageSize);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            members.Add(new AgreementMember(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Enum.Parse<MemberStatus>(r.GetString(4)),
                r.GetString(5), r.Text(6), r.GetString(7).Trim(), r.Time(8)!.Value, r.Text(9), r.Text(10), Enum.Parse<Side>(r.GetString(11)),
                r.Time(12), r.Text(13), r.Text(14), r.Time(15), r.Text(16), r.Text(17), r.Text(18),
                r.GetInt32(19), r.GetInt32(20), r.GetInt32(21), r.GetInt32(22), r.GetInt32(23), r.GetInt32(24),
                r.IsDBNull(25) ? null : (double)r.GetDecimal(25), r.GetBoolean(26), r.GetString(11) == nameof(Side.Inflow)));
        }
        var memberTotal = totals.Members;
        if (filter.Length > 0)
        {
            await r.NextResultAsync(ct).ConfigureAwait(false);
            await r.ReadAsync(ct).ConfigureAwait(false);
            memberTotal = r.GetInt64(0);
        }

        await r.NextResultAsync(ct).ConfigureAwait(false);
        var consultations = new List<(string Id, string Topic, DateTimeOffset HeldAt, List<ActionItemView> Items)>();
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var id = r.GetString(0);
            if (consultations.Count == 0 || consultations[^1].Id != id)
                consultations.Add((id, r.GetString(1), r.Time(2)!.Value, []));
            if (r.IsDBNull(3))
                continue;
            var due = r.Time(6)!.Value;
            var completed = r.Time(7);
            consultations[^1].Items.Add(new ActionItemView(r.GetString(3), id, r.GetString(4), Enum.Parse<Side>(r.GetString(5)),
                due, completed, due < at && (completed ?? at) > due));
        }
        var views = consultations.Select(c => new ConsultationView(c.Id, c.Topic, c.HeldAt, c.Items)).ToList();
        return new AgreementView(summary, at, totals, new Page<AgreementMember>(members, memberTotal, page, pageSize), views,
            views.Sum(v => v.ActionItems.Count(i => i.Overdue)));
    }

    /// <summary>440100 → "4401%", 440103 → "440103%", 440000 → "44%"; no region matches nothing.</summary>
    internal static string RegionScope(string? region)
    {
        if (region is not { Length: 6 })
            return "";
        var prefix = region;
        while (prefix.Length > 2 && prefix.EndsWith("00", StringComparison.Ordinal))
            prefix = prefix[..^2];
        return SqlBuilder.RegionPrefix(prefix) + "%";
    }

    private static string SideTotals(string side) => $"""
        count(*) FILTER (WHERE m.registered_by_side = '{side}'), count(*) FILTER (WHERE m.report_received_by_side = '{side}'),
        count(*) FILTER (WHERE m.placed_by_side = '{side}'), coalesce(sum(m.contacts_{side.ToLowerInvariant()}), 0),
        coalesce(sum(m.activities_{side.ToLowerInvariant()}), 0), coalesce(sum(m.care_visits_{side.ToLowerInvariant()}), 0)
        """;

    private static SideActions ReadSide(NpgsqlDataReader r, int first) =>
        new(r.GetInt64(first), r.GetInt64(first + 1), r.GetInt64(first + 2), r.GetInt64(first + 3), r.GetInt64(first + 4), r.GetInt64(first + 5));

    private string SummarySelect => $"""
        SELECT a.id, a.title, a.outflow_department_id, od.name, a.inflow_department_id, idp.name, a.extra_party_ids,
               a.commitments, a.sharing_days, a.signed_at, a.ended_at, a.end_reason, idp.region
          FROM {S}.agreements a
          LEFT JOIN {S}.orgs od ON od.id = a.outflow_department_id
          LEFT JOIN {S}.orgs idp ON idp.id = a.inflow_department_id
        """;

    private static AgreementSummary ReadSummary(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.Text(3), r.GetString(4), r.Text(5), r.GetFieldValue<string[]>(6),
        [.. r.GetFieldValue<string[]>(7).Select(Enum.Parse<Commitment>)], r.GetInt32(8), r.Time(9)!.Value, r.Time(10), r.Text(11));
}
