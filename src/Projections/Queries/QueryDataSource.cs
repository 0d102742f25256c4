using Npgsql;

namespace CoManagement.Projections.Queries;

/// <summary>
/// The data source the query classes should read through. It never prepares statements automatically, so PostgreSQL
/// plans every query with its actual values. The queries read a subtree's bounds first so that the planner can tell a
/// province (most rows) from a branch (a few). A prepared statement switches to a generic plan after five executions,
/// and that plan does not see the bounds. Measured at 1 M members (bench/ProjectionsBench/README.md), generic plans made
/// the province figures p99 54 ms instead of 22 and the agreement view p50 101 ms instead of 41. The event store's own
/// data source (<c>PostgresEventStore.CreateDataSource</c>) prepares: its statements have one good plan.
/// </summary>
public static class QueryDataSource
{
    public static NpgsqlDataSource Create(string connectionString, string? applicationName = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 0 };
        if (applicationName is not null)
            builder.ApplicationName = applicationName;
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }
}
