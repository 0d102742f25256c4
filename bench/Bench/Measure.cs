using System.Diagnostics;
using Npgsql;

namespace CoManagement.Bench;

/// <summary>One measured line: a workload of one system in one round (the peers' JSONL shape plus memory and size).</summary>
public sealed record Row(
    string Date, string Round, string System, string Workload, string Variant, long Events, double Seconds, double? EventsPerS,
    int? Calls, double? P50Ms, double? P99Ms, double? MaxMs, double? WalBytesPerEvent, double? BytesPerEvent, double? PeakWorkingSetMb,
    string Note, double? Load1 = null);

public sealed record ReportFile(string Date, string Environment, List<Row> Rounds, List<Row> Medians);

/// <summary>Latencies, WAL and memory of one workload.</summary>
public static class Measure
{
    public static (double P50, double P99, double Max) Percentiles(double[] lats)
    {
        if (lats.Length == 0)
            return (0, 0, 0);
        Array.Sort(lats);
        double At(double p) => lats[Math.Clamp((int)Math.Ceiling(p / 100 * lats.Length) - 1, 0, lats.Length - 1)];
        return (Math.Round(At(50), 3), Math.Round(At(99), 3), Math.Round(lats[^1], 3));
    }

    /// <summary>Runs <paramref name="clients"/> clients, each doing its calls one after another; times every call.</summary>
    public static async Task<(double Seconds, double[] Lats)> DriveAsync(int clients, Func<int, int> callsOf, Func<int, int, Task> call)
    {
        var perClient = new double[clients][];
        var start = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var lats = new double[callsOf(c)];
            for (var i = 0; i < lats.Length; i++)
            {
                var t = Stopwatch.GetTimestamp();
                await call(c, i);
                lats[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }
            perClient[c] = lats;
        })));
        return (Stopwatch.GetElapsedTime(start).TotalSeconds, [.. perClient.SelectMany(l => l)]);
    }

    /// <summary>Resets the kernel's peak-RSS mark (Linux: /proc/self/clear_refs 5) so each workload reports its own peak.</summary>
    public static void ResetPeakWorkingSet()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>The machine's 1-minute load average (Linux), to show when something else was running.</summary>
    public static double? LoadAverage()
    {
        try { return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture); }
        catch (IOException) { return null; }
    }

    public static double PeakWorkingSetMb()
    {
        using var self = Process.GetCurrentProcess();
        return Math.Round(self.PeakWorkingSet64 / 1048576.0, 1);
    }
}

/// <summary>The admin connection: schema resets, checkpoints, WAL positions, sizes.</summary>
public sealed class Admin(string connectionString) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public async Task ExecuteAsync(string sql)
    {
        await using var cmd = _dataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var cmd = _dataSource.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Drops every system's schema and checkpoints, as the peers do before every system run.</summary>
    public async Task ResetAsync()
    {
        await ExecuteAsync("""
            SET client_min_messages = warning;
            DROP SCHEMA IF EXISTS raw CASCADE; DROP SCHEMA IF EXISTS event_store CASCADE; DROP SCHEMA IF EXISTS event_store_tuned CASCADE
            """);
        await CheckpointAsync();
    }

    public Task CheckpointAsync() => ExecuteAsync("CHECKPOINT");

    /// <summary>
    /// Vacuums and analyses the database, then checkpoints: done before the read workloads, so an autovacuum that the
    /// writes just triggered does not start in the middle of one system's reads and not the other's (2 cores).
    /// </summary>
    public async Task SettleAsync()
    {
        await ExecuteAsync("VACUUM (ANALYZE)");
        await CheckpointAsync();
    }

    public Task<string> WalLsnAsync() => ScalarAsync<string>("SELECT pg_current_wal_lsn()::text");

    public async Task<double> WalSinceAsync(string lsn) =>
        (double)await ScalarAsync<decimal>($"SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{lsn}')");

    public async Task<(long Bytes, long Events)> SizeAsync(string sizeSql)
    {
        await using var cmd = _dataSource.CreateCommand(sizeSql);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
