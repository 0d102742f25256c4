using System.Diagnostics;
using Npgsql;

namespace CoManagement.EventStore;

/// <summary>A page of the global feed. Continue from <see cref="NextAfter"/>; the page is short when it reached the head.</summary>
public sealed record FeedPage(IReadOnlyList<RecordedEvent> Events, long NextAfter, long Head);

/// <summary>Who holds the feed's head back: an open transaction that announced positions below committed events.</summary>
public sealed record FeedBlocker(int Pid, string? TransactionId, DateTimeOffset? TransactionStart, string? State, string? Query, long AnnouncedBelow);

/// <summary>The feed's safe head, the newest committed position, how far behind the head is, and why.</summary>
public sealed record FeedStatus(long Head, long NewestCommitted, double LagSeconds, FeedBlocker? Blocker)
{
    public long LagPositions => NewestCommitted - Head;
}

public sealed partial class PostgresEventStore
{
    private long _knownHead;

    /// <summary>
    /// Reads the global feed in position order after <paramref name="after"/>, never past the safe head: every position
    /// at or below it is committed or will never be used, so no event can appear later below a position already read.
    /// </summary>
    public Task<FeedPage> ReadFeedAsync(long after, int maxCount = 1000, CancellationToken ct = default) =>
        ReadFeedAsync(after, maxCount, null, ct);

    /// <summary>
    /// Reads the global feed as <see cref="ReadFeedAsync(long, int, CancellationToken)"/> does, but only the events of
    /// streams whose id starts with one of <paramref name="streamPrefixes"/> (all streams when null). The others are
    /// skipped on the server; a page that comes back short still moves <see cref="FeedPage.NextAfter"/> to the head, so
    /// a reader of a few streams passes over everything else without receiving it.
    /// </summary>
    public async Task<FeedPage> ReadFeedAsync(long after, int maxCount, IReadOnlyList<string>? streamPrefixes, CancellationToken ct = default)
    {
        using var activity = EventStoreTelemetry.Source.StartActivity("eventstore.read_feed", ActivityKind.Client);
        var head = Volatile.Read(ref _knownHead);
        if (after >= head)
            head = await RefreshHeadAsync(ct).ConfigureAwait(false);
        if (after >= head)
            return new FeedPage([], after, head);

        // This statement's snapshot is taken after the head was computed, which is what makes the head safe.
        await using var connection = await _feedDataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var cmd = new NpgsqlCommand(streamPrefixes is null ? Sql.ReadFeed : Sql.ReadFeedOf, connection);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = head });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
        if (streamPrefixes is not null)
            cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. streamPrefixes], NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
        await cmd.PrepareAsync(ct).ConfigureAwait(false);
        var events = await ReadEventsAsync(cmd, ct).ConfigureAwait(false);
        var next = events.Count == maxCount ? events[^1].Position : head;
        activity?.SetTag("eventstore.event_count", events.Count);
        return new FeedPage(events, next, head);
    }

    /// <summary>The safe head as of now.</summary>
    public async Task<long> RefreshHeadAsync(CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand(Sql.FeedHead);
        var head = (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        InterlockedMax(ref _knownHead, head);
        return head;
    }

    /// <summary>The head, the lag behind the newest committed event, and the backend holding it back, if any.</summary>
    public async Task<FeedStatus> GetFeedStatusAsync(CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand(Sql.FeedStatus);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        FeedBlocker? blocker = reader.IsDBNull(3) ? null : new FeedBlocker(
            reader.GetInt32(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(5), TimeSpan.Zero),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.GetInt64(8));
        var status = new FeedStatus(reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), blocker);
        InterlockedMax(ref _knownHead, status.Head);
        EventStoreTelemetry.RecordFeedLag(status.LagPositions, status.LagSeconds);
        return status;
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
                return;
            current = seen;
        }
    }
}
