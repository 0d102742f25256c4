using Npgsql;

namespace CoManagement.Projections.Queries;

/// <summary>What every query class needs: the database, where the projections live, and the clock for "now".</summary>
internal sealed class QueryContext(NpgsqlDataSource dataSource, ProjectionCatalog catalog, TimeProvider? time)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public ProjectionCatalog Catalog { get; } = catalog;

    public DateTimeOffset Now => (time ?? TimeProvider.System).GetUtcNow();
}
