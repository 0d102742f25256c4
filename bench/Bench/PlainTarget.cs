using CoManagement.EventStore;
using Npgsql;
using NpgsqlTypes;

namespace CoManagement.Bench;

/// <summary>
/// The physical limit: the peers' <c>raw.events</c> table and statements (bench.mjs, system <c>raw</c>), each
/// prepared once per connection, one round trip per call.
/// </summary>
public sealed class PlainTarget(string connectionString) : ITarget
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public string Name => "plain";

    public string SizeSql => "SELECT pg_total_relation_size('raw.events'), (SELECT count(*) FROM raw.events)";

    public async Task CreateSchemaAsync()
    {
        await using var cmd = _dataSource.CreateCommand("""
            CREATE SCHEMA raw;
            CREATE TABLE raw.events (
              global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
              stream_id  text        NOT NULL,
              version    int         NOT NULL,
              type       text        NOT NULL,
              data       jsonb       NOT NULL,
              metadata   jsonb       NOT NULL,
              created    timestamptz NOT NULL DEFAULT now(),
              UNIQUE (stream_id, version));
            """);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<ISession> OpenSessionAsync()
    {
        var connection = await _dataSource.OpenConnectionAsync();
        var session = new Session(connection);
        await session.PrepareAsync();
        return session;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private sealed class Session(NpgsqlConnection connection) : ISession
    {
        // Expected-version check as the peers: version v+1 must be free (UNIQUE) and version v must exist (unless v = 0).
        private readonly NpgsqlCommand _append = Command(connection, """
            INSERT INTO raw.events (stream_id, version, type, data, metadata)
            SELECT $1, $2, $3, $4, $5
            WHERE $2 = 1 OR EXISTS (SELECT 1 FROM raw.events WHERE stream_id = $1 AND version = $2 - 1)
            """, NpgsqlDbType.Text, NpgsqlDbType.Integer, NpgsqlDbType.Text, NpgsqlDbType.Jsonb, NpgsqlDbType.Jsonb);

        private readonly NpgsqlCommand _appendBatch = Command(connection, """
            INSERT INTO raw.events (stream_id, version, type, data, metadata)
            SELECT $1, t.ord, $2, t.d, t.m FROM unnest($3::jsonb[], $4::jsonb[]) WITH ORDINALITY AS t(d, m, ord)
            ORDER BY t.ord
            """, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Array | NpgsqlDbType.Jsonb, NpgsqlDbType.Array | NpgsqlDbType.Jsonb);

        private readonly NpgsqlCommand _read = Command(connection,
            "SELECT global_position, stream_id, version, type, data, metadata, created FROM raw.events WHERE stream_id = $1 ORDER BY version",
            NpgsqlDbType.Text);

        private readonly NpgsqlCommand _readAll = Command(connection, """
            SELECT global_position, stream_id, version, type, data, metadata, created FROM raw.events
            WHERE global_position > $1 ORDER BY global_position LIMIT $2
            """, NpgsqlDbType.Bigint, NpgsqlDbType.Integer);

        private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params NpgsqlDbType[] types)
        {
            var cmd = new NpgsqlCommand(sql, connection);
            foreach (var type in types)
                cmd.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type });
            return cmd;
        }

        public async Task PrepareAsync()
        {
            foreach (var cmd in new[] { _append, _appendBatch, _read, _readAll })
                await cmd.PrepareAsync();
        }

        public async Task AppendOneAsync(string stream, int v)
        {
            var e = Payload.Event(stream, v);
            _append.Parameters[0].Value = stream;
            _append.Parameters[1].Value = v + 1;
            _append.Parameters[2].Value = e.Type;
            _append.Parameters[3].Value = e.Json;
            _append.Parameters[4].Value = Payload.MetadataJson(e.Metadata);
            if (await _append.ExecuteNonQueryAsync() != 1)
                throw new InvalidOperationException($"plain: wrong expected version {stream}@{v}");
        }

        public async Task AppendNewStreamAsync(string stream, int count)
        {
            var events = Payload.Events(stream, count);
            _appendBatch.Parameters[0].Value = stream;
            _appendBatch.Parameters[1].Value = Payload.Type;
            _appendBatch.Parameters[2].Value = events.Select(e => e.Json).ToArray();
            _appendBatch.Parameters[3].Value = events.Select(e => Payload.MetadataJson(e.Metadata)).ToArray();
            if (await _appendBatch.ExecuteNonQueryAsync() != count)
                throw new InvalidOperationException($"plain: batch to {stream} incomplete");
        }

        public async Task<int> ReadStreamAsync(string stream)
        {
            _read.Parameters[0].Value = stream;
            return (await ReadRowsAsync(_read)).Count;
        }

        public async Task<(int Count, long Next)> ReadPageAsync(long after, int max)
        {
            _readAll.Parameters[0].Value = after;
            _readAll.Parameters[1].Value = max;
            var rows = await ReadRowsAsync(_readAll);
            return (rows.Count, rows.Count > 0 ? rows[^1].Position : after);
        }

        // Materialises every column, as the engine does, so both sides pay for the same bytes.
        private static async Task<List<PlainEvent>> ReadRowsAsync(NpgsqlCommand cmd)
        {
            var rows = new List<PlainEvent>();
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                rows.Add(new PlainEvent(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5), reader.GetFieldValue<DateTime>(6)));
            return rows;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var cmd in new[] { _append, _appendBatch, _read, _readAll })
                await cmd.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private sealed record PlainEvent(long Position, string StreamId, int Version, string Type, string Data, string Metadata, DateTime Created);
}
