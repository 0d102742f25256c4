using System.Diagnostics;
using System.Text.Json;
using Npgsql;

namespace CoManagement.EventStore;

public sealed partial class PostgresEventStore
{
    /// <summary>
    /// Imports many streams at once: binary COPY into a session staging table, then one set-based statement that
    /// checks every expected version, takes positions, chains hashes and inserts, in one transaction. Append listeners
    /// are not run: imports feed the async projections (or a rebuild). Command ids are not recorded.
    /// </summary>
    public async Task<long> BulkImportAsync(IReadOnlyList<StreamWrite> writes, CancellationToken ct = default)
    {
        using var activity = EventStoreTelemetry.Source.StartActivity("eventstore.bulk_import", ActivityKind.Client);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var write in writes)
        {
            StreamIds.Validate(write.StreamId);
            if (!seen.Add(write.StreamId))
                throw new ArgumentException($"Stream '{write.StreamId}' appears twice in one import; merge its events.", nameof(writes));
            foreach (var e in write.Events)
                StreamIds.ValidateTypeName(e.Type);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand("""
            CREATE TEMP TABLE IF NOT EXISTS es_import (stream_id text, expected bigint, seq int, type text, schema_version int,
                data jsonb, metadata jsonb, business_time timestamptz) ON COMMIT DELETE ROWS
            """, connection, tx))
            await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);

        var rows = writes.SelectMany(w => w.Events.Select((e, i) => (Write: w, Seq: i + 1, Event: e)));
        await CopyWriter.CopyAsync(connection,
            "pg_temp.es_import (stream_id, expected, seq, type, schema_version, data, metadata, business_time)", rows, 8, (copy, row) =>
            {
                copy.WriteTextField(row.Write.StreamId);
                copy.WriteLongField(row.Write.Expected.Value);
                copy.WriteIntField(row.Seq);
                copy.WriteTextField(row.Event.Type);
                copy.WriteIntField(row.Event.SchemaVersion);
                copy.WriteJsonbField(row.Event.Json);
                copy.WriteJsonbField(JsonSerializer.Serialize(row.Event.Metadata, EventStoreJson.Default.EventMetadata));
                copy.WriteTimeField(row.Event.BusinessTime.UtcDateTime);
            }, ct).ConfigureAwait(false);

        long imported;
        try
        {
            await using var import = new NpgsqlCommand(_names.Render("SELECT {schema}.import_staged()"), connection, tx);
            imported = (long)(await import.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }
        catch (PostgresException e) when (e.SqlState == WrongVersionState)
        {
            EventStoreTelemetry.Conflicts.Add(1);
            var parts = e.Hint!.Split('\n');
            var write = writes.First(w => w.StreamId == parts[0]);
            throw new WrongExpectedVersionException(write.StreamId, write.Expected, long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), e);
        }
        catch (PostgresException e) when (e.SqlState == ArchivedState)
        {
            throw new StreamArchivedException(e.MessageText, e);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
        EventStoreTelemetry.EventsAppended.Add(imported);
        activity?.SetTag("eventstore.event_count", imported);
        return imported;
    }
}
