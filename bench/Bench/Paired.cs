namespace CoManagement.Bench;

/// <summary>
/// W1 and W4 with all systems side by side in one process, each in its own schema: blocks of 100 calls rotate between
/// the systems, so load that drifts on a shared machine hits them alike. A cross-check of the interleaved rounds'
/// ratios; throughput here is calls / time spent in calls.
/// </summary>
public static class Paired
{
    private const int Block = 100;

    public static async Task RunAsync(IReadOnlyList<ITarget> targets, Admin admin, Sizes sizes, string round, Action<Row> record)
    {
        await admin.ResetAsync();
        var sessions = new List<ISession>();
        foreach (var target in targets)
        {
            await target.CreateSchemaAsync();
            sessions.Add(await target.OpenSessionAsync());
        }
        await admin.CheckpointAsync();

        var streams = Enumerable.Range(0, sizes.Streams).Select(i => Payload.StreamId("w1", i)).ToArray();
        var appends = (from v in Enumerable.Range(0, sizes.PerStream) from s in streams select (Stream: s, V: v)).ToArray();
        await RotateAsync("W1P", "append 1 event/tx, 1 client", appends.Length, 1, (t, i) => sessions[t].AppendOneAsync(appends[i].Stream, appends[i].V));

        var random = new Random(42);
        var picks = Enumerable.Range(0, sizes.W4Reads).Select(_ => streams[random.Next(streams.Length)]).ToArray();
        await RotateAsync("W4P", $"read 1 stream of {sizes.PerStream} events, 1 client", picks.Length, sizes.PerStream, async (t, i) =>
        {
            var n = await sessions[t].ReadStreamAsync(picks[i]);
            if (n != sizes.PerStream)
                throw new InvalidOperationException($"{targets[t].Name}: read {picks[i]} returned {n} events");
        });
        foreach (var session in sessions)
            await session.DisposeAsync();

        async Task RotateAsync(string workload, string variant, int calls, int eventsPerCall, Func<int, int, Task> call)
        {
            var lats = targets.Select(_ => new double[calls]).ToArray();
            for (var start = 0; start < calls; start += Block)
            {
                for (var t = 0; t < targets.Count; t++)
                {
                    for (var i = start; i < Math.Min(start + Block, calls); i++)
                    {
                        var begin = System.Diagnostics.Stopwatch.GetTimestamp();
                        await call(t, i);
                        lats[t][i] = System.Diagnostics.Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
                    }
                }
            }
            for (var t = 0; t < targets.Count; t++)
            {
                var seconds = lats[t].Sum() / 1000;
                var (p50, p99, max) = Measure.Percentiles(lats[t]);
                record(new Row(DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture), round, targets[t].Name, workload,
                    variant + $", paired: blocks of {Block} calls rotating between systems", (long)calls * eventsPerCall, Math.Round(seconds, 3),
                    Math.Round(calls * eventsPerCall / seconds), calls, p50, p99, max, null, null, null, "", Measure.LoadAverage()));
            }
        }
    }
}
