using System.ComponentModel;
using CoManagement.Domain.Organizations;
using CoManagement.Projections.Common;
using CoManagement.Projections.Coverage;
using Npgsql;

namespace CoManagement.Projections.Queries;

/// <summary>
/// Counts and rates of one group of episodes (all, in-province or out-of-province) counted on the outflow side.
/// Rates are fractions (0–1), null when there is nothing to divide by. A member marked lost contact stays in N_out but
/// is not counted reported, placed or transferring until found again: 纳管 means under management, which a member
/// nobody can reach is not, so the rates are not inflated by members out of reach.
/// </summary>
public sealed record CoverageCounts(
    [property: Description("N_out: open episodes whose formal (outflow) organisation is in the subtree.")] long NOut,
    [property: Description("Of N_out, the episodes reported at the inflow side (报到); a member marked lost contact is not counted until found again.")] long Reported,
    [property: Description("Of N_out, the episodes reported and placed in a branch (纳管, under management); a member marked lost contact is not counted until found again.")] long Placed,
    [property: Description("Of the placed (so not lost contact), those with organisational life in the last 90 days (有效纳管).")] long EffectivelyCovered,
    [property: Description("Of N_out, the episodes with a contact in the last 30 days.")] long Contacted,
    [property: Description("Of N_out, the episodes with organisational life in the last 90 days.")] long Participating,
    [property: Description("Of N_out, the episodes whose relationship transfer is requested and not yet answered; a member marked lost contact is not counted.")] long Transferring,
    [property: Description("Episodes of the subtree closed by a relationship transfer since 1 January.")] long TransferredYearToDate,
    [property: Description("Of N_out, the members marked lost contact (失联): counted in N_out, never as reported, placed or transferring.")] long LostContact,
    [property: Description("报到率: Reported ÷ N_out (lost-contact members count in N_out only).")] double? ReportRate,
    [property: Description("纳管率: Placed ÷ N_out (lost-contact members count in N_out only).")] double? CoverageRate,
    [property: Description("有效纳管率: EffectivelyCovered ÷ N_out.")] double? EffectiveCoverageRate,
    [property: Description("转接率: (Transferring + TransferredYearToDate) ÷ (N_out + TransferredYearToDate).")] double? TransferRate,
    [property: Description("联系达标率: Contacted ÷ N_out.")] double? ContactRate,
    [property: Description("Participation rate: Participating ÷ N_out.")] double? ParticipationRate);

/// <summary>A rate against the organisation's target for the year (targets are fractions too).</summary>
public sealed record TargetComparison(TargetMetric Metric, int Year, decimal Target, double? Value, bool Met);

/// <summary>
/// Figures for an organisation's subtree at a month end (frozen when the month closed) or now. <see cref="NIn"/> is the
/// management count on the inflow side (members whose current inflow place is in the subtree) and is never added to
/// the outflow counts; so are the care visits beside it (<c>NInCareVisits…</c>), read from the inflow scope's year to
/// date, without which an inflow organisation (a station, an inflow department) showed none of the visits to its members.
/// </summary>
public sealed record CoverageFigures(
    string OrgId,
    string OrgName,
    string? Month,
    DateTimeOffset AsOf,
    bool Frozen,
    CoverageCounts All,
    CoverageCounts InProvince,
    CoverageCounts OutOfProvince,
    [property: Description("N_in: open episodes whose current inflow place is in the subtree (a management count, never added to N_out).")] long NIn,
    [property: Description("Of N_in, the episodes reported and placed in a branch; a member marked lost contact is not counted.")] long NInPlaced,
    [property: Description("Care visits (走访慰问) by the outflow side since 1 January to the members whose formal (outflow) organisation is in the subtree.")]
    long CareVisitsOutflowYearToDate,
    [property: Description("Care visits by the inflow side since 1 January to the members whose formal (outflow) organisation is in the subtree.")]
    long CareVisitsInflowYearToDate,
    [property: Description("Care visits by the outflow side since 1 January to the members whose inflow place is in the subtree (the N_in side; never added to the outflow count).")]
    long NInCareVisitsOutflowYearToDate,
    [property: Description("Care visits by the inflow side since 1 January to the members whose inflow place is in the subtree (the N_in side; never added to the outflow count).")]
    long NInCareVisitsInflowYearToDate,
    IReadOnlyList<TargetComparison> Targets);

/// <summary>Coverage figures (纳管率 and the rest) per organisation subtree, current or as of a past month end.</summary>
public sealed class CoverageQuery(NpgsqlDataSource dataSource, ProjectionCatalog catalog, TimeProvider? time = null)
{
    private readonly QueryContext _q = new(dataSource, catalog, time);

    private string S => catalog.SchemaOf(ProjectionNames.Coverage);

    /// <param name="month"><c>yyyy-MM</c>; null for now.</param>
    /// <exception cref="ArgumentException">The month is not <c>yyyy-MM</c>.</exception>
    public async Task<CoverageFigures?> GetAsync(string orgId, string? month = null, CancellationToken ct = default)
    {
        DateOnly? asked = null;
        if (month is not null)
            asked = Months.TryParse(month, out var m) ? m : throw new ArgumentException($"'{month}' is not a month (yyyy-MM).", nameof(month));

        var state = await ReadStateAsync(orgId, asked, ct).ConfigureAwait(false);
        if (state is null)
            return null;
        var (name, clock, openMonth, closedBefore) = state.Value;
        var now = _q.Now;

        if (asked is { } closedMonth && (closedBefore is not null || openMonth is null || closedMonth < openMonth))
        {
            // A closed month, or one before any data: what was frozen (nothing, before the first event).
            var frozen = await ReadFrozenAsync(orgId, closedMonth, ct).ConfigureAwait(false);
            var targets = await ReadTargetsAsync(orgId, closedMonth.Year, closedBefore, ct).ConfigureAwait(false);
            return Figures(orgId, name, month, Months.End(closedMonth), frozen: true, frozen, targets);
        }

        // Now, or a month not closed yet (its end is now or later, or nothing dated after it has been recorded).
        var at = asked is { } open && Months.End(open) < now ? Months.End(open) : now;
        if (clock is { } c && at < c)
            at = c;
        var live = await ReadLiveAsync(orgId, at, clock, ct).ConfigureAwait(false);
        var liveTargets = await ReadTargetsAsync(orgId, Months.Of(at).Year, null, ct).ConfigureAwait(false);
        return Figures(orgId, name, month, at, frozen: false, live, liveTargets);
    }

    /// <summary>The figures of each direct child of <paramref name="orgId"/>, for drilling down.</summary>
    public async Task<IReadOnlyList<CoverageFigures>> GetChildrenAsync(string orgId, string? month = null, CancellationToken ct = default)
    {
        var children = new List<string>();
        await using (var cmd = dataSource.CreateCommand($"SELECT id FROM {S}.orgs WHERE parent_id = $1 ORDER BY name, id"))
        {
            cmd.Parameters.Add(Db.Parameter(orgId));
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                children.Add(reader.GetString(0));
        }
        var figures = new List<CoverageFigures>(children.Count);
        foreach (var child in children)
        {
            if (await GetAsync(child, month, ct).ConfigureAwait(false) is { } f)
                figures.Add(f);
        }
        return figures;
    }

    /// <summary>The months that are closed and frozen, newest first.</summary>
    public async Task<IReadOnlyList<string>> ClosedMonthsAsync(CancellationToken ct = default)
    {
        var months = new List<string>();
        await using var cmd = dataSource.CreateCommand($"SELECT month FROM {S}.months ORDER BY month DESC");
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            months.Add(Months.Format(reader.GetFieldValue<DateOnly>(0)));
        return months;
    }

    private async Task<(string Name, DateTimeOffset? Clock, DateOnly? OpenMonth, long? ClosedBefore)?> ReadStateAsync(
        string orgId, DateOnly? month, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT o.name, c.clock, c.open_month, (SELECT closed_before_position FROM {S}.months WHERE month = $2)
              FROM {S}.orgs o CROSS JOIN {S}.clock c WHERE o.id = $1
            """);
        cmd.Parameters.Add(Db.Parameter(orgId));
        cmd.Parameters.Add(new NpgsqlParameter { Value = month is { } m ? m : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Date });
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            return null;
        return (reader.GetString(0), reader.Time(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateOnly>(2),
            reader.IsDBNull(3) ? null : reader.GetInt64(3));
    }

    private async Task<Dictionary<(string, bool), long[]>> ReadFrozenAsync(string orgId, DateOnly month, CancellationToken ct)
    {
        var sums = new Dictionary<(string, bool), long[]>();
        await using var cmd = dataSource.CreateCommand($"""
            SELECT scope, in_province, n, reported, placed, active, effective, contacted, lost, transferring,
                   transferred_ytd, care_outflow_ytd, care_inflow_ytd
              FROM {S}.monthly WHERE month = $1 AND org_id = $2
            """);
        cmd.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = month });
        cmd.Parameters.Add(Db.Parameter(orgId));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            Add(sums, reader, 0);
        return sums;
    }

    /// <summary>
    /// The subtree's leaf counters, less the windowed flags that lapsed between the projection's clock and
    /// <paramref name="at"/>, plus the year's flows: three statements, one round trip. The year's row is its year to
    /// date at <paramref name="at"/>, which is never before the clock, and no flow is dated after the clock.
    /// </summary>
    private async Task<Dictionary<(string, bool), long[]>> ReadLiveAsync(string orgId, DateTimeOffset at, DateTimeOffset? clock, CancellationToken ct)
    {
        var settings = catalog.Settings;
        var from = clock ?? at;
        var sub = $"SELECT id FROM {S}.orgs WHERE ancestors @> ARRAY[$1]";
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command($"""
            SELECT scope, in_province, sum(n), sum(reported), sum(placed), sum(active), sum(effective), sum(contacted),
                   sum(lost), sum(transferring), 0, 0, 0
              FROM {S}.counters WHERE org_id IN ({sub}) GROUP BY scope, in_province
            """, orgId));
        batch.BatchCommands.Add(Command($"""
            WITH x AS (
                SELECT e.*, last_activity_at > $2 AND last_activity_at <= $3 AS idle, last_contact_at > $4 AND last_contact_at <= $5 AS uncontacted
                  FROM {S}.episodes e
                 WHERE open AND (last_activity_at > $2 AND last_activity_at <= $3 OR last_contact_at > $4 AND last_contact_at <= $5))
            SELECT scope, in_province, 0, 0, 0, -count(*) FILTER (WHERE idle), -count(*) FILTER (WHERE idle AND placed),
                   -count(*) FILTER (WHERE uncontacted), 0, 0, 0, 0, 0
              FROM (SELECT '{CoverageProjection.Out}' AS scope, x.* FROM x WHERE outflow_org_id IN ({sub})
                    UNION ALL
                    SELECT '{CoverageProjection.In}', x.* FROM x WHERE inflow_org_id IN ({sub})) y
             GROUP BY scope, in_province
            """, orgId, from - settings.Idle, at - settings.Idle, from - settings.ContactOverdue, at - settings.ContactOverdue));
        batch.BatchCommands.Add(Command($"""
            SELECT scope, in_province, 0, 0, 0, 0, 0, 0, 0, 0, sum(transferred), sum(care_outflow), sum(care_inflow)
              FROM {S}.ytd WHERE org_id IN ({sub}) AND year = $2 GROUP BY scope, in_province
            """, orgId, Months.Of(at).Year));

        var sums = new Dictionary<(string, bool), long[]>();
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        do
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                Add(sums, reader, 0);
        }
        while (await reader.NextResultAsync(ct).ConfigureAwait(false));
        return sums;
    }

    private async Task<List<(TargetMetric Metric, int Year, decimal Value)>> ReadTargetsAsync(string orgId, int year, long? before, CancellationToken ct)
    {
        var targets = new List<(TargetMetric, int, decimal)>();
        await using var cmd = dataSource.CreateCommand($"""
            SELECT DISTINCT ON (metric) metric, value FROM {S}.targets
             WHERE org_id = $1 AND year = $2 AND ($3::bigint IS NULL OR position < $3)
             ORDER BY metric, position DESC
            """);
        cmd.Parameters.Add(Db.Parameter(orgId));
        cmd.Parameters.Add(Db.Parameter(year));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)before ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            if (Enum.TryParse<TargetMetric>(reader.GetString(0), out var metric))
                targets.Add((metric, year, reader.GetDecimal(1)));
        }
        return targets;
    }

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var v in values)
            cmd.Parameters.Add(Db.Parameter(v));
        return cmd;
    }

    private static void Add(Dictionary<(string, bool), long[]> sums, NpgsqlDataReader reader, int first)
    {
        var key = (reader.GetString(first), reader.GetBoolean(first + 1));
        if (!sums.TryGetValue(key, out var v))
            sums[key] = v = new long[11];
        for (var i = 0; i < v.Length; i++)
            v[i] += reader.GetInt64(first + 2 + i);
    }

    private static CoverageFigures Figures(string orgId, string name, string? month, DateTimeOffset at, bool frozen,
        Dictionary<(string, bool), long[]> sums, List<(TargetMetric Metric, int Year, decimal Value)> targets)
    {
        long[] Of(string scope, bool? inProvince) =>
            sums.Where(kv => kv.Key.Item1 == scope && (inProvince is null || kv.Key.Item2 == inProvince))
                .Aggregate(new long[11], (acc, kv) => [.. acc.Zip(kv.Value, (a, b) => a + b)]);
        var all = Counts(Of(CoverageProjection.Out, null));
        var inProvince = Counts(Of(CoverageProjection.Out, true));
        var outOfProvince = Counts(Of(CoverageProjection.Out, false));
        var inflow = Of(CoverageProjection.In, null);
        var outflow = Of(CoverageProjection.Out, null);
        var comparisons = targets.Select(t =>
        {
            var value = t.Metric switch
            {
                TargetMetric.ReportRate => all.ReportRate,
                TargetMetric.CoverageRate => all.CoverageRate,
                TargetMetric.EffectiveCoverage => all.EffectiveCoverageRate,
                TargetMetric.InProvinceCoverage => inProvince.CoverageRate,
                TargetMetric.OutOfProvinceCoverage => outOfProvince.CoverageRate,
                TargetMetric.TransferRate => all.TransferRate,
                TargetMetric.ContactRate => all.ContactRate,
                _ => all.ParticipationRate,
            };
            return new TargetComparison(t.Metric, t.Year, t.Value, value, value is { } v && (decimal)v >= t.Value);
        }).ToList();
        return new CoverageFigures(orgId, name, month, at, frozen, all, inProvince, outOfProvince,
            inflow[0], inflow[2], outflow[9], outflow[10], inflow[9], inflow[10], comparisons);
    }

    // n, reported, placed, active, effective, contacted, lost, transferring, transferred (year to date), care out, care in
    private static CoverageCounts Counts(long[] v)
    {
        double? Rate(long part, long whole) => whole == 0 ? null : (double)part / whole;
        return new CoverageCounts(v[0], v[1], v[2], v[4], v[5], v[3], v[7], v[8], v[6],
            Rate(v[1], v[0]), Rate(v[2], v[0]), Rate(v[4], v[0]), Rate(v[7] + v[8], v[0] + v[8]), Rate(v[5], v[0]), Rate(v[3], v[0]));
    }
}
