using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CoManagement.Bench;

/// <summary>Medians over rounds, ours/plain ratios against the targets, the peers' published figures beside them.</summary>
public static class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly (string Workload, string Title)[] Main =
    [
        ("W1", "**W1** 1 event/tx, 1 client — events/s (p50 / p99 ms)"),
        ("W2", "**W2** 1 event/tx, 8 clients — events/s (p50 / p99)"),
        ("W3", "**W3** 100 events/call, new stream — events/s (p50 / p99 per call)"),
        ("W4", "**W4** read a 10-event stream — reads/s (p50 / p99)"),
        ("W5", "**W5** read all in global order — events/s (p50 / p99 per page)"),
    ];

    private static readonly (string Workload, string Title)[] PairedRows =
    [
        ("W1P", "**W1 paired** 1 event/tx, 1 client — events/s (p50 / p99 ms)"),
        ("W4P", "**W4 paired** read a 10-event stream — reads/s (p50 / p99)"),
    ];

    private static readonly (string Workload, string Base, string Title)[] Variants =
    [
        ("W1CMD", "W1", "W1 **with a command id** per append (recorded for idempotency)"),
        ("W3BULK", "W3", "W3 via `BulkImportAsync`, 1 stream × 100 events per call"),
        ("W3BULK20", "W3", "W3 via `BulkImportAsync`, 20 streams × 100 events (2,000) per call"),
    ];

    public static void Write(string jsonlPath, string outPrefix, string? envPath, string? peersCsv, bool peersRanJustBefore)
    {
        var rows = File.ReadAllLines(jsonlPath).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<Row>(l, ResultJson.Line)!).ToList();
        var medians = rows.GroupBy(r => (r.System, r.Workload, r.Variant)).Select(Median).ToList();
        var peers = peersCsv is not null && File.Exists(peersCsv) ? ReadPeers(peersCsv) : [];
        var environment = envPath is not null && File.Exists(envPath) ? File.ReadAllText(envPath).Trim() : "";
        var date = rows.Count > 0 ? rows[0].Date[..10] : DateTime.UtcNow.ToString("yyyy-MM-dd", Inv);

        var md = Markdown(date, environment, rows, medians, peers, peersCsv, peersRanJustBefore);
        File.WriteAllText(outPrefix + ".md", md);
        File.WriteAllText(outPrefix + ".json", JsonSerializer.Serialize(new ReportFile(date, environment, rows, medians), new JsonSerializerOptions(ResultJson.Line) { WriteIndented = true }));
        File.WriteAllText(outPrefix + ".csv", Csv([.. rows, .. medians]));
        Console.WriteLine(md);
    }

    private static Row Median(IGrouping<(string System, string Workload, string Variant), Row> g)
    {
        var list = g.ToList();
        double? M(Func<Row, double?> f)
        {
            var v = list.Select(f).OfType<double>().Order().ToArray();
            return v.Length == 0 ? null : v.Length % 2 == 1 ? v[v.Length / 2] : Math.Round((v[v.Length / 2 - 1] + v[v.Length / 2]) / 2, 3);
        }
        var f = list[0];
        return f with
        {
            Date = f.Date[..10], Round = $"median({list.Count})", Seconds = M(r => r.Seconds) ?? 0, EventsPerS = M(r => r.EventsPerS),
            P50Ms = M(r => r.P50Ms), P99Ms = M(r => r.P99Ms), MaxMs = M(r => r.MaxMs), WalBytesPerEvent = M(r => r.WalBytesPerEvent),
            BytesPerEvent = M(r => r.BytesPerEvent), PeakWorkingSetMb = M(r => r.PeakWorkingSetMb), Load1 = M(r => r.Load1),
            Note = string.Join(" | ", list.Select(r => r.Note).Where(n => n.Length > 0).Distinct()),
        };
    }

    private static string Markdown(string date, string environment, List<Row> rows, List<Row> medians, Dictionary<(string, string), PeerRow> peers, string? peersCsv,
        bool peersRanJustBefore)
    {
        Row? Get(string system, string workload) => medians.FirstOrDefault(r => r.System == system && r.Workload == workload);
        var rounds = rows.Select(r => r.Round).Where(r => r != "paired").Distinct().Count();
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"# Event store benchmark — {date}");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Median of {rounds} interleaved round(s) (plain → ours per round). Latency per call in the C# client, ms. plain = the peers' bare `raw.events` table with Npgsql prepared statements (the physical limit); ours = `PostgresEventStore`.");
        // `run.sh --with-peers` runs their benchmark on this machine just before ours; otherwise the file is an earlier run.
        var sameDay = peersCsv is not null && Path.GetFileName(peersCsv).Contains(date, StringComparison.Ordinal);
        var peersOf = peersRanJustBefore ? "peers (same run, own cluster)" : sameDay ? "peers (earlier run today, this machine)" : "peers (their run, same machine kind)";
        if (peers.Count > 0)
            sb.AppendLine(peersRanJustBefore
                ? string.Create(Inv, $"Peers columns: medians of their own benchmark (`{Path.GetFileName(peersCsv)}`, node clients, their own private cluster with the same settings), run on this machine just before ours (`run.sh --with-peers`).")
                : string.Create(Inv, $"Peers columns: medians of their own benchmark (`{Path.GetFileName(peersCsv)}`, node clients), from {(sameDay ? "an earlier run on this machine today" : "their run on the same machine kind")} — not this run."));
        sb.AppendLine();
        if (environment.Length > 0)
            sb.AppendLine("```").AppendLine(environment).AppendLine("```").AppendLine();

        var ours = medians.Select(r => r.System).Where(x => x != "plain").Distinct().OrderBy(x => x == "ours" ? "" : x, StringComparer.Ordinal).ToList();
        void Table((string Workload, string Title)[] workloads)
        {
            sb.Append("| workload | plain (C#) |");
            foreach (var o in ours)
                sb.Append(Inv, $" {o} | {o} / plain | met |");
            sb.AppendLine(Inv, $" target | {peersOf}: raw SQL | {peersOf}: Message DB | {peersOf}: Emmett |");
            sb.Append("|---|---:|").Append(string.Concat(ours.Select(_ => "---:|---:|---|"))).AppendLine("---|---:|---:|---:|");
            foreach (var (workload, title) in workloads)
            {
                var plain = Get("plain", workload);
                sb.Append(Inv, $"| {title} | {Cell(plain)} |");
                var target = "";
                foreach (var o in ours)
                {
                    var (ratio, t, met) = Judge(workload, plain, Get(o, workload));
                    sb.Append(Inv, $" {Cell(Get(o, workload))} | {ratio} | {met} |");
                    target = t.Length > 0 ? t : target;
                }
                var peer = workload[..2];
                sb.AppendLine(Inv, $" {target} | {Cell(peers, "raw", peer)} | {Cell(peers, "mdb", peer)} | {Cell(peers, "emmett", peer)} |");
            }
        }

        Table(Main);
        if (Get("plain", "W1P") is not null)
        {
            sb.AppendLine().AppendLine("Paired cross-check (`bench paired`: W1 on a tenth of the streams and W4, all systems in one process, " +
                "blocks of 100 calls rotating between them; events/s = events / time spent in calls):").AppendLine();
            Table(PairedRows);
        }
        sb.AppendLine();
        sb.AppendLine("| system | variant | events/s (p50 / p99 ms) | vs plain | target | met |");
        sb.AppendLine("|---|---|---:|---:|---|---|");
        foreach (var o in ours)
        {
            foreach (var (workload, baseline, title) in Variants)
            {
                var (plain, row) = (Get("plain", baseline), Get(o, workload));
                if (row is null)
                    continue;
                var (ratio, target, met) = Judge(baseline, plain, row);
                sb.AppendLine(Inv, $"| {o} | {title} | {Cell(row)} | {ratio} of plain {baseline} | {target} | {met} |");
            }
        }
        sb.AppendLine();
        sb.AppendLine("| system | WAL bytes/event W1 / W2 / W3 | table + index bytes/event (after W1–W3) | peak working set of the bench process, MB (W1 / W2 / W3 / W4 / W5) |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var system in ours.Prepend("plain"))
        {
            string Wal(string w) => Get(system, w)?.WalBytesPerEvent?.ToString("N0", Inv) ?? "–";
            string Peak(string w) => Get(system, w)?.PeakWorkingSetMb?.ToString("N0", Inv) ?? "–";
            sb.AppendLine(Inv, $"| {system} | {Wal("W1")} / {Wal("W2")} / {Wal("W3")} | {Get(system, "SIZE")?.BytesPerEvent?.ToString("N0", Inv) ?? "–"} | " +
                $"{Peak("W1")} / {Peak("W2")} / {Peak("W3")} / {Peak("W4")} / {Peak("W5")} |");
            if (Get(system, "W1CMD") is { } cmd)
                sb.AppendLine(Inv, $"| {system}, W1 with command ids | {cmd.WalBytesPerEvent?.ToString("N0", Inv)} / – / – | {Get(system, "SIZECMD")?.BytesPerEvent?.ToString("N0", Inv) ?? "–"} (events + commands) | {cmd.PeakWorkingSetMb?.ToString("N0", Inv)} / – / – / – / – |");
        }
        foreach (var (system, name) in new[] { ("raw", $"{peersOf}: raw SQL"), ("mdb", $"{peersOf}: Message DB"), ("emmett", $"{peersOf}: Emmett") })
        {
            if (!peers.ContainsKey((system, "W1")))
                continue;
            string Wal(string w) => peers.TryGetValue((system, w), out var p) && p.Wal is { } x ? x.ToString("N0", Inv) : "–";
            var size = peers.TryGetValue((system, "SIZE"), out var sz) ? sz.Note.Split(' ')[0] : "–";
            sb.AppendLine(Inv, $"| {name} | {Wal("W1")} / {Wal("W2")} / {Wal("W3")} | {size} | (node) |");
        }

        sb.AppendLine().AppendLine("Every round:").AppendLine();
        sb.AppendLine("| round | system | workload | variant | events | s | events/s | p50 ms | p99 ms | max ms | WAL B/event | B/event | peak MB | load | note |");
        sb.AppendLine("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in rows.Concat(medians))
            sb.AppendLine(Inv, $"| {r.Round} | {r.System} | {r.Workload} | {r.Variant} | {r.Events:N0} | {r.Seconds:0.###} | {r.EventsPerS:N0} | {r.P50Ms:0.###} | {r.P99Ms:0.###} | {r.MaxMs:0.###} | {r.WalBytesPerEvent:N0} | {r.BytesPerEvent:N0} | {r.PeakWorkingSetMb:N0} | {r.Load1:0.0} | {r.Note} |");
        return sb.ToString();
    }

    /// <summary>Targets: appends and imports ≥ 90 % of plain; W4 p50 within +0.1 ms of plain; W5 ≥ plain.</summary>
    private static (string Ratio, string Target, string Met) Judge(string workload, Row? plain, Row? ours)
    {
        if (plain?.EventsPerS is not { } p || ours?.EventsPerS is not { } o)
            return ("–", "", "");
        var ratio = o / p;
        var pct = ratio.ToString("P0", Inv);
        return workload switch
        {
            "W4" or "W4P" => (string.Create(Inv, $"{pct}; p50 {ours.P50Ms - plain.P50Ms:+0.000;-0.000} ms"), "p50 ≤ plain + 0.1 ms",
                ours.P50Ms <= plain.P50Ms + 0.1 ? "yes" : "**no**"),
            "W5" => (pct, "≥ 100 %", ratio >= 1 ? "yes" : "**no**"),
            _ => (pct, "≥ 90 %", ratio >= 0.9 ? "yes" : "**no**"),
        };
    }

    private static string Cell(Row? r) => r is null ? "–" : Cell(r.Workload is "W4" or "W4P" ? r.Calls / r.Seconds : r.EventsPerS, r.P50Ms, r.P99Ms);

    private static string Cell(Dictionary<(string, string), PeerRow> peers, string system, string workload) =>
        peers.TryGetValue((system, workload), out var p)
            ? Cell(workload == "W4" ? p.Calls / p.Seconds : p.EventsPerS, p.P50, p.P99) + (p.Note.Contains("MISMATCH", StringComparison.Ordinal) ? " **wrong count**" : "")
            : "–";

    private static string Cell(double? perSecond, double? p50, double? p99) =>
        string.Create(Inv, $"{perSecond:N0} ({p50:0.00} / {p99:0.00})");

    private sealed record PeerRow(double? EventsPerS, double? Seconds, double? Calls, double? P50, double? P99, double? Wal, string Note);

    /// <summary>The peers' CSV (summarize.mjs): the first median row per system and workload, main variant only.</summary>
    private static Dictionary<(string, string), PeerRow> ReadPeers(string path)
    {
        var result = new Dictionary<(string, string), PeerRow>();
        var lines = File.ReadAllLines(path);
        var header = SplitCsv(lines[0]);
        int Col(string name) => Array.IndexOf(header, name);
        foreach (var line in lines.Skip(1))
        {
            var f = SplitCsv(line);
            if (!f[Col("round")].StartsWith("median", StringComparison.Ordinal) || f[Col("variant")].Contains("consumer", StringComparison.Ordinal))
                continue;
            double? D(string name) => double.TryParse(f[Col(name)], NumberStyles.Float, Inv, out var d) ? d : null;
            result.TryAdd((f[Col("system")], f[Col("workload")]), new PeerRow(D("events_per_s"), D("seconds"), D("calls"), D("p50_ms"), D("p99_ms"),
                D("wal_bytes_per_event"), f[Col("note")]));
        }
        return result;
    }

    private static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return [.. fields];
    }

    private static string Csv(IEnumerable<Row> rows)
    {
        static string Esc(object? v)
        {
            var s = v switch { null => "", double d => d.ToString("0.###", Inv), IFormattable x => x.ToString(null, Inv), _ => v.ToString()! };
            return s.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
        }
        var sb = new StringBuilder("date,round,system,workload,variant,events,seconds,events_per_s,calls,p50_ms,p99_ms,max_ms,wal_bytes_per_event,bytes_per_event,peak_working_set_mb,load1,note\n");
        foreach (var r in rows)
            sb.AppendJoin(',', new object?[] { r.Date, r.Round, r.System, r.Workload, r.Variant, r.Events, r.Seconds, r.EventsPerS, r.Calls, r.P50Ms, r.P99Ms,
                r.MaxMs, r.WalBytesPerEvent, r.BytesPerEvent, r.PeakWorkingSetMb, r.Load1, r.Note }.Select(Esc)).Append('\n');
        return sb.ToString();
    }
}
