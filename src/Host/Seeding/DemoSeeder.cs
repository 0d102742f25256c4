using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using CoManagement.Application;
using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using CoManagement.Projections;

namespace CoManagement.Host.Seeding;

/// <summary>How members are written: through the command handler, or decided in memory and bulk-imported.</summary>
public enum SeedPath
{
    Auto,
    Commands,
    Bulk,
}

public sealed record SeedOptions
{
    /// <summary>tiny (tests, command path), bulk-tiny, small, demo (the articles' scale), 1m, or a count such as 250k.</summary>
    public string Size { get; init; } = "demo";

    /// <summary>The end of the data: every business time lies before it, and it is every command's <c>Now</c>.
    /// Defaults to today's midnight (UTC), so two runs on the same day write the same data.</summary>
    public DateTimeOffset? Anchor { get; init; }

    /// <summary><see cref="SeedPath.Auto"/>: the command path for tiny, the bulk path for everything else.</summary>
    public SeedPath Path { get; init; } = SeedPath.Auto;

    /// <summary>Defaults to <c>COMANAGEMENT_SEEDS</c> or the repository's <c>seeds/</c> folder.</summary>
    public string? SeedsDirectory { get; init; }

    /// <summary>Members decided together on the bulk path (their stored versions read in one call).</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>Events per bulk import call (a transaction each).</summary>
    public int ImportEvents { get; init; } = 4000;
}

/// <summary>
/// What a seeding run did. <see cref="MembersSkipped"/> were already in the store (a repeated run skips them).
/// <see cref="Stages"/>: time spent on reference data, members, and rebuilding the inline projections after a bulk import.
/// </summary>
public sealed record SeedSummary(
    string Size, SeedPath Path, DateTimeOffset Anchor, int Organisations, int Agreements, int Members, int MembersSkipped,
    long Events, int Rejected, IReadOnlyList<string> Rejections, TimeSpan Elapsed, IReadOnlyList<(string Stage, TimeSpan Took)> Stages)
{
    public bool AlreadySeeded => Members == 0 && MembersSkipped > 0;
}

/// <summary>
/// Loads the demo data set: the organisations, targets and agreements of <c>seeds/</c> through the real command handler,
/// then members from a seeded generator (the same data for the same size and anchor). Small sizes send every member
/// command through the handler too; larger ones decide each member's commands in memory with the member decider —
/// so the events are exactly what the handler would have appended, metadata included — and bulk-import them.
/// Either way the member events reach the store in business-time order across members, as a live system records them:
/// the coverage projection closes a month at the first member event dated after it, so a seed written member by member
/// would close every past month with one member's history in it.
/// Seeding again skips what is there: reference commands carry name-based ids (the store answers a repeat), and
/// complete members are not written again.
/// </summary>
public static class DemoSeeder
{
    private static readonly TimeSpan ChinaTime = TimeSpan.FromHours(8);

    /// <summary>Bulk import calls running at once, each on its own connection, within one month of events.</summary>
    private const int ImportConnections = 4;

    /// <summary>Departments and committees whose founding date does not matter to the data.</summary>
    private static readonly DateOnly LongStanding = new(2000, 1, 1);

    public static Task<SeedSummary> SeedAsync(IServiceProvider services, string size, IProgress<(long Done, long Total)> progress, CancellationToken ct) =>
        SeedAsync(services, new SeedOptions { Size = size }, progress, ct);

    public static async Task<SeedSummary> SeedAsync(IServiceProvider services, SeedOptions options, IProgress<(long Done, long Total)>? progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var store = services.GetRequiredService<PostgresEventStore>();
        var handler = services.GetRequiredService<CommandHandler>();
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var anchor = options.Anchor ?? new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var data = SeedData.Load(options.SeedsDirectory ?? SeedData.Locate());
        var (counts, path) = Plan(options.Size, data.Flows);
        if (options.Path != SeedPath.Auto)
            path = options.Path;

        // The inline projections' tables must exist before the first append: their listeners write in its transaction.
        await store.MigrateAsync(ct).ConfigureAwait(false);
        var catalog = services.GetService<ProjectionCatalog>();
        if (catalog is not null)
            await catalog.EnsureCreatedAsync(store, ct).ConfigureAwait(false);
        var rebuild = path == SeedPath.Bulk && catalog is not null;
        var run = new Run(progress, ReferenceCommands(data, anchor).ToList(), counts.Sum(), importUnits: path == SeedPath.Bulk ? counts.Sum() : 0,
            rebuildUnits: rebuild ? counts.Sum() : 0);
        var stages = new List<(string, TimeSpan)>();
        async Task Timed(string stage, Func<Task> work)
        {
            var watch = Stopwatch.StartNew();
            await work().ConfigureAwait(false);
            stages.Add((stage, watch.Elapsed));
        }

        await Timed("reference data", () => ReferenceAsync(handler, data, run, ct)).ConfigureAwait(false);
        var generator = new MemberGenerator(data, anchor);
        var members = data.Flows.Zip(counts).SelectMany(fc => Enumerable.Range(0, fc.Second).Select(i => (Flow: fc.First, Index: i))).ToList();
        var deciding = new Deciding(
            new OrgDirectory(data.Organisations.Select(o => new OrgFacts(o.Id, o.Kind, o.Side, RegionCode.Parse(o.Region), IsOpen: true, Ancestors(data, o)))),
            services.GetRequiredService<DomainSettings>(), services.GetRequiredService<EventTypeRegistry>());
        if (path == SeedPath.Commands)
            await Timed("members (command handler)", () => ThroughCommandsAsync(store, handler, generator, members, deciding, run, ct)).ConfigureAwait(false);
        else
            await Timed("members (bulk import)", () => BulkAsync(store, generator, members, deciding, options, run,
                rebuild ? () => StartInlineRebuildsAsync(store, catalog!, ct) : null, ct)).ConfigureAwait(false);
        // Started before the first import call, so a run stopped anywhere after it leaves the rebuild unfinished, which
        // the next run (EnsureCreatedAsync above) or the Host's start-up finishes.
        if (rebuild && await InlineRebuildUnfinishedAsync(store, catalog!, ct).ConfigureAwait(false))
            await Timed("inline projections rebuilt", () => RebuildInlineAsync(store, catalog!, run, ct)).ConfigureAwait(false);

        return new SeedSummary(options.Size, path, anchor, data.Organisations.Count, data.Agreements.Count, run.Members, run.Skipped,
            run.Events, run.Rejections.Count, [.. run.Rejections.Take(20)], clock.Elapsed, stages);
    }

    /// <summary>How many members a size stands for, without touching a database.</summary>
    public static long CountMembers(string size, string? seedsDirectory = null) =>
        Plan(size, SeedData.Load(seedsDirectory ?? SeedData.Locate()).Flows).Counts.Sum(c => (long)c);

    /// <summary>Member counts per flow (in the order of flows.json) and the default path for a size.</summary>
    private static (int[] Counts, SeedPath Path) Plan(string size, IReadOnlyList<FlowSpec> flows)
    {
        int[] Each(Func<int, int> count) => [.. flows.Select(f => count(f.Demo))];
        return size.Trim().ToLowerInvariant() switch
        {
            "tiny" => (Each(d => (d + 199) / 200), SeedPath.Commands),
            "bulk-tiny" => (Each(d => (d + 49) / 50), SeedPath.Bulk),
            "small" => (Each(d => (d + 9) / 10), SeedPath.Bulk),
            "demo" => (Each(d => d), SeedPath.Bulk),
            var s when ParseCount(s) is { } total => (Scale(flows, total), SeedPath.Bulk),
            _ => throw new ArgumentException($"unknown seed size '{size}': tiny, bulk-tiny, small, demo, 1m, or a count such as 250k (at most 10m)"),
        };
    }

    private const long MaxMembers = 10_000_000;

    private static long? ParseCount(string s)
    {
        var (digits, factor) = s[^1] switch { 'k' => (s[..^1], 1_000L), 'm' => (s[..^1], 1_000_000L), _ => (s, 1L) };
        // At most MaxMembers: more than the country's mobile members (about 5 million), and no product that overflows.
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n <= MaxMembers / factor
            ? n * factor : null;
    }

    /// <summary>The demo's proportions at another total: floors, then the remainder to the largest fractions.</summary>
    private static int[] Scale(IReadOnlyList<FlowSpec> flows, long total)
    {
        var demo = flows.Sum(f => (long)f.Demo);
        var exact = flows.Select(f => (double)f.Demo * total / demo).ToArray();
        var counts = exact.Select(x => (int)Math.Floor(x)).ToArray();
        var order = exact.Select((x, i) => (Fraction: x - Math.Floor(x), Index: i)).OrderByDescending(x => x.Fraction).ThenBy(x => x.Index).ToList();
        var remainder = total - counts.Sum(c => (long)c);
        for (var k = 0; k < remainder; k++)
            counts[order[k % order.Count].Index]++;
        return counts;
    }

    /// <summary>Organisations of one level of the tree only need their parents: each level is created in parallel.</summary>
    private static async Task ReferenceAsync(CommandHandler handler, SeedData data, Run run, CancellationToken ct)
    {
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var o in data.Organisations)
            depth[o.Id] = o.Parent is { } parent ? depth[parent] + 1 : 0;
        foreach (var level in run.Reference.OfType<CreateOrganization>().GroupBy(c => depth[c.OrganizationId]).OrderBy(g => g.Key))
        {
            await Parallel.ForEachAsync(level, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
                async (command, token) => run.Record(await handler.HandleAsync(command, null, token).ConfigureAwait(false), command)).ConfigureAwait(false);
        }
        foreach (var command in run.Reference.Where(c => c is not CreateOrganization))
            run.Record(await handler.HandleAsync(command, null, ct).ConfigureAwait(false), command);
    }

    private static List<ICommand> ReferenceCommands(SeedData data, DateTimeOffset anchor)
    {
        var latest = anchor.AddDays(-1);
        DateTimeOffset Past(DateTimeOffset t) => t < latest ? t : latest;
        Actor Staff(string org) => new($"{org}.staff", org, data.ById[org].Side);

        var commands = new List<ICommand>();
        foreach (var o in data.Organisations)
        {
            var established = Past(new DateTimeOffset((o.Established ?? LongStanding).ToDateTime(new TimeOnly(9, 0)), ChinaTime));
            commands.Add(new CreateOrganization(SeedRandom.Id($"org/{o.Id}"), Staff(o.Parent ?? o.Id), anchor,
                o.Id, o.Name, o.Parent, o.Kind, o.Side, o.Region, established));
        }
        foreach (var t in data.Targets)
        {
            // The articles' targets are for the year end: this year's.
            var year = anchor.Year;
            commands.Add(new SetTarget(SeedRandom.Id($"target/{t.OrganizationId}/{t.Metric}/{year}"), Staff(t.OrganizationId), anchor,
                t.OrganizationId, t.Metric, year, t.Value, Past(new DateTimeOffset(year, 1, 15, 9, 0, 0, ChinaTime))));
        }
        foreach (var a in data.Agreements)
        {
            commands.Add(new SignAgreement(SeedRandom.Id($"agreement/{a.Id}"), Staff(a.Outflow), anchor, a.Id, a.Title,
                a.Outflow, a.Inflow, a.ExtraParties, a.Commitments, a.InformationSharingDays, Past(a.SignedAt)));
            if (a.Consultations is { } c)
                commands.AddRange(Consultations(a, c, latest, anchor, Staff).OrderBy(x => x.At).Select(x => x.Command));
        }
        return commands;
    }

    /// <summary>会商 every few months since the signing, two action items each, most of them completed.</summary>
    private static IEnumerable<(DateTimeOffset At, ICommand Command)> Consultations(
        AgreementSpec a, ConsultationSpec c, DateTimeOffset latest, DateTimeOffset now, Func<string, Actor> staff)
    {
        for (var k = 1; a.SignedAt.AddMonths(c.EveryMonths * k) is var heldAt && heldAt < latest; k++)
        {
            var rng = SeedRandom.For("consultation", a.Id, k.ToString(CultureInfo.InvariantCulture));
            var id = $"{a.Id}-{heldAt:yyyy-MM}";
            var items = Enumerable.Range(0, 2).Select(i => c.ActionItems[(2 * k + i) % c.ActionItems.Count])
                .Select((spec, i) => (Spec: spec, Item: new ActionItem($"{id}-{i + 1}", spec.Text, spec.Owner, heldAt.AddDays(spec.DueDays)))).ToList();
            var host = k % 2 == 1 ? a.Inflow : a.Outflow;
            yield return (heldAt, new HoldConsultation(SeedRandom.Id($"consultation/{id}"), staff(host), now, a.Id, id,
                c.Topics[(k - 1) % c.Topics.Count], [.. items.Select(x => x.Item)], heldAt));
            foreach (var (spec, item) in items)
            {
                var completedAt = heldAt.AddDays(rng.Between(3, spec.DueDays + 10));
                if (rng.Chance(0.75) && completedAt < latest)
                {
                    yield return (completedAt, new CompleteActionItem(SeedRandom.Id($"action-item/{item.ItemId}"),
                        staff(spec.Owner == Side.Outflow ? a.Outflow : a.Inflow), now, a.Id, item.ItemId, completedAt));
                }
            }
        }
    }

    /// <summary>
    /// Every member's commands through the handler, in business-time order across members: day by day (China time) of
    /// the events the decider gives each command, the members of a day side by side, each member's commands in order.
    /// A member whose last command the store knows is complete and skipped; a member an interrupted run left half-way
    /// is sent all its commands again, and the store answers the ones it has already taken.
    /// </summary>
    private static async Task ThroughCommandsAsync(PostgresEventStore store, CommandHandler handler, MemberGenerator generator,
        IReadOnlyList<(FlowSpec Flow, int Index)> members, Deciding deciding, Run run, CancellationToken ct)
    {
        var steps = new List<(int Member, long Key, IMemberCommand Command, bool Last)>();
        for (var m = 0; m < members.Count; m++)
        {
            var commands = generator.Generate(members[m].Flow, members[m].Index);
            if (await store.FindCommandAsync(commands[^1].CommandId, ct).ConfigureAwait(false) is not null)
            {
                run.MemberDone(skipped: true);
                continue;
            }
            var firstEventAt = new long[commands.Count];
            foreach (var (command, e) in deciding.Decide(commands, reject: null))
                firstEventAt[command] = firstEventAt[command] == 0 ? e.BusinessTime.UtcTicks : firstEventAt[command];
            var key = 0L;
            for (var c = 0; c < commands.Count; c++)
            {
                key = Math.Max(key, firstEventAt[c]); // a command the decider refuses keeps the time of the one before
                steps.Add((m, key, commands[c], c == commands.Count - 1));
            }
        }
        foreach (var day in steps.GroupBy(s => new DateTimeOffset(s.Key, TimeSpan.Zero).ToOffset(ChinaTime).Date).OrderBy(d => d.Key))
        {
            await Parallel.ForEachAsync(day.GroupBy(s => s.Member), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (member, token) =>
            {
                foreach (var step in member)
                {
                    run.Record(await handler.HandleAsync(step.Command, null, token).ConfigureAwait(false), step.Command);
                    if (step.Last)
                        run.MemberDone(skipped: false);
                }
            }).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Members are decided in memory on every core, a batch at a time, and their events spilled to disk by month
    /// (<see cref="MonthSpill"/>); then the months are imported in order, each sorted by business time, in calls of
    /// <see cref="SeedOptions.ImportEvents"/> events (a transaction each). So the feed carries the member events in the
    /// order a live system would have recorded them, and the coverage projection, which closes a month at the first
    /// member event dated after it, closes each month after everything dated in it. A member already in the store is
    /// skipped; one that an interrupted run left part-written gets the rest of its events, if its last stored event is
    /// the one this run generates at that version (same size and anchor).
    /// </summary>
    private static async Task BulkAsync(PostgresEventStore store, MemberGenerator generator, IReadOnlyList<(FlowSpec Flow, int Index)> members,
        Deciding deciding, SeedOptions options, Run run, Func<Task>? beforeImport, CancellationToken ct)
    {
        var streams = members.Select(m => Streams.Member(MemberGenerator.MemberId(m.Flow, m.Index))).ToArray();
        var ends = new long[members.Count];
        using var spill = new MonthSpill();
        var batches = Enumerable.Range(0, (members.Count + options.BatchSize - 1) / options.BatchSize);
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct }, async (b, token) =>
        {
            var from = b * options.BatchSize;
            var stored = await store.GetStreamVersionsAsync(new ArraySegment<string>(streams, from, Math.Min(options.BatchSize, members.Count - from)), token)
                .ConfigureAwait(false);
            var spilled = new List<SpilledEvent>();
            for (var i = 0; i < stored.Length; i++)
            {
                var (slot, done) = (from + i, stored[i]);
                var events = deciding.Decide(generator.Generate(members[slot].Flow, members[slot].Index), run.Reject);
                if (done >= events.Count || (done > 0 && !await ContinuesAsync(store, streams[slot], done, events[(int)done - 1].Event, token).ConfigureAwait(false)))
                {
                    if (done < events.Count)
                        run.Reject($"{streams[slot]}: {done} events in the store that this seed did not generate; left as it is");
                    run.MemberDecided(skipped: true);
                    continue;
                }
                run.MemberDecided(skipped: false);
                ends[slot] = events.Count;
                var key = 0L;
                for (var v = 0; v < events.Count; v++)
                {
                    key = Math.Max(key, events[v].Event.BusinessTime.UtcTicks);
                    if (v >= done)
                        spilled.Add(new(slot, v + 1, key, events[v].Event));
                }
            }
            spill.Add(spilled);
        }).ConfigureAwait(false);

        // Within a month the members are split over ImportConnections connections: each part's calls keep their order,
        // and no member is in two parts, so no call waits for another's streams. (The seed of 100,000 members on 2 cores:
        // 59 s with one connection, 37–40 s with two or four; 34 s when it was imported member by member.)
        if (spill.Count > 0 && beforeImport is not null)
            await beforeImport().ConfigureAwait(false);
        foreach (var month in spill.ByMonth())
        {
            await Parallel.ForEachAsync(month.GroupBy(e => e.Member % ImportConnections),
                new ParallelOptions { MaxDegreeOfParallelism = ImportConnections, CancellationToken = ct }, async (part, token) =>
            {
                foreach (var chunk in part.Chunk(options.ImportEvents))
                {
                    var writes = new List<StreamWrite>();
                    var completed = 0;
                    foreach (var member in chunk.GroupBy(e => e.Member))
                    {
                        writes.Add(new StreamWrite(streams[member.Key], ExpectedVersion.Exactly(member.First().Version - 1), [.. member.Select(e => e.Event)]));
                        completed += member.Last().Version == ends[member.Key] ? 1 : 0;
                    }
                    run.Imported(await store.BulkImportAsync(writes, token).ConfigureAwait(false), completed, spill.Count);
                }
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Whether the stream's last event, at <paramref name="version"/>, is <paramref name="expected"/> (its type and business time), so the rest can follow it.</summary>
    private static async Task<bool> ContinuesAsync(PostgresEventStore store, string stream, long version, EventData expected, CancellationToken ct)
    {
        var last = (await store.ReadStreamAsync(stream, afterVersion: version - 1, ct: ct).ConfigureAwait(false))[^1];
        return last.Type == expected.Type && last.BusinessTime == expected.BusinessTime;
    }

    private static List<IProjection> ImportedInline(ProjectionCatalog catalog) =>
        [.. catalog.Inline.Where(p => p.Name != ProjectionNames.Orgs)];

    /// <summary>
    /// Marks the inline projections the import leaves behind as being rebuilt (an empty shadow at position 0) before
    /// the import writes anything: the mark is what tells a later run, or the Host's start-up, that their live tables
    /// lack members, should this run stop before it rebuilds them.
    /// </summary>
    private static async Task StartInlineRebuildsAsync(PostgresEventStore store, ProjectionCatalog catalog, CancellationToken ct)
    {
        foreach (var projection in ImportedInline(catalog))
        {
            var runner = catalog.RunnerFor(store, projection.Name);
            await ProjectionCatalog.WaitForLeaseAsync(runner, TimeSpan.FromMinutes(1), ct).ConfigureAwait(false);
            if ((await runner.GetStatusAsync(ct).ConfigureAwait(false)).RebuildPosition is null)
                await runner.StartRebuildAsync(ct).ConfigureAwait(false);
            await runner.ReleaseLeaseAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task<bool> InlineRebuildUnfinishedAsync(PostgresEventStore store, ProjectionCatalog catalog, CancellationToken ct)
    {
        foreach (var projection in ImportedInline(catalog))
        {
            if ((await catalog.RunnerFor(store, projection.Name).GetStatusAsync(ct).ConfigureAwait(false)).RebuildPosition is not null)
                return true;
        }
        return false;
    }

    /// <summary>
    /// A bulk import runs no append listeners, so the inline projections that read member streams (the roster) have not
    /// seen the members: rebuild them from the feed, as the engine intends for imports. Organisations went through the
    /// handler, so their projection is current (and rebuilding it would re-read every member event for nothing); the
    /// async projections catch up by themselves.
    /// </summary>
    private static async Task RebuildInlineAsync(PostgresEventStore store, ProjectionCatalog catalog, Run run, CancellationToken ct)
    {
        var stale = ImportedInline(catalog);
        foreach (var (projection, i) in stale.Select((p, i) => (p, i)))
        {
            var runner = catalog.RunnerFor(store, projection.Name);
            await runner.RebuildInlineAsync(new Relay(p => run.Rebuilt(i, stale.Count, p.Position, p.Head)), ct).ConfigureAwait(false);
            await runner.ReleaseLeaseAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Reports on the caller's thread (a <see cref="Progress{T}"/> would post, and could arrive out of order).</summary>
    private sealed class Relay(Action<(long Position, long Head)> report) : IProgress<(long Position, long Head)>
    {
        public void Report((long Position, long Head) value) => report(value);
    }

    /// <summary>The member decider with what it needs, as the command handler would call it.</summary>
    /// <summary>From the root down to the parent, as the handler's <c>OrgFactsReader</c> gives them.</summary>
    private static IReadOnlyList<string> Ancestors(SeedData data, OrgSpec org)
    {
        var ancestors = new List<string>();
        for (var parent = org.Parent; parent is not null; parent = data.ById[parent].Parent)
            ancestors.Insert(0, parent);
        return ancestors;
    }

    private sealed class Deciding(OrgDirectory directory, DomainSettings settings, EventTypeRegistry registry)
    {
        /// <summary>
        /// What the command handler would append for these commands on an empty stream, with the same metadata, each
        /// event with the index of the command that gave it. <paramref name="reject"/> hears of a command refused.
        /// </summary>
        public List<(int Command, EventData Event)> Decide(IReadOnlyList<IMemberCommand> commands, Action<string>? reject)
        {
            var state = Member.Initial;
            var events = new List<(int, EventData)>(commands.Count);
            for (var c = 0; c < commands.Count; c++)
            {
                var command = commands[c];
                var decision = Member.Decide(command, state, directory, settings);
                if (decision.Rejection is { } rejection)
                {
                    reject?.Invoke($"{Streams.Member(command.MemberId)} {command.GetType().Name}: {rejection.Code} {rejection.Message}");
                    continue;
                }
                var metadata = new EventMetadata(command.CommandId, null, command.Actor.UserId, command.Actor.OrganizationId,
                    command.Actor.Side.ToString(), command.CommandId);
                foreach (var e in decision.Events)
                {
                    state = Member.Evolve(state, (IMemberEvent)e);
                    events.Add((c, registry.ToEventData(e, e.OccurredAt, metadata)));
                }
            }
            return events;
        }
    }

    /// <summary>
    /// Counters shared by the workers, and the progress they report: a unit per reference command and per member (written
    /// through the handler, or decided for a bulk import), then <paramref name="importUnits"/> shared out over the events a
    /// bulk import writes, and <paramref name="rebuildUnits"/> for the inline projections' rebuild after it.
    /// </summary>
    private sealed class Run(IProgress<(long Done, long Total)>? progress, List<ICommand> reference, int members, int importUnits, int rebuildUnits)
    {
        private readonly ConcurrentQueue<string> _rejections = new();
        private readonly Lock _progress = new();
        private long _done, _events, _imported;
        private int _members, _skipped;

        public List<ICommand> Reference => reference;

        public long Total => reference.Count + members + importUnits + rebuildUnits;

        public int Members => _members;

        public int Skipped => _skipped;

        public long Events => Interlocked.Read(ref _events);

        public IReadOnlyCollection<string> Rejections => _rejections;

        public void Record(CommandResult result, ICommand command)
        {
            if (!result.Accepted)
                Reject($"{result.StreamId} {command.GetType().Name}: {result.ReasonCode} {result.Message}");
            else if (!result.Duplicate)
                Interlocked.Add(ref _events, result.EventTypes.Count);
            if (command is not IMemberCommand)
                Advance(1);
        }

        public void Reject(string what) => _rejections.Enqueue(what);

        public void MemberDone(bool skipped)
        {
            if (skipped)
                Interlocked.Increment(ref _skipped);
            else
                Interlocked.Increment(ref _members);
            Advance(1);
        }

        /// <summary>A member decided for the bulk import, or skipped as already in the store.</summary>
        public void MemberDecided(bool skipped)
        {
            if (skipped)
                Interlocked.Increment(ref _skipped);
            Advance(1);
        }

        /// <summary>An import call wrote <paramref name="events"/> of the <paramref name="spilled"/>, completing <paramref name="completedMembers"/>.</summary>
        public void Imported(long events, int completedMembers, long spilled)
        {
            Interlocked.Add(ref _members, completedMembers);
            Interlocked.Add(ref _events, events);
            var imported = Interlocked.Add(ref _imported, events);
            ReportAtLeast(reference.Count + members + (long)((double)importUnits * imported / Math.Max(1, spilled)));
        }

        /// <summary>Projection <paramref name="index"/> of <paramref name="count"/> is at <paramref name="position"/> of <paramref name="head"/>.</summary>
        public void Rebuilt(int index, int count, long position, long head)
        {
            var fraction = (index + (head == 0 ? 1.0 : Math.Min(1.0, (double)position / head))) / count;
            ReportAtLeast(reference.Count + members + importUnits + (long)(fraction * rebuildUnits));
        }

        private void Advance(long count)
        {
            lock (_progress)
            {
                _done += count;
                progress?.Report((_done, Total));
            }
        }

        /// <summary>Under the same lock as <see cref="Advance"/>, so parallel workers' reports reach the listener in increasing order.</summary>
        private void ReportAtLeast(long done)
        {
            lock (_progress)
            {
                if (done <= _done)
                    return;
                _done = done;
                progress?.Report((done, Total));
            }
        }
    }
}
