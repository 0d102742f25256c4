using CoManagement.EventStore.Projections;
using Npgsql;
using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

/// <summary>Counts events per stream; can be told to fail after some events to simulate a crash mid-batch.</summary>
internal sealed class CountingProjection : IProjection
{
    public int? FailAfter { get; set; }

    public IReadOnlyList<string>? StreamPrefixes { get; init; }

    public string Name { get; init; } = "counts";

    public async Task CreateAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"CREATE TABLE {schema}.counts (stream_id text PRIMARY KEY, n int NOT NULL, last_position bigint NOT NULL)", connection);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task ApplyAsync(NpgsqlConnection connection, string schema, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
    {
        var applied = 0;
        foreach (var e in events)
        {
            if (applied++ == FailAfter)
                throw new InvalidOperationException("crash in the middle of a batch");
            await using var cmd = new NpgsqlCommand($"""
                INSERT INTO {schema}.counts VALUES ($1, 1, $2)
                ON CONFLICT (stream_id) DO UPDATE SET n = counts.n + 1, last_position = excluded.last_position
                """, connection);
            cmd.Parameters.Add(new() { Value = e.StreamId });
            cmd.Parameters.Add(new() { Value = e.Position });
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }
}

/// <summary>
/// Counts events per stream like <see cref="CountingProjection"/>, but a rebuild's session holds the counts in memory
/// and writes them only when flushed. <see cref="OnApply"/> runs before each batch a session applies, with the session's count of batches.
/// </summary>
internal sealed class HoldingCountingProjection : IProjection
{
    private CountingProjection? _counting;

    private CountingProjection _live => _counting ??= new() { Name = Name, StreamPrefixes = StreamPrefixes };

    public int SessionsOpened { get; private set; }

    public int Flushes { get; private set; }

    public Func<int, Task>? OnApply { get; set; }

    /// <summary>Every event a session was given, as the object it was given.</summary>
    public List<RecordedEvent> Given { get; } = [];

    /// <summary>Every batch a session was given, as the list object it was given.</summary>
    public List<IReadOnlyList<RecordedEvent>> Batches { get; } = [];

    public string Name { get; init; } = "counts";

    public IReadOnlyList<string>? StreamPrefixes { get; init; }

    public Task CreateAsync(NpgsqlConnection connection, string schema, CancellationToken ct) => _live.CreateAsync(connection, schema, ct);

    public Task ApplyAsync(NpgsqlConnection connection, string schema, IReadOnlyList<RecordedEvent> events, CancellationToken ct) =>
        _live.ApplyAsync(connection, schema, events, ct);

    public IProjectionSession OpenSession(string schema, bool shadow)
    {
        SessionsOpened++;
        return new Session(this, schema);
    }

    private sealed class Session(HoldingCountingProjection owner, string schema) : IProjectionSession
    {
        private Dictionary<string, (int N, long Last)>? _counts;
        private readonly HashSet<string> _changed = [];
        private int _batches;

        public async Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
        {
            _batches++;
            if (owner.OnApply is { } hook)
                await hook(_batches);
            if (_counts is null)
            {
                _counts = [];
                await using var cmd = new NpgsqlCommand($"SELECT stream_id, n, last_position FROM {schema}.counts", connection);
                await using var reader = await cmd.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                    _counts[reader.GetString(0)] = (reader.GetInt32(1), reader.GetInt64(2));
            }
            lock (owner.Given)
            {
                owner.Given.AddRange(events);
                owner.Batches.Add(events);
            }
            foreach (var e in events)
            {
                _counts[e.StreamId] = (_counts.GetValueOrDefault(e.StreamId).N + 1, e.Position);
                _changed.Add(e.StreamId);
            }
        }

        public async Task FlushAsync(NpgsqlConnection connection, CancellationToken ct)
        {
            owner.Flushes++;
            foreach (var stream in _changed)
            {
                await using var cmd = new NpgsqlCommand($"""
                    INSERT INTO {schema}.counts VALUES ($1, $2, $3)
                    ON CONFLICT (stream_id) DO UPDATE SET n = excluded.n, last_position = excluded.last_position
                    """, connection);
                cmd.Parameters.Add(new() { Value = stream });
                cmd.Parameters.Add(new() { Value = _counts![stream].N });
                cmd.Parameters.Add(new() { Value = _counts[stream].Last });
                await cmd.ExecuteNonQueryAsync(ct);
            }
            _changed.Clear();
        }
    }
}

public sealed class Projection_runner : IAsyncLifetime
{
    private readonly StoreFixture _db = new();
    private PostgresEventStore Store => _db.Store;

    public ValueTask InitializeAsync() => _db.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await _db.ExecuteAsync("""
            DROP SCHEMA IF EXISTS {schema}_counts CASCADE; DROP SCHEMA IF EXISTS {schema}_counts_next CASCADE;
            DROP SCHEMA IF EXISTS {schema}_kept CASCADE; DROP SCHEMA IF EXISTS {schema}_kept_next CASCADE;
            DROP SCHEMA IF EXISTS {schema}_kept_too CASCADE; DROP SCHEMA IF EXISTS {schema}_kept_too_next CASCADE;
            """);
        await _db.DisposeAsync();
    }

    private ProjectionRunner Runner(CountingProjection? projection = null, string? owner = null) =>
        new(Store, projection ?? new CountingProjection(), new ProjectionRunnerOptions
        {
            Owner = owner ?? "runner-" + Guid.NewGuid().ToString("N")[..8], BatchSize = 50, ChunkEvents = 50,
        });

    private async Task<SortedDictionary<string, int>> CountsAsync(string schema)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await using var cmd = _db.DataSource.CreateCommand($"SELECT stream_id, n FROM {schema}.counts");
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            counts[reader.GetString(0)] = reader.GetInt32(1);
        return counts;
    }

    private async Task<SortedDictionary<string, int>> ExpectedCountsAsync(string prefix = "")
    {
        var expected = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await using var cmd = _db.DataSource.CreateCommand($"SELECT stream_id, count(*)::int FROM {_db.Schema}.events WHERE stream_id ^@ '{prefix}' GROUP BY stream_id");
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            expected[reader.GetString(0)] = reader.GetInt32(1);
        return expected;
    }

    private async Task RandomRunAsync(int seed, int appends)
    {
        var random = new Random(seed);
        var streams = Enumerable.Range(0, 20).Select(i => $"r{seed}-{i}").ToArray();
        for (var i = 0; i < appends; i++)
            await Store.AppendAsync(streams[random.Next(streams.Length)], ExpectedVersion.Any, Events(random.Next(1, 4)));
    }

    private static async Task DrainAsync(ProjectionRunner runner)
    {
        while (await runner.RunBatchAsync() > 0) { }
    }

    /// <summary>Creates the projection, takes the lease, applies the feed to the live tables and starts a rebuild.</summary>
    private static async Task StartRebuildAsync(ProjectionRunner runner)
    {
        await runner.EnsureCreatedAsync();
        (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();
        await DrainAsync(runner);
        await runner.StartRebuildAsync();
    }

    [Fact]
    public async Task an_incremental_build_equals_a_rebuild_from_scratch_after_a_long_random_run()
    {
        var runner = Runner();
        await runner.EnsureCreatedAsync();
        (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();
        for (var round = 0; round < 5; round++)
        {
            await RandomRunAsync(seed: 7 + round, appends: 60);
            await runner.RunBatchAsync();  // incremental, interleaved with writes
        }
        await DrainAsync(runner);
        var incremental = await CountsAsync(runner.LiveSchema);
        incremental.ShouldBe(await ExpectedCountsAsync());

        var progress = new List<(long, long)>();
        await runner.RebuildAsync(new Progress<(long Position, long Head)>(p => progress.Add(p)));

        (await CountsAsync(runner.LiveSchema)).ShouldBe(incremental);
        (await runner.GetStatusAsync()).Rebuilding.ShouldBeFalse();
    }

    [Fact]
    public async Task a_rebuild_swaps_in_tables_analysed_and_vacuumed()
    {
        await RandomRunAsync(seed: 21, appends: 60);
        var runner = Runner(owner: "analysing");
        await StartRebuildAsync(runner);

        await runner.RebuildAsync();

        (await TableMaintenanceAsync(_db, runner.LiveSchema, "counts")).ShouldBe((Statistics: true, Analysed: true, Vacuumed: true),
            "the planner's statistics come with the swap, and the visibility map is set right after it");
    }

    /// <summary>
    /// Whether the planner has statistics on a table (<c>pg_stats</c>, committed with them) and whether it was analysed
    /// and vacuumed other than by autovacuum (PostgreSQL's counters, updated as each finishes).
    /// </summary>
    internal static async Task<(bool Statistics, bool Analysed, bool Vacuumed)> TableMaintenanceAsync(StoreFixture db, string schema, string table)
    {
        await using var cmd = db.DataSource.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = $1 AND tablename = $2),
                   last_analyze IS NOT NULL, last_vacuum IS NOT NULL
              FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2
            """);
        cmd.Parameters.Add(new() { Value = schema });
        cmd.Parameters.Add(new() { Value = table });
        await using var reader = await cmd.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue($"{schema}.{table} exists");
        return (reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2));
    }

    [Fact]
    public async Task a_crash_in_the_middle_of_a_batch_and_a_restart_count_nothing_twice()
    {
        await RandomRunAsync(seed: 1, appends: 40);
        var failing = new CountingProjection { FailAfter = 30 };
        var runner = Runner(failing, owner: "crashing");
        await runner.EnsureCreatedAsync();
        await runner.TryAcquireLeaseAsync();
        await Should.ThrowAsync<InvalidOperationException>(() => runner.RunBatchAsync());
        (await runner.GetStatusAsync()).Position.ShouldBe(0);

        failing.FailAfter = null; // restarted
        await DrainAsync(runner);
        (await CountsAsync(runner.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
    }

    [Fact]
    public async Task of_two_runners_only_the_lease_holder_writes_and_a_stale_one_is_fenced_off()
    {
        await RandomRunAsync(seed: 2, appends: 20);
        var first = Runner(owner: "first");
        var second = Runner(owner: "second");
        await first.EnsureCreatedAsync();
        (await first.TryAcquireLeaseAsync()).ShouldBeTrue();
        (await second.TryAcquireLeaseAsync()).ShouldBeFalse("the lease is held");
        await Should.ThrowAsync<ProjectionOwnershipLostException>(() => second.RunBatchAsync());

        // The first runner stalls past its lease; the second takes over with a new fence token.
        await _db.ExecuteAsync("UPDATE {schema}.projections SET lease_expires_at = clock_timestamp() - interval '1 second'");
        (await second.TryAcquireLeaseAsync()).ShouldBeTrue();
        await RandomRunAsync(seed: 3, appends: 5);

        await Should.ThrowAsync<ProjectionOwnershipLostException>(() => first.RunBatchAsync());
        (await first.GetStatusAsync()).Position.ShouldBe(0, "the stale runner wrote nothing");

        await DrainAsync(second);
        (await CountsAsync(second.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
        (await second.GetStatusAsync()).Owner.ShouldBe("second");
    }

    [Fact]
    public async Task a_rebuild_serves_the_live_tables_meanwhile_and_resumes_after_a_crash()
    {
        await RandomRunAsync(seed: 4, appends: 80);
        var runner = Runner(owner: "rebuilder");
        await runner.EnsureCreatedAsync();
        await runner.TryAcquireLeaseAsync();
        await DrainAsync(runner);
        var live = await CountsAsync(runner.LiveSchema);

        await runner.StartRebuildAsync();
        (await runner.RunRebuildBatchAsync()).ShouldBe(50);
        (await CountsAsync(runner.LiveSchema)).ShouldBe(live, "live tables keep serving during a rebuild");
        (await runner.GetStatusAsync()).RebuildPosition.ShouldNotBeNull();

        // The process dies; a new one with the same owner name resumes from the rebuild's checkpoint.
        var restarted = Runner(owner: "rebuilder");
        await restarted.TryAcquireLeaseAsync();
        await RandomRunAsync(seed: 5, appends: 10);
        await restarted.RebuildAsync();

        var status = await restarted.GetStatusAsync();
        status.Rebuilding.ShouldBeFalse();
        status.LagPositions.ShouldBe(0);
        (await CountsAsync(restarted.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
    }

    [Fact]
    public async Task a_rebuild_commits_in_chunks_keeps_its_session_between_them_and_a_failed_chunk_leaves_nothing_behind()
    {
        await RandomRunAsync(seed: 11, appends: 120);
        var projection = new HoldingCountingProjection();
        var runner = new ProjectionRunner(Store, projection, new ProjectionRunnerOptions { Owner = "chunks", BatchSize = 20, ChunkEvents = 60 });
        await StartRebuildAsync(runner);

        (await runner.RunRebuildBatchAsync()).ShouldBe(60, "three batches of 20 in one chunk");
        (await runner.RunRebuildBatchAsync()).ShouldBe(60);
        var committed = (await runner.GetStatusAsync()).RebuildPosition;
        (projection.SessionsOpened, projection.Flushes).ShouldBe((1, 2), "one session, kept from the first chunk to the second");
        (await CountsAsync(runner.ShadowSchema)).Values.Sum().ShouldBe(120);

        // The third chunk dies after two of its batches were applied in memory: nothing of it is stored, and the
        // session that applied them is dropped, so the next one starts from what the second chunk stored.
        projection.OnApply = batch => batch == 8 ? throw new IOException("the process died mid-chunk") : Task.CompletedTask;
        await Should.ThrowAsync<IOException>(() => runner.RunRebuildBatchAsync());
        (await runner.GetStatusAsync()).RebuildPosition.ShouldBe(committed);
        (await CountsAsync(runner.ShadowSchema)).Values.Sum().ShouldBe(120);

        projection.OnApply = null;
        var progress = new Recorder();
        await runner.RebuildAsync(progress);
        projection.SessionsOpened.ShouldBe(2);
        (await CountsAsync(runner.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
        var head = (await runner.GetStatusAsync()).Head;
        var batches = (int)Math.Ceiling((head - committed!.Value) / 20.0);
        progress.Positions.Distinct().Count().ShouldBeGreaterThanOrEqualTo(batches, "progress after every batch, not only every chunk");
    }

    private sealed class Recorder : IProgress<(long Position, long Head)>
    {
        public List<long> Positions { get; } = [];

        public void Report((long Position, long Head) value) => Positions.Add(value.Position);
    }

    [Fact]
    public async Task a_session_is_not_reused_after_another_runner_moved_the_rebuild_on()
    {
        await RandomRunAsync(seed: 12, appends: 80);
        var projection = new HoldingCountingProjection();
        ProjectionRunner Make(string owner) =>
            new(Store, projection, new ProjectionRunnerOptions { Owner = owner, BatchSize = 20, ChunkEvents = 40 });
        var first = Make("first");
        await StartRebuildAsync(first);
        await first.RunRebuildBatchAsync();

        // The first runner stalls; the second takes over and moves the rebuild on by a chunk of its own.
        await _db.ExecuteAsync("UPDATE {schema}.projections SET lease_expires_at = clock_timestamp() - interval '1 second'");
        var second = Make("second");
        (await second.TryAcquireLeaseAsync()).ShouldBeTrue();
        await second.RunRebuildBatchAsync();
        await second.ReleaseLeaseAsync();

        // Back with the first: its session stands for an older position, so it must start a new one from the tables.
        (await first.TryAcquireLeaseAsync()).ShouldBeTrue();
        await first.RebuildAsync();
        projection.SessionsOpened.ShouldBe(3);
        (await CountsAsync(first.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
    }

    [Fact]
    public async Task the_live_tables_follow_the_feed_while_a_rebuild_chunk_runs()
    {
        await RandomRunAsync(seed: 21, appends: 60);
        var projection = new HoldingCountingProjection();
        var runner = new ProjectionRunner(Store, projection, new ProjectionRunnerOptions { Owner = "rebuilder", BatchSize = 10, LiveInterval = TimeSpan.Zero });
        await StartRebuildAsync(runner);
        long appended = 0, liveMeanwhile = 0;
        projection.OnApply = async batch =>
        {
            if (batch == 2)
                appended = (await Store.AppendAsync("late", ExpectedVersion.Any, Events(1))).Positions[^1];
            if (batch == 6)
                liveMeanwhile = (await runner.GetStatusAsync()).Position;
        };

        (await runner.RunRebuildBatchAsync()).ShouldBeGreaterThan(60, "the whole feed in one chunk");

        liveMeanwhile.ShouldBeGreaterThanOrEqualTo(appended, "an event appended during the chunk reached the live tables before the chunk ended");
        (await CountsAsync(runner.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
        (await runner.RunRebuildBatchAsync()).ShouldBe(0);
        var status = await runner.GetStatusAsync();
        status.Rebuilding.ShouldBeFalse();
        (await CountsAsync(runner.LiveSchema)).ShouldBe(await ExpectedCountsAsync(), "the rebuilt tables, swapped in, count the late event once");
    }

    [Fact]
    public async Task a_chunk_longer_than_the_lease_keeps_the_lease_renewed()
    {
        await RandomRunAsync(seed: 13, appends: 60);
        var projection = new HoldingCountingProjection();
        var lease = TimeSpan.FromMilliseconds(900);
        var runner = new ProjectionRunner(Store, projection, new ProjectionRunnerOptions { Owner = "slow", BatchSize = 10, LeaseDuration = lease });
        var rival = new ProjectionRunner(Store, projection, new ProjectionRunnerOptions { Owner = "rival", BatchSize = 10, LeaseDuration = lease });
        await StartRebuildAsync(runner);
        var rivalGotIt = false;
        projection.OnApply = async batch =>
        {
            await Task.Delay(lease / 3);
            if (batch == 8)
                rivalGotIt = await rival.TryAcquireLeaseAsync();
        };
        (await runner.RunRebuildBatchAsync()).ShouldBeGreaterThan(80, "one chunk of about 2.4 s, nearly three leases long");
        rivalGotIt.ShouldBeFalse("the lease was renewed while the chunk ran");
        (await runner.GetStatusAsync()).Owner.ShouldBe("slow");
    }

    [Fact]
    public async Task a_projection_of_some_streams_is_given_only_their_events_and_still_follows_the_head()
    {
        var projection = new CountingProjection { StreamPrefixes = ["keep-"], FailAfter = null };
        var runner = new ProjectionRunner(Store, projection, new ProjectionRunnerOptions { Owner = "prefixed", BatchSize = 7 });
        await runner.EnsureCreatedAsync();
        (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();
        for (var i = 0; i < 30; i++)
            await Store.AppendAsync(i % 3 == 0 ? $"keep-{i % 4}" : $"skip-{i % 5}", ExpectedVersion.Any, Events(2));
        await DrainAsync(runner);
        await Store.AppendAsync("skip-last", ExpectedVersion.Any, Events(5)); // then the head moves on with none of its events
        await DrainAsync(runner);

        var counts = await CountsAsync(runner.LiveSchema);
        counts.Keys.ShouldAllBe(k => k.StartsWith("keep-", StringComparison.Ordinal));
        counts.Values.Sum().ShouldBe(20);
        var status = await runner.GetStatusAsync();
        (status.Position, status.LagPositions).ShouldBe((status.Head, 0L));

        await runner.RebuildAsync();
        (await CountsAsync(runner.LiveSchema)).ShouldBe(counts);
        (await runner.GetStatusAsync()).Position.ShouldBe(status.Head);
    }

    [Fact]
    public async Task a_live_runner_far_behind_catches_up_in_chunks_through_the_session_then_goes_on_batch_by_batch()
    {
        await RandomRunAsync(seed: 14, appends: 100);
        var projection = new HoldingCountingProjection();
        var runner = new ProjectionRunner(Store, projection, new ProjectionRunnerOptions
        {
            Owner = "catching-up", BatchSize = 10, CatchUpEvents = 50, ChunkEvents = 40,
        });
        await runner.EnsureCreatedAsync();
        (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();
        var applied = new List<int>();
        for (int n; (n = await runner.RunBatchAsync()) > 0;)
            applied.Add(n);
        applied.First().ShouldBe(40, "a chunk of four batches while far behind");
        applied.Last().ShouldBeLessThanOrEqualTo(10, "batch by batch once close to the head");
        (projection.SessionsOpened, projection.Flushes).ShouldBe((1, applied.Count(n => n > 10)));
        (await CountsAsync(runner.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
        (await TableMaintenanceAsync(_db, runner.LiveSchema, "counts")).ShouldBe((Statistics: true, Analysed: true, Vacuumed: false),
            "the chunk that brought it close to the head analysed what it filled");

        // Batches applied without the session made it stale: far behind again, the runner starts a new one.
        await RandomRunAsync(seed: 15, appends: 60);
        await DrainAsync(runner);
        projection.SessionsOpened.ShouldBe(2);
        (await CountsAsync(runner.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
    }

    /// <summary>All streams (<c>counts</c>) and the <c>keep-</c> streams only (<c>kept</c>), each with its runner and a rebuild started.</summary>
    private async Task<(HoldingCountingProjection All, ProjectionRunner AllRunner, HoldingCountingProjection Kept, ProjectionRunner KeptRunner)> TwoRebuildsAsync(
        int seed, int batchSize = 10, TimeSpan? liveInterval = null, int chunkEvents = int.MaxValue)
    {
        var random = new Random(seed);
        for (var i = 0; i < 60; i++)
            await Store.AppendAsync(random.Next(3) == 0 ? $"keep-{random.Next(4)}" : $"other-{random.Next(6)}", ExpectedVersion.Any, Events(random.Next(1, 4)));
        var all = new HoldingCountingProjection();
        var kept = new HoldingCountingProjection { Name = "kept", StreamPrefixes = ["keep-"] };
        ProjectionRunner Make(IProjection p) => new(Store, p, new ProjectionRunnerOptions
        {
            Owner = "together-" + p.Name, BatchSize = batchSize, LiveInterval = liveInterval ?? TimeSpan.FromSeconds(1), ChunkEvents = chunkEvents,
        });
        var (allRunner, keptRunner) = (Make(all), Make(kept));
        await StartRebuildAsync(allRunner);
        await StartRebuildAsync(keptRunner);
        return (all, allRunner, kept, keptRunner);
    }

    [Fact]
    public async Task projections_rebuilt_together_read_the_feed_once_and_each_gets_its_own_events()
    {
        var (all, allRunner, kept, keptRunner) = await TwoRebuildsAsync(seed: 31);

        await ProjectionRunner.RebuildTogetherAsync([(allRunner, true), (keptRunner, true)]);

        var head = (await allRunner.GetStatusAsync()).Head;
        (await allRunner.GetStatusAsync()).RebuildPosition.ShouldBe(head, "rebuilt up to the head; the swap is the runner's own");
        (await keptRunner.GetStatusAsync()).RebuildPosition.ShouldBe(head);
        kept.Given.ShouldAllBe(e => e.StreamId.StartsWith("keep-", StringComparison.Ordinal));
        kept.Given.Count.ShouldBeGreaterThan(0);
        kept.Given.ShouldAllBe(e => all.Given.Any(a => ReferenceEquals(a, e)), "the same event objects: one read of each page for both");
        all.Given.Select(e => e.Position).ShouldBe(all.Given.Select(e => e.Position).Order(), "in position order, each once");
        all.Given.Select(e => e.Position).ShouldBeUnique();

        await allRunner.RebuildAsync();
        await keptRunner.RebuildAsync();
        (all.SessionsOpened, kept.SessionsOpened).ShouldBe((1, 1), "each runner finished with the session the group left it");
        (await CountsAsync(allRunner.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
        (await CountsAsync(keptRunner.LiveSchema)).ShouldBe(await ExpectedCountsAsync("keep-"));
    }

    [Fact]
    public async Task projections_of_the_same_streams_rebuilt_together_are_given_the_same_batches()
    {
        var (_, allRunner, kept, keptRunner) = await TwoRebuildsAsync(seed: 35);
        var keptToo = new HoldingCountingProjection { Name = "kept_too", StreamPrefixes = ["keep-"] };
        var keptTooRunner = new ProjectionRunner(Store, keptToo, new ProjectionRunnerOptions { Owner = "together-kept-too", BatchSize = 10 });
        await StartRebuildAsync(keptTooRunner);

        await ProjectionRunner.RebuildTogetherAsync([(allRunner, true), (keptRunner, true), (keptTooRunner, true)]);

        kept.Batches.Count.ShouldBeGreaterThan(1);
        keptToo.Batches.Count.ShouldBe(kept.Batches.Count);
        keptToo.Batches.ShouldAllBe(b => kept.Batches.Any(k => ReferenceEquals(k, b)), "one list for both, which a projection layer may decode once");
        await keptTooRunner.RebuildAsync();
        (await CountsAsync(keptTooRunner.LiveSchema)).ShouldBe(await ExpectedCountsAsync("keep-"));
    }

    [Fact]
    public async Task rebuilds_at_different_positions_go_on_together_each_from_its_own()
    {
        var (all, allRunner, kept, keptRunner) = await TwoRebuildsAsync(seed: 32, chunkEvents: 10);
        // The kept rebuild is a chunk ahead, at a position inside a page of all the streams.
        (await keptRunner.RunRebuildBatchAsync()).ShouldBe(10);
        var ahead = (await keptRunner.GetStatusAsync()).RebuildPosition!.Value;
        var givenBefore = kept.Given.Count;

        await ProjectionRunner.RebuildTogetherAsync([(allRunner, true), (keptRunner, true)]);

        kept.Given.Skip(givenBefore).ShouldAllBe(e => e.Position > ahead, "nothing given twice to the rebuild that was ahead");
        all.Given.Select(e => e.Position).ShouldBeUnique();
        await allRunner.RebuildAsync();
        await keptRunner.RebuildAsync();
        (await CountsAsync(allRunner.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
        (await CountsAsync(keptRunner.LiveSchema)).ShouldBe(await ExpectedCountsAsync("keep-"));
    }

    [Fact]
    public async Task a_runner_that_loses_its_lease_during_a_rebuild_together_fails_it_and_nothing_of_the_chunk_is_kept()
    {
        var (all, allRunner, kept, keptRunner) = await TwoRebuildsAsync(seed: 33);
        kept.OnApply = async batch =>
        {
            if (batch == 3) // another process takes the kept projection over
                await _db.ExecuteAsync("UPDATE {schema}.projections SET owner = 'usurper', fence = fence + 1 WHERE name = 'kept'");
        };

        await Should.ThrowAsync<ProjectionOwnershipLostException>(() =>
            ProjectionRunner.RebuildTogetherAsync([(allRunner, true), (keptRunner, true)]));

        (await allRunner.GetStatusAsync()).RebuildPosition.ShouldBe(0, "the chunk was not committed for either");
        (await keptRunner.GetStatusAsync()).RebuildPosition.ShouldBe(0);
        (await CountsAsync(allRunner.ShadowSchema)).ShouldBeEmpty();
        kept.OnApply = null;
        await allRunner.RebuildAsync();
        all.SessionsOpened.ShouldBe(2, "the failed chunk's session was dropped");
        (await CountsAsync(allRunner.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
    }

    [Fact]
    public async Task only_the_runners_told_to_follow_the_live_tables_apply_live_batches_during_a_rebuild_together()
    {
        var (all, allRunner, kept, keptRunner) = await TwoRebuildsAsync(seed: 34, liveInterval: TimeSpan.Zero);
        var (allLive, keptLive) = ((await allRunner.GetStatusAsync()).Position, (await keptRunner.GetStatusAsync()).Position);
        long appended = 0;
        all.OnApply = async batch =>
        {
            if (batch == 2)
                appended = (await Store.AppendAsync("keep-late", ExpectedVersion.Any, Events(1))).Positions[^1];
        };

        await ProjectionRunner.RebuildTogetherAsync([(allRunner, true), (keptRunner, false)]);

        (await allRunner.GetStatusAsync()).Position.ShouldBeGreaterThanOrEqualTo(appended, "the async one's live tables followed the feed");
        (await keptRunner.GetStatusAsync()).Position.ShouldBe(keptLive, "an inline one's live tables are the appends' to write");
        allLive.ShouldBeLessThan(appended);
        await allRunner.RebuildAsync();
        (await CountsAsync(allRunner.LiveSchema)).ShouldBe(await ExpectedCountsAsync());
        (await CountsAsync(keptRunner.ShadowSchema)).ShouldBe(await ExpectedCountsAsync("keep-"), "the late event reached the shadow once");
    }

    [Fact]
    public async Task lag_is_reported_in_positions_and_seconds()
    {
        var runner = Runner();
        await runner.EnsureCreatedAsync();
        await runner.TryAcquireLeaseAsync();
        await DrainAsync(runner);
        await Store.AppendAsync(NewStream(), ExpectedVersion.NoStream, Events(3));
        var behind = await runner.GetStatusAsync();
        behind.LagPositions.ShouldBe(3);
        behind.LagSeconds.ShouldBeGreaterThanOrEqualTo(0);
        await DrainAsync(runner);
        (await runner.GetStatusAsync()).LagPositions.ShouldBe(0);
    }
}
