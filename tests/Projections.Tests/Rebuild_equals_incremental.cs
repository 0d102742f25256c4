using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using Npgsql;

namespace CoManagement.Projections.Tests;

public sealed class Rebuild_equals_incremental : IAsyncLifetime
{
    private World _w = null!;

    public async ValueTask InitializeAsync()
    {
        _w = await World.CreateAsync();
        await LifecycleGenerator.SetUpAsync(_w);
    }

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    /// <summary>
    /// A rebuild holds rows in memory between its chunks (<see cref="IProjectionSession"/>): in one chunk; in chunks of
    /// 200 events with the session kept; in chunks each run by a new runner, whose new session starts from what the
    /// previous chunks stored (as after a crash); with room for 10 members' rows, so sessions keep writing theirs
    /// and reading them back; and with room for 40 of the 60, so rows are let go now and then and some outlive a batch.
    /// </summary>
    [Theory]
    [InlineData(int.MaxValue, false, 2_000_000)]
    [InlineData(200, false, 2_000_000)]
    [InlineData(200, true, 2_000_000)]
    [InlineData(int.MaxValue, false, 10)]
    [InlineData(int.MaxValue, false, 40)]
    public async Task every_projection_built_batch_by_batch_equals_its_rebuild_from_scratch_after_a_long_random_run(int chunkEvents, bool newRunnerEachChunk, int heldRows)
    {
        var rebuilding = new ProjectionCatalog(_w.Schema, _w.Registry, heldRowsPerSession: heldRows);
        await LongRandomRunAsync();

        foreach (var projection in rebuilding.All)
        {
            var schema = _w.Catalog.SchemaOf(projection.Name);
            var before = await DumpSchemaAsync(schema);
            var indexesBefore = await IndexesAsync(schema);
            var runner = _w.Runner(projection, batchSize: 100, chunkEvents);
            (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();
            await runner.StartRebuildAsync();
            var chunks = 0;
            while (await runner.GetStatusAsync() is { RebuildPosition: { } rebuilt, Head: var head } && rebuilt < head)
            {
                if (newRunnerEachChunk)
                {
                    runner = _w.Runner(projection, batchSize: 100, chunkEvents);
                    (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();
                }
                (await runner.RunRebuildBatchAsync()).ShouldBeGreaterThan(0);
                chunks++;
            }
            if (chunkEvents == int.MaxValue)
                chunks.ShouldBe(1);
            else if (projection.Name is ProjectionNames.Roster or ProjectionNames.Coverage) // the others read a few organisation and agreement events
                chunks.ShouldBeGreaterThan(3);
            if (_w.Catalog.IsInline(projection.Name))
            {
                await runner.RebuildInlineAsync();
            }
            else
            {
                await runner.RebuildAsync();
            }
            var after = await DumpSchemaAsync(schema);
            after.Keys.ShouldBe(before.Keys);
            foreach (var table in before.Keys)
                after[table].ShouldBe(before[table], $"{projection.Name}.{table} differs after a rebuild");
            // The read indexes a rebuild leaves out while it writes are all there once it is swapped in.
            (await IndexesAsync(schema)).ShouldBe(indexesBefore, $"{projection.Name}'s indexes after a rebuild");
        }
        (await IndexesAsync(_w.Catalog.SchemaOf(ProjectionNames.Roster))).Count.ShouldBeGreaterThan(10, "the roster's read indexes");
    }

    /// <summary>
    /// The same, with every projection rebuilt together (<see cref="ProjectionRunner.RebuildTogetherAsync"/>): the feed
    /// read once, each page decoded once for the roster and coverage, which read the same streams and share what was
    /// decoded; the roster's rebuild resumed a chunk ahead of the others, so it is given its own part of a page.
    /// </summary>
    [Fact]
    public async Task every_projection_rebuilt_together_equals_what_was_built_batch_by_batch()
    {
        var rebuilding = new ProjectionCatalog(_w.Schema, _w.Registry);
        await LongRandomRunAsync();
        var before = new Dictionary<string, SortedDictionary<string, List<string>>>();
        var runners = new List<(ProjectionRunner Runner, bool FollowLive)>();
        foreach (var projection in rebuilding.All)
        {
            before[projection.Name] = await DumpSchemaAsync(_w.Catalog.SchemaOf(projection.Name));
            var runner = _w.Runner(projection, batchSize: 100, chunkEvents: 250);
            (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();
            await runner.StartRebuildAsync();
            runners.Add((runner, !_w.Catalog.IsInline(projection.Name)));
        }
        var roster = runners.Single(r => r.Runner.Name == ProjectionNames.Roster).Runner;
        (await roster.RunRebuildBatchAsync()).ShouldBeGreaterThan(0);

        await ProjectionRunner.RebuildTogetherAsync(runners);

        foreach (var (runner, followLive) in runners)
        {
            await (followLive ? runner.RebuildAsync() : runner.RebuildInlineAsync());
            var after = await DumpSchemaAsync(_w.Catalog.SchemaOf(runner.Name));
            after.Keys.ShouldBe(before[runner.Name].Keys);
            foreach (var table in after.Keys)
                after[table].ShouldBe(before[runner.Name][table], $"{runner.Name}.{table} differs after a rebuild together");
        }
    }

    /// <summary>1,500 random commands on 60 members, the async projections following along in batches of odd sizes, so batch cuts fall everywhere.</summary>
    private async Task LongRandomRunAsync()
    {
        var random = new Random(7);
        var generator = new LifecycleGenerator(_w, seed: 20250101);
        await generator.RunAsync(members: 60, steps: 1500, between: async step =>
        {
            if (random.Next(25) == 0)
                await _w.CatchUpAsync(batchSize: random.Next(1, 40));
        });
        generator.Accepted.ShouldBeGreaterThan(700);
        await _w.CatchUpAsync(batchSize: 17);

        (await _w.ScalarAsync<long>($"SELECT count(*) FROM {_w.Catalog.SchemaOf(ProjectionNames.Coverage)}.months")).ShouldBeGreaterThan(6);
        await ShouldHaveOpenMembersCountedOnceAsync();
    }

    /// <summary>
    /// An imported history can name an organisation before it is created. Batch by batch, the member's rows keep what
    /// they were written with (no ancestors, out of province) until the member's next event; a rebuild that holds rows
    /// in memory must write them before the organisation appears, or it would build something else.
    /// </summary>
    [Fact]
    public async Task a_member_reported_at_an_organisation_created_later_is_rebuilt_as_it_was_built()
    {
        const string station = "late-station";
        var meta = new EventMetadata(null, null, "importer", Pingliang.BranchA, "Outflow");
        var registered = World.On(2025, 3, 1);
        await _w.Store.AppendAsync(Application.Streams.Member("late-1"), ExpectedVersion.NoStream,
        [
            _w.Registry.ToEventData(new Domain.Members.OutflowRegistered("late-1", 1, "党员late", "620102199001011234", Pingliang.BranchA,
                Domain.Members.OutflowReason.Work, Domain.Common.RegionCode.Parse("440103"), "广州", null, "13800000000", null, registered, registered), registered, meta),
            _w.Registry.ToEventData(new Domain.Members.ReportedAtInflow("late-1", 1, station, Domain.Members.ReportChannel.InPerson, registered.AddDays(2)), registered.AddDays(2), meta),
        ]);
        await _w.OrgAsync(station, "兰州新站", Pingliang.City, Domain.Organizations.OrganizationKind.LiaisonStation, Domain.Common.Side.Outflow, "620102", registered.AddDays(3));
        await _w.CatchUpAsync();
        var roster = _w.Catalog.SchemaOf(ProjectionNames.Roster);
        (await _w.ScalarAsync<bool>($"SELECT in_province FROM {roster}.roster WHERE member_id = 'late-1'")).ShouldBeFalse("written before the station existed");

        await EachRebuiltEqualsBuiltAsync(batchSize: 1);
    }

    /// <summary>
    /// A rebuild's first write into its empty shadow copies the rows straight in, with the columns they derive from the
    /// tree computed in memory; later writes derive them in SQL. Here every member event follows the last organisation
    /// created, so each rebuild is that one copy, over members in the province and out of it, reported at known places,
    /// at a place the tree never learns of, and registered at a branch it does not know.
    /// </summary>
    [Fact]
    public async Task rows_copied_straight_into_an_empty_shadow_derive_what_sql_derives()
    {
        await Pingliang.JanuaryAsync(_w);
        var meta = new EventMetadata(null, null, "importer", Pingliang.BranchA, "Outflow");
        var at = World.On(2025, 2, 1);
        await _w.Store.AppendAsync(Application.Streams.Member("stray-1"), ExpectedVersion.NoStream,
        [
            _w.Registry.ToEventData(new Domain.Members.OutflowRegistered("stray-1", 1, "党员stray", "620102199001011235", Pingliang.BranchA,
                Domain.Members.OutflowReason.Work, Domain.Common.RegionCode.Parse("620102"), "兰州", null, "13800000001", null, at, at), at, meta),
            _w.Registry.ToEventData(new Domain.Members.ReportedAtInflow("stray-1", 1, "nowhere-station", Domain.Members.ReportChannel.InPerson, at.AddDays(2)), at.AddDays(2), meta),
        ]);
        await _w.Store.AppendAsync(Application.Streams.Member("stray-2"), ExpectedVersion.NoStream,
        [
            _w.Registry.ToEventData(new Domain.Members.OutflowRegistered("stray-2", 1, "党员stray", "620102199001011236", "nowhere-branch",
                Domain.Members.OutflowReason.Study, Domain.Common.RegionCode.Parse("620103"), "兰州", null, "13800000002", null, at, at), at, meta),
        ]);
        await _w.CatchUpAsync();
        var roster = _w.Catalog.SchemaOf(ProjectionNames.Roster);
        (await _w.ScalarAsync<long>($"SELECT count(DISTINCT in_province) FROM {roster}.roster")).ShouldBe(2);

        await EachRebuiltEqualsBuiltAsync(batchSize: 100);
    }

    /// <summary>Rebuilds every projection (in chunks of up to 1,000 events) and compares each table with what was built.</summary>
    private async Task EachRebuiltEqualsBuiltAsync(int batchSize)
    {
        foreach (var projection in _w.Catalog.All)
        {
            var schema = _w.Catalog.SchemaOf(projection.Name);
            var before = await DumpSchemaAsync(schema);
            var runner = _w.Runner(projection, batchSize, chunkEvents: 1000);
            if (_w.Catalog.IsInline(projection.Name))
            {
                await runner.RebuildInlineAsync();
            }
            else
            {
                (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();
                await runner.RebuildAsync();
            }
            var after = await DumpSchemaAsync(schema);
            foreach (var table in before.Keys)
                after[table].ShouldBe(before[table], $"{projection.Name}.{table} differs after a rebuild");
        }
    }

    /// <summary>
    /// A live runner far behind the head catches up in chunks through the projection's session; its tables end as
    /// those built batch by batch.
    /// </summary>
    [Fact]
    public async Task async_projections_far_behind_catch_up_in_chunks_and_end_as_built_batch_by_batch()
    {
        var generator = new LifecycleGenerator(_w, seed: 20250202);
        await generator.RunAsync(members: 40, steps: 800, between: _ => Task.CompletedTask);
        foreach (var projection in _w.Catalog.Async)
        {
            var schema = _w.Catalog.SchemaOf(projection.Name);
            await DrainAsync(_w.Runner(projection, batchSize: 37));
            var batchByBatch = await DumpSchemaAsync(schema);

            await _w.ExecuteAsync($"DROP SCHEMA {schema} CASCADE; UPDATE {_w.Schema}.projections SET position = 0 WHERE name = '{projection.Name}'");
            var catchingUp = _w.Runner(projection, batchSize: 37, chunkEvents: 150, catchUpEvents: 100);
            await catchingUp.EnsureCreatedAsync();
            await DrainAsync(catchingUp);
            var inChunks = await DumpSchemaAsync(schema);
            inChunks.Keys.ShouldBe(batchByBatch.Keys);
            foreach (var table in batchByBatch.Keys)
                inChunks[table].ShouldBe(batchByBatch[table], $"{projection.Name}.{table} differs when caught up in chunks");
        }
    }

    private static async Task DrainAsync(ProjectionRunner runner)
    {
        (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();
        while (await runner.RunBatchAsync() > 0)
        {
        }
        await runner.ReleaseLeaseAsync();
    }

    /// <summary>Every index of the schema's tables, by definition with the schema name taken out.</summary>
    private async Task<List<string>> IndexesAsync(string schema)
    {
        var indexes = new List<string>();
        await using var cmd = _w.DataSource.CreateCommand("SELECT indexdef FROM pg_indexes WHERE schemaname = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = schema });
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            indexes.Add(System.Text.RegularExpressions.Regex.Replace(reader.GetString(0).Replace(schema + ".", "", StringComparison.Ordinal), @"^CREATE (UNIQUE )?INDEX \S+ ", "CREATE $1INDEX "));
        indexes.Sort(StringComparer.Ordinal);
        return indexes;
    }

    /// <summary>The coverage counters, summed over the whole tree, count each open episode once, as the roster does.</summary>
    private async Task ShouldHaveOpenMembersCountedOnceAsync()
    {
        var coverage = _w.Catalog.SchemaOf(ProjectionNames.Coverage);
        var roster = _w.Catalog.SchemaOf(ProjectionNames.Roster);
        var counted = await _w.ScalarAsync<decimal>($"SELECT coalesce(sum(n), 0) FROM {coverage}.counters WHERE scope = 'out'");
        var open = await _w.ScalarAsync<long>($"SELECT count(*) FROM {roster}.roster WHERE closed_at IS NULL");
        ((long)counted).ShouldBe(open);
        var placed = await _w.ScalarAsync<decimal>($"SELECT coalesce(sum(placed), 0) FROM {coverage}.counters WHERE scope = 'out'");
        var placedInRoster = await _w.ScalarAsync<long>(
            $"SELECT count(*) FROM {roster}.roster WHERE closed_at IS NULL AND lost_at IS NULL AND reported_at IS NOT NULL AND placed_at IS NOT NULL");
        ((long)placed).ShouldBe(placedInRoster);
    }

    private async Task<SortedDictionary<string, List<string>>> DumpSchemaAsync(string schema)
    {
        var tables = new List<string>();
        await using (var cmd = _w.DataSource.CreateCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = $1"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = schema });
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }
        var dump = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in tables)
            dump[table] = await _w.DumpAsync(schema, table);
        return dump;
    }
}
