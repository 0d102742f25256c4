using Npgsql;
using NpgsqlTypes;

namespace CoManagement.EventStore;

public sealed partial class PostgresEventStore
{
    /// <summary>
    /// Moves a closed stream out of the hot table and its indexes into the archive table, in one transaction. It stays
    /// readable, replayable and verifiable (same positions and hashes); appending to it afterwards is refused.
    /// Returns false when the stream has no hot events.
    /// </summary>
    public async Task<bool> ArchiveStreamAsync(string streamId, CancellationToken ct = default)
    {
        using var activity = EventStoreTelemetry.Source.StartActivity("eventstore.archive_stream");
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"SELECT pg_advisory_xact_lock({_names.LockNamespace}, hashtext($1))") { Parameters = { Text(streamId) } },
                // The one delete the append-only trigger lets through (migration 10), for this transaction only.
                new NpgsqlBatchCommand("SELECT set_config('es.archiving', 'on', true)"),
                new NpgsqlBatchCommand(_names.Render("""
                    INSERT INTO {schema}.archived_streams (stream_id, version, last_hash)
                    SELECT stream_id, version, hash FROM {schema}.events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1
                    """)) { Parameters = { Text(streamId) } },
                new NpgsqlBatchCommand(_names.Render("""
                    WITH moved AS (DELETE FROM {schema}.events WHERE stream_id = $1 RETURNING *)
                    INSERT INTO {schema}.events_archive SELECT * FROM moved
                    """)) { Parameters = { Text(streamId) } },
            },
        };
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        var archived = batch.BatchCommands[2].RecordsAffected == 1;
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return archived;
    }

    public async Task<bool> IsArchivedAsync(string streamId, CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand(_names.Render("SELECT EXISTS (SELECT 1 FROM {schema}.archived_streams WHERE stream_id = $1)"));
        cmd.Parameters.Add(Text(streamId));
        return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    private static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text };
}
