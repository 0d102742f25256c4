using CoManagement.EventStore.Projections;
using Npgsql;
using static CoManagement.EventStore.Tests.TestEvents;

namespace CoManagement.EventStore.Tests;

/// <summary>Counts events per stream; can be told to fail after some events to simulate a crash mid-batch.</summary>
internal sealed class CountingProjection : IProjection
{
    public int? FailAfter { get; set; }

    public string Name => "counts";

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

public sealed class Projection_runner : IAsyncLifetime
{
    private readonly StoreFixture _db = new();
    private PostgresEventStore Store => _db.Store;

    public ValueTask InitializeAsync() => _db.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await _db.ExecuteAsync("DROP SCHEMA IF EXISTS {schema}_counts CASCADE; DROP SCHEMA IF EXISTS {schema}_counts_next CASCADE");
        await _db.DisposeAsync();
    }

    private ProjectionRunner Runner(CountingProjection? projection = null, string? owner = null) =>
        new(Store, projection ?? new CountingProjection(), new ProjectionRunnerOptions { Owner = owner ?? "runner-" + Guid.NewGuid().ToString("N")[..8], BatchSize = 50 });

    private async Task<SortedDictionary<string, int>> CountsAsync(string schema)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await using var cmd = _db.DataSource.CreateCommand($"SELECT stream_id, n FROM {schema}.counts");
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            counts[reader.GetString(0)] = reader.GetInt32(1);
        return counts;
    }

    private async Task<SortedDictionary<string, int>> ExpectedCountsAsync()
    {
        var expected = new SortedDictionary<string, int>(StringComparer.Ordinal);
        await using var cmd = _db.DataSource.CreateCommand($"SELECT stream_id, count(*)::int FROM {_db.Schema}.events GROUP BY stream_id");
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
