using Npgsql;
using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

public sealed class Archive_bulk_and_migrations(StoreFixture db) : IClassFixture<StoreFixture>
{
    private PostgresEventStore Store => db.Store;

    [Fact]
    public async Task an_archived_stream_leaves_the_hot_table_and_stays_readable_replayable_and_verifiable()
    {
        var stream = NewStream("closed");
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, Events(4));
        var before = await Store.ReadStreamAsync(stream);

        (await Store.ArchiveStreamAsync(stream)).ShouldBeTrue();

        (await db.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.events WHERE stream_id = '{stream}'")).ShouldBe(0);
        (await db.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.events_archive WHERE stream_id = '{stream}'")).ShouldBe(4);
        (await Store.ReadStreamAsync(stream)).Select(Fingerprint).ShouldBe(before.Select(Fingerprint));
        (await Store.ReadStreamAsync(stream, new AsOf.Version(2))).Count.ShouldBe(2);
        (await Store.VerifyStreamAsync(stream)).Intact.ShouldBeTrue();
        (await Store.GetStreamVersionAsync(stream)).ShouldBe(4);
        (await Store.IsArchivedAsync(stream)).ShouldBeTrue();
        await Should.ThrowAsync<StreamArchivedException>(() => Store.AppendAsync(stream, ExpectedVersion.Any, Events(1)));

        var feed = new List<RecordedEvent>();
        for (var after = 0L; ;)
        {
            var page = await Store.ReadFeedAsync(after, 500);
            if (page.Events.Count == 0) break;
            feed.AddRange(page.Events);
            after = page.NextAfter;
        }
        feed.Where(e => e.StreamId == stream).Select(e => e.Position).ShouldBe(before.Select(e => e.Position));
    }

    [Fact]
    public async Task stream_versions_are_read_in_one_call_in_the_order_asked_archived_and_missing_streams_included()
    {
        var (two, archived, missing) = (NewStream("two"), NewStream("archived"), NewStream("missing"));
        await Store.AppendAsync(two, ExpectedVersion.NoStream, Events(2));
        await Store.AppendAsync(archived, ExpectedVersion.NoStream, Events(3));
        await Store.ArchiveStreamAsync(archived);

        (await Store.GetStreamVersionsAsync([archived, missing, two, archived])).ShouldBe([3L, 0L, 2L, 3L]);
        (await Store.GetStreamVersionsAsync([])).ShouldBeEmpty();
    }

    private static string Fingerprint(RecordedEvent e) => $"{e.Position}/{e.Version}/{e.Json}/{Convert.ToHexString(e.Hash)}";

    [Fact]
    public async Task a_bulk_import_of_many_streams_chains_like_single_appends()
    {
        var existing = NewStream("bulk-existing");
        await Store.AppendAsync(existing, ExpectedVersion.NoStream, Events(2));
        var writes = Enumerable.Range(0, 50).Select(i => new StreamWrite(NewStream("bulk"), ExpectedVersion.NoStream, Events(i % 7 + 1)))
            .Append(new StreamWrite(existing, ExpectedVersion.Exactly(2), Events(3))).ToList();

        var imported = await Store.BulkImportAsync(writes);

        imported.ShouldBe(writes.Sum(w => w.Events.Count));
        foreach (var w in writes)
            (await Store.VerifyStreamAsync(w.StreamId)).Intact.ShouldBeTrue();
        (await Store.ReadStreamAsync(existing)).Select(e => e.Version).ShouldBe([1L, 2L, 3L, 4L, 5L]);
        (await Store.VerifyStoreAsync()).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task a_bulk_import_stores_each_event_as_an_append_would()
    {
        // Non-ASCII text, an event far over a page (stored out of line), a schema version, a time before 2000, empty metadata.
        EventData[] events =
        [
            Event("member.registered", """{"name": "张三", "note": "流动党员 \"双向\" 共管", "n": 1.50}""", new DateTimeOffset(1999, 12, 31, 23, 59, 59, 123, TimeSpan.FromHours(8)), 3),
            Event(json: $$"""{"big": "{{new string('x', 20_000)}}", "list": [1, 2, 3]}"""),
            new("test.happened", 1, """{"id": "bare"}""", Monday, EventMetadata.Empty),
        ];
        var (imported, appended) = (NewStream("bulk-same"), NewStream("append-same"));
        await Store.BulkImportAsync([new StreamWrite(imported, ExpectedVersion.NoStream, events)]);
        await Store.AppendAsync(appended, ExpectedVersion.NoStream, events);

        static object Stored(RecordedEvent e) => (e.Version, e.Type, e.SchemaVersion, e.Json, e.MetadataJson, e.BusinessTime);
        (await Store.ReadStreamAsync(imported)).Select(Stored).ShouldBe((await Store.ReadStreamAsync(appended)).Select(Stored));
        (await Store.VerifyStreamAsync(imported)).Intact.ShouldBeTrue();
    }

    [Fact]
    public async Task a_bulk_import_with_one_wrong_expected_version_writes_nothing()
    {
        var existing = NewStream("bulk-x");
        await Store.AppendAsync(existing, ExpectedVersion.NoStream, Events(1));
        var fresh = NewStream("bulk-fresh");
        var positionsBefore = await db.PositionsTakenAsync();

        var error = await Should.ThrowAsync<WrongExpectedVersionException>(() => Store.BulkImportAsync(
        [
            new StreamWrite(fresh, ExpectedVersion.NoStream, Events(3)),
            new StreamWrite(existing, ExpectedVersion.NoStream, Events(1)),
        ]));

        error.StreamId.ShouldBe(existing);
        error.ActualVersion.ShouldBe(1);
        (await Store.StreamExistsAsync(fresh)).ShouldBeFalse();
        (await db.PositionsTakenAsync()).ShouldBe(positionsBefore);
    }

    [Fact]
    public async Task bulk_imports_in_a_row_on_one_session_stage_each_call_alone_and_write_no_catalog_rows()
    {
        await using var single = SingleBackend();
        var store = new PostgresEventStore(single, new EventStoreOptions { Schema = db.Schema });
        var taken = NewStream("bulk-taken");
        await store.AppendAsync(taken, ExpectedVersion.NoStream, Events(1));
        await store.BulkImportAsync([new StreamWrite(NewStream("bulk-warm"), ExpectedVersion.NoStream, Events(2))]);
        var catalogBefore = await CatalogRowsAsync(single);

        var first = NewStream("bulk-1");
        (await store.BulkImportAsync([new StreamWrite(first, ExpectedVersion.NoStream, Events(3))])).ShouldBe(3);
        await Should.ThrowAsync<WrongExpectedVersionException>(() => store.BulkImportAsync(
            [new StreamWrite(NewStream("bulk-lost"), ExpectedVersion.NoStream, Events(4)), new StreamWrite(taken, ExpectedVersion.NoStream, Events(1))]));
        var second = NewStream("bulk-2");
        (await store.BulkImportAsync([new StreamWrite(second, ExpectedVersion.NoStream, Events(2))])).ShouldBe(2, "nothing staged by an earlier call, committed or failed, comes along");

        (await store.ReadStreamAsync(first)).Count.ShouldBe(3);
        (await store.ReadStreamAsync(second)).Count.ShouldBe(2);
        (await CatalogRowsAsync(single)).ShouldBe(catalogBefore, "staging tables are kept for the session, not created, dropped or truncated per call");
    }

    [Fact]
    public async Task a_bulk_import_on_a_warm_session_neither_plans_its_statements_again_nor_truncates_a_toast_table()
    {
        await using var single = SingleBackend();
        var store = new PostgresEventStore(single, new EventStoreOptions { Schema = db.Schema });
        await store.BulkImportAsync([new StreamWrite(NewStream("bulk-plans"), ExpectedVersion.NoStream, Events(2))]); // the session's staging tables

        // The import's server half on the same backend, counting the planner's runs (each logs its statistics to the client).
        await using var connection = await single.OpenConnectionAsync();
        var plans = 0;
        connection.Notice += (_, e) => plans += e.Notice.MessageText.StartsWith("PLANNER STATISTICS", StringComparison.Ordinal) ? 1 : 0;
        await using (var set = new NpgsqlCommand("SET log_planner_stats = on; SET client_min_messages = log", connection))
            await set.ExecuteNonQueryAsync();
        var perCall = new List<int>();
        for (var call = 0; call < 12; call++) // past the plan cache's five custom plans
        {
            await using var tx = await connection.BeginTransactionAsync();
            await using (var stage = new NpgsqlCommand("""
                INSERT INTO pg_temp.es_import (stream_id, expected, seq, type, schema_version, data, metadata, business_time)
                SELECT $1, -2, g, 'TestEvent', 1, '{"n": 1}', '{}', now() FROM generate_series(1, 3) g
                """, connection, tx))
            {
                stage.Parameters.Add(new() { Value = NewStream("bulk-plans") });
                await stage.ExecuteNonQueryAsync();
            }
            plans = 0;
            await using (var import = new NpgsqlCommand($"SELECT {db.Schema}.import_staged()", connection, tx))
                (await import.ExecuteScalarAsync()).ShouldBe(3L);
            perCall.Add(plans);
            await tx.CommitAsync();
        }

        // The call itself, and the one statement with a parameter, for which the plan cache keeps custom plans.
        // A keyed staging table re-planned all four: ON COMMIT DELETE ROWS rebuilds its index, which invalidates its plans.
        // The least of the warm calls: other tests' DDL on the same server can overflow the shared invalidation queue,
        // and a backend that falls behind resets every cache and plans once more, now and then; a cause in the import
        // itself re-plans every call.
        perCall.Skip(6).Min().ShouldBeLessThanOrEqualTo(2, $"planner runs per call: {string.Join(", ", perCall)}");

        // Every commit truncates the staging tables, a TOAST table and its index too if a table has one (0.17 ms).
        await using var toast = new NpgsqlCommand(
            "SELECT reltoastrelid = 0 FROM pg_class WHERE relname = 'es_import_heads' AND relnamespace = pg_my_temp_schema()", connection);
        (await toast.ExecuteScalarAsync()).ShouldBe(true, "the stream heads' columns are stored plain");
    }

    /// <summary>One backend for every call, as a pooled connection reused by an importer would be.</summary>
    private static NpgsqlDataSource SingleBackend() =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(StoreFixture.ConnectionString) { MaxPoolSize = 1, NoResetOnClose = true }.ConnectionString);

    /// <summary>Tables and indexes in this session's temporary schema, and their file numbers (a TRUNCATE assigns new ones).</summary>
    private static async Task<string> CatalogRowsAsync(NpgsqlDataSource single)
    {
        await using var cmd = single.CreateCommand("""
            SELECT coalesce(string_agg(c.relname || ':' || c.relfilenode, ',' ORDER BY c.relname), '')
              FROM pg_class c WHERE c.relnamespace = pg_my_temp_schema()
            """);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task eight_processes_migrating_one_schema_at_once_apply_each_migration_once()
    {
        var schema = StoreFixture.NewSchemaName();
        try
        {
            // Separate data sources: separate backends, as separate Host processes would have.
            var sources = Enumerable.Range(0, 8).Select(_ => NpgsqlDataSource.Create(StoreFixture.ConnectionString)).ToArray();
            var applied = await Task.WhenAll(sources.Select(s => new PostgresEventStore(s, new EventStoreOptions { Schema = schema }).MigrateAsync()));
            foreach (var s in sources)
                await s.DisposeAsync();

            applied.Count(a => a.Count > 0).ShouldBe(1);
            applied.SelectMany(a => a).ShouldBe(applied.Single(a => a.Count > 0));
            (await db.ScalarAsync<long>($"SELECT count(*) FROM {schema}.schema_migrations")).ShouldBe(applied.Max(a => a.Count));
            var store = new PostgresEventStore(db.DataSource, new EventStoreOptions { Schema = schema });
            (await store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(1))).ToVersion.ShouldBe(1);
        }
        finally
        {
            await db.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    [Fact]
    public void a_schema_name_that_is_not_a_plain_identifier_is_refused() =>
        Should.Throw<ArgumentException>(() => new PostgresEventStore(db.DataSource, new EventStoreOptions { Schema = "x; DROP TABLE y" }));
}
