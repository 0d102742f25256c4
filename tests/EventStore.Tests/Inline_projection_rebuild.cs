using CoManagement.EventStore.Projections;
using Npgsql;
using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

public sealed class Inline_projection_rebuild : IAsyncLifetime
{
    private readonly StoreFixture _db = new();
    private readonly CountingProjection _projection = new();
    private PostgresEventStore _store = null!;

    private sealed class Inline(CountingProjection projection, string schema) : IAppendListener
    {
        public Task OnAppendedAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken ct) =>
            projection.ApplyAsync(connection, schema, events, ct);
    }

    public async ValueTask InitializeAsync()
    {
        await _db.InitializeAsync();
        var options = new EventStoreOptions { Schema = _db.Schema };
        options.AppendListeners.Add(new Inline(_projection, $"{_db.Schema}_counts"));
        _store = new PostgresEventStore(_db.DataSource, options);
    }

    public async ValueTask DisposeAsync()
    {
        await _db.ExecuteAsync("DROP SCHEMA IF EXISTS {schema}_counts CASCADE; DROP SCHEMA IF EXISTS {schema}_counts_next CASCADE");
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task an_inline_projection_rebuilt_while_appends_go_on_ends_equal_to_the_events()
    {
        // LiveInterval zero: were the rebuild's chunks to run live batches between their pages, as an async projection's
        // do, they would count again, in the live tables readers see meanwhile, what the appends counted inline.
        var view = new RunnerView(_projection, $"{_db.Schema}_counts");
        var runner = new ProjectionRunner(_store, view, new ProjectionRunnerOptions { Owner = "operator", BatchSize = 40, LiveInterval = TimeSpan.Zero });
        await runner.EnsureCreatedAsync();
        var streams = Enumerable.Range(0, 10).Select(i => $"inline-{i}").ToArray();
        for (var i = 0; i < 100; i++)
            await _store.AppendAsync(streams[i % 10], ExpectedVersion.Any, Events(1));
        await _db.ExecuteAsync("DELETE FROM {schema}_counts.counts WHERE stream_id = 'inline-3'"); // damage to repair

        using var stop = new CancellationTokenSource();
        var appender = Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
                await _store.AppendAsync(streams[i % 10], ExpectedVersion.Any, Events(1));
        });
        await runner.RebuildInlineAsync();
        await appender;

        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await using (var cmd = _db.DataSource.CreateCommand($"SELECT stream_id, n FROM {_db.Schema}_counts.counts"))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                counts[reader.GetString(0)] = reader.GetInt32(1);
        counts.ShouldBe(new SortedDictionary<string, int>(streams.ToDictionary(s => s, _ => 25), StringComparer.Ordinal));
        (await runner.GetStatusAsync()).Rebuilding.ShouldBeFalse();
        view.LiveBatches.ShouldBe(0, "the appends keep an inline projection's live tables; the runner never applies batches to them");
        (await Projection_runner.TableMaintenanceAsync(_db, $"{_db.Schema}_counts", "counts")).ShouldBe((Statistics: true, Analysed: true, Vacuumed: true));
    }

    [Fact]
    public async Task appends_go_on_while_the_rebuilt_tables_read_indexes_are_built()
    {
        var view = new RunnerView(_projection, $"{_db.Schema}_counts");
        var runner = new ProjectionRunner(_store, view, new ProjectionRunnerOptions { Owner = "operator", BatchSize = 40 });
        await runner.EnsureCreatedAsync();
        for (var i = 0; i < 30; i++)
            await _store.AppendAsync($"indexed-{i % 3}", ExpectedVersion.Any, Events(1));
        // Building a million rows' read indexes takes seconds: an append meanwhile must not wait for them.
        view.OnCreateReadIndexes = () => _store.AppendAsync("indexed-0", ExpectedVersion.Any, Events(1)).WaitAsync(TimeSpan.FromSeconds(5));

        await runner.RebuildInlineAsync();

        await using var cmd = _db.DataSource.CreateCommand($"SELECT sum(n)::int FROM {_db.Schema}_counts.counts");
        ((int)(await cmd.ExecuteScalarAsync())!).ShouldBe(31, "the append made while the indexes were built, counted once");
    }

    /// <summary>The projection as the runner sees it, counting the batches it applies to the live tables.</summary>
    private sealed class RunnerView(CountingProjection inner, string liveSchema) : IProjection
    {
        private int _liveBatches;

        public int LiveBatches => _liveBatches;

        /// <summary>Runs when the read indexes of a rebuilt schema are built.</summary>
        public Func<Task>? OnCreateReadIndexes { get; set; }

        public async Task CreateReadIndexesAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
        {
            if (schema != liveSchema && OnCreateReadIndexes is { } hook)
                await hook();
        }

        public string Name => inner.Name;

        public Task CreateAsync(NpgsqlConnection connection, string schema, CancellationToken ct) => inner.CreateAsync(connection, schema, ct);

        public Task ApplyAsync(NpgsqlConnection connection, string schema, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
        {
            if (schema == liveSchema)
                Interlocked.Increment(ref _liveBatches);
            return inner.ApplyAsync(connection, schema, events, ct);
        }
    }
}
