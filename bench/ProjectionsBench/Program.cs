using System.Diagnostics;
using System.Globalization;
using CoManagement.Application;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using CoManagement.Projections;
using CoManagement.Projections.Queries;
using CoManagement.ProjectionsBench;
using Npgsql;

// Phases run as separate processes (see run.sh), so the rebuild's peak memory is the rebuild's alone.
//   load    --members N     generate and bulk-import the data set into schema "pbench"
//   build   --batch N       build the four live schemas from one pass over the feed, through their rebuild sessions
//                           (--only NAME: that projection alone, to see its own cost)
//   catchup                 the async projections' live runners catching up from position 0 (after a bulk import);
//                           --batch-by-batch: without chunks, as before CatchUpEvents
//   rebuild --batch N       rebuild every projection with its runner, one after the other, then all four at once
//                           (--together-only: only at once); --group-only: all four rebuilt together reading the feed
//                           once (ProjectionCatalog.RebuildAsync: start-up's rebuilds and `rebuild all` in the Host)
//   query   --iterations N  latency of the read endpoints' queries at this size
//   floor                   plain SQL, after build: reading the feed, writing the roster's and episodes' final rows,
//                           building their read indexes — what any rebuild ending in these tables pays
// Batches default to the runner's (ProjectionRunnerOptions.BatchSize), as the Host runs them.
var phase = args.FirstOrDefault() ?? "all";
var runnerBatch = new ProjectionRunnerOptions().BatchSize;
int Option(string name, int fallback) =>
    args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var connectionString = Environment.GetEnvironmentVariable("PBENCH_POSTGRES")
    ?? "Host=127.0.0.1;Port=25436;Username=postgres;Database=postgres;Maximum Pool Size=20;Command Timeout=0";
var Schema = Environment.GetEnvironmentVariable("PBENCH_SCHEMA") ?? "pbench";
var cpu = new CpuMeter(Environment.GetEnvironmentVariable("PBENCH_PGDATA") ?? Path.GetFullPath(".local/pbench/pg")); // run.sh runs from the repository root
string Cpu((double Client, double Server) from, long events)
{
    var (client, server) = cpu.Read();
    var (c, s) = (client - from.Client, server - from.Server);
    return $"cpu: client {c:F1}s + server {s:F1}s → {events / (c + s),9:N0} events per cpu-second";
}

// As the Host builds them: the store's data source, and a pool of its own for the feed's readers.
await using var dataSource = PostgresEventStore.CreateDataSource(connectionString);
await using var feedDataSource = PostgresEventStore.CreateDataSource(connectionString);
var registry = DomainRegistry.Create();
var catalog = new ProjectionCatalog(Schema, registry);
var store = new PostgresEventStore(dataSource, new EventStoreOptions { Schema = Schema, FeedDataSource = feedDataSource });
void Log(string line) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");

if (phase is "load" or "all")
{
    foreach (var s in catalog.All.SelectMany(p => new[] { catalog.SchemaOf(p.Name), catalog.SchemaOf(p.Name) + "_next" }).Append(Schema))
        await Execute($"DROP SCHEMA IF EXISTS {s} CASCADE");
    await store.MigrateAsync();
    await catalog.EnsureCreatedAsync(store);
    var members = Option("--members", 1_000_000);
    var sw = Stopwatch.StartNew();
    var events = await new DataSet(registry, members).ImportAsync(store, Log);
    Log($"loaded {members:N0} members, {events:N0} events in {sw.Elapsed.TotalSeconds:F0}s");
    await Execute($"VACUUM ANALYZE {Schema}.events");
}

if (phase == "feed")
{
    // How fast the feed alone can be read and decoded: the floor under every rebuild.
    var batch = Option("--batch", 10_000);
    var sw = Stopwatch.StartNew();
    var before = cpu.Read();
    long after = 0, n = 0;
    double decode = 0;
    while (true)
    {
        var page = await store.ReadFeedAsync(after, batch);
        if (page.Events.Count == 0)
            break;
        var d = Stopwatch.StartNew();
        foreach (var e in page.Events)
            registry.Deserialize(e);
        decode += d.Elapsed.TotalSeconds;
        n += page.Events.Count;
        after = page.NextAfter;
    }
    Log($"feed: {n:N0} events in {sw.Elapsed.TotalSeconds:F1}s ({n / sw.Elapsed.TotalSeconds:N0}/s), of which decoding {decode:F1}s  {Cpu(before, n)}");
}

if (phase == "floor")
{
    // What any rebuild that ends in these tables pays on this machine, with no folding at all: reading the whole feed
    // (binary COPY out of the events in position order, the bytes thrown away), writing the final rows of the two big
    // tables with their primary keys (INSERT … SELECT from the live table built by "build", in key order), and
    // building their read indexes. Run after "build"; the sum bounds the events/s a rebuild of all four can reach.
    var sw = Stopwatch.StartNew();
    long bytes = 0;
    await using (var connection = await dataSource.OpenConnectionAsync())
    await using (var copy = await connection.BeginRawBinaryCopyAsync($"COPY (SELECT * FROM {Schema}.events ORDER BY position) TO STDOUT (FORMAT BINARY)"))
    {
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await copy.ReadAsync(buffer, 0, buffer.Length)) > 0)
            bytes += read;
    }
    var feed = sw.Elapsed.TotalSeconds;
    Log($"floor: the feed read out in {feed:F1}s ({bytes / 1024 / 1024:N0} MiB)");
    var tail = 0.0;
    foreach (var (name, table) in new[] { (ProjectionNames.Roster, "roster"), (ProjectionNames.Coverage, "episodes") })
    {
        var projection = catalog.All.Single(p => p.Name == name);
        var (live, scratch) = (catalog.SchemaOf(name), catalog.SchemaOf(name) + "_floor");
        await Execute($"DROP SCHEMA IF EXISTS {scratch} CASCADE; CREATE SCHEMA {scratch}");
        await using var connection = await dataSource.OpenConnectionAsync();
        await projection.CreateAsync(connection, scratch, default);
        await Execute("CHECKPOINT");
        sw.Restart();
        await using (var cmd = new NpgsqlCommand($"INSERT INTO {scratch}.{table} SELECT * FROM {live}.{table} ORDER BY member_id", connection))
            await cmd.ExecuteNonQueryAsync();
        var write = sw.Elapsed.TotalSeconds;
        await projection.CreateReadIndexesAsync(connection, scratch, default);
        var indexes = sw.Elapsed.TotalSeconds - write;
        tail = Math.Max(tail, write + indexes);
        Log($"floor: {table,-8} rows written in {write:F1}s, read indexes {indexes:F1}s");
        await Execute($"DROP SCHEMA {scratch} CASCADE");
    }
    var events = await Scalar<long>($"SELECT count(*) FROM {Schema}.events");
    Log($"floor: feed + the longer table's write and indexes = {feed + tail:F1}s → at most {events / (feed + tail):N0} events/s for a rebuild of all four, were folding free and overlapped with the read");
}

if (phase == "decode")
{
    var page = await ReadPageAsync(20_000, 50_000);
    for (var round = 0; round < 4; round++)
    {
        var t0 = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var e in page)
            registry.Deserialize(e);
        var t1 = Process.GetCurrentProcess().TotalProcessorTime;
        foreach (var e in page)
            _ = e.Metadata;
        var t2 = Process.GetCurrentProcess().TotalProcessorTime;
        Log($"decode: {(t1 - t0).TotalMicroseconds / page.Count:F2} µs/event cpu, metadata {(t2 - t1).TotalMicroseconds / page.Count:F2} µs/event");
    }
}

if (phase is "apply" or "all")
{
    // The projections' own cost on the live path: the feed is read once up front into memory, then each projection
    // applies it batch by batch in a transaction per batch, as the runner applies live batches, into a scratch schema.
    var batch = Option("--batch", runnerBatch);
    var pages = new List<IReadOnlyList<RecordedEvent>>();
    var sw = Stopwatch.StartNew();
    long after = 0, total = 0;
    while (true)
    {
        var page = await ReadPageAsync(after, batch);
        if (page.Count == 0)
            break;
        pages.Add(page);
        total += page.Count;
        after = page[^1].Position;
    }
    Log($"read {total:N0} events in {sw.Elapsed.TotalSeconds:F1}s ({total / sw.Elapsed.TotalSeconds:N0}/s) with an index-ordered page query");
    foreach (var projection in catalog.All)
    {
        var scratch = catalog.SchemaOf(projection.Name) + "_bench";
        await Execute($"DROP SCHEMA IF EXISTS {scratch} CASCADE; CREATE SCHEMA {scratch}");
        await using (var connection = await dataSource.OpenConnectionAsync())
            await projection.CreateAsync(connection, scratch, default);
        sw.Restart();
        var before = cpu.Read();
        foreach (var page in pages)
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await projection.ApplyAsync(connection, scratch, page, default);
            await tx.CommitAsync();
        }
        var applied = sw.Elapsed.TotalSeconds;
        await using (var connection = await dataSource.OpenConnectionAsync())
            await projection.CreateReadIndexesAsync(connection, scratch, default); // as a rebuild does before its swap
        Log($"  {projection.Name,-10} applied in {applied,7:F1}s + read indexes {sw.Elapsed.TotalSeconds - applied,5:F1}s  {total / sw.Elapsed.TotalSeconds,10:N0} events/s  {Cpu(before, total)}");
        await Execute($"DROP SCHEMA {scratch} CASCADE");
    }
    using var self = Process.GetCurrentProcess();
    Log($"  peak working set of this process (feed held in memory): {self.PeakWorkingSet64 / 1024 / 1024:N0} MiB");
}

if (phase == "build")
{
    // Builds all four live schemas from one pass over the feed, as four runners rebuilding at once would, but with the
    // feed read once: each page goes to every projection's rebuild session (IProjectionSession) in that projection's own
    // transaction, committed after each chunk of the runner's default length (a minute), the sessions kept between
    // chunks. Used to build the 1-million-member set for the query phase.
    var batch = Option("--batch", runnerBatch);
    var chunk = TimeSpan.FromSeconds(Option("--chunk-seconds", (int)new ProjectionRunnerOptions().ChunkTime.TotalSeconds));
    var builders = new List<(IProjection Projection, IProjectionSession Session, NpgsqlConnection Connection)>();
    var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault();
    var building = catalog.All.Where(p => only is null || p.Name == only).ToList();
    foreach (var projection in building)
    {
        var live = catalog.SchemaOf(projection.Name);
        await Execute($"DROP SCHEMA IF EXISTS {live} CASCADE; CREATE SCHEMA {live}");
        var connection = await dataSource.OpenConnectionAsync();
        await projection.CreateAsync(connection, live, default);
        builders.Add((projection, projection.OpenSession(live, shadow: true), connection)); // new tables no one reads yet, as a rebuild's shadow
    }
    var sw = Stopwatch.StartNew();
    var before = cpu.Read();
    var busy = building.ToDictionary(p => p.Name, _ => 0.0);
    async Task EachAsync(Func<(IProjection Projection, IProjectionSession Session, NpgsqlConnection Connection), Task> work) =>
        await Task.WhenAll(builders.Select(b => Task.Run(async () =>
        {
            var t = Stopwatch.StartNew();
            await work(b);
            lock (busy)
                busy[b.Projection.Name] += t.Elapsed.TotalSeconds;
        })));
    async Task CommitAsync() => await EachAsync(async b =>
    {
        await b.Session.FlushAsync(b.Connection, default);
        await using var cmd = new NpgsqlCommand("COMMIT", b.Connection);
        await cmd.ExecuteNonQueryAsync();
    });
    async Task BeginAsync() => await EachAsync(async b =>
    {
        await using var cmd = new NpgsqlCommand("BEGIN", b.Connection);
        await cmd.ExecuteNonQueryAsync();
    });
    await BeginAsync();
    var chunkWatch = Stopwatch.StartNew();
    int chunks = 1;
    long total = 0;
    var next = store.ReadFeedAsync(0, batch);
    while (true)
    {
        var page = await next;
        if (page.Events.Count == 0)
            break;
        next = store.ReadFeedAsync(page.NextAfter, batch); // read while this page is applied, as the runner does
        await EachAsync(b => b.Session.ApplyAsync(b.Connection, page.Events, default));
        total += page.Events.Count;
        if (chunkWatch.Elapsed >= chunk)
        {
            await CommitAsync();
            await BeginAsync();
            chunkWatch.Restart();
            chunks++;
        }
        if (total / 1_000_000 != (total - page.Events.Count) / 1_000_000)
            Log($"  {total:N0} events applied ({busy.Count} projections, {total / sw.Elapsed.TotalSeconds:N0}/s)");
    }
    var folded = sw.Elapsed.TotalSeconds;
    await CommitAsync();
    var applied = sw.Elapsed.TotalSeconds;
    // As a rebuild does before its swap: the indexes only readers need, built once over the finished tables.
    await EachAsync(b => b.Projection.CreateReadIndexesAsync(b.Connection, catalog.SchemaOf(b.Projection.Name), default));
    Log($"built {string.Join(", ", busy.Keys)} from {total:N0} events in {sw.Elapsed.TotalSeconds:F0}s ({applied:F0}s applying in {chunks} chunks, the last flush {applied - folded:F1}s of it; {sw.Elapsed.TotalSeconds - applied:F0}s read indexes): {total / sw.Elapsed.TotalSeconds:N0} events/s  {Cpu(before, total * building.Count)} ({building.Count} × events)");
    foreach (var (name, seconds) in busy)
        Log($"  {name,-10} busy {seconds,7:F0}s");
    using var self = Process.GetCurrentProcess();
    Log($"  peak working set of this process: {self.PeakWorkingSet64 / 1024 / 1024:N0} MiB; GCs gen0/1/2: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, paused {GC.GetTotalPauseDuration().TotalSeconds:F1}s; allocated {GC.GetTotalAllocatedBytes() / 1024 / 1024:N0} MiB");
    foreach (var b in builders)
        await b.Connection.DisposeAsync();
    // Where four runners would have left their checkpoints, so that runners started later (the rebuild phase) go on from there.
    await Execute($"UPDATE {Schema}.projections SET position = {await store.RefreshHeadAsync()}, rebuild_position = NULL WHERE name = ANY(ARRAY['{string.Join("','", busy.Keys)}'])");
    foreach (var projection in building)
        await Execute($"VACUUM ANALYZE {string.Join(", ", await TablesAsync(catalog.SchemaOf(projection.Name)))}");
}

if (phase == "catchup")
{
    // After a bulk import the async projections' live runners are far behind: each catches up from position 0 with
    // the runner's default options (chunks through its session past CatchUpEvents), as the Host's daemon would.
    foreach (var projection in catalog.Async)
    {
        await Execute($"DROP SCHEMA IF EXISTS {catalog.SchemaOf(projection.Name)} CASCADE; UPDATE {Schema}.projections SET position = 0, rebuild_position = NULL, owner = NULL WHERE name = '{projection.Name}'");
        var options = new ProjectionRunnerOptions { Owner = "bench-catchup" };
        if (args.Contains("--batch-by-batch"))
            options = options with { CatchUpEvents = int.MaxValue }; // the live path alone, for comparison
        var runner = new ProjectionRunner(store, projection, options);
        await runner.EnsureCreatedAsync();
        await runner.TryAcquireLeaseAsync();
        var sw = Stopwatch.StartNew();
        var before = cpu.Read();
        long applied = 0;
        for (int n; (n = await runner.RunBatchAsync()) > 0;)
            applied += n;
        await runner.ReleaseLeaseAsync();
        var total = await store.RefreshHeadAsync();
        Log($"  {projection.Name,-10} caught up from 0 in {sw.Elapsed.TotalSeconds,6:F1}s: {total / sw.Elapsed.TotalSeconds,9:N0} feed events/s ({applied:N0} of its events applied)  {Cpu(before, total)}");
        await Execute($"VACUUM ANALYZE {string.Join(", ", await TablesAsync(catalog.SchemaOf(projection.Name)))}");
    }
}

if (phase is "rebuild" or "all")
{
    var batch = Option("--batch", runnerBatch);
    var total = await Scalar<long>($"SELECT count(*) FROM {Schema}.events");
    Log($"rebuilding {catalog.All.Count()} projections over {total:N0} events, batch {batch:N0}");
    var results = new List<(string Name, double Seconds)>();
    if (args.Contains("--group-only"))
    {
        var group = Stopwatch.StartNew();
        var groupBefore = cpu.Read();
        await catalog.RebuildAsync(store, [.. catalog.All.Select(p => p.Name)]);
        Log($"  all four together, the feed read once: {group.Elapsed.TotalSeconds:F1}s, {total / group.Elapsed.TotalSeconds:N0} events/s  {Cpu(groupBefore, total * 4)} (4 × events)");
    }
    foreach (var projection in args.Contains("--together-only") || args.Contains("--group-only") ? [] : catalog.All)
    {
        var before = cpu.Read();
        var seconds = await RebuildAsync(projection, batch);
        results.Add((projection.Name, seconds));
        Log($"  {projection.Name,-10} {seconds,7:F1}s  {total / seconds,10:N0} events/s  {Cpu(before, total)}");
    }
    if (results.Count > 0)
        Log($"  one after the other: {results.Sum(r => r.Seconds):F1}s");

    if (!args.Contains("--group-only"))
    {
        var all = Stopwatch.StartNew();
        var allBefore = cpu.Read();
        await Task.WhenAll(catalog.All.Select(p => Task.Run(() => RebuildAsync(p, batch))));
        Log($"  all four at once, each reading the feed: {all.Elapsed.TotalSeconds:F1}s, {total / all.Elapsed.TotalSeconds:N0} events/s per projection  {Cpu(allBefore, total * 4)} (4 × events)");
    }
    using var self = Process.GetCurrentProcess();
    Log($"  peak working set of this process: {self.PeakWorkingSet64 / 1024 / 1024:N0} MiB; GCs gen0/1/2: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, paused {GC.GetTotalPauseDuration().TotalSeconds:F1}s; allocated {GC.GetTotalAllocatedBytes() / 1024 / 1024:N0} MiB");
    // No VACUUM ANALYZE here: the runner analyses the shadow before its swap and vacuums the tables after it, and the
    // queries measure the tables as a rebuild leaves them.
}

if (phase is "query" or "all")
{
    var iterations = Option("--iterations", 300);
    var clock = new FixedClock(new DateTimeOffset(2025, 12, 31, 0, 0, 0, TimeSpan.FromHours(8)));
    // As the Host reads the projections: through QueryDataSource (no automatic preparation, no generic plans).
    await using var reads = QueryDataSource.Create(connectionString);
    var roster = new RosterQuery(reads, catalog, clock);
    var coverage = new CoverageQuery(reads, catalog, clock);
    var agreements = new AgreementQuery(reads, catalog, clock);
    var risks = new RiskQuery(reads, catalog, clock);
    var flows = new FlowMatrixQuery(reads, catalog, clock);
    var random = new Random(1);
    var members = await Scalar<long>($"SELECT count(*) FROM {catalog.SchemaOf(ProjectionNames.Roster)}.roster");
    Log($"query latency over {members:N0} members, {iterations} iterations each (ms)");
    Log($"  {"query",-58} {"p50",7} {"p99",7} {"rows",9}");

    await Measure("roster page: county subtree, status Placed, by name", () => roster.ListAsync(new RosterFilter
    {
        OrgId = DataSet.County(random.Next(DataSet.Cities), random.Next(DataSet.Counties)), Statuses = [MemberStatus.Placed],
    }), p => p.Total);
    await Measure("roster page: city subtree, status Outflowed, page 5", () => roster.ListAsync(new RosterFilter
    {
        OrgId = DataSet.City(random.Next(DataSet.Cities)), Statuses = [MemberStatus.Outflowed], Page = 5,
    }), p => p.Total);
    await Measure("roster page: province subtree, status Placed", () => roster.ListAsync(new RosterFilter
    {
        OrgId = DataSet.Province, Statuses = [MemberStatus.Placed],
    }), p => p.Total);
    await Measure("roster page: county, report overdue (risk)", () => risks.ListAsync(
        DataSet.County(random.Next(DataSet.Cities), random.Next(DataSet.Counties)), MemberRisks.ReportOverdue), p => p.Total);
    await Measure("coverage figures: province subtree, now", () => coverage.GetAsync(DataSet.Province), f => f!.All.NOut);
    await Measure("coverage figures: province subtree, closed month", () => coverage.GetAsync(DataSet.Province, $"2025-{random.Next(1, 12):D2}"), f => f!.All.NOut);
    await Measure("coverage figures: county subtree, now", () => coverage.GetAsync(
        DataSet.County(random.Next(DataSet.Cities), random.Next(DataSet.Counties))), f => f!.All.NOut);
    await Measure("agreement audit view: city ↔ city, first page", () => agreements.GetAsync(
        DataSet.Agreement(random.Next(DataSet.Cities), random.Next(DataSet.Destinations))), v => v!.Totals.Members);
    await Measure("flow matrix: city level, now", () => flows.GetAsync(level: RegionLevel.City), m => m.Total);
    await Measure("risk counts: city subtree", () => risks.CountAsync(DataSet.City(random.Next(DataSet.Cities))), c => c.ReportOverdue);

    async Task Measure<T>(string name, Func<Task<T>> query, Func<T, long> rows)
    {
        for (var i = 0; i < 20; i++)
            await query(); // warm-up: JIT, pool, plan cache
        var times = new double[iterations];
        long seen = 0;
        for (var i = 0; i < iterations; i++)
        {
            var sw = Stopwatch.StartNew();
            var result = await query();
            times[i] = sw.Elapsed.TotalMilliseconds;
            seen = rows(result);
        }
        Array.Sort(times);
        Log($"  {name,-58} {times[iterations / 2],7:F2} {times[(int)Math.Ceiling(iterations * 0.99) - 1],7:F2} {seen,9:N0}");
    }
}

async Task<double> RebuildAsync(IProjection projection, int batch)
{
    var runner = new ProjectionRunner(store, projection, new ProjectionRunnerOptions { Owner = "bench-" + projection.Name, BatchSize = batch });
    await runner.EnsureCreatedAsync();
    var sw = Stopwatch.StartNew();
    if (catalog.IsInline(projection.Name))
    {
        await runner.RebuildInlineAsync();
    }
    else
    {
        await runner.TryAcquireLeaseAsync();
        await runner.RebuildAsync();
        await runner.ReleaseLeaseAsync();
    }
    return sw.Elapsed.TotalSeconds;
}

async Task<IReadOnlyList<RecordedEvent>> ReadPageAsync(long after, int limit)
{
    const string columns = "position, stream_id, version, type, schema_version, data::text, metadata::text, business_time, recorded_time, hash";
    await using var cmd = dataSource.CreateCommand($"""
        (SELECT {columns} FROM {Schema}.events WHERE position > $1 ORDER BY position LIMIT $2)
        UNION ALL
        (SELECT {columns} FROM {Schema}.events_archive WHERE position > $1 ORDER BY position LIMIT $2)
        ORDER BY 1 LIMIT $2
        """);
    cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
    var events = new List<RecordedEvent>(limit);
    await using var reader = await cmd.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        events.Add(new RecordedEvent(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt32(4),
            reader.GetString(5), reader.GetString(6), new DateTimeOffset(reader.GetFieldValue<DateTime>(7), TimeSpan.Zero),
            new DateTimeOffset(reader.GetFieldValue<DateTime>(8), TimeSpan.Zero), reader.GetFieldValue<byte[]>(9)));
    }
    return events;
}

async Task Execute(string sql)
{
    await using var cmd = dataSource.CreateCommand(sql);
    await cmd.ExecuteNonQueryAsync();
}

async Task<T> Scalar<T>(string sql)
{
    await using var cmd = dataSource.CreateCommand(sql);
    return (T)(await cmd.ExecuteScalarAsync())!;
}

async Task<List<string>> TablesAsync(string schema)
{
    var tables = new List<string>();
    await using var cmd = dataSource.CreateCommand($"SELECT '{schema}.' || table_name FROM information_schema.tables WHERE table_schema = '{schema}'");
    await using var reader = await cmd.ExecuteReaderAsync();
    while (await reader.ReadAsync())
        tables.Add(reader.GetString(0));
    return tables;
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
}
