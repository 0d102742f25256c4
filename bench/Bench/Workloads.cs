using System.Diagnostics;
using System.Globalization;

namespace CoManagement.Bench;

/// <summary>The peers' sizes, times a scale factor (1 = full: 20,000 streams × 10, 2,000 × 100, 10,000 reads).</summary>
public sealed record Sizes(int Streams, int PerStream, int Clients, int W3Calls, int W3Batch, int W4Reads, int PageSize, int BulkStreams)
{
    public static Sizes At(double scale)
    {
        int Scaled(int full, int min, int multiple) => Math.Max(min, (int)Math.Round(full * scale / multiple) * multiple);
        return new(Scaled(20_000, 16, 8), 10, 8, Scaled(2_000, 20, 20), 100, Scaled(10_000, 100, 1), 1_000, 20);
    }
}

/// <summary>W1–W5 as the peers define them (bench.mjs), run against one system; each call is timed.</summary>
public sealed class Workloads(ITarget target, Admin admin, Sizes sizes, string round, Action<Row> record)
{
    /// <summary>Events written by W1–W3 in this run: what W5 must read back.</summary>
    public long Written { get; private set; }

    public string System => target.Name;

    /// <summary>W1 (1 client) and W2 (8 clients): one event per call, version checked; event 1 of every stream, then 2, ….</summary>
    public async Task AppendOneByOneAsync(string workload, string prefix, int clients, string? variant = null)
    {
        var streams = Enumerable.Range(0, sizes.Streams).Select(i => Payload.StreamId(prefix, i)).ToArray();
        // Client c owns the streams i with i mod clients = c, and writes them version by version.
        var plan = Enumerable.Range(0, clients).Select(c =>
            (from v in Enumerable.Range(0, sizes.PerStream)
             from i in Enumerable.Range(0, sizes.Streams)
             where i % clients == c
             select (Stream: streams[i], V: v)).ToArray()).ToArray();
        var sessions = new ISession[clients];
        for (var c = 0; c < clients; c++)
            sessions[c] = await target.OpenSessionAsync();
        await MeasureAsync(workload, variant ?? $"append 1 event/tx, {clients} client{(clients > 1 ? "s" : "")}", (long)sizes.Streams * sizes.PerStream, wal: true,
            () => Measure.DriveAsync(clients, c => plan[c].Length, (c, i) => sessions[c].AppendOneAsync(plan[c][i].Stream, plan[c][i].V)));
        foreach (var s in sessions)
            await s.DisposeAsync();
    }

    /// <summary>W3: 100 events per call to a new stream, one client; <paramref name="call"/> overrides how a call writes.</summary>
    public async Task AppendBatchesAsync(string workload, string prefix, string variant, int calls, long events, Func<ISession, int, Task>? call = null)
    {
        await using var session = await target.OpenSessionAsync();
        call ??= (s, i) => s.AppendNewStreamAsync(Payload.StreamId(prefix, i), sizes.W3Batch);
        await MeasureAsync(workload, variant, events, wal: true, () => Measure.DriveAsync(1, _ => calls, (_, i) => call(session, i)));
    }

    /// <summary>W4: read one W1 stream (10 events) by id, seeded random streams, one client.</summary>
    public async Task ReadStreamsAsync()
    {
        var random = new Random(42);
        var picks = Enumerable.Range(0, sizes.W4Reads).Select(_ => Payload.StreamId("w1", random.Next(sizes.Streams))).ToArray();
        await using var session = await target.OpenSessionAsync();
        await MeasureAsync("W4", $"read 1 stream of {sizes.PerStream} events, 1 client", (long)sizes.W4Reads * sizes.PerStream, wal: false,
            () => Measure.DriveAsync(1, _ => picks.Length, async (_, i) =>
            {
                var n = await session.ReadStreamAsync(picks[i]);
                if (n != sizes.PerStream)
                    throw new InvalidOperationException($"{System}: read {picks[i]} returned {n} events");
            }), note: seconds => string.Create(CultureInfo.InvariantCulture, $"{sizes.W4Reads / seconds:F0} reads/s"));
    }

    /// <summary>W5: everything in global order from position 0, pages of 1,000, counted.</summary>
    public async Task ReadAllAsync()
    {
        await using var session = await target.OpenSessionAsync();
        long total = 0;
        await MeasureAsync("W5", $"read all in global order, pages of {sizes.PageSize}", Written, wal: false, async () =>
        {
            var lats = new List<double>();
            var start = Stopwatch.GetTimestamp();
            for (long after = 0; ;)
            {
                var t = Stopwatch.GetTimestamp();
                var (count, next) = await session.ReadPageAsync(after, sizes.PageSize);
                lats.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                if (count == 0)
                    break;
                total += count;
                after = next;
            }
            return (Stopwatch.GetElapsedTime(start).TotalSeconds, lats.ToArray());
        }, note: _ => total == Written ? "count ok" : $"COUNT MISMATCH: read {total}, expected {Written}");
    }

    /// <summary>Writes a workload's streams unmeasured, one stream per call, when only the reads are run (<c>--only W4,W5</c>).</summary>
    public async Task SeedAsync(string prefix, int streams, int perStream)
    {
        await using var session = await target.OpenSessionAsync();
        for (var i = 0; i < streams; i++)
            await session.AppendNewStreamAsync(Payload.StreamId(prefix, i), perStream);
        Written += (long)streams * perStream;
    }

    public async Task SizeAsync(string workload, string variant)
    {
        var (bytes, events) = await admin.SizeAsync(target.SizeSql);
        record(new Row(Now, round, System, workload, variant, events, 0, null, null, null, null, null, null,
            Math.Round((double)bytes / events), null, string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:F0} MiB")));
    }

    private async Task<(double Seconds, double[] Lats)> MeasureAsync(string workload, string variant, long events, bool wal,
        Func<Task<(double Seconds, double[] Lats)>> run, Func<double, string>? note = null)
    {
        Measure.ResetPeakWorkingSet();
        var lsn = await admin.WalLsnAsync();
        var (seconds, lats) = await run();
        double? walPerEvent = wal ? Math.Round(await admin.WalSinceAsync(lsn) / events) : null;
        var (p50, p99, max) = Measure.Percentiles(lats);
        if (wal)
            Written += events;
        record(new Row(Now, round, System, workload, variant, events, Math.Round(seconds, 3), Math.Round(events / seconds), lats.Length,
            p50, p99, max, walPerEvent, null, Measure.PeakWorkingSetMb(), note?.Invoke(seconds) ?? "", Measure.LoadAverage()));
        return (seconds, lats);
    }

    private static string Now => DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}
