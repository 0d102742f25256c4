using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace CoManagement.EventStore;

public sealed partial class PostgresEventStore
{
    private const string WrongVersionState = "ES409";
    private const string ArchivedState = "ES410";
    private const string RejectedBeforeState = "ES412";

    /// <summary>
    /// Appends to one stream in one round trip (plus a commit when append listeners run), checking the expected
    /// version before any global position is taken. A repeated command id returns the first result and writes nothing.
    /// </summary>
    public async Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events,
        Guid? commandId = null, CancellationToken ct = default)
    {
        var results = await AppendAsync([new StreamWrite(streamId, expected, events, commandId)], ct).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>Appends to several streams in one transaction: all or nothing.</summary>
    public async Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<StreamWrite> writes, CancellationToken ct = default)
    {
        try
        {
            return await AppendInOwnTransactionAsync(writes, ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "commands_pkey")
        {
            // A command id was committed meanwhile by an append to another stream. Everything rolled back; once more,
            // the append function now finds that command and answers it as a repeat.
            return await AppendInOwnTransactionAsync(writes, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Appends inside the caller's open transaction on <paramref name="connection"/>, so the caller can write other
    /// rows atomically with the events. Append listeners run here too. Streams are locked in id order (no deadlocks).
    /// </summary>
    public async Task<IReadOnlyList<AppendResult>> AppendAsync(NpgsqlConnection connection, IReadOnlyList<StreamWrite> writes, CancellationToken ct = default)
    {
        var results = new AppendResult[writes.Count];
        var recorded = new List<RecordedEvent>();
        foreach (var (write, index) in writes.Select((w, i) => (w, i)).OrderBy(x => x.w.StreamId, StringComparer.Ordinal))
            results[index] = await AppendCoreAsync(connection, write, recorded, ct).ConfigureAwait(false);
        if (recorded.Count > 0)
        {
            foreach (var listener in _listeners)
                await listener.OnAppendedAsync(connection, recorded, ct).ConfigureAwait(false);
        }
        return results;
    }

    /// <summary>The first result of a command id, if one was ever stored.</summary>
    public async Task<AppendResult?> FindCommandAsync(Guid commandId, CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand(Sql.FindCommand);
        cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = commandId });
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadAccepted(reader) : null;
    }

    /// <summary>
    /// How a command id was answered before, if it was: its first result (accepted) or its stored rejection, looked up
    /// in one round trip, as a command handler asks before every decision.
    /// </summary>
    public async Task<(AppendResult? Accepted, CommandRejection? Rejected)> FindAnswerAsync(Guid commandId, CancellationToken ct = default)
    {
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(Sql.FindCommand) { Parameters = { new NpgsqlParameter<Guid> { TypedValue = commandId } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(Sql.FindRejection) { Parameters = { new NpgsqlParameter<Guid> { TypedValue = commandId } } });
        await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var accepted = await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadAccepted(reader) : null;
        await reader.NextResultAsync(ct).ConfigureAwait(false);
        var rejected = await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadRejection(reader) : null;
        return (accepted, rejected);
    }

    private static AppendResult ReadAccepted(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetFieldValue<long[]>(3),
            new DateTimeOffset(reader.GetFieldValue<DateTime>(4), TimeSpan.Zero), Duplicate: true);

    /// <summary>
    /// Stores that <paramref name="commandId"/> was rejected, for ever (no event is written), under the lock of
    /// <paramref name="streamId"/>, which the append of the same command id takes too. The first rejection stored wins:
    /// what comes back is the stored one, which a repeat of the command should be answered with. Null when the command
    /// was accepted meanwhile (a copy of it appended first): then nothing is stored, and the acceptance is its answer.
    /// </summary>
    public async Task<CommandRejection?> RecordRejectionAsync(Guid commandId, string streamId, long version, string code, string message,
        CancellationToken ct = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var lockStream = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({_names.LockNamespace}, hashtext($1))", connection, tx))
        {
            lockStream.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
            await lockStream.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        // A statement of its own after the lock: its snapshot sees an append of the same id that committed meanwhile.
        await using var cmd = new NpgsqlCommand(Sql.RecordRejection, connection, tx);
        cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = commandId });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = code });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = message });
        var stored = await ReadRejectionAsync(cmd, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        // Nothing stored and none found: accepted meanwhile, or (READ COMMITTED) a rejection of another stream's lock
        // committed after the statement's snapshot, which a later statement sees.
        return stored ?? await FindRejectionAsync(commandId, ct).ConfigureAwait(false);
    }

    /// <summary>The stored rejection of a command id, if it was ever rejected.</summary>
    public async Task<CommandRejection?> FindRejectionAsync(Guid commandId, CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand(Sql.FindRejection);
        cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = commandId });
        return await ReadRejectionAsync(cmd, ct).ConfigureAwait(false);
    }

    private static async Task<CommandRejection?> ReadRejectionAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadRejection(reader) : null;
    }

    private static CommandRejection ReadRejection(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
            new DateTimeOffset(reader.GetFieldValue<DateTime>(4), TimeSpan.Zero));

    private async Task<IReadOnlyList<AppendResult>> AppendInOwnTransactionAsync(IReadOnlyList<StreamWrite> writes, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        if (writes.Count == 1 && _listeners.Count == 0)
            return [await AppendCoreAsync(connection, writes[0], [], ct).ConfigureAwait(false)];

        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var results = await AppendAsync(connection, writes, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return results;
    }

    private async Task<AppendResult> AppendCoreAsync(NpgsqlConnection connection, StreamWrite write, List<RecordedEvent> recorded, CancellationToken ct)
    {
        Validate(write);
        using var activity = EventStoreTelemetry.Source.StartActivity("eventstore.append", ActivityKind.Client);
        activity?.SetTag("eventstore.stream", write.StreamId);
        activity?.SetTag("eventstore.expected_version", write.Expected.ToString());
        activity?.SetTag("eventstore.event_count", write.Events.Count);
        var started = Stopwatch.GetTimestamp();

        var n = write.Events.Count;
        var types = new string[n];
        var schemaVersions = new int[n];
        var data = new string[n];
        var metadata = new string[n];
        var business = new DateTime[n];
        var traceParent = activity is { IdFormat: ActivityIdFormat.W3C, Recorded: true } ? activity.Id : null;
        for (var i = 0; i < n; i++)
        {
            var e = write.Events[i];
            types[i] = e.Type;
            schemaVersions[i] = e.SchemaVersion;
            data[i] = e.Json;
            var meta = traceParent is not null && e.Metadata.TraceParent is null ? e.Metadata with { TraceParent = traceParent } : e.Metadata;
            metadata[i] = JsonSerializer.Serialize(meta, EventStoreJson.Default.EventMetadata);
            business[i] = e.BusinessTime.UtcDateTime;
        }

        await using var cmd = new NpgsqlCommand(Sql.Append, connection);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = write.StreamId, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = write.Expected.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)write.CommandId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = types, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = schemaVersions, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = data, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = metadata, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = business, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });

        try
        {
            // Prepared once per physical connection and kept by the pool: the call is then bind + execute only.
            await cmd.PrepareAsync(ct).ConfigureAwait(false);
            AppendResult result;
            await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
            {
                await reader.ReadAsync(ct).ConfigureAwait(false);
                result = new AppendResult(
                    reader.GetString(6),
                    reader.GetInt64(0),
                    reader.GetInt64(1),
                    reader.GetFieldValue<long[]>(2),
                    new DateTimeOffset(reader.GetFieldValue<DateTime>(3), TimeSpan.Zero),
                    reader.GetBoolean(5));
                if (!result.Duplicate)
                {
                    var hashes = reader.GetFieldValue<byte[][]>(4);
                    for (var i = 0; i < n; i++)
                        recorded.Add(new RecordedEvent(result.Positions[i], write.StreamId, result.FromVersion + i, types[i],
                            schemaVersions[i], data[i], metadata[i], write.Events[i].BusinessTime, result.RecordedTime, hashes[i]));
                }
            }
            if (result.Duplicate)
                EventStoreTelemetry.Duplicates.Add(1);
            else
                EventStoreTelemetry.EventsAppended.Add(n);
            EventStoreTelemetry.AppendDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            activity?.SetTag("eventstore.version", result.ToVersion);
            return result;
        }
        catch (PostgresException e) when (e.SqlState == WrongVersionState)
        {
            EventStoreTelemetry.Conflicts.Add(1);
            activity?.SetStatus(ActivityStatusCode.Error, "wrong expected version");
            throw new WrongExpectedVersionException(write.StreamId, write.Expected, long.Parse(e.Hint!, CultureInfo.InvariantCulture), e);
        }
        catch (PostgresException e) when (e.SqlState == ArchivedState)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "stream archived");
            throw new StreamArchivedException(write.StreamId, e);
        }
        catch (PostgresException e) when (e.SqlState == RejectedBeforeState)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "command rejected before");
            throw new CommandRejectedBeforeException(write.CommandId!.Value, e);
        }
    }

    private void Validate(StreamWrite write)
    {
        StreamIds.Validate(write.StreamId);
        if (write.Events.Count > _maxEventsPerAppend)
            throw new ArgumentException($"At most {_maxEventsPerAppend} events per append; use BulkImportAsync for imports.", nameof(write));
        foreach (var e in write.Events)
        {
            StreamIds.ValidateTypeName(e.Type);
            if (e.SchemaVersion < 1)
                throw new ArgumentException($"Event '{e.Type}' has schema version {e.SchemaVersion}; versions start at 1.", nameof(write));
        }
    }
}
