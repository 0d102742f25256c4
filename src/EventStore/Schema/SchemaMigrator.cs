using Npgsql;

namespace CoManagement.EventStore.Schema;

/// <summary>
/// Applies <see cref="Migrations"/> in order. Safe when several processes start at once: everything runs in one
/// transaction that first takes an advisory lock per schema, so the second process waits and then finds the work done
/// (without the lock, parallel CREATE SCHEMA races on pg_namespace's unique index).
/// </summary>
public static class SchemaMigrator
{
    private const int MigrationLockKey = 0x45534D47; // "ESMG"

    public static async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlDataSource dataSource, string schema, CancellationToken ct = default)
    {
        var names = new StoreNames(schema);
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

        await Execute(connection, tx, $"SELECT pg_advisory_xact_lock({MigrationLockKey}, {names.LockNamespace})", ct).ConfigureAwait(false);
        await Execute(connection, tx, names.Render("""
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                version     int         PRIMARY KEY,
                name        text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT clock_timestamp()
            );
            """), ct).ConfigureAwait(false);

        var applied = new HashSet<int>();
        await using (var cmd = new NpgsqlCommand($"SELECT version FROM {schema}.schema_migrations", connection, tx))
        await using (var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                applied.Add(reader.GetInt32(0));
        }

        var newlyApplied = new List<int>();
        foreach (var (version, name, sql) in Migrations.All)
        {
            if (applied.Contains(version))
                continue;
            await Execute(connection, tx, names.Render(sql), ct).ConfigureAwait(false);
            await using var record = new NpgsqlCommand($"INSERT INTO {schema}.schema_migrations (version, name) VALUES ($1, $2)", connection, tx);
            record.Parameters.Add(new() { Value = version });
            record.Parameters.Add(new() { Value = name });
            await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            newlyApplied.Add(version);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
        return newlyApplied;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
