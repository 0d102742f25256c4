using CoManagement.EventStore;
using Npgsql;
using NpgsqlTypes;

namespace CoManagement.Projections.Common;

/// <summary>
/// One column of a row table: how to send a whole batch of rows as one typed array (for <c>unnest</c>) and how to read
/// it back. A column without a reader is derived and written only.
/// </summary>
internal abstract class Column<TRow>(string name, string type)
{
    public string Name { get; } = name;

    public string Type { get; } = type;

    public abstract NpgsqlParameter ToArray(IReadOnlyList<TRow> rows);

    public abstract bool Readable { get; }

    public abstract void Read(TRow row, NpgsqlDataReader reader, int ordinal);

    /// <summary>Writes the row's value as a field of a binary <c>COPY</c>.</summary>
    public abstract void Write(CopyWriter writer, TRow row);
}

internal sealed class Column<TRow, TValue>(
    string name, string type, NpgsqlDbType dbType, Func<TRow, TValue> get, Action<CopyWriter, TValue> write,
    Action<TRow, TValue>? set = null, Func<NpgsqlDataReader, int, TValue>? read = null) : Column<TRow>(name, type)
{
    public override NpgsqlParameter ToArray(IReadOnlyList<TRow> rows)
    {
        var values = new TValue[rows.Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = get(rows[i]);
        return new NpgsqlParameter<TValue[]> { TypedValue = values, NpgsqlDbType = NpgsqlDbType.Array | dbType };
    }

    public override bool Readable => set is not null;

    public override void Read(TRow row, NpgsqlDataReader reader, int ordinal) =>
        set?.Invoke(row, read is not null ? read(reader, ordinal) : reader.IsDBNull(ordinal) ? default! : reader.GetFieldValue<TValue>(ordinal));

    public override void Write(CopyWriter writer, TRow row) => write(writer, get(row));
}

/// <summary>Column factories; times travel as UTC <see cref="DateTime"/>s, the only kind Npgsql writes to timestamptz.</summary>
internal static class Columns<TRow>
{
    public static Column<TRow> Text(string name, Func<TRow, string?> get, Action<TRow, string?>? set = null) =>
        new Column<TRow, string?>(name, "text", NpgsqlDbType.Text, get, (w, v) => w.WriteTextField(v), set);

    public static Column<TRow> Int(string name, Func<TRow, int> get, Action<TRow, int>? set = null) =>
        new Column<TRow, int>(name, "int", NpgsqlDbType.Integer, get, (w, v) => w.WriteIntField(v), set);

    public static Column<TRow> NullableInt(string name, Func<TRow, int?> get, Action<TRow, int?>? set = null) =>
        new Column<TRow, int?>(name, "int", NpgsqlDbType.Integer, get, (w, v) => w.WriteIntField(v), set);

    public static Column<TRow> Long(string name, Func<TRow, long> get, Action<TRow, long>? set = null) =>
        new Column<TRow, long>(name, "bigint", NpgsqlDbType.Bigint, get, (w, v) => w.WriteLongField(v), set);

    public static Column<TRow> Bool(string name, Func<TRow, bool> get, Action<TRow, bool>? set = null) =>
        new Column<TRow, bool>(name, "boolean", NpgsqlDbType.Boolean, get, (w, v) => w.WriteBoolField(v), set);

    public static Column<TRow> Time(string name, Func<TRow, DateTimeOffset?> get, Action<TRow, DateTimeOffset?>? set = null) =>
        new Column<TRow, DateTime?>(name, "timestamptz", NpgsqlDbType.TimestampTz, r => get(r)?.UtcDateTime, (w, v) => w.WriteTimeField(v),
            set is null ? null : (r, v) => set(r, v is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null));

    /// <summary>A non-null time (the column is NOT NULL).</summary>
    public static Column<TRow> RequiredTime(string name, Func<TRow, DateTimeOffset> get, Action<TRow, DateTimeOffset>? set = null) =>
        new Column<TRow, DateTime>(name, "timestamptz", NpgsqlDbType.TimestampTz, r => get(r).UtcDateTime, (w, v) => w.WriteTimeField(v),
            set is null ? null : (r, v) => set(r, new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc))));
}

/// <summary>
/// A table written a batch at a time: one <c>SELECT … WHERE key = ANY($1)</c> to load the rows a batch touches and one
/// <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE</c> to write them back, however many rows there are.
/// </summary>
internal sealed class RowTable<TRow>(string table, IReadOnlyList<Column<TRow>> columns)
{
    private readonly Column<TRow>[] _columns = [.. columns];

    private readonly Column<TRow>[] _readable = [.. columns.Where(c => c.Readable)];

    public string Table { get; } = table;

    public string Key => columns[0].Name;

    public async Task<List<TRow>> LoadAsync(NpgsqlConnection connection, string schema, string[] keys, Func<TRow> create, CancellationToken ct)
    {
        var rows = new List<TRow>(keys.Length);
        if (keys.Length == 0)
            return rows;
        await using var cmd = Db.Command(connection,
            $"SELECT {string.Join(", ", _readable.Select(c => c.Name))} FROM {schema}.{Table} WHERE {Key} = ANY($1)", (object)keys);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var row = create();
            for (var i = 0; i < _readable.Length; i++)
                _readable[i].Read(row, reader, i);
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>
    /// Writes <paramref name="rows"/> back: those known to be stored (loaded by this batch) with an
    /// <c>UPDATE … FROM unnest(…)</c>, the others with an <c>INSERT … ON CONFLICT DO UPDATE</c> (a new episode of a
    /// member may replace a row the batch did not load). <paramref name="derived"/> adds columns computed in SQL from
    /// the unnested row <c>u</c> and the joins in <paramref name="joins"/> (e.g. organisation ancestors).
    /// </summary>
    public async Task WriteAsync(NpgsqlConnection connection, string schema, IReadOnlyList<TRow> rows, Func<TRow, bool> stored,
        CancellationToken ct, IReadOnlyList<(string Column, string Expression)>? derived = null, string joins = "")
    {
        derived ??= [];
        var names = Names(derived);
        var source = $"""
            SELECT {SelectList(derived)}
              FROM unnest({string.Join(", ", columns.Select((c, i) => $"${i + 1}::{c.Type}[]"))}) AS u({string.Join(", ", columns.Select(c => c.Name))})
              {joins}
            """;
        await using var batch = new NpgsqlBatch(connection);
        var updates = rows.Where(stored).ToList();
        if (updates.Count > 0)
        {
            // Setting a column to the value it has keeps the update HOT when no indexed column changed.
            batch.BatchCommands.Add(Command($"""
                UPDATE {schema}.{Table} AS t SET {string.Join(", ", names.Skip(1).Select(n => $"{n} = v.{n}"))}
                  FROM ({source}) AS v WHERE t.{Key} = v.{Key}
                """, updates));
        }
        var inserts = rows.Where(r => !stored(r)).ToList();
        if (inserts.Count > 0)
        {
            batch.BatchCommands.Add(Command($"""
                INSERT INTO {schema}.{Table} ({string.Join(", ", names)}) {source}
                {OnConflictReplace(names)}
                """, inserts));
        }
        if (batch.BatchCommands.Count > 0)
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes many rows at once (a rebuild's flush): a binary <c>COPY</c> into a staging table, then one
    /// <c>INSERT … ON CONFLICT DO UPDATE</c> with the derived columns and joins of <see cref="WriteAsync"/>. Past a
    /// few thousand rows this is far cheaper than arrays of every column, and it has no size limit. The staging table
    /// is unlogged and lives in <paramref name="schema"/> only until the statement ends (a temporary table of a
    /// million rows overflows the session's small local buffers: its <c>COPY</c> measured 45 % slower).
    /// </summary>
    public async Task CopyAsync(NpgsqlConnection connection, string schema, IReadOnlyCollection<TRow> rows, CancellationToken ct,
        IReadOnlyList<(string Column, string Expression)>? derived = null, string joins = "")
    {
        if (rows.Count == 0)
            return;
        derived ??= [];
        var staging = $"{schema}.staging_{Table}";
        await Db.ExecuteAsync(connection, $"""
            CREATE UNLOGGED TABLE {staging} ({string.Join(", ", columns.Select(c => $"{c.Name} {c.Type}"))});
            """, ct).ConfigureAwait(false);
        await ImportAsync(connection, staging, rows, row => row, [], ct).ConfigureAwait(false);
        var names = Names(derived);
        await Db.ExecuteUnboundedAsync(connection, $"""
            INSERT INTO {schema}.{Table} ({string.Join(", ", names)})
            SELECT {SelectList(derived)}
              FROM {staging} u {joins}
            {OnConflictReplace(names)};
            DROP TABLE {staging};
            """, ct).ConfigureAwait(false);
    }

    /// <summary>Whether the table holds no row.</summary>
    public async Task<bool> IsEmptyAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var cmd = Db.Command(connection, $"SELECT NOT EXISTS (SELECT FROM {schema}.{Table})");
        return (bool)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Writes rows the table does not hold (a rebuild's first flush into its empty shadow) with one binary <c>COPY</c>
    /// straight into it: no staging table, no upsert. The derived columns are the caller's: <paramref name="derived"/>
    /// over what <paramref name="derive"/> makes of each row. <paramref name="freeze"/>: the table is truncated first
    /// and the rows written frozen (<c>COPY … FREEZE</c>), for a table no other transaction reads meanwhile.
    /// <paramref name="keyAfter"/>: its primary key (<c>{table}_pkey</c>, on the first column) is dropped before and
    /// built again after, for rows that do not come in key order.
    /// </summary>
    public async Task CopyNewAsync<TDerived>(NpgsqlConnection connection, string schema, IReadOnlyCollection<TRow> rows,
        Func<TRow, TDerived> derive, IReadOnlyList<Column<TDerived>> derived, CancellationToken ct, bool freeze = false, bool keyAfter = false)
    {
        if (rows.Count == 0)
            return;
        if (freeze)
            await Db.ExecuteAsync(connection, $"TRUNCATE {schema}.{Table}", ct).ConfigureAwait(false); // as COPY FREEZE requires
        if (keyAfter)
            await Db.ExecuteAsync(connection, $"ALTER TABLE {schema}.{Table} DROP CONSTRAINT {Table}_pkey", ct).ConfigureAwait(false);
        await ImportAsync(connection, $"{schema}.{Table}", rows, derive, derived, ct, freeze).ConfigureAwait(false);
        if (keyAfter)
            await Db.ExecuteUnboundedAsync(connection, $"ALTER TABLE {schema}.{Table} ADD CONSTRAINT {Table}_pkey PRIMARY KEY ({Key})", ct).ConfigureAwait(false);
    }

    private Task ImportAsync<TDerived>(NpgsqlConnection connection, string target, IReadOnlyCollection<TRow> rows,
        Func<TRow, TDerived> derive, IReadOnlyList<Column<TDerived>> derived, CancellationToken ct, bool freeze = false)
    {
        var names = columns.Select(c => c.Name).Concat(derived.Select(c => c.Name));
        return CopyWriter.CopyAsync(connection, $"{target} ({string.Join(", ", names)})", rows, (short)(columns.Count + derived.Count),
            (writer, row) =>
            {
                for (var i = 0; i < _columns.Length; i++)
                    _columns[i].Write(writer, row);
                if (derived.Count == 0)
                    return;
                var values = derive(row);
                for (var i = 0; i < derived.Count; i++)
                    derived[i].Write(writer, values);
            }, ct, freeze);
    }

    /// <summary>The columns written: the table's own, then the derived ones.</summary>
    private string[] Names(IReadOnlyList<(string Column, string Expression)> derived) =>
        [.. columns.Select(c => c.Name).Concat(derived.Select(d => d.Column))];

    /// <summary>The written columns selected from a source row <c>u</c> (and its joins).</summary>
    private string SelectList(IReadOnlyList<(string Column, string Expression)> derived) =>
        string.Join(", ", columns.Select(c => "u." + c.Name).Concat(derived.Select(d => $"{d.Expression} AS {d.Column}")));

    private string OnConflictReplace(string[] names) =>
        $"ON CONFLICT ({Key}) DO UPDATE SET {string.Join(", ", names.Skip(1).Select(n => $"{n} = excluded.{n}"))}";

    private NpgsqlBatchCommand Command(string sql, IReadOnlyList<TRow> rows)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var column in columns)
            cmd.Parameters.Add(column.ToArray(rows));
        return cmd;
    }
}
