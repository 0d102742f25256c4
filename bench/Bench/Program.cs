using System.Globalization;
using System.Text.Json;
using CoManagement.Bench;
using CoManagement.EventStore;

// bench run    --system plain|ours --round N [--scale 1] [--only W1,W2,...] [--out results.jsonl] [--conn "..."]
//              [--ours-conn-extra "Max Auto Prepare=20" --label ours-tuned]   (ours on a differently configured data source)
// bench paired [--scale 1] [--tuned-conn "..."] [--out results.jsonl]   (W1 and W4, systems rotating every 100 calls)
// bench report --in results.jsonl --out-prefix bench/results/DATE [--env environment.txt] [--peers peers.csv]
var options = ParseOptions(args.Skip(1));
string Opt(string name, string? fallback = null) =>
    options.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");
var conn = Opt("conn", Environment.GetEnvironmentVariable("BENCH_PG") ?? "Host=127.0.0.1;Port=25435;Username=postgres;Database=bench");
var output = options.GetValueOrDefault("out");
var scale = double.Parse(Opt("scale", "1"), CultureInfo.InvariantCulture);

switch (args.FirstOrDefault())
{
    case "run":
        await RunAsync();
        return 0;
    case "paired":
        await PairedAsync();
        return 0;
    case "report":
        Report.Write(Opt("in"), Opt("out-prefix"), options.GetValueOrDefault("env"), options.GetValueOrDefault("peers"),
            peersRanJustBefore: options.ContainsKey("peers-just-ran"));
        return 0;
    default:
        Console.Error.WriteLine("usage: bench run --system plain|ours --round N [--scale F] [--only W1,W2] [--out F.jsonl] | bench paired [--scale F] | bench report --in F.jsonl --out-prefix P");
        return 2;
}

async Task RunAsync()
{
    var system = Opt("system");
    var round = Opt("round", "1");
    var only = options.TryGetValue("only", out var o) ? o.ToUpperInvariant().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet() : null;
    var oursConn = conn + ";" + Opt("ours-conn-extra", "");
    var label = Opt("label", system);
    bool Has(string w) => only is null || only.Contains(w);

    var sizes = Sizes.At(scale);
    Console.Error.WriteLine($"# {system} round {round}: {sizes} data={Payload.Data(Payload.StreamId("w1", 0), 0).Length}B " +
        $"meta={Payload.MetadataJson(Payload.Metadata()).Length}B");
    await using var admin = new Admin(conn);
    await admin.ResetAsync();
    await using ITarget target = system switch
    {
        "plain" => new PlainTarget(conn),
        "ours" => new OursTarget(oursConn, label),
        _ => throw new ArgumentException("--system plain|ours"),
    };
    await target.CreateSchemaAsync();
    await admin.CheckpointAsync();

    var w = new Workloads(target, admin, sizes, round, Record);
    // A workload not selected is written unmeasured when a read workload needs its events.
    if (Has("W1"))
        await w.AppendOneByOneAsync("W1", "w1", 1);
    else if (Has("W4") || Has("W5"))
        await w.SeedAsync("w1", sizes.Streams, sizes.PerStream);
    if (Has("W2"))
        await w.AppendOneByOneAsync("W2", "w2", sizes.Clients);
    else if (Has("W5"))
        await w.SeedAsync("w2", sizes.Streams, sizes.PerStream);
    if (Has("W3"))
        await w.AppendBatchesAsync("W3", "w3", $"append {sizes.W3Batch} events/call to a new stream, 1 client", sizes.W3Calls, (long)sizes.W3Calls * sizes.W3Batch);
    else if (Has("W5"))
        await w.SeedAsync("w3", sizes.W3Calls, sizes.W3Batch);
    await admin.SettleAsync();
    if (Has("W4"))
        await w.ReadStreamsAsync();
    if (Has("W5"))
        await w.ReadAllAsync();
    if (Has("W1") || Has("W2") || Has("W3"))
        await w.SizeAsync("SIZE", "table+index bytes per event after W1-W3");

    if (target is not OursTarget ours)
        return;
    if (Has("W3"))
    {
        // Imports: one 100-event stream per call, then 20 such streams (2,000 events) per call.
        Task Import(int streams, string prefix, int call) => CheckImported(ours.Store.BulkImportAsync([.. Enumerable.Range(call * streams, streams)
            .Select(i => Payload.StreamId(prefix, i))
            .Select(id => new StreamWrite(id, ExpectedVersion.NoStream, Payload.Events(id, sizes.W3Batch)))]), (long)streams * sizes.W3Batch);
        var w3Events = (long)sizes.W3Calls * sizes.W3Batch;
        await w.AppendBatchesAsync("W3BULK", "w3b", $"BulkImportAsync, 1 stream x {sizes.W3Batch} events/call", sizes.W3Calls, w3Events,
            (_, i) => Import(1, "w3b", i));
        await w.AppendBatchesAsync("W3BULK20", "w3c", $"BulkImportAsync, {sizes.BulkStreams} streams x {sizes.W3Batch} events/call",
            sizes.W3Calls / sizes.BulkStreams, w3Events, (_, i) => Import(sizes.BulkStreams, "w3c", i));
    }
    if (Has("W1"))
    {
        // W1 again on a fresh schema, every append with a command id (recorded for idempotency).
        await admin.ResetAsync();
        await using var withIds = new OursTarget(oursConn, label, withCommandIds: true);
        await withIds.CreateSchemaAsync();
        await admin.CheckpointAsync();
        var wc = new Workloads(withIds, admin, sizes, round, Record);
        await wc.AppendOneByOneAsync("W1CMD", "w1", 1, "append 1 event/tx, 1 client, with a command id (UUIDv7) per append");
        await wc.SizeAsync("SIZECMD", "table+index bytes per event after W1 with command ids (events + commands)");
    }
}

async Task PairedAsync()
{
    // A tenth of the W1 streams (2,000 × 10 appends per system at full scale) and all of W4's reads.
    var sizes = Sizes.At(scale);
    sizes = sizes with { Streams = Math.Max(16, sizes.Streams / 10) };
    List<ITarget> targets = [new PlainTarget(conn), new OursTarget(conn)];
    if (options.TryGetValue("tuned-conn", out var tuned))
        targets.Add(new OursTarget(conn + ";" + tuned, "ours-tuned", schema: "event_store_tuned"));
    await using var admin = new Admin(conn);
    await Paired.RunAsync(targets, admin, sizes, "paired", Record);
    foreach (var target in targets)
        await target.DisposeAsync();
}

void Record(Row row)
{
    var line = JsonSerializer.Serialize(row, ResultJson.Line);
    Console.WriteLine(line);
    if (output is not null)
        File.AppendAllText(output, line + "\n");
}

static async Task CheckImported(Task<long> import, long expected)
{
    var imported = await import;
    if (imported != expected)
        throw new InvalidOperationException($"ours: bulk import wrote {imported} events, expected {expected}");
}

static Dictionary<string, string> ParseOptions(IEnumerable<string> args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    string? key = null;
    foreach (var a in args)
    {
        if (a.StartsWith("--", StringComparison.Ordinal))
            result[key = a[2..]] = "";
        else if (key is not null)
            result[key] = a;
    }
    return result;
}
