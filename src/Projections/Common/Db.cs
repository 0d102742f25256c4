using Npgsql;
using NpgsqlTypes;

namespace CoManagement.Projections.Common;

/// <summary>Small helpers for parameterised statements; every value travels as a parameter, never in the SQL text.</summary>
internal static class Db
{
    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] values)
    {
        var cmd = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
            cmd.Parameters.Add(Parameter(value));
        return cmd;
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] values)
    {
        await using var cmd = Command(connection, sql, values);
        return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// For statements whose time grows with a table (a rebuild's bulk writes, index builds): no command timeout, which
    /// would otherwise end them after the connection's default 30 seconds however much work they had left.
    /// </summary>
    public static async Task ExecuteUnboundedAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = Command(connection, sql);
        cmd.CommandTimeout = 0;
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Several statements in one round trip; PostgreSQL takes parameters only one statement at a time.</summary>
    public static async Task ExecuteBatchAsync(NpgsqlConnection connection, CancellationToken ct, params (string Sql, object?[] Values)[] statements)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var (sql, values) in statements)
        {
            var cmd = new NpgsqlBatchCommand(sql);
            foreach (var value in values)
                cmd.Parameters.Add(Parameter(value));
            batch.BatchCommands.Add(cmd);
        }
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Typed so that PostgreSQL never has to guess (nulls, empty arrays, timestamps in UTC).</summary>
    public static NpgsqlParameter Parameter(object? value) => value switch
    {
        NpgsqlParameter p => p,
        null => new NpgsqlParameter { Value = DBNull.Value },
        DateTimeOffset t => new NpgsqlParameter<DateTime> { TypedValue = t.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        DateTime t => new NpgsqlParameter<DateTime> { TypedValue = DateTime.SpecifyKind(t, DateTimeKind.Utc), NpgsqlDbType = NpgsqlDbType.TimestampTz },
        string s => new NpgsqlParameter<string> { TypedValue = s, NpgsqlDbType = NpgsqlDbType.Text },
        string[] a => new NpgsqlParameter<string[]> { TypedValue = a, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
        TimeSpan s => new NpgsqlParameter<TimeSpan> { TypedValue = s, NpgsqlDbType = NpgsqlDbType.Interval },
        _ => new NpgsqlParameter { Value = value },
    };

    public static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    public static NpgsqlParameter Time(DateTimeOffset? value) =>
        new() { Value = value is { } v ? v.UtcDateTime : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    public static NpgsqlParameter TextArray(IEnumerable<string?> values) =>
        new NpgsqlParameter<string?[]> { TypedValue = [.. values], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    public static NpgsqlParameter TimeArray(IEnumerable<DateTimeOffset> values) =>
        new NpgsqlParameter<DateTime[]> { TypedValue = [.. values.Select(v => v.UtcDateTime)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz };

    public static DateTimeOffset? Time(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(ordinal), TimeSpan.Zero);

    public static string? Text(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
