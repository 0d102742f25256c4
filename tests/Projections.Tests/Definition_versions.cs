using CoManagement.Domain.Organizations;
using CoManagement.EventStore.Projections;
using static CoManagement.Projections.Tests.Pingliang;

namespace CoManagement.Projections.Tests;

/// <summary>
/// After an upgrade that changed a projection's tables, its live schema (built by the older definition) is rebuilt at
/// start-up before anything writes into it: the inline roster's next append and the async view's next batch work.
/// </summary>
public sealed class Definition_versions : IAsyncLifetime
{
    private World _w = null!;

    public async ValueTask InitializeAsync()
    {
        _w = await JanuaryWorldAsync();
        await _w.CatchUpAsync();
    }

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    [Fact]
    public async Task live_tables_built_by_an_older_definition_are_rebuilt_at_start_up_and_the_next_writes_land()
    {
        var roster = _w.Catalog.SchemaOf(ProjectionNames.Roster);
        var bilateral = _w.Catalog.SchemaOf(ProjectionNames.Bilateral);
        var coverage = _w.Catalog.SchemaOf(ProjectionNames.Coverage);
        var rows = await _w.ScalarAsync<long>($"SELECT count(*) FROM {roster}.roster");
        rows.ShouldBeGreaterThan(0);
        // What version 1 left behind: no path columns in the roster, a copy of the members in the bilateral view, no
        // year-to-date table in the coverage figures.
        await _w.ExecuteAsync($"""
            ALTER TABLE {roster}.roster DROP COLUMN outflow_path, DROP COLUMN inflow_path;
            CREATE TABLE {bilateral}.members (member_id text PRIMARY KEY);
            DROP TABLE {coverage}.ytd;
            UPDATE {_w.Schema}.projections SET definition_version = NULL
             WHERE name IN ('{ProjectionNames.Roster}', '{ProjectionNames.Bilateral}', '{ProjectionNames.Coverage}');
            """);
        var notes = new List<string>();

        await _w.Catalog.EnsureCreatedAsync(_w.Store, log: notes.Add);

        notes.Count(n => n.Contains("older definition", StringComparison.Ordinal)).ShouldBe(3, string.Join("\n", notes));
        (await _w.ScalarAsync<long>($"SELECT count(*) FROM {roster}.roster WHERE outflow_path LIKE '/%/'")).ShouldBe(rows);
        (await _w.ScalarAsync<long>($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{bilateral}' AND table_name = 'members'")).ShouldBe(0);
        (await _w.ScalarAsync<int>($"SELECT min(definition_version) FROM {_w.Schema}.projections WHERE name IN ('{ProjectionNames.Roster}', '{ProjectionNames.Bilateral}', '{ProjectionNames.Coverage}')")).ShouldBe(2);
        (await _w.ScalarAsync<long>($"SELECT sum(care_outflow + care_inflow)::bigint FROM {coverage}.ytd WHERE year = 2025 AND scope = 'out'")).ShouldBe(2, "January's two care visits");

        await _w.RegisterAsync("after-upgrade", BranchA, "620102", On(2025, 2, 3));
        (await _w.ScalarAsync<long>($"SELECT count(*) FROM {roster}.roster")).ShouldBe(rows + 1, "the inline roster takes the next append");
        await _w.CatchUpAsync();

        notes.Clear();
        await _w.Catalog.EnsureCreatedAsync(_w.Store, log: notes.Add);
        notes.ShouldBeEmpty("a current definition is left alone");
    }

    [Fact]
    public async Task a_rebuild_blocked_by_a_runner_that_keeps_the_lease_fails_start_up_naming_it()
    {
        var holder = _w.Runner(_w.Catalog.Get(ProjectionNames.Bilateral));
        (await holder.TryAcquireLeaseAsync()).ShouldBeTrue();
        await _w.ExecuteAsync($"UPDATE {_w.Schema}.projections SET definition_version = 1 WHERE name = '{ProjectionNames.Bilateral}'");

        var error = await Should.ThrowAsync<InvalidOperationException>(() =>
            _w.Catalog.EnsureCreatedAsync(_w.Store, leaseWait: TimeSpan.FromSeconds(1)));

        error.Message.ShouldContain(holder.Owner);
        // An operator's rebuild of it fails at once the same way, and starts nothing.
        (await Should.ThrowAsync<InvalidOperationException>(() => _w.Catalog.RebuildAsync(_w.Store, [ProjectionNames.Roster, ProjectionNames.Bilateral])))
            .Message.ShouldContain(holder.Owner);
        (await _w.ScalarAsync<long>($"SELECT count(*) FROM {_w.Schema}.projections WHERE rebuild_position IS NOT NULL")).ShouldBe(0);
        (await _w.ScalarAsync<string>($"SELECT owner FROM {_w.Schema}.projections WHERE name = '{ProjectionNames.Bilateral}'")).ShouldBe(holder.Owner);
        await holder.ReleaseLeaseAsync();
        await _w.Catalog.EnsureCreatedAsync(_w.Store);
        (await _w.ScalarAsync<int>($"SELECT definition_version FROM {_w.Schema}.projections WHERE name = '{ProjectionNames.Bilateral}'")).ShouldBe(2);
    }

    [Fact]
    public async Task a_lease_wait_tells_the_holder_once_and_takes_the_lease_when_it_is_given_up()
    {
        var holder = _w.Runner(_w.Catalog.Get(ProjectionNames.Bilateral));
        (await holder.TryAcquireLeaseAsync()).ShouldBeTrue();
        var rebuilder = new ProjectionRunner(_w.Store, _w.Catalog.Get(ProjectionNames.Bilateral), new ProjectionRunnerOptions { Owner = "operator" });
        var told = new List<string?>();

        // The operator's rebuild waits this way, printing who runs the projection when the wait begins.
        var waiting = ProjectionCatalog.WaitForLeaseAsync(rebuilder, TimeSpan.FromSeconds(30), CancellationToken.None, told.Add);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        waiting.IsCompleted.ShouldBeFalse();
        await holder.ReleaseLeaseAsync();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        told.ShouldBe([holder.Owner]);
        (await _w.ScalarAsync<string>($"SELECT owner FROM {_w.Schema}.projections WHERE name = '{ProjectionNames.Bilateral}'")).ShouldBe(rebuilder.Owner);
        await rebuilder.ReleaseLeaseAsync();
    }
}
