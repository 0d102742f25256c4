using CoManagement.Projections.Common;
using Npgsql;

namespace CoManagement.Projections.Queries;

/// <summary>How many digits of the region code a cell groups by.</summary>
public enum RegionLevel
{
    Province = 2,
    City = 4,
    County = 6,
}

public sealed record FlowCell(string From, string To, long Members);

public sealed record FlowMatrix(string? Month, RegionLevel Level, DateTimeOffset AsOf, long Total, IReadOnlyList<FlowCell> Cells);

/// <summary>
/// Open episodes by outflow region (the formal organisation's region) and inflow region (where the member reported,
/// or the destination before a report), now or at a closed month end.
/// </summary>
public sealed class FlowMatrixQuery(NpgsqlDataSource dataSource, ProjectionCatalog catalog, TimeProvider? time = null)
{
    private readonly QueryContext _q = new(dataSource, catalog, time);

    /// <param name="month"><c>yyyy-MM</c>; null for now.</param>
    /// <param name="fromPrefix">Only outflow regions starting with this (e.g. "4414" Meizhou).</param>
    /// <param name="toPrefix">Only inflow regions starting with this.</param>
    public async Task<FlowMatrix> GetAsync(string? month = null, RegionLevel level = RegionLevel.City,
        string? fromPrefix = null, string? toPrefix = null, CancellationToken ct = default)
    {
        var s = catalog.SchemaOf(ProjectionNames.Coverage);
        DateOnly? asked = null;
        if (month is not null)
            asked = Months.TryParse(month, out var m) ? m : throw new ArgumentException($"'{month}' is not a month (yyyy-MM).", nameof(month));

        // A closed month reads its frozen cells; a month before the first event has none; otherwise the live cells.
        var sql = new SqlBuilder();
        var digits = sql.Value((int)level);
        var source = $"{s}.cells";
        var asOf = _q.Now;
        if (asked is { } am)
        {
            var closedOrEmpty = $"""
                EXISTS (SELECT 1 FROM {s}.months WHERE month = {sql.Value(am)})
                OR (SELECT open_month IS NULL OR open_month > {sql.Value(am)} FROM {s}.clock)
                """;
            source = $"(SELECT from_region, to_region, n FROM {s}.monthly_cells WHERE month = {sql.Value(am)} AND ({closedOrEmpty})"
                + $" UNION ALL SELECT from_region, to_region, n FROM {s}.cells WHERE NOT ({closedOrEmpty})) c";
            if (Months.End(am) < asOf)
                asOf = Months.End(am);
        }
        if (fromPrefix is not null)
            sql.Where($"from_region LIKE {sql.Value(SqlBuilder.RegionPrefix(fromPrefix) + "%")}");
        if (toPrefix is not null)
            sql.Where($"to_region LIKE {sql.Value(SqlBuilder.RegionPrefix(toPrefix) + "%")}");
        sql.Where("n > 0");

        var cells = new List<FlowCell>();
        await using var cmd = sql.Command(dataSource, $"""
            SELECT {AtLevel("from_region", digits)}, {AtLevel("to_region", digits)}, sum(n)::bigint FROM {source} {sql.WhereClause}
             GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2
            """);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            cells.Add(new FlowCell(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        return new FlowMatrix(month, level, asOf, cells.Sum(c => c.Members), cells);
    }

    /// <summary>
    /// A region code cut to the level's digits. A municipality directly under the central government (Beijing 11,
    /// Tianjin 12, Shanghai 31, Chongqing 50) is one city, 01 (市辖区): a place recorded as the whole municipality
    /// (310000, the code of Shanghai's own organisations) and one recorded by its district (310115) are both 3101 at
    /// the city level, not two cities.
    /// </summary>
    private static string AtLevel(string column, string digits) =>
        $"CASE WHEN {digits} = 4 AND left({column}, 2) IN ('11', '12', '31', '50') THEN left({column}, 2) || '01' ELSE left({column}, {digits}) END";
}
