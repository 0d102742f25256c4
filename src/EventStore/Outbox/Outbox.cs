using System.Security.Cryptography;
using System.Text;
using CoManagement.EventStore.Schema;
using Npgsql;
using NpgsqlTypes;

namespace CoManagement.EventStore.Outbox;

/// <summary>A message for other services, derived from a committed event.</summary>
public sealed record OutboxMessage(string MessageType, string PayloadJson, string? Destination = null);

/// <summary>Thrown by a relay's publish for a row that can never be published as it is (its payload cannot be read).</summary>
public sealed class UnpublishableMessageException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A stored outbox row, as the relay sees it.</summary>
public sealed record PendingMessage(long Seq, Guid MessageId, long EventPosition, string MessageType, string? Destination, string PayloadJson, int Attempts);

/// <summary>
/// Writes integration messages in the append transaction (an append listener): either the events and their messages
/// are committed together, or neither is. <paramref name="map"/> decides which events become which messages.
/// </summary>
public sealed class OutboxWriter(string schema, Func<RecordedEvent, IEnumerable<OutboxMessage>> map) : IAppendListener
{
    // The message id is md5(store id ‖ position ‖ type) as a uuid; MessageIdFor computes the same in C#.
    private readonly string _insert = $"""
        INSERT INTO {schema}.outbox (message_id, event_position, message_type, destination, payload)
        SELECT md5(s.id::text || ':' || m.pos || ':' || m.typ)::uuid, m.pos, m.typ, m.dest, m.payload
          FROM unnest($1::bigint[], $2::text[], $3::text[], $4::jsonb[]) AS m(pos, typ, dest, payload)
         CROSS JOIN {schema}.store_identity s
        ON CONFLICT (message_id) DO NOTHING
        """;

    public async Task OnAppendedAsync(NpgsqlConnection connection, IReadOnlyList<RecordedEvent> events, CancellationToken ct)
    {
        var rows = events.SelectMany(e => map(e).Select(m => (Event: e, Message: m))).ToList();
        if (rows.Count == 0)
            return;
        await using var cmd = new NpgsqlCommand(_insert, connection);
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. rows.Select(r => r.Event.Position)] });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.Message.MessageType)] });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. rows.Select(r => r.Message.Destination)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(r => r.Message.PayloadJson)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A stable id per (store, event, message type): re-publishing after a crash carries the same id, and two stores
    /// never collide (see <see cref="PostgresEventStore.GetStoreIdAsync"/>).
    /// </summary>
    public static Guid MessageIdFor(Guid storeId, long eventPosition, string messageType) =>
        new(MD5.HashData(Encoding.UTF8.GetBytes($"{storeId:D}:{eventPosition}:{messageType}")), bigEndian: true);
}

/// <summary>
/// Publishes outbox rows after commit, in commit order, at least once. Several relays (one per Host) may run, but only
/// one publishes at a time: each round takes the store's relay lock (a transaction advisory lock) first and skips the
/// round when another relay holds it. Claiming rows with SKIP LOCKED instead let a second relay publish later rows while
/// the first still held earlier ones, so one member's events reached the other side out of order. A row is marked
/// published only after the publish call returned, so a crash in between leads to a re-publish with the same message id.
/// <para>
/// A row whose publish throws <see cref="UnpublishableMessageException"/> (its payload cannot be read) is tried again
/// up to <paramref name="maxAttempts"/> times in all, then parked (<c>parked_at</c>, <c>last_error</c>) and reported
/// to <paramref name="parked"/>, so the rows after it flow; an operator may release it by clearing <c>parked_at</c>.
/// Any other failure (the broker away) stops the round and is retried for ever.
/// </para>
/// </summary>
public sealed class OutboxRelay(NpgsqlDataSource dataSource, string schema, int maxAttempts = 10, Action<PendingMessage, Exception>? parked = null)
{
    // (store namespace, 1): beside the sealing lock (namespace, 0) and the per-stream locks (namespace, hashtext(id)).
    private readonly string _tryLock = $"SELECT pg_try_advisory_xact_lock({new StoreNames(schema).LockNamespace}, 1)";

    /// <summary>Publishes up to <paramref name="batchSize"/> rows; 0 when none are pending or another relay is publishing.</summary>
    public async Task<int> PublishBatchAsync(Func<PendingMessage, CancellationToken, Task> publish, int batchSize = 100, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var tryLock = new NpgsqlCommand(_tryLock, connection))
        {
            if (!(bool)(await tryLock.ExecuteScalarAsync(ct).ConfigureAwait(false))!)
                return 0;
        }
        var pending = new List<PendingMessage>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT seq, message_id, event_position, message_type, destination, payload::text, attempts FROM {schema}.outbox
             WHERE published_at IS NULL AND parked_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE
            """, connection))
        {
            cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batchSize });
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                pending.Add(new PendingMessage(reader.GetInt64(0), reader.GetGuid(1), reader.GetInt64(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetInt32(6)));
            }
        }
        if (pending.Count == 0)
            return 0;

        var published = new List<long>();
        PendingMessage? failed = null;
        UnpublishableMessageException? unpublishable = null;
        try
        {
            foreach (var message in pending)
            {
                failed = message;
                try
                {
                    await publish(message, ct).ConfigureAwait(false);
                }
                catch (UnpublishableMessageException e)
                {
                    // Later rows wait for this one until it is parked, so none overtakes it while it may still go out.
                    unpublishable = e;
                    break;
                }
                published.Add(message.Seq);
                failed = null;
            }
        }
        finally
        {
            // Whatever got out is marked; the row that failed counts an attempt (rows never tried do not), and an
            // unreadable one is parked at its last attempt; all in one short statement.
            var park = unpublishable is not null && failed!.Attempts + 1 >= maxAttempts;
            await using var mark = new NpgsqlCommand($"""
                UPDATE {schema}.outbox SET published_at = CASE WHEN seq = ANY($1) THEN clock_timestamp() END, attempts = attempts + 1,
                       parked_at = CASE WHEN seq = $2 AND $3 THEN clock_timestamp() END,
                       last_error = CASE WHEN seq = $2 THEN $4 ELSE last_error END
                 WHERE seq = ANY($1) OR seq = $2
                """, connection);
            mark.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. published] });
            mark.Parameters.Add(new NpgsqlParameter<long> { TypedValue = failed?.Seq ?? 0 });
            mark.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = park });
            mark.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = unpublishable?.Message, NpgsqlDbType = NpgsqlDbType.Text });
            await mark.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            await tx.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            if (park)
                parked?.Invoke(failed!, unpublishable!);
        }
        return published.Count;
    }

    public async Task<long> CountPendingAsync(CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL AND parked_at IS NULL");
        return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }
}
