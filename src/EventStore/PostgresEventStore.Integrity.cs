using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace CoManagement.EventStore;

public sealed partial class PostgresEventStore
{
    /// <summary>Recomputes one stream's hash chain (hot or archived) and reports the first broken link.</summary>
    public async Task<VerificationReport> VerifyStreamAsync(string streamId, CancellationToken ct = default)
    {
        using var activity = EventStoreTelemetry.Source.StartActivity("eventstore.verify_stream");
        return ChainVerifier.VerifyStream(await ReadStreamAsync(streamId, ct: ct).ConfigureAwait(false));
    }

    /// <summary>
    /// Recomputes every stream's chain (streamed in stream order, constant memory) and every seal's digest.
    /// <paramref name="progress"/> receives the number of events checked so far.
    /// </summary>
    public async Task<VerificationReport> VerifyStoreAsync(IProgress<long>? progress = null, CancellationToken ct = default)
    {
        using var activity = EventStoreTelemetry.Source.StartActivity("eventstore.verify_store");
        var verifier = new ChainVerifier();
        await using (var cmd = _dataSource.CreateCommand(_names.Render($"""
            SELECT {StoreSql.EventColumns} FROM {"{schema}"}.events
            UNION ALL SELECT {StoreSql.EventColumns} FROM {"{schema}"}.events_archive
            ORDER BY stream_id, version
            """)))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                if (!verifier.Check(ReadEvent(reader)))
                    return verifier.Report(0);
                if (verifier.EventsChecked % 10_000 == 0)
                    progress?.Report(verifier.EventsChecked);
            }
        }
        progress?.Report(verifier.EventsChecked);

        Seal? previous = null;
        var sealsChecked = 0L;
        var sealedEvents = 0L;
        foreach (var seal in await GetSealsAsync(ct).ConfigureAwait(false))
        {
            var range = await ReadRangeHashesAsync(seal.FromPosition, seal.ToPosition, ct).ConfigureAwait(false);
            if (!verifier.CheckSeal(seal, previous, range))
                return verifier.Report(sealsChecked);
            previous = seal;
            sealsChecked++;
            sealedEvents += seal.EventCount;
        }
        // The head of a live store is not yet sealed (the Host seals every SealInterval): reported, not a break.
        var through = previous?.ToPosition ?? 0;
        await using var after = _dataSource.CreateCommand(_names.Render("""
            SELECT count(*), min(position), max(position) FROM (
                SELECT position FROM {schema}.events WHERE position > $1
                UNION ALL SELECT position FROM {schema}.events_archive WHERE position > $1) e
            """));
        after.Parameters.Add(new NpgsqlParameter<long> { TypedValue = through });
        await using var unsealed = await after.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await unsealed.ReadAsync(ct).ConfigureAwait(false);
        return verifier.Report(sealsChecked) with
        {
            Coverage = new SealCoverage(sealedEvents, through, unsealed.GetInt64(0),
                unsealed.IsDBNull(1) ? null : unsealed.GetInt64(1), unsealed.IsDBNull(2) ? null : unsealed.GetInt64(2)),
        };
    }

    /// <summary>
    /// Seals every position from the last seal up to the feed's safe head (a range that can no longer change), or
    /// returns null when there is nothing new. Concurrent sealers are serialised by the seal number's key.
    /// </summary>
    public async Task<Seal?> WriteSealAsync(CancellationToken ct = default)
    {
        var head = await RefreshHeadAsync(ct).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({_names.LockNamespace}, 0)", connection, tx))
            await lockCmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);

        var last = (await ReadSealsAsync(connection, tx, "ORDER BY seal_no DESC LIMIT 1", ct).ConfigureAwait(false)).SingleOrDefault();
        var from = last?.ToPosition ?? 0;
        if (head <= from)
            return null;
        var range = await ReadRangeHashesAsync(from, head, ct).ConfigureAwait(false);
        var digest = HashChain.RangeDigest(range, out var count);
        var sealNo = (last?.SealNo ?? 0) + 1;
        var previous = last is null ? HashChain.Genesis : Convert.FromHexString(last.SealHash);
        var sealHash = HashChain.SealHash(previous, sealNo, from, head, count, digest);

        await using var insert = new NpgsqlCommand(_names.Render("""
            INSERT INTO {schema}.seals (seal_no, from_position, to_position, event_count, events_hash, previous_seal_hash, seal_hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at
            """), connection, tx);
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sealNo });
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from });
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = head });
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = count });
        insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = digest });
        insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = previous });
        insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = sealHash });
        var createdAt = (DateTime)(await insert.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return new Seal(sealNo, from, head, count, Convert.ToHexStringLower(digest), Convert.ToHexStringLower(previous),
            Convert.ToHexStringLower(sealHash), new DateTimeOffset(createdAt, TimeSpan.Zero));
    }

    public async Task<IReadOnlyList<Seal>> GetSealsAsync(CancellationToken ct = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        return await ReadSealsAsync(connection, null, "ORDER BY seal_no", ct).ConfigureAwait(false);
    }

    /// <summary>Writes the seals as JSON, for an auditor to keep apart from the database.</summary>
    public async Task ExportSealsAsync(Stream output, CancellationToken ct = default) =>
        await JsonSerializer.SerializeAsync(output, [.. await GetSealsAsync(ct).ConfigureAwait(false)], EventStoreJson.Default.ListSeal, ct).ConfigureAwait(false);

    /// <summary>Writes every event (hot and archived) as JSON lines in position order, exactly as hashed.</summary>
    public async Task<long> ExportEventsAsync(Stream output, CancellationToken ct = default)
    {
        var count = 0L;
        var newline = "\n"u8.ToArray();
        await using var cmd = _dataSource.CreateCommand(_names.Render($"""
            SELECT {StoreSql.EventColumns} FROM {"{schema}"}.events
            UNION ALL SELECT {StoreSql.EventColumns} FROM {"{schema}"}.events_archive
            ORDER BY position
            """));
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(output, ExportedEvent.From(ReadEvent(reader)), EventStoreJson.Default.ExportedEvent, ct).ConfigureAwait(false);
            await output.WriteAsync(newline, ct).ConfigureAwait(false);
            count++;
        }
        return count;
    }

    public static async Task<List<ExportedEvent>> ReadEventExportAsync(Stream input, CancellationToken ct = default)
    {
        var events = new List<ExportedEvent>();
        await foreach (var e in ReadEventExport(input, ct).ConfigureAwait(false))
            events.Add(e);
        return events;
    }

    /// <summary>The events of an export (<see cref="ExportEventsAsync"/>) one line at a time, for a copy of any size.</summary>
    public static async IAsyncEnumerable<ExportedEvent> ReadEventExport(Stream input, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        using var lines = new StreamReader(input);
        while (await lines.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0)
                yield return JsonSerializer.Deserialize(line, EventStoreJson.Default.ExportedEvent)!;
        }
    }

    public static async Task<List<Seal>> ReadSealExportAsync(Stream input, CancellationToken ct = default) =>
        await JsonSerializer.DeserializeAsync(input, EventStoreJson.Default.ListSeal, ct).ConfigureAwait(false) ?? [];

    private async Task<List<(long Position, byte[] Hash)>> ReadRangeHashesAsync(long from, long to, CancellationToken ct)
    {
        await using var cmd = _dataSource.CreateCommand(_names.Render("""
            SELECT position, hash FROM {schema}.events WHERE position > $1 AND position <= $2
            UNION ALL SELECT position, hash FROM {schema}.events_archive WHERE position > $1 AND position <= $2
            ORDER BY position
            """));
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = from });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = to });
        var hashes = new List<(long, byte[])>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
            hashes.Add((reader.GetInt64(0), reader.GetFieldValue<byte[]>(1)));
        return hashes;
    }

    private async Task<List<Seal>> ReadSealsAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string order, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(_names.Render($"""
            SELECT seal_no, from_position, to_position, event_count, events_hash, previous_seal_hash, seal_hash, created_at
              FROM {"{schema}"}.seals {order}
            """), connection, tx);
        var seals = new List<Seal>();
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            seals.Add(new Seal(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(4)), Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(5)),
                Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(6)), new DateTimeOffset(reader.GetFieldValue<DateTime>(7), TimeSpan.Zero)));
        }
        return seals;
    }
}
