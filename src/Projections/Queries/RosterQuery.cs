using System.ComponentModel;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Projections.Common;
using CoManagement.Projections.Members;
using Npgsql;

namespace CoManagement.Projections.Queries;

public enum RosterSort
{
    Name,
    RegisteredAt,
    ReportedAt,
    Status,
    LastContactAt,
    LastActivityAt,
}

/// <summary>
/// Which members to list. <see cref="OrgId"/> selects a subtree: with <see cref="Side"/> = Outflow the member's formal
/// (outflow) organisation must be in it, with Inflow the place they reported at. With no organisation, Outflow lists
/// every member and Inflow every member with an inflow place (reported somewhere), as if every subtree were asked. Risk flags are judged at
/// <see cref="Now"/> (the query clock when null), from the current rows: now or later (see <see cref="RiskQuery"/>).
/// </summary>
public sealed record RosterFilter
{
    public string? OrgId { get; init; }

    public Side Side { get; init; } = Side.Outflow;

    /// <summary>Any of these; null or empty means every status.</summary>
    public IReadOnlyList<MemberStatus>? Statuses { get; init; }

    /// <summary>Destination region code prefix: "61" (Shaanxi), "6101" (Xi'an), "610104" (Lianhu).</summary>
    public string? DestinationPrefix { get; init; }

    /// <summary>Only members showing this flag (a single flag of <see cref="MemberRisks"/>).</summary>
    public MemberRisks? Risk { get; init; }

    /// <summary>Inflow place (or destination, before a report) in the outflow organisation's province.</summary>
    public bool? InProvince { get; init; }

    public RosterSort Sort { get; init; } = RosterSort.Name;

    /// <summary>The total is counted exactly up to this many rows; past it the page gives the cap and says so.</summary>
    public int CountCap { get; init; } = RosterQuery.DefaultCountCap;

    public bool Descending { get; init; }

    /// <summary>1-based.</summary>
    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 50;

    public DateTimeOffset? Now { get; init; }
}

/// <summary>One member's row. ID and phone numbers are raw: the endpoint masks them for callers outside the owning org.</summary>
public sealed record RosterEntry(
    string MemberId,
    string Name,
    string IdNumber,
    string Phone,
    int Episode,
    MemberStatus Status,
    MemberRisks Risks,
    string OutflowOrgId,
    string? OutflowOrgName,
    string? OutflowRegion,
    string? InflowOrgId,
    string? InflowOrgName,
    string? BranchId,
    string DestinationRegion,
    string DestinationPlace,
    bool InProvince,
    OutflowReason Reason,
    string? Employer,
    string? ActivityCardNo,
    DateTimeOffset DepartedAt,
    DateTimeOffset RegisteredAt,
    DateTimeOffset? MovedAt,
    DateTimeOffset? ReportedAt,
    DateTimeOffset? PlacedAt,
    string? TransferToOrgId,
    DateTimeOffset? TransferRequestedAt,
    DateTimeOffset? LostAt,
    DateTimeOffset? SuspendedAt,
    DateTimeOffset? ClosedAt,
    DateTimeOffset? LastContactAt,
    DateTimeOffset? LastActivityAt,
    DateTimeOffset? LastCareVisitAt,
    int ContactsOutflow,
    int ContactsInflow,
    int ActivitiesOutflow,
    int ActivitiesInflow,
    int CareVisitsOutflow,
    int CareVisitsInflow,
    Side RegisteredBySide);

/// <summary>
/// One page and the number of matching rows. A very large match (a whole province) is counted only up to a cap:
/// then <see cref="Total"/> is that cap and <see cref="TotalIsExact"/> is false ("50,000+").
/// </summary>
public sealed record Page<T>(
    IReadOnlyList<T> Items,
    [property: Description("Rows matching the filters; when TotalIsExact is false, the count stopped at this cap.")] long Total,
    int PageNumber,
    int PageSize,
    [property: Description("False when Total is a cap (50,000 rows by default), not the full count.")] bool TotalIsExact = true);

/// <summary>The roster (inline read model) with filters, sorting and paging; one round trip per page.</summary>
public sealed class RosterQuery(NpgsqlDataSource dataSource, ProjectionCatalog catalog, TimeProvider? time = null)
{
    public const int MaxPageSize = 500;

    /// <summary>Totals are exact up to this many rows unless a filter says otherwise (<see cref="RosterFilter.CountCap"/>).</summary>
    public const int DefaultCountCap = 50_000;

    private readonly QueryContext _q = new(dataSource, catalog, time);

    public Task<Page<RosterEntry>> ListAsync(RosterFilter filter, CancellationToken ct = default) =>
        ListAsync(_q, catalog.SchemaOf(ProjectionNames.Roster), filter, null, ct);

    public async Task<RosterEntry?> FindAsync(string memberId, DateTimeOffset? now = null, CancellationToken ct = default)
    {
        var sql = new SqlBuilder();
        sql.Where($"m.member_id = {sql.Value(memberId)}");
        var s = catalog.SchemaOf(ProjectionNames.Roster);
        await using var cmd = sql.Command(dataSource, $"SELECT {EntryColumns} FROM {s}.roster m {OrgJoins(s)} {sql.WhereClause}");
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadEntry(reader, now ?? _q.Now, catalog.Settings) : null;
    }

    /// <summary>Shared with <see cref="RiskQuery"/>, which sorts a flag's list by the date that raised it.</summary>
    internal static async Task<Page<RosterEntry>> ListAsync(QueryContext q, string s, RosterFilter filter, string? orderBy, CancellationToken ct)
    {
        var page = Math.Max(1, filter.Page);
        var size = Math.Clamp(filter.PageSize, 1, MaxPageSize);
        var now = filter.Now ?? q.Now;
        var sql = new SqlBuilder();
        if (filter.OrgId is { } org)
            sql.Subtree(filter.Side == Side.Inflow ? "m.inflow_path" : "m.outflow_path", await MemberTable.SubtreeAsync(q.DataSource, s, org, ct).ConfigureAwait(false));
        else if (filter.Side == Side.Inflow)
            sql.Where("m.inflow_path IS NOT NULL"); // every inflow subtree: the members with an inflow place, as a subtree's range requires
        if (filter.Statuses is { Count: > 0 } statuses)
            sql.Where($"m.status = ANY({sql.Value(statuses.Select(x => x.ToString()).ToArray())})");
        if (filter.DestinationPrefix is { } prefix)
            sql.Where($"m.destination_region LIKE {sql.Value(SqlBuilder.RegionPrefix(prefix) + "%")}");
        if (filter.Risk is { } risk)
            sql.Where(Risks.Condition(risk, sql.Value(Risks.Cutoff(risk, now, q.Catalog.Settings))));
        if (filter.InProvince is { } inProvince)
            sql.Where($"m.in_province = {sql.Value(inProvince)}");

        var direction = filter.Descending ? "DESC" : "ASC";
        orderBy ??= filter.Sort switch
        {
            RosterSort.RegisteredAt => "m.registered_at",
            RosterSort.ReportedAt => "m.reported_at",
            RosterSort.Status => "m.status",
            RosterSort.LastContactAt => "m.last_contact_at",
            RosterSort.LastActivityAt => "m.last_activity_at",
            _ => "m.name",
        };
        var limit = sql.Value(size);
        var offset = sql.Value((long)(page - 1) * size);

        // The page's keys first (an index-only scan when the filter allows), then their rows.
        await using var batch = q.DataSource.CreateBatch();
        batch.BatchCommands.Add(sql.BatchCommand($"""
            WITH page AS (
                SELECT m.member_id FROM {s}.roster m {sql.WhereClause}
                 ORDER BY {orderBy} {direction} NULLS LAST, m.member_id {direction} LIMIT {limit} OFFSET {offset})
            SELECT {EntryColumns} FROM page JOIN {s}.roster m ON m.member_id = page.member_id {OrgJoins(s)}
             ORDER BY {orderBy} {direction} NULLS LAST, m.member_id {direction}
            """));
        // Counting half a million index entries would cost more than the page: past the cap the total is a lower bound.
        var cap = Math.Max(1, filter.CountCap);
        batch.BatchCommands.Add(sql.BatchCommand($"SELECT count(*) FROM (SELECT 1 FROM {s}.roster m {sql.WhereClause} LIMIT {sql.Value(cap + 1L)}) x"));
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var items = new List<RosterEntry>(size);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            items.Add(ReadEntry(reader, now, q.Catalog.Settings));
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        var total = reader.GetInt64(0);
        return new Page<RosterEntry>(items, Math.Min(total, cap), page, size, total <= cap);
    }

    internal static string OrgJoins(string s) =>
        $"LEFT JOIN {s}.orgs oo ON oo.id = m.outflow_org_id LEFT JOIN {s}.orgs io ON io.id = m.inflow_org_id";

    internal const string EntryColumns = """
        m.member_id, m.name, m.id_number, m.phone, m.episode, m.status, m.outflow_org_id, oo.name, m.outflow_region,
        m.inflow_org_id, io.name, m.branch_id, m.destination_region, m.destination_place, m.in_province, m.reason, m.employer,
        m.activity_card_no, m.departed_at, m.registered_at, m.moved_at, m.reported_at, m.placed_at, m.transfer_to_org_id,
        m.transfer_requested_at, m.lost_at, m.suspended_at, m.closed_at, m.last_contact_at, m.last_activity_at,
        m.last_care_visit_at, m.contacts_outflow, m.contacts_inflow, m.activities_outflow, m.activities_inflow,
        m.care_visits_outflow, m.care_visits_inflow, m.registered_by_side
        """;

    internal static RosterEntry ReadEntry(NpgsqlDataReader r, DateTimeOffset now, DomainSettings settings)
    {
        var entry = new RosterEntry(
            r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), Enum.Parse<MemberStatus>(r.GetString(5)),
            MemberRisks.None, r.GetString(6), r.Text(7), r.Text(8)?.Trim(), r.Text(9), r.Text(10), r.Text(11), r.GetString(12).Trim(),
            r.GetString(13), r.GetBoolean(14), Enum.Parse<OutflowReason>(r.GetString(15)), r.Text(16), r.Text(17),
            r.Time(18)!.Value, r.Time(19)!.Value, r.Time(20), r.Time(21), r.Time(22), r.Text(23), r.Time(24), r.Time(25), r.Time(26),
            r.Time(27), r.Time(28), r.Time(29), r.Time(30), r.GetInt32(31), r.GetInt32(32), r.GetInt32(33), r.GetInt32(34),
            r.GetInt32(35), r.GetInt32(36), Enum.Parse<Side>(r.GetString(37)));
        return entry with { Risks = Risks.At(entry, now, settings) };
    }
}
