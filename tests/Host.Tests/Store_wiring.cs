using CoManagement.EventStore;
using Npgsql;
using static CoManagement.Host.Tests.Scenario;

namespace CoManagement.Host.Tests;

/// <summary>
/// How the Host wires the database: the feed's readers and the analysts' queries each take their connections from a
/// pool of their own, named after the schema in pg_stat_activity.
/// </summary>
public sealed class Store_wiring(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task the_feed_is_read_on_its_own_pool()
    {
        var store = host.Services.GetRequiredService<PostgresEventStore>();

        var page = await store.ReadFeedAsync(0, 10);

        page.Events.Count.ShouldBe(10);
        // As many as feed readers ran at once: this read and the catch-up of the async projections before it.
        (await ConnectionsNamedAsync($"{host.Schema} feed")).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task the_read_models_are_queried_on_a_pool_that_does_not_prepare_statements()
    {
        var (status, _, _) = await host.GetAsync(Analyst, $"/api/coverage?org={PlDept}");

        status.ShouldBe(200);
        (await ConnectionsNamedAsync($"{host.Schema} reads")).ShouldBeGreaterThan(0);
        var reads = host.Services.GetRequiredKeyedService<NpgsqlDataSource>(CoreServices.ReadsPool);
        new NpgsqlConnectionStringBuilder(reads.ConnectionString).MaxAutoPrepare.ShouldBe(0, "generic plans would not see the subtree's bounds");
    }

    private static async Task<long> ConnectionsNamedAsync(string applicationName)
    {
        await using var dataSource = NpgsqlDataSource.Create(HostFixture.ConnectionString);
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = applicationName });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
