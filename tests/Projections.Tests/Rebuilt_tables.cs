using System.Data;
using CoManagement.EventStore.Projections;
using Npgsql;
using static CoManagement.Projections.Tests.Pingliang;

namespace CoManagement.Projections.Tests;

/// <summary>
/// A rebuild swaps in member tables whose pages are all-visible, so an index-only scan (every roster page) need not
/// read the heap. A <c>VACUUM</c> after the swap cannot make them so while a transaction older than the rebuilt rows
/// is open — another runner's chunk, a long report — so the rows are written frozen instead. Only there: frozen rows
/// are visible to every snapshot, which live tables, read meanwhile, must not show.
/// </summary>
public sealed class Rebuilt_tables : IAsyncLifetime
{
    private World _w = null!;

    public async ValueTask InitializeAsync() => _w = await JanuaryWorldAsync();

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    [Fact]
    public async Task are_swapped_in_all_visible_while_an_older_transaction_stays_open()
    {
        await using var reader = await _w.DataSource.OpenConnectionAsync();
        await using var older = await reader.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        await using (var cmd = new NpgsqlCommand("SELECT 1", reader, older))
            await cmd.ExecuteScalarAsync(); // takes the snapshot that holds back what VACUUM may call visible to all

        await _w.Catalog.RebuildAsync(_w.Store, [ProjectionNames.Roster, ProjectionNames.Coverage]);

        foreach (var (projection, table) in new[] { (ProjectionNames.Roster, "roster"), (ProjectionNames.Coverage, "episodes") })
        {
            var qualified = $"{_w.Catalog.SchemaOf(projection)}.{table}";
            (await _w.ScalarAsync<long>($"SELECT count(*) FROM {qualified}")).ShouldBe(7, qualified);
            var pages = await _w.ScalarAsync<int>($"SELECT relpages FROM pg_class WHERE oid = '{qualified}'::regclass");
            pages.ShouldBeGreaterThan(0, qualified);
            (await _w.ScalarAsync<int>($"SELECT relallvisible FROM pg_class WHERE oid = '{qualified}'::regclass")).ShouldBe(pages, qualified);
        }
        await older.RollbackAsync();
    }

    [Fact]
    public async Task the_roster_is_rebuilt_in_outflow_path_order_with_its_primary_key()
    {
        var roster = $"{_w.Catalog.SchemaOf(ProjectionNames.Roster)}.roster";
        // Member ids and branches interleave: m1, m2 and m4 are branch A's, m3, m5, m6 and m7 branch B's.
        await _w.Catalog.RebuildAsync(_w.Store, [ProjectionNames.Roster]);

        var stored = new List<string>();
        await using (var cmd = _w.DataSource.CreateCommand($"SELECT member_id FROM {roster} ORDER BY ctid"))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                stored.Add(reader.GetString(0));
        stored.ShouldBe(["m1", "m2", "m4", "m3", "m5", "m6", "m7"], "the heap in outflow-path order, then member id");
        (await _w.ScalarAsync<string>($"SELECT conname::text FROM pg_constraint WHERE conrelid = '{roster}'::regclass AND contype = 'p'"))
            .ShouldBe("roster_pkey");
        await _w.RegisterAsync("m8", BranchA, "620102", On(2025, 2, 3)); // an upsert through the key
        (await _w.ScalarAsync<long>($"SELECT count(*) FROM {roster}")).ShouldBe(8);
    }

    [Fact]
    public async Task a_live_catch_up_into_empty_tables_shows_an_older_snapshot_nothing()
    {
        await using var reader = await _w.DataSource.OpenConnectionAsync();
        await using var older = await reader.BeginTransactionAsync(IsolationLevel.RepeatableRead);
        async Task<long> CountAsync(string table)
        {
            await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table}", reader, older);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        await CountAsync(_w.Schema + ".events"); // takes the snapshot, before coverage has applied anything
        var runner = _w.Runner(_w.Catalog.Get(ProjectionNames.Coverage), catchUpEvents: 1);
        (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();

        (await runner.RunBatchAsync()).ShouldBeGreaterThan(0); // a chunk through the session: far behind the head

        var episodes = $"{_w.Catalog.SchemaOf(ProjectionNames.Coverage)}.episodes";
        (await _w.ScalarAsync<long>($"SELECT count(*) FROM {episodes}")).ShouldBe(7);
        (await CountAsync(episodes)).ShouldBe(0, "rows committed after the snapshot");
        await older.RollbackAsync();
    }
}
