using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using Npgsql;
using static CoManagement.Projections.Tests.Pingliang;

namespace CoManagement.Projections.Tests;

public sealed class Crash_mid_batch : IAsyncLifetime
{
    /// <summary>Applies the first half of one batch for real, then dies, as a process would half-way through its work.</summary>
    private sealed class CrashingOnce(IProjection inner, int crashOnBatch) : IProjection
    {
        private int _batches;

        public bool Crashed { get; private set; }

        public string Name => inner.Name;

        public int Version => inner.Version;

        public Task CreateAsync(NpgsqlConnection connection, string schema, CancellationToken ct) => inner.CreateAsync(connection, schema, ct);

        public Task CreateReadIndexesAsync(NpgsqlConnection connection, string schema, CancellationToken ct) => inner.CreateReadIndexesAsync(connection, schema, ct);

        public async Task ApplyAsync(NpgsqlConnection connection, string schema, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
        {
            if (++_batches == crashOnBatch && !Crashed)
            {
                Crashed = true;
                await inner.ApplyAsync(connection, schema, [.. events.Take(events.Count / 2)], ct);
                throw new IOException("the process died mid-batch");
            }
            await inner.ApplyAsync(connection, schema, events, ct);
        }
    }

    private World _w = null!;
    private CrashingOnce[] _crashing = [];

    public async ValueTask InitializeAsync()
    {
        _w = await World.CreateAsync(asyncProjections: null);
        _crashing = [.. _w.Catalog.Async.Select(p => new CrashingOnce(p, crashOnBatch: 3))];
        await OrganisationsAsync(_w);
        await JanuaryAsync(_w);
        await _w.ReportAsync("m6", UrumqiStation, On(2025, 2, 3), OutflowActor(UrumqiStation));
    }

    public async ValueTask DisposeAsync() => await _w.DisposeAsync();

    [Fact]
    public async Task a_batch_that_dies_half_way_is_rolled_back_and_applied_once_on_restart()
    {
        foreach (var projection in _crashing)
        {
            var runner = _w.Runner(projection, batchSize: 5);
            (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();
            await Should.ThrowAsync<IOException>(async () =>
            {
                while (await runner.RunBatchAsync() > 0)
                {
                }
            });
            projection.Crashed.ShouldBeTrue();
            var restarted = _w.Runner(projection, batchSize: 5); // a new process: same owner name, so it takes the lease back
            (await restarted.TryAcquireLeaseAsync()).ShouldBeTrue();
            while (await restarted.RunBatchAsync() > 0)
            {
            }
        }

        var coverage = new CoverageQuery(_w.DataSource, _w.Catalog, new FixedClock(On(2025, 3, 1)));
        var january = (await coverage.GetAsync(City, "2025-01"))!;
        (january.All.NOut, january.All.Reported, january.All.Placed, january.NIn).ShouldBe((7L, 4L, 3L, 3L));
        (await coverage.GetAsync(City))!.All.Reported.ShouldBe(5);
        var episodes = await _w.ScalarAsync<long>($"SELECT count(*) FROM {_w.Catalog.SchemaOf(ProjectionNames.Coverage)}.episodes");
        episodes.ShouldBe(7);
        var careVisits = await _w.ScalarAsync<decimal>(
            $"SELECT sum(care_outflow + care_inflow) FROM {_w.Catalog.SchemaOf(ProjectionNames.Coverage)}.flows WHERE scope = 'out'");
        careVisits.ShouldBe(2);
    }
}
