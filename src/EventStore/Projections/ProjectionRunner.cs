using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace CoManagement.EventStore.Projections;

public sealed record ProjectionRunnerOptions
{
    /// <summary>Identifies this runner (process) as the lease owner.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    public int BatchSize { get; init; } = 1000;
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan IdleDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A rebuild, or a live runner catching up (<see cref="CatchUpEvents"/>), applies batches in one transaction (a
    /// chunk) until it has applied this many events or run for <see cref="ChunkTime"/>, then writes its checkpoint.
    /// Fewer, larger chunks let a projection's <see cref="IProjectionSession"/> write each row fewer times; a crash
    /// loses at most one chunk's work.
    /// </summary>
    public int ChunkEvents { get; init; } = int.MaxValue;

    /// <inheritdoc cref="ChunkEvents"/>
    public TimeSpan ChunkTime { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A live runner more than this many events behind the head (after a bulk import, or a stop) catches up in chunks
    /// through the projection's session, as a rebuild does, rather than batch by batch; its tables then move a chunk
    /// at a time until it is close to the head again.
    /// </summary>
    public int CatchUpEvents { get; init; } = 20_000;

    /// <summary>
    /// While a rebuild's chunk runs (up to <see cref="ChunkTime"/>), the live tables are brought up to the feed's head
    /// between its pages at most this often, so they lag by about this much rather than by a chunk.
    /// </summary>
    public TimeSpan LiveInterval { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Runs one async projection: takes its lease, applies the feed in batches with the checkpoint moved in the same
/// transaction (a crash never applies an event twice or skips one), rebuilds into a shadow schema and swaps it in when
/// caught up. Every batch first locks the projection's row and checks the fence token it got with the lease, so a
/// runner that lost its lease (paused, partitioned) cannot write: its transaction is rolled back. A rebuild, and a live
/// runner far behind the head, commit in chunks of many batches through the projection's <see cref="IProjectionSession"/>,
/// checking the fence before each commit.
/// </summary>
public sealed partial class ProjectionRunner
{
    private readonly PostgresEventStore _store;
    private readonly IProjection _projection;
    private readonly ProjectionRunnerOptions _options;
    private readonly string _table;
    private long? _fence;

    /// <summary>The rebuild's session and the rebuild position its state stands for (its last committed chunk).</summary>
    private (IProjectionSession Session, long Position)? _rebuildSession;

    /// <summary>The same for catching the live tables up.</summary>
    private (IProjectionSession Session, long Position)? _liveSession;

    public ProjectionRunner(PostgresEventStore store, IProjection projection, ProjectionRunnerOptions? options = null)
    {
        _store = store;
        _projection = projection;
        _options = options ?? new ProjectionRunnerOptions();
        _table = $"{store.Schema}.projections";
        LiveSchema = SchemaFor(store, projection.Name);
        ShadowSchema = LiveSchema + "_next";
        if (ShadowSchema.Length > 63)
            throw new ArgumentException($"Projection name '{projection.Name}' makes schema names longer than PostgreSQL allows.");
    }

    public string Name => _projection.Name;

    /// <summary>The schema readers query: it always holds a complete, consistent projection.</summary>
    public string LiveSchema { get; }

    public string ShadowSchema { get; }

    public string Owner => _options.Owner;

    public static string SchemaFor(PostgresEventStore store, string projectionName) => $"{store.Schema}_{projectionName}";

    /// <summary>
    /// Registers the projection and creates its live schema on first use (idempotent, safe concurrently). Returns false
    /// when the live schema exists but was built by an older <see cref="IProjection.Version"/>: it must be rebuilt.
    /// </summary>
    public async Task<bool> EnsureCreatedAsync(CancellationToken ct = default)
    {
        await using var connection = await _store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock(hashtext('projection:' || $1))", ct, Text(LiveSchema)).ConfigureAwait(false);
        await ExecuteAsync(connection, $"INSERT INTO {_table} (name) VALUES ($1) ON CONFLICT DO NOTHING", ct, Text(Name)).ConfigureAwait(false);
        var current = true;
        if (!await SchemaExistsAsync(connection, LiveSchema, ct).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, $"CREATE SCHEMA {LiveSchema}", ct).ConfigureAwait(false);
            await _projection.CreateAsync(connection, LiveSchema, ct).ConfigureAwait(false);
            await _projection.CreateReadIndexesAsync(connection, LiveSchema, ct).ConfigureAwait(false);
            await ExecuteAsync(connection, $"UPDATE {_table} SET definition_version = $2 WHERE name = $1", ct, Text(Name), Version()).ConfigureAwait(false);
        }
        else
        {
            await using var cmd = new NpgsqlCommand($"SELECT coalesce(definition_version, 1) FROM {_table} WHERE name = $1", connection);
            cmd.Parameters.Add(Text(Name));
            current = (int)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))! >= _projection.Version;
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return current;
    }

    /// <summary>Takes or renews the lease. A new owner gets a new fence token; the old owner's next batch fails.</summary>
    public async Task<bool> TryAcquireLeaseAsync(CancellationToken ct = default)
    {
        await using var cmd = _store.DataSource.CreateCommand($"""
            UPDATE {_table}
               SET fence = CASE WHEN owner = $2 AND lease_expires_at >= clock_timestamp() THEN fence ELSE fence + 1 END,
                   owner = $2, lease_expires_at = clock_timestamp() + $3
             WHERE name = $1 AND (owner IS NULL OR owner = $2 OR lease_expires_at < clock_timestamp())
            RETURNING fence
            """);
        cmd.Parameters.Add(Text(Name));
        cmd.Parameters.Add(Text(Owner));
        cmd.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = _options.LeaseDuration, NpgsqlDbType = NpgsqlDbType.Interval });
        _fence = (long?)await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
        return _fence is not null;
    }

    /// <summary>Gives the lease up so another runner can take over at once (on shutdown).</summary>
    public async Task ReleaseLeaseAsync(CancellationToken ct = default)
    {
        await ExecuteAsync(null, $"UPDATE {_table} SET owner = NULL, lease_expires_at = NULL WHERE name = $1 AND owner = $2", ct, Text(Name), Text(Owner)).ConfigureAwait(false);
        _fence = null;
    }

    /// <summary>Starts (or restarts) a rebuild from position 0 into the shadow schema; live tables keep serving.</summary>
    public async Task StartRebuildAsync(CancellationToken ct = default)
    {
        await using var connection = await _store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await LockAndCheckFenceAsync(connection, ct).ConfigureAwait(false);
        await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {ShadowSchema} CASCADE; CREATE SCHEMA {ShadowSchema}", ct).ConfigureAwait(false);
        await _projection.CreateAsync(connection, ShadowSchema, ct).ConfigureAwait(false);
        await ExecuteAsync(connection, $"UPDATE {_table} SET rebuild_position = 0, rebuild_started_at = clock_timestamp() WHERE name = $1", ct, Text(Name)).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        _rebuildSession = null;
    }

    /// <summary>
    /// Advances a rebuild by one chunk (see <see cref="ProjectionRunnerOptions.ChunkEvents"/>), or swaps the
    /// shadow in when it has caught up with the live checkpoint. Returns the events applied; 0 and no rebuild in
    /// progress once swapped. Resumes after a crash from its checkpoint.
    /// </summary>
    public Task<int> RunRebuildBatchAsync(CancellationToken ct = default) => RunRebuildBatchAsync(null, ct);

    private async Task<int> RunRebuildBatchAsync(IProgress<(long Position, long Head)>? progress, CancellationToken ct)
    {
        var status = await GetStatusAsync(ct).ConfigureAwait(false);
        if (status.RebuildPosition is not { } rebuilt)
            return 0;
        var applied = await RunRebuildChunkAsync(progress, followLive: true, ct).ConfigureAwait(false);
        if (applied == 0 && rebuilt >= status.Position)
            await SwapAsync(ct).ConfigureAwait(false);
        return applied;
    }

    /// <summary>Rebuilds to the end and swaps, reporting progress as (position applied, head) after every batch.</summary>
    public async Task RebuildAsync(IProgress<(long Position, long Head)>? progress = null, CancellationToken ct = default)
    {
        if ((await GetStatusAsync(ct).ConfigureAwait(false)).RebuildPosition is null)
            await StartRebuildAsync(ct).ConfigureAwait(false);
        while (true)
        {
            // Keep the live side moving too, so the shadow has a target to meet.
            await RunBatchAsync(ct).ConfigureAwait(false);
            await RunRebuildBatchAsync(progress, ct).ConfigureAwait(false);
            var status = await GetStatusAsync(ct).ConfigureAwait(false);
            progress?.Report((status.RebuildPosition ?? status.Position, status.Head));
            if (!status.Rebuilding)
                return;
            await TryAcquireLeaseAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rebuilds a projection that append listeners keep up to date inline (never run its live batches): rebuild into
    /// the shadow from the feed, then catch up the last events and swap while appends are held off by a table lock
    /// (readers go on). Appends that were waiting then write their inline rows into the new live tables.
    /// </summary>
    public async Task RebuildInlineAsync(IProgress<(long Position, long Head)>? progress = null, CancellationToken ct = default)
    {
        await RenewLeaseAsync(ct).ConfigureAwait(false);
        if ((await GetStatusAsync(ct).ConfigureAwait(false)).RebuildPosition is null)
            await StartRebuildAsync(ct).ConfigureAwait(false);
        while (await RunRebuildChunkAsync(progress, followLive: false, ct).ConfigureAwait(false) > 0)
        {
            var status = await GetStatusAsync(ct).ConfigureAwait(false);
            progress?.Report((status.RebuildPosition ?? 0, status.Head));
            await TryAcquireLeaseAsync(ct).ConfigureAwait(false);
        }

        await using var connection = await _store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        // The read indexes and statistics first, before appends are held off: building them over a million rows takes
        // seconds, and the few events of the catch-up below then go into indexed tables.
        var tables = await PrepareShadowAsync(connection, ct).ConfigureAwait(false);
        var locked = await LockAndCheckFenceAsync(connection, ct).ConfigureAwait(false);
        // SHARE ROW EXCLUSIVE conflicts with the inserts of appends, not with reads: every append that already
        // inserted has committed or rolled back once we hold it, so the feed's head reaches everything they wrote.
        await ExecuteAsync(connection, $"LOCK TABLE {_store.Schema}.events IN SHARE ROW EXCLUSIVE MODE", ct).ConfigureAwait(false);
        var position = locked.RebuildPosition ?? 0;
        var session = TakeSession(ref _rebuildSession, ShadowSchema, position);
        while (true)
        {
            var page = await _store.ReadFeedAsync(position, _options.BatchSize, _projection.StreamPrefixes, ct).ConfigureAwait(false);
            if (page.NextAfter <= position)
                break;
            if (page.Events.Count > 0)
                await session.ApplyAsync(connection, page.Events, ct).ConfigureAwait(false);
            position = page.NextAfter;
        }
        await session.FlushAsync(connection, ct).ConfigureAwait(false);
        await ExecuteAsync(connection, $"UPDATE {_table} SET rebuild_position = $2 WHERE name = $1", ct, Text(Name),
            new NpgsqlParameter<long> { TypedValue = position }).ConfigureAwait(false);
        await SwapSchemasAsync(connection, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        await VacuumLiveAsync(connection, tables, ct).ConfigureAwait(false);
        progress?.Report((position, position));
    }

    public async Task<ProjectionStatus> GetStatusAsync(CancellationToken ct = default)
    {
        await using var cmd = _store.DataSource.CreateCommand($"""
            SELECT p.position, p.owner, p.fence, p.lease_expires_at, p.rebuild_position,
                   coalesce(extract(epoch FROM clock_timestamp() - (
                       SELECT e.recorded_time FROM {_store.Schema}.events e WHERE e.position > p.position ORDER BY e.position LIMIT 1)), 0)::float8
              FROM {_table} p WHERE p.name = $1
            """);
        cmd.Parameters.Add(Text(Name));
        long position, fence;
        string? owner;
        DateTimeOffset? expires;
        long? rebuild;
        double lagSeconds;
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                throw new InvalidOperationException($"Projection '{Name}' is not registered; call EnsureCreatedAsync first.");
            position = reader.GetInt64(0);
            owner = reader.IsDBNull(1) ? null : reader.GetString(1);
            fence = reader.GetInt64(2);
            expires = reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(3), TimeSpan.Zero);
            rebuild = reader.IsDBNull(4) ? null : reader.GetInt64(4);
            lagSeconds = reader.GetDouble(5);
        }
        var head = await _store.RefreshHeadAsync(ct).ConfigureAwait(false);
        return new ProjectionStatus(Name, position, head, head > position ? lagSeconds : 0, owner, fence, expires, rebuild);
    }

    /// <summary>
    /// Brings the live tables to at least <paramref name="position"/> (read-your-writes): applies the batches here when
    /// the lease is free, otherwise waits for the runner that holds it, up to <paramref name="maxWait"/>.
    /// </summary>
    /// <exception cref="TimeoutException">The holder of the lease did not get there in time.</exception>
    public async Task CatchUpAsync(long position, TimeSpan maxWait, CancellationToken ct = default)
    {
        await EnsureCreatedAsync(ct).ConfigureAwait(false);
        var waited = Stopwatch.StartNew();
        while ((await GetStatusAsync(ct).ConfigureAwait(false)).Position < position)
        {
            if (await TryAcquireLeaseAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    while (await RunBatchAsync(ct).ConfigureAwait(false) > 0)
                    {
                    }
                }
                finally
                {
                    await ReleaseLeaseAsync(CancellationToken.None).ConfigureAwait(false);
                }
            }
            else if (waited.Elapsed < maxWait)
            {
                await Task.Delay(_options.IdleDelay, ct).ConfigureAwait(false);
            }
            else
            {
                throw new TimeoutException($"Projection '{Name}' did not reach position {position} within {maxWait}.");
            }
        }
    }

    /// <summary>Runs until cancelled: keeps the lease, follows the feed, advances a rebuild when one is started.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await EnsureCreatedAsync(ct).ConfigureAwait(false);
        var lastRenewal = Stopwatch.StartNew();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (_fence is null || lastRenewal.Elapsed > _options.LeaseDuration / 3)
                {
                    lastRenewal.Restart();
                    if (!await TryAcquireLeaseAsync(ct).ConfigureAwait(false))
                    {
                        await Task.Delay(_options.LeaseDuration / 3, ct).ConfigureAwait(false);
                        continue;
                    }
                }
                int applied;
                try
                {
                    applied = await RunBatchAsync(ct).ConfigureAwait(false) + await RunRebuildBatchAsync(ct).ConfigureAwait(false);
                }
                catch (ProjectionOwnershipLostException)
                {
                    _fence = null;
                    continue;
                }
                if (applied == 0)
                    await Task.Delay(_options.IdleDelay, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            if (_fence is not null)
                await ReleaseLeaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Applies the next batch to the live tables, or a chunk when the runner is far behind the head
    /// (<see cref="ProjectionRunnerOptions.CatchUpEvents"/>); returns how many events it applied (0 when caught up).
    /// </summary>
    public async Task<int> RunBatchAsync(CancellationToken ct = default)
    {
        var from = (await GetPositionsAsync(ct).ConfigureAwait(false)).Position;
        var page = await _store.ReadFeedAsync(from, _options.BatchSize, _projection.StreamPrefixes, ct).ConfigureAwait(false);
        if (page.NextAfter <= from)
            return 0; // a page of none of the projection's events still moves the checkpoint on to the head
        if (page.Head - from > _options.CatchUpEvents)
            return await RunChunkAsync(rebuild: false, from, page, null, followLive: false, ct).ConfigureAwait(false);

        using var activity = EventStoreTelemetry.Source.StartActivity("eventstore.project");
        activity?.SetTag("eventstore.projection", Name);
        if (activity is { Recorded: true })
            LinkToAppends(activity, page.Events);

        await using var connection = await _store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var locked = await LockAndCheckFenceAsync(connection, ct).ConfigureAwait(false);
        if (locked.Position != from)
            return 0; // moved meanwhile; the next call starts from the new checkpoint

        if (page.Events.Count > 0)
            await _projection.ApplyAsync(connection, LiveSchema, page.Events, ct).ConfigureAwait(false);
        await MoveCheckpointAsync(connection, "position", page.NextAfter, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        activity?.SetTag("eventstore.event_count", page.Events.Count);
        ProjectionTelemetry.Applied.Add(page.Events.Count, new KeyValuePair<string, object?>("projection", Name), new KeyValuePair<string, object?>("rebuild", false));
        return page.Events.Count;
    }

    /// <summary>A chunk of the rebuild; <paramref name="followLive"/>: the live tables are this runner's to keep up meanwhile (not an inline projection's).</summary>
    private async Task<int> RunRebuildChunkAsync(IProgress<(long Position, long Head)>? progress, bool followLive, CancellationToken ct)
    {
        var from = (await GetPositionsAsync(ct).ConfigureAwait(false)).RebuildPosition ?? throw new InvalidOperationException("No rebuild in progress.");
        var page = await _store.ReadFeedAsync(from, _options.BatchSize, _projection.StreamPrefixes, ct).ConfigureAwait(false);
        return page.NextAfter <= from ? 0 : await RunChunkAsync(rebuild: true, from, page, progress, followLive, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies one chunk, from <paramref name="first"/> on, to the shadow (<paramref name="rebuild"/>) or the live
    /// tables: batches through the session in one transaction, the next page read while the current one is applied,
    /// then the session's flush, the fence check and the checkpoint, committed together. With <paramref name="followLive"/>
    /// the live tables are brought up to the head between pages (<see cref="ProjectionRunnerOptions.LiveInterval"/>).
    /// </summary>
    private async Task<int> RunChunkAsync(bool rebuild, long from, FeedPage first, IProgress<(long Position, long Head)>? progress, bool followLive,
        CancellationToken ct)
    {
        using var activity = EventStoreTelemetry.Source.StartActivity(rebuild ? "eventstore.project.rebuild" : "eventstore.project.catch_up");
        activity?.SetTag("eventstore.projection", Name);
        var session = rebuild ? TakeSession(ref _rebuildSession, ShadowSchema, from) : TakeSession(ref _liveSession, LiveSchema, from);
        var page = first;
        await using var connection = await _store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var chunk = Stopwatch.StartNew();
        var renewal = Stopwatch.StartNew();
        var live = Stopwatch.StartNew();
        var (applied, position) = (0, from);
        while (true)
        {
            var full = page.Events.Count == _options.BatchSize; // a short page reached the head
            var next = full ? _store.ReadFeedAsync(page.NextAfter, _options.BatchSize, _projection.StreamPrefixes, ct) : null;
            try
            {
                if (page.Events.Count > 0)
                    await session.ApplyAsync(connection, page.Events, ct).ConfigureAwait(false);
            }
            catch when (next is not null)
            {
                _ = next.ContinueWith(t => t.Exception, TaskScheduler.Default); // the page read ahead is not needed: observe its failure, if any
                throw;
            }
            (applied, position) = (applied + page.Events.Count, page.NextAfter);
            progress?.Report((position, page.Head)); // applied, committed with the chunk
            if (next is null)
                break;
            page = await next.ConfigureAwait(false);
            if (page.Events.Count == 0 || applied >= _options.ChunkEvents || chunk.Elapsed >= _options.ChunkTime)
                break;
            if (renewal.Elapsed > _options.LeaseDuration / 3)
            {
                // Outside the chunk's transaction, which holds no lock on the projection's row until it commits.
                await RenewLeaseAsync(ct).ConfigureAwait(false);
                renewal.Restart();
            }
            if (followLive && live.Elapsed >= _options.LiveInterval)
            {
                await FollowLiveAsync(ct).ConfigureAwait(false);
                live.Restart();
            }
        }
        await session.FlushAsync(connection, ct).ConfigureAwait(false);
        var locked = await LockAndCheckFenceAsync(connection, ct).ConfigureAwait(false);
        if ((rebuild ? locked.RebuildPosition : locked.Position) != from)
            return 0; // moved meanwhile (e.g. swapped); rolled back, and the next call starts from the new checkpoint
        await MoveCheckpointAsync(connection, rebuild ? "rebuild_position" : "position", position, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        if (rebuild)
            _rebuildSession = (session, position);
        else
            _liveSession = (session, position);
        if (!rebuild && page.Head - position <= _options.CatchUpEvents)
            await AnalyzeAsync(connection, LiveSchema, ct).ConfigureAwait(false); // caught up: the tables may have grown from nothing
        activity?.SetTag("eventstore.event_count", applied);
        ProjectionTelemetry.Applied.Add(applied, new KeyValuePair<string, object?>("projection", Name), new KeyValuePair<string, object?>("rebuild", rebuild));
        return applied;
    }

    /// <summary>Renews the lease between the pages of a chunk, or fails it: another runner took the projection over.</summary>
    private async Task RenewLeaseAsync(CancellationToken ct)
    {
        if (!await TryAcquireLeaseAsync(ct).ConfigureAwait(false))
            throw new ProjectionOwnershipLostException(Name, Owner);
    }

    /// <summary>
    /// Brings the live tables up to the head while a rebuild's chunk runs, each batch in a transaction of its own (which
    /// locks the projection's row; the chunk locks it only at its end), instead of leaving them a whole chunk behind.
    /// </summary>
    private async Task FollowLiveAsync(CancellationToken ct)
    {
        while (await RunBatchAsync(ct).ConfigureAwait(false) >= _options.BatchSize)
        {
        }
    }

    /// <summary>
    /// The session in <paramref name="slot"/> if its state stands for its schema at <paramref name="position"/>, or a
    /// new one on <paramref name="schema"/>. It is handed back only when its chunk commits, so a failed chunk (its work
    /// rolled back) never leaves a session ahead of the tables; nor does a live batch applied without it.
    /// </summary>
    private IProjectionSession TakeSession(ref (IProjectionSession Session, long Position)? slot, string schema, long position)
    {
        var kept = slot is { } s && s.Position == position ? s.Session : null;
        slot = null;
        return kept ?? _projection.OpenSession(schema, shadow: schema == ShadowSchema);
    }

    private Task MoveCheckpointAsync(NpgsqlConnection connection, string column, long position, CancellationToken ct) =>
        ExecuteAsync(connection, $"""
            UPDATE {_table} SET {column} = $2, lease_expires_at = greatest(lease_expires_at, clock_timestamp() + $3), updated_at = clock_timestamp()
             WHERE name = $1
            """, ct, Text(Name), new NpgsqlParameter<long> { TypedValue = position },
            new NpgsqlParameter<TimeSpan> { TypedValue = _options.LeaseDuration, NpgsqlDbType = NpgsqlDbType.Interval });

    /// <summary>
    /// Links the batch span to the spans that appended its events (their <see cref="EventMetadata.TraceParent"/>), so a
    /// command's trace leads on to the read models it changed. A batch carries many traces: the first few are linked.
    /// </summary>
    private static void LinkToAppends(Activity activity, IReadOnlyList<RecordedEvent> events)
    {
        const int maxLinks = 32;
        var linked = new HashSet<ActivitySpanId>();
        foreach (var e in events)
        {
            if (e.Metadata.TraceParent is { } parent && ActivityContext.TryParse(parent, null, out var context) && linked.Add(context.SpanId))
            {
                activity.AddLink(new ActivityLink(context));
                if (linked.Count == maxLinks)
                    break;
            }
        }
    }

    private async Task SwapAsync(CancellationToken ct)
    {
        await using var connection = await _store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        // Before the projection's row is locked, so the live batches go on while they are built.
        var tables = await PrepareShadowAsync(connection, ct).ConfigureAwait(false);
        var locked = await LockAndCheckFenceAsync(connection, ct).ConfigureAwait(false);
        if (locked.RebuildPosition is not { } rebuilt || rebuilt < locked.Position)
            return;
        await SwapSchemasAsync(connection, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        _rebuildSession = null;
        await VacuumLiveAsync(connection, tables, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Readies the shadow for serving, in the swap's transaction: its read indexes, and the planner's statistics over
    /// its tables. Swapped in without statistics, the new tables would be planned blind until autovacuum came round to
    /// them (at a million members a province roster page took 136 against 9 ms at p99, the report-overdue list 449
    /// against 49). Returns the shadow's tables (their names, quoted for SQL), which keep them once swapped in.
    /// </summary>
    private async Task<string[]> PrepareShadowAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await _projection.CreateReadIndexesAsync(connection, ShadowSchema, ct).ConfigureAwait(false);
        return await AnalyzeAsync(connection, ShadowSchema, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Gathers the planner's statistics over the tables of <paramref name="schema"/>: a shadow about to be swapped in,
    /// or live tables a catch-up just filled (after a bulk import they may have grown from nothing, and autovacuum comes
    /// round only a minute or so later). Returns the tables' names, quoted for SQL.
    /// </summary>
    private static async Task<string[]> AnalyzeAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        var tables = await TablesOfAsync(connection, schema, ct).ConfigureAwait(false);
        if (tables.Length > 0)
            await ExecuteUnboundedAsync(connection, $"ANALYZE {Qualified(schema, tables)}", ct).ConfigureAwait(false);
        return tables;
    }

    /// <summary>
    /// Vacuums the <paramref name="tables"/> just swapped in, on the swap's connection once its transaction committed
    /// (VACUUM runs outside one): rows written by <c>COPY</c> leave the visibility map empty, and until it is set an
    /// index-only scan reads the heap for every row (a roster page 3-4 times slower). Another swap may have dropped
    /// them meanwhile: then there is nothing left to vacuum.
    /// </summary>
    private async Task VacuumLiveAsync(NpgsqlConnection connection, string[] tables, CancellationToken ct)
    {
        if (tables.Length == 0)
            return;
        try
        {
            await ExecuteUnboundedAsync(connection, $"VACUUM {Qualified(LiveSchema, tables)}", ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
        }
    }

    private static string Qualified(string schema, string[] tables) => string.Join(", ", tables.Select(t => $"{schema}.{t}"));

    /// <summary>The names of the tables of <paramref name="schema"/>, quoted for SQL.</summary>
    private static async Task<string[]> TablesOfAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT format('%I', tablename) FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", connection);
        cmd.Parameters.Add(Text(schema));
        var tables = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            tables.Add(reader.GetString(0));
        return [.. tables];
    }

    /// <summary>A statement over whole tables, which may take longer than a command's default timeout.</summary>
    private static async Task ExecuteUnboundedAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Swaps the shadow in, in the caller's transaction, which has built its read indexes: once over the finished
    /// tables, far cheaper than maintaining them through every batch of the rebuild.
    /// </summary>
    private async Task SwapSchemasAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var old = LiveSchema + "_old";
        await ExecuteAsync(connection, $"""
            ALTER SCHEMA {LiveSchema} RENAME TO {old};
            ALTER SCHEMA {ShadowSchema} RENAME TO {LiveSchema};
            DROP SCHEMA {old} CASCADE;
            """, ct).ConfigureAwait(false);
        await ExecuteAsync(connection, $"""
            UPDATE {_table} SET position = rebuild_position, rebuild_position = NULL, rebuild_started_at = NULL, definition_version = $2
             WHERE name = $1
            """, ct, Text(Name), Version()).ConfigureAwait(false);
    }

    private async Task<(long Position, long? RebuildPosition)> LockAndCheckFenceAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT position, rebuild_position, owner, fence FROM {_table} WHERE name = $1 FOR UPDATE", connection);
        cmd.Parameters.Add(Text(Name));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            throw new InvalidOperationException($"Projection '{Name}' is not registered; call EnsureCreatedAsync first.");
        var owner = reader.IsDBNull(2) ? null : reader.GetString(2);
        if (_fence is not { } fence || owner != Owner || reader.GetInt64(3) != fence)
            throw new ProjectionOwnershipLostException(Name, Owner);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1));
    }

    private async Task<(long Position, long? RebuildPosition)> GetPositionsAsync(CancellationToken ct)
    {
        await using var cmd = _store.DataSource.CreateCommand($"SELECT position, rebuild_position FROM {_table} WHERE name = $1");
        cmd.Parameters.Add(Text(Name));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            throw new InvalidOperationException($"Projection '{Name}' is not registered; call EnsureCreatedAsync first.");
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1));
    }

    private static async Task<bool> SchemaExistsAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", connection);
        cmd.Parameters.Add(Text(schema));
        return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    private async Task ExecuteAsync(NpgsqlConnection? connection, string sql, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        await using var cmd = connection is null ? _store.DataSource.CreateCommand(sql) : new NpgsqlCommand(sql, connection);
        cmd.Parameters.AddRange(parameters);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private NpgsqlParameter<int> Version() => new() { TypedValue = _projection.Version, NpgsqlDbType = NpgsqlDbType.Integer };

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text };
}

internal static class ProjectionTelemetry
{
    internal static readonly System.Diagnostics.Metrics.Counter<long> Applied =
        EventStoreTelemetry.Meter.CreateCounter<long>("eventstore.projection.events.applied", "{event}", "Events applied by async projections (live and rebuild).");
}
