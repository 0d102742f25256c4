using CoManagement.EventStore;
using CoManagement.Projections.Common;
using Npgsql;
using NpgsqlTypes;

namespace CoManagement.Projections.Tests;

/// <summary>
/// The rebuild's flush writes PostgreSQL's binary <c>COPY</c> format itself (<see cref="CopyWriter"/>). Every column
/// kind it writes must land as Npgsql's own binary importer lands it, and read back as the values that were written.
/// </summary>
public sealed class Copy_writer : IAsyncLifetime
{
    private sealed class Row
    {
        public string Key { get; set; } = "";
        public string? Text { get; set; }
        public int Int { get; set; }
        public int? NullableInt { get; set; }
        public long Long { get; set; }
        public bool Bool { get; set; }
        public DateTimeOffset Time { get; set; }
        public DateTimeOffset? NullableTime { get; set; }
    }

    private static readonly Column<Row>[] Columns =
    [
        Columns<Row>.Text("key", r => r.Key, (r, v) => r.Key = v!),
        Columns<Row>.Text("text", r => r.Text, (r, v) => r.Text = v),
        Columns<Row>.Int("i", r => r.Int, (r, v) => r.Int = v),
        Columns<Row>.NullableInt("ni", r => r.NullableInt, (r, v) => r.NullableInt = v),
        Columns<Row>.Long("l", r => r.Long, (r, v) => r.Long = v),
        Columns<Row>.Bool("b", r => r.Bool, (r, v) => r.Bool = v),
        Columns<Row>.RequiredTime("t", r => r.Time, (r, v) => r.Time = v),
        Columns<Row>.Time("nt", r => r.NullableTime, (r, v) => r.NullableTime = v),
    ];

    /// <summary>A column the caller derives (as the roster derives its organisation paths), written after the row's own.</summary>
    private static readonly Column<Row>[] Derived = [Columns<Row>.Text("key_length", r => r.Key.Length.ToString())];

    private NpgsqlDataSource _dataSource = null!;
    private readonly string _schema = "cw_" + Guid.NewGuid().ToString("N")[..16];

    public async ValueTask InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("ES_TEST_POSTGRES")
            ?? throw new InvalidOperationException("ES_TEST_POSTGRES is not set: run ./test.sh or source .local/dev/env.sh."));
        var columns = "key text PRIMARY KEY, text text, i int NOT NULL, ni int, l bigint NOT NULL, b boolean NOT NULL, " +
            "t timestamptz NOT NULL, nt timestamptz, key_length text";
        await using var cmd = _dataSource.CreateCommand(
            $"CREATE SCHEMA {_schema}; CREATE TABLE {_schema}.copied ({columns}); CREATE TABLE {_schema}.bound ({columns})");
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await using (var cmd = _dataSource.CreateCommand($"DROP SCHEMA {_schema} CASCADE"))
            await cmd.ExecuteNonQueryAsync();
        await _dataSource.DisposeAsync();
    }

    private static Row[] Rows()
    {
        var utc = TimeSpan.Zero;
        Row[] edges =
        [
            new() { Key = "nulls", Time = new DateTimeOffset(2025, 1, 1, 0, 0, 0, utc) },
            new()
            {
                Key = "平凉市崆峒区", Text = "甘肃省 · 流动党员 🚩 \"quoted\"\t\\", Int = int.MinValue, NullableInt = 0,
                Long = long.MinValue, Bool = true, Time = new DateTimeOffset(1999, 12, 31, 23, 59, 59, 999, utc).AddTicks(9999),
                NullableTime = new DateTimeOffset(2025, 6, 30, 16, 0, 0, utc).AddTicks(1234567),
            },
            new()
            {
                Key = "big", Text = new string('党', 100_000), Int = int.MaxValue, NullableInt = -7, Long = long.MaxValue,
                Time = DateTimeOffset.MinValue, NullableTime = DateTimeOffset.MaxValue,
            },
            new() { Key = "null element", Text = "", Time = new DateTimeOffset(1970, 1, 1, 8, 0, 0, TimeSpan.FromHours(8)) },
        ];
        // Enough ordinary rows that the buffer is sent many times and a row straddles a send.
        var ordinary = Enumerable.Range(0, 20_000).Select(i => new Row
        {
            Key = $"m{i:D6}", Text = $"成员 {i}", Int = i, NullableInt = i % 3 == 0 ? null : -i,
            Long = 1L << 40 | (uint)i, Bool = i % 2 == 0, Time = new DateTimeOffset(2024, 3, 1, 0, 0, 0, utc).AddSeconds(i * 37.5),
            NullableTime = i % 5 == 0 ? null : new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.FromHours(8)).AddMinutes(-i),
        });
        return [.. edges, .. ordinary];
    }

    [Fact]
    public async Task every_column_kind_lands_as_npgsqls_own_encoding_and_reads_back_as_written()
    {
        var rows = Rows();
        var table = new RowTable<Row>("copied", Columns);
        await using var c = await _dataSource.OpenConnectionAsync();
        await table.CopyNewAsync(c, _schema, rows, r => r, Derived, CancellationToken.None);
        await ImportWithNpgsqlAsync(c, rows);

        await using (var cmd = new NpgsqlCommand($"""
            SELECT (SELECT count(*) FROM {_schema}.copied),
                   (SELECT count(*) FROM (TABLE {_schema}.copied EXCEPT ALL TABLE {_schema}.bound) d),
                   (SELECT count(*) FROM (TABLE {_schema}.bound EXCEPT ALL TABLE {_schema}.copied) d)
            """, c))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)).ShouldBe((rows.LongLength, 0L, 0L));
        }

        var read = (await table.LoadAsync(c, _schema, [.. rows.Select(r => r.Key)], () => new Row(), CancellationToken.None))
            .ToDictionary(r => r.Key);
        foreach (var row in rows)
        {
            var back = read[row.Key];
            (back.Text, back.Int, back.NullableInt, back.Long, back.Bool).ShouldBe((row.Text, row.Int, row.NullableInt, row.Long, row.Bool), row.Key);
            back.Time.ShouldBe(Microseconds(row.Time), row.Key);
            back.NullableTime.ShouldBe(row.NullableTime is { } t ? Microseconds(t) : null, row.Key);
        }
    }

    [Fact]
    public async Task a_copy_that_fails_part_way_writes_nothing_and_leaves_the_connection_usable()
    {
        var rows = Rows();
        Column<Row>[] failing =
        [
            Columns[0],
            Columns<Row>.Text("text", r => r.Key == "m015000" ? throw new InvalidOperationException("the row could not be made") : r.Text),
            .. Columns[2..],
        ];
        await using var c = await _dataSource.OpenConnectionAsync();
        var error = await Should.ThrowAsync<InvalidOperationException>(() =>
            new RowTable<Row>("copied", failing).CopyNewAsync(c, _schema, rows, r => r, [], CancellationToken.None));
        error.Message.ShouldBe("the row could not be made");

        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {_schema}.copied", c);
        (await cmd.ExecuteScalarAsync()).ShouldBe(0L);
    }

    /// <summary>The same rows through Npgsql's own binary importer, which the flush used before.</summary>
    private async Task ImportWithNpgsqlAsync(NpgsqlConnection c, Row[] rows)
    {
        await using var importer = await c.BeginBinaryImportAsync($"COPY {_schema}.bound FROM STDIN (FORMAT BINARY)");
        foreach (var row in rows)
        {
            await importer.StartRowAsync();
            await importer.WriteAsync(row.Key, NpgsqlDbType.Text);
            await importer.WriteAsync(row.Text, NpgsqlDbType.Text);
            await importer.WriteAsync(row.Int, NpgsqlDbType.Integer);
            await importer.WriteAsync(row.NullableInt, NpgsqlDbType.Integer);
            await importer.WriteAsync(row.Long, NpgsqlDbType.Bigint);
            await importer.WriteAsync(row.Bool, NpgsqlDbType.Boolean);
            await importer.WriteAsync(row.Time.UtcDateTime, NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(row.NullableTime?.UtcDateTime, NpgsqlDbType.TimestampTz);
            await importer.WriteAsync(row.Key.Length.ToString(), NpgsqlDbType.Text);
        }
        await importer.CompleteAsync();
    }

    /// <summary>
    /// timestamptz keeps microseconds from 2000-01-01: Npgsql drops the ticks below them toward that instant (so
    /// 1999-12-31 23:59:59.9999999 is stored as 2000-01-01), and the extremes go as the infinities and come back.
    /// </summary>
    private static DateTimeOffset Microseconds(DateTimeOffset time)
    {
        if (time == DateTimeOffset.MinValue || time == DateTimeOffset.MaxValue)
            return time;
        var fromEpoch = time.UtcTicks - new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
        return time.AddTicks(-(fromEpoch % 10)).ToUniversalTime();
    }
}
