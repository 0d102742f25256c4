using System.Diagnostics;
using Npgsql;

namespace CoManagement.EventStore.Projections;

public sealed partial class ProjectionRunner
{
    /// <summary>
    /// Rebuilds several projections of one store together, reading the feed once for all of them instead of once each:
    /// every page goes to each runner's rebuild session (only the events of its streams, after its own rebuild
    /// position), each in its own transaction on its own connection, the sessions applying a page side by side. A chunk
    /// commits as <see cref="RunRebuildBatchAsync(CancellationToken)"/>'s does, runner by runner: the session's flush,
    /// the runner's fence check and its checkpoint. Between pages the leases are renewed and, for a runner whose
    /// <c>FollowLive</c> is set (an async projection's), the live tables brought up to the head. Returns after the
    /// chunk that reached the feed's head: each runner then finishes on its own, from its checkpoint and with its
    /// session kept (<see cref="RebuildAsync"/>, or <see cref="RebuildInlineAsync"/> for an inline projection).
    /// </summary>
    /// <param name="rebuilds">
    /// Runners of the same store, each holding its lease with a rebuild started (<see cref="StartRebuildAsync"/>), or
    /// one to resume; <c>FollowLive</c>: the live tables are the runner's to keep up meanwhile (false for an inline
    /// projection, whose live rows the appends write). The first runner's options set the page and chunk sizes.
    /// </param>
    /// <param name="progress">The lowest rebuild position and the head, after every page.</param>
    public static async Task RebuildTogetherAsync(IReadOnlyList<(ProjectionRunner Runner, bool FollowLive)> rebuilds,
        IProgress<(long Position, long Head)>? progress = null, CancellationToken ct = default)
    {
        if (rebuilds.Count == 0)
            return;
        var store = rebuilds[0].Runner._store;
        if (rebuilds.Any(r => r.Runner._store.Schema != store.Schema) || rebuilds.DistinctBy(r => r.Runner.Name).Count() != rebuilds.Count)
            throw new ArgumentException("Rebuilds read together must be of distinct projections of one store.", nameof(rebuilds));
        var members = new List<Member>();
        foreach (var (runner, followLive) in rebuilds)
        {
            var position = (await runner.GetPositionsAsync(ct).ConfigureAwait(false)).RebuildPosition
                ?? throw new InvalidOperationException($"No rebuild of '{runner.Name}' in progress.");
            members.Add(new Member(runner, followLive, position));
        }
        // The feed is asked for every member's streams; each member then takes its own out of the page.
        IReadOnlyList<string>? prefixes = members.Any(m => m.Prefixes is null)
            ? null
            : [.. members.SelectMany(m => m.Prefixes!).Distinct(StringComparer.Ordinal)];
        var options = rebuilds[0].Runner._options;
        while (members.Count > 0)
        {
            var from = members.Min(m => m.Position);
            var page = await store.ReadFeedAsync(from, options.BatchSize, prefixes, ct).ConfigureAwait(false);
            if (page.NextAfter <= from)
                return;
            if (await RunChunkTogetherAsync(members, page, prefixes, options, progress, ct).ConfigureAwait(false))
                return;
        }
    }

    /// <summary>One chunk of <see cref="RebuildTogetherAsync"/>; true when it reached the feed's head.</summary>
    private static async Task<bool> RunChunkTogetherAsync(List<Member> members, FeedPage first, IReadOnlyList<string>? prefixes,
        ProjectionRunnerOptions options, IProgress<(long Position, long Head)>? progress, CancellationToken ct)
    {
        using var activity = EventStoreTelemetry.Source.StartActivity("eventstore.project.rebuild_together");
        activity?.SetTag("eventstore.projection", string.Join(",", members.Select(m => m.Runner.Name)));
        var store = members[0].Runner._store;
        var taking = members.ToArray();
        try
        {
            foreach (var m in taking)
                await m.BeginAsync(ct).ConfigureAwait(false);
            var chunk = Stopwatch.StartNew();
            var renewal = Stopwatch.StartNew();
            var live = Stopwatch.StartNew();
            var (page, applied, reachedHead) = (first, 0, false);
            while (true)
            {
                var full = page.Events.Count == options.BatchSize;
                var next = full ? store.ReadFeedAsync(page.NextAfter, options.BatchSize, prefixes, ct) : null;
                try
                {
                    var shared = new Dictionary<string, IReadOnlyList<RecordedEvent>>(StringComparer.Ordinal);
                    var slices = members.Select(m => m.SliceOf(page, shared)).ToList();
                    await Task.WhenAll(members.Select((m, i) => m.ApplyAsync(page, slices[i], ct))).ConfigureAwait(false);
                }
                catch when (next is not null)
                {
                    _ = next.ContinueWith(t => t.Exception, TaskScheduler.Default); // observe the page read ahead
                    throw;
                }
                applied += page.Events.Count;
                progress?.Report((members.Min(m => m.Position), page.Head));
                if (next is null)
                {
                    reachedHead = true;
                    break;
                }
                page = await next.ConfigureAwait(false);
                if (page.Events.Count == 0 || applied >= options.ChunkEvents || chunk.Elapsed >= options.ChunkTime)
                    break;
                if (renewal.Elapsed > options.LeaseDuration / 3)
                {
                    foreach (var m in members)
                        await m.Runner.RenewLeaseAsync(ct).ConfigureAwait(false);
                    renewal.Restart();
                }
                if (live.Elapsed >= options.LiveInterval)
                {
                    foreach (var m in members.Where(m => m.FollowLive))
                        await m.Runner.FollowLiveAsync(ct).ConfigureAwait(false);
                    live.Restart();
                }
            }
            // Flushed side by side (a rebuild's last flush writes a million rows), then committed runner by runner.
            var moved = await Task.WhenAll(taking.Select(m => m.PrepareCommitAsync(ct))).ConfigureAwait(false);
            foreach (var m in taking)
                await m.CommitAsync(ct).ConfigureAwait(false);
            // A member whose rebuild moved without it (another runner of the same owner) is left to go on alone, as a
            // single runner's next call would: from the checkpoint it finds, with a new session.
            members.RemoveAll(m => moved[Array.IndexOf(taking, m)]);
            activity?.SetTag("eventstore.event_count", applied);
            return reachedHead;
        }
        finally
        {
            foreach (var m in taking)
                await m.EndAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A runner's part in <see cref="RebuildTogetherAsync"/>: its session, its position and its chunk's transaction.</summary>
    private sealed class Member(ProjectionRunner runner, bool followLive, long position)
    {
        private NpgsqlConnection? _connection;
        private NpgsqlTransaction? _tx;
        private IProjectionSession? _session;
        private long _chunkStart;
        private int _applied;

        public ProjectionRunner Runner { get; } = runner;

        public bool FollowLive { get; } = followLive;

        public IReadOnlyList<string>? Prefixes { get; } = runner._projection.StreamPrefixes;

        /// <summary>The member's streams as one key: members with the same share their slice of a page.</summary>
        private readonly string? _streams = runner._projection.StreamPrefixes is { } prefixes ? string.Join('\n', prefixes) : null;

        /// <summary>The rebuild position the session stands for: every event up to it applied.</summary>
        public long Position { get; private set; } = position;

        public async Task BeginAsync(CancellationToken ct)
        {
            _session = Runner.TakeSession(ref Runner._rebuildSession, Runner.ShadowSchema, Position);
            (_chunkStart, _applied) = (Position, 0);
            _connection = await Runner._store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
            _tx = await _connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        }

        /// <summary>
        /// The page's events that are this member's: after its position, of its streams. Members of the same streams
        /// get the same list (<paramref name="shared"/>, by streams), the page's own when they read them all, so a
        /// projection layer can decode it once for all of them.
        /// </summary>
        public IReadOnlyList<RecordedEvent> SliceOf(FeedPage page, Dictionary<string, IReadOnlyList<RecordedEvent>> shared)
        {
            if (page.NextAfter <= Position)
                return [];
            if (page.Events.Count > 0 && page.Events[0].Position <= Position)
                return [.. page.Events.Where(e => e.Position > Position && IsMine(e))]; // resumed inside this page: its own
            if (_streams is null)
                return page.Events;
            if (!shared.TryGetValue(_streams, out var slice))
            {
                var mine = page.Events.Where(IsMine).ToList();
                shared[_streams] = slice = mine.Count == page.Events.Count ? page.Events : mine;
            }
            return slice;
        }

        private bool IsMine(RecordedEvent e) => e.IsOfStreams(Prefixes);

        public async Task ApplyAsync(FeedPage page, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
        {
            if (page.NextAfter <= Position)
                return;
            if (events.Count > 0)
                await _session!.ApplyAsync(_connection!, events, ct).ConfigureAwait(false);
            (Position, _applied) = (page.NextAfter, _applied + events.Count);
        }

        /// <summary>Flushes, checks the fence and moves the checkpoint, uncommitted; true when the rebuild moved without this member (nothing of its chunk is kept).</summary>
        public async Task<bool> PrepareCommitAsync(CancellationToken ct)
        {
            await _session!.FlushAsync(_connection!, ct).ConfigureAwait(false);
            var locked = await Runner.LockAndCheckFenceAsync(_connection!, ct).ConfigureAwait(false);
            if (locked.RebuildPosition != _chunkStart)
            {
                await _tx!.RollbackAsync(ct).ConfigureAwait(false);
                _tx = null;
                return true;
            }
            await Runner.MoveCheckpointAsync(_connection!, "rebuild_position", Position, ct).ConfigureAwait(false);
            return false;
        }

        public async Task CommitAsync(CancellationToken ct)
        {
            if (_tx is null)
                return;
            await _tx.CommitAsync(ct).ConfigureAwait(false);
            _tx = null;
            Runner._rebuildSession = (_session!, Position);
            ProjectionTelemetry.Applied.Add(_applied, new KeyValuePair<string, object?>("projection", Runner.Name), new KeyValuePair<string, object?>("rebuild", true));
        }

        /// <summary>Rolls back what was not committed (a failed chunk: its session is dropped) and returns the connection.</summary>
        public async Task EndAsync()
        {
            if (_tx is not null)
                await _tx.DisposeAsync().ConfigureAwait(false);
            if (_connection is not null)
                await _connection.DisposeAsync().ConfigureAwait(false);
            (_tx, _connection, _session) = (null, null, null);
        }
    }
}
