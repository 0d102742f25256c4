using CoManagement.EventStore;
using Npgsql;

namespace CoManagement.Host.Tests;

/// <summary>How the Host builds the store: the feed's readers take their connections from a pool of their own.</summary>
public sealed class Store_wiring(HostFixture host) : IClassFixture<HostFixture>
{
    [Fact]
    public async Task the_feed_is_read_on_its_own_pool_named_after_the_schema_in_pg_stat_activity()
    {
        var store = host.Services.GetRequiredService<PostgresEventStore>();

        var page = await store.ReadFeedAsync(0, 10);

        page.Events.Count.ShouldBe(10);
        await using var dataSource = NpgsqlDataSource.Create(HostFixture.ConnectionString);
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1");
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{host.Schema} feed" });
        // As many as feed readers ran at once: this read and the catch-up of the async projections before it.
        ((long)(await cmd.ExecuteScalarAsync())!).ShouldBeGreaterThan(0);
    }
}
