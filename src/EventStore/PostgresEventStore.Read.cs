using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace CoManagement.EventStore;

public sealed partial class PostgresEventStore
{
    private static readonly string[] AsOfFilters =
        ["", "AND version <= $3", "AND recorded_time <= $3", "AND business_time <= $3", "AND position <= $3"];

    private string[]? _readHot, _readArchived;

    /// <summary>
    /// Reads a stream in version order, optionally only up to a point in its history. One prepared statement on the hot
    /// table; only when that finds nothing is the archive asked (archiving moves a whole stream in one transaction).
    /// </summary>
    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string streamId, AsOf? asOf = null, long afterVersion = 0, CancellationToken ct = default)
    {
        using var activity = EventStoreTelemetry.Source.StartActivity("eventstore.read_stream", ActivityKind.Client);
        activity?.SetTag("eventstore.stream", streamId);
        var (kind, bound) = asOf switch
        {
            null => (0, (NpgsqlParameter?)null),
            AsOf.Version v => (1, new NpgsqlParameter<long> { TypedValue = v.Value }),
            AsOf.RecordedTime t => (2, Timestamp(t.Value)),
            AsOf.BusinessTime t => (3, Timestamp(t.Value)),
            AsOf.Position p => (4, new NpgsqlParameter<long> { TypedValue = p.Value }),
            _ => throw new ArgumentOutOfRangeException(nameof(asOf)),
        };
        _readHot ??= [.. AsOfFilters.Select(Sql.ReadStream)];
        _readArchived ??= [.. AsOfFilters.Select(Sql.ReadArchivedStream)];

        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var events = await ReadStreamFromAsync(connection, _readHot[kind], streamId, afterVersion, bound, ct).ConfigureAwait(false);
        if (events.Count == 0)
            events = await ReadStreamFromAsync(connection, _readArchived[kind], streamId, afterVersion, bound?.Clone(), ct).ConfigureAwait(false);
        activity?.SetTag("eventstore.event_count", events.Count);
        return events;
    }

    private static async Task<List<RecordedEvent>> ReadStreamFromAsync(NpgsqlConnection connection, string sql, string streamId,
        long afterVersion, NpgsqlParameter? bound, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterVersion });
        if (bound is not null)
            cmd.Parameters.Add(bound);
        await cmd.PrepareAsync(ct).ConfigureAwait(false);
        return await ReadEventsAsync(cmd, ct).ConfigureAwait(false);
    }

    /// <summary>The stream's current version (0 when it has no events); archived streams keep theirs.</summary>
    public async Task<long> GetStreamVersionAsync(string streamId, CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand(Sql.StreamVersion);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId, NpgsqlDbType = NpgsqlDbType.Text });
        return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Each stream's current version (0 when it has no events), in the order of <paramref name="streamIds"/>, in one round trip.</summary>
    public async Task<long[]> GetStreamVersionsAsync(IReadOnlyList<string> streamIds, CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand(Sql.StreamVersions);
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. streamIds], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        var versions = new long[streamIds.Count];
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        for (var i = 0; await reader.ReadAsync(ct).ConfigureAwait(false); i++)
            versions[i] = reader.GetInt64(0);
        return versions;
    }

    public async Task<bool> StreamExistsAsync(string streamId, CancellationToken ct = default) =>
        await GetStreamVersionAsync(streamId, ct).ConfigureAwait(false) > 0;

    private static NpgsqlParameter<DateTime> Timestamp(DateTimeOffset value) =>
        new() { TypedValue = value.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    internal static async Task<List<RecordedEvent>> ReadEventsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var events = new List<RecordedEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            events.Add(ReadEvent(reader));
        return events;
    }

    internal static RecordedEvent ReadEvent(NpgsqlDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetInt64(2),
        reader.GetString(3),
        reader.GetInt32(4),
        reader.GetString(5),
        reader.GetString(6),
        new DateTimeOffset(reader.GetFieldValue<DateTime>(7), TimeSpan.Zero),
        new DateTimeOffset(reader.GetFieldValue<DateTime>(8), TimeSpan.Zero),
        reader.GetFieldValue<byte[]>(9));
}
