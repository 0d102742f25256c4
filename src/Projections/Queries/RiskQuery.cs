using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Projections.Members;
using Npgsql;

namespace CoManagement.Projections.Queries;

/// <summary>How many members of a subtree show each flag at <see cref="At"/>.</summary>
public sealed record RiskCounts(
    string OrgId,
    Side Side,
    DateTimeOffset At,
    long ReportOverdue,
    long ContactOverdue,
    long Idle,
    long LongIdle,
    long LostContact,
    long TransferExpected);

/// <summary>
/// Risk lists (not reported after 90 days, no contact in 30, no organisational life in 90/180, lost contact, transfer
/// expected), judged at query time from the roster's dates with the thresholds of <see cref="DomainSettings"/>. The
/// rows are the members' current ones, so only now or a later instant can be judged: at a past one, contacts made and
/// members registered since would count (the endpoints refuse it; closed months' figures are frozen by coverage).
/// </summary>
public sealed class RiskQuery(NpgsqlDataSource dataSource, ProjectionCatalog catalog, TimeProvider? time = null)
{
    private readonly QueryContext _q = new(dataSource, catalog, time);

    /// <summary>Members of the subtree showing <paramref name="risk"/> (one flag), oldest date first.</summary>
    public Task<Page<RosterEntry>> ListAsync(string? orgId, MemberRisks risk, Side side = Side.Outflow,
        int page = 1, int pageSize = 50, DateTimeOffset? now = null, CancellationToken ct = default) =>
        RosterQuery.ListAsync(_q, catalog.SchemaOf(ProjectionNames.Roster),
            new RosterFilter { OrgId = orgId, Side = side, Risk = risk, Page = page, PageSize = pageSize, Now = now },
            Risks.SortExpression(risk), ct);

    public async Task<RiskCounts> CountAsync(string orgId, Side side = Side.Outflow, DateTimeOffset? now = null, CancellationToken ct = default)
    {
        var at = now ?? _q.Now;
        var sql = new SqlBuilder();
        var s = catalog.SchemaOf(ProjectionNames.Roster);
        sql.Subtree(side == Side.Inflow ? "m.inflow_path" : "m.outflow_path", await MemberTable.SubtreeAsync(dataSource, s, orgId, ct).ConfigureAwait(false));
        var counts = string.Join(", ", Risks.Flags.Select(f =>
            $"count(*) FILTER (WHERE {Risks.Condition(f, sql.Value(Risks.Cutoff(f, at, catalog.Settings)))})"));
        await using var cmd = sql.Command(dataSource, $"SELECT {counts} FROM {s}.roster m {sql.WhereClause}");
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return new RiskCounts(orgId, side, at, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
            reader.GetInt64(4), reader.GetInt64(5));
    }
}
