using System.Globalization;
using System.Text.Json;
using CoManagement.Bench;
using CoManagement.EventStore;

// bench run    --system plain|ours --round N [--scale 1] [--only W1,W2,...] [--out results.jsonl] [--conn "..."] [--ours-conn-extra "..."]
// bench report --in results.jsonl --out-prefix bench/results/DATE [--env environment.txt] [--peers peers.csv]
var options = ParseOptions(args.Skip(1));
string Opt(string name, string? fallback = null) =>
    options.TryGetValue(name, out var v) ? v : fallback ?? throw new ArgumentException($"--{name} is required");

switch (args.FirstOrDefault())
{
    case "run":
        await RunAsync();
        return 0;
    case "report":
        Report.Write(Opt("in"), Opt("out-prefix"), options.GetValueOrDefault("env"), options.GetValueOrDefault("peers"));
        return 0;
    default:
        Console.Error.WriteLine("usage: bench run --system plain|ours --round N [--scale F] [--only W1,W2] [--out F.jsonl] | bench report --in F.jsonl --out-prefix P");
        return 2;
}

async Task RunAsync()
{
    var system = Opt("system");
    var round = Opt("round", "1");
    var scale = double.Parse(Opt("scale", "1"), CultureInfo.InvariantCulture);
    var only = options.TryGetValue("only", out var o) ? o.ToUpperInvariant().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet() : null;
    var output = options.GetValueOrDefault("out");
    var conn = Opt("conn", Environment.GetEnvironmentVariable("BENCH_PG") ?? "Host=127.0.0.1;Port=55435;Username=postgres;Database=bench");
    var oursConn = conn + ";" + Opt("ours-conn-extra", "");
    bool Has(string w) => only is null || only.Contains(w);

    var sizes = Sizes.At(scale);
    Console.Error.WriteLine($"# {system} round {round}: {sizes} data={Payload.Data(Payload.StreamId("w1", 0), 0).Length}B " +
        $"meta={Payload.MetadataJson(Payload.Metadata()).Length}B");
    void Record(Row row)
    {
        var line = JsonSerializer.Serialize(row, ResultJson.Default.Row).ReplaceLineEndings("").Replace("  ", "", StringComparison.Ordinal);
        Console.WriteLine(line);
        if (output is not null)
            File.AppendAllText(output, line + "\n");
    }

    await using var admin = new Admin(conn);
    await admin.ResetAsync();
    await using ITarget target = system switch
    {
        "plain" => new PlainTarget(conn),
        "ours" => new OursTarget(oursConn),
        _ => throw new ArgumentException("--system plain|ours"),
    };
    await target.CreateSchemaAsync();
    await admin.CheckpointAsync();

    var w = new Workloads(target, admin, sizes, round, Record);
    var events = (long)sizes.Streams * sizes.PerStream;
    if (Has("W1"))
        await w.AppendOneByOneAsync("W1", "w1", 1);
    else if (Has("W4"))
        await w.SeedW1Async();
    if (Has("W2"))
        await w.AppendOneByOneAsync("W2", "w2", sizes.Clients);
    if (Has("W3"))
        await w.AppendBatchesAsync("W3", "w3", $"append {sizes.W3Batch} events/call to a new stream, 1 client", sizes.W3Calls, (long)sizes.W3Calls * sizes.W3Batch);
    await admin.CheckpointAsync();
    if (Has("W4"))
        await w.ReadStreamsAsync();
    if (Has("W5"))
        await w.ReadAllAsync();
    if (w.Written > 0)
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
        await using var withIds = new OursTarget(oursConn, withCommandIds: true);
        await withIds.CreateSchemaAsync();
        await admin.CheckpointAsync();
        var wc = new Workloads(withIds, admin, sizes, round, Record) { System = "ours" };
        await wc.AppendOneByOneAsync("W1CMD", "w1", 1, "append 1 event/tx, 1 client, with a command id (UUIDv7) per append");
        await wc.SizeAsync("SIZECMD", "table+index bytes per event after W1 with command ids (events + commands)");
    }
    _ = events;
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
