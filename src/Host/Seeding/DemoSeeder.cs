using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using CoManagement.Application;
using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using CoManagement.EventStore;
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

    /// <summary>Members per bulk import transaction.</summary>
    public int BatchSize { get; init; } = 1000;
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
/// Seeding again skips what is there: reference commands carry name-based ids (the store answers a repeat), and
/// members whose streams exist are not generated again.
/// </summary>
public static class DemoSeeder
{
    private static readonly TimeSpan ChinaTime = TimeSpan.FromHours(8);

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
        var run = new Run(progress, ReferenceCommands(data, anchor).ToList(), counts.Sum(), rebuild ? counts.Sum() : 0);
        var stages = new List<(string, TimeSpan)>();
        async Task Timed(string stage, Func<Task> work)
        {
            var watch = Stopwatch.StartNew();
            await work().ConfigureAwait(false);
            stages.Add((stage, watch.Elapsed));
        }

        await Timed("reference data", () => ReferenceAsync(handler, data, run, ct)).ConfigureAwait(false);
        var generator = new MemberGenerator(data, anchor);
        if (path == SeedPath.Commands)
        {
            var members = data.Flows.Zip(counts).SelectMany(fc => Enumerable.Range(0, fc.Second).Select(i => (Flow: fc.First, Index: i)));
            await Timed("members (command handler)", () => ThroughCommandsAsync(store, handler, generator, members, run, ct)).ConfigureAwait(false);
        }
        else
        {
            await Timed("members (bulk import)", () => BulkAsync(services, store, data, generator, counts, options.BatchSize, run, ct)).ConfigureAwait(false);
        }
        if (rebuild && run.Members > 0)
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
            _ => throw new ArgumentException($"unknown seed size '{size}': tiny, bulk-tiny, small, demo, 1m, or a count such as 250k"),
        };
    }

    private static long? ParseCount(string s)
    {
        var (digits, factor) = s[^1] switch { 'k' => (s[..^1], 1_000L), 'm' => (s[..^1], 1_000_000L), _ => (s, 1L) };
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n * factor : null;
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

    private static async Task ThroughCommandsAsync(PostgresEventStore store, CommandHandler handler, MemberGenerator generator,
        IEnumerable<(FlowSpec Flow, int Index)> members, Run run, CancellationToken ct)
    {
        await Parallel.ForEachAsync(members, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (m, token) =>
        {
            var commands = generator.Generate(m.Flow, m.Index);
            // Commands of one member run in order, so its last one being stored means the member is complete.
            if (await store.FindCommandAsync(commands[^1].CommandId, token).ConfigureAwait(false) is not null)
            {
                run.MemberDone(skipped: true);
                return;
            }
            foreach (var command in commands)
                run.Record(await handler.HandleAsync(command, null, token).ConfigureAwait(false), command);
            run.MemberDone(skipped: false);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// Generation and decision run on every core while one connection imports: batches go through a small bounded
    /// channel, so memory stays flat at any size. A batch is one transaction, so it is either wholly in the store or not.
    /// </summary>
    private static async Task BulkAsync(IServiceProvider services, PostgresEventStore store, SeedData data, MemberGenerator generator,
        int[] counts, int batchSize, Run run, CancellationToken ct)
    {
        var registry = services.GetRequiredService<EventTypeRegistry>();
        var settings = services.GetRequiredService<DomainSettings>();
        var directory = new OrgDirectory(data.Organisations.Select(o => new OrgFacts(o.Id, o.Kind, o.Side, RegionCode.Parse(o.Region), IsOpen: true)));
        var batches = data.Flows.Zip(counts).SelectMany(fc => Enumerable.Range(0, (fc.Second + batchSize - 1) / batchSize)
            .Select(b => (Flow: fc.First, From: b * batchSize, Count: Math.Min(batchSize, fc.Second - (b * batchSize))))).ToList();
        var channel = Channel.CreateBounded<(List<StreamWrite> Writes, int Members)>(Math.Max(2, Environment.ProcessorCount));
        // A failed import must also stop the producers, which may be waiting for room in the channel.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var produce = Task.Run(async () =>
        {
            try
            {
                await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = stop.Token }, async (b, token) =>
                {
                    var ids = Enumerable.Range(b.From, b.Count).Select(i => Streams.Member(MemberGenerator.MemberId(b.Flow, i))).ToList();
                    var first = await store.StreamExistsAsync(ids[0], token).ConfigureAwait(false);
                    var last = await store.StreamExistsAsync(ids[^1], token).ConfigureAwait(false);
                    if (first && last)
                    {
                        // Earlier runs wrote members in whole batches from index 0 up, so both ends present means all are.
                        run.MembersSkipped(b.Count);
                        return;
                    }
                    var writes = new List<StreamWrite>(b.Count);
                    for (var i = 0; i < b.Count; i++)
                    {
                        // Only a run of another size can leave part of this range written: check each member then.
                        if (first != last && await store.StreamExistsAsync(ids[i], token).ConfigureAwait(false))
                        {
                            run.MembersSkipped(1);
                            continue;
                        }
                        var events = Decide(generator.Generate(b.Flow, b.From + i), directory, settings, registry, run);
                        writes.Add(new StreamWrite(ids[i], ExpectedVersion.NoStream, events));
                    }
                    await channel.Writer.WriteAsync((writes, writes.Count), token).ConfigureAwait(false);
                }).ConfigureAwait(false);
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                channel.Writer.Complete(e);
            }
        }, ct);

        try
        {
            await foreach (var (writes, members) in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (writes.Count > 0)
                    run.EventsWritten(await store.BulkImportAsync(writes, ct).ConfigureAwait(false));
                run.MembersWritten(members);
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        await produce.ConfigureAwait(false);
    }

    /// <summary>
    /// A bulk import runs no append listeners, so the inline projections that read member streams (the roster) have not
    /// seen the members: rebuild them from the feed, as the engine intends for imports. Organisations went through the
    /// handler, so their projection is current (and rebuilding it would re-read every member event for nothing); the
    /// async projections catch up by themselves.
    /// </summary>
    private static async Task RebuildInlineAsync(PostgresEventStore store, ProjectionCatalog catalog, Run run, CancellationToken ct)
    {
        var stale = catalog.Inline.Where(p => p.Name != ProjectionNames.Orgs).ToList();
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

    /// <summary>What the command handler would append for these commands on an empty stream, with the same metadata.</summary>
    private static List<EventData> Decide(IReadOnlyList<IMemberCommand> commands, OrgDirectory directory, DomainSettings settings,
        EventTypeRegistry registry, Run run)
    {
        var state = Member.Initial;
        var events = new List<EventData>(commands.Count);
        foreach (var command in commands)
        {
            var decision = Member.Decide(command, state, directory, settings);
            if (decision.Rejection is { } rejection)
            {
                run.Reject($"{Streams.Member(command.MemberId)} {command.GetType().Name}: {rejection.Code} {rejection.Message}");
                continue;
            }
            var metadata = new EventMetadata(command.CommandId, null, command.Actor.UserId, command.Actor.OrganizationId,
                command.Actor.Side.ToString(), command.CommandId);
            foreach (var e in decision.Events)
            {
                state = Member.Evolve(state, (IMemberEvent)e);
                events.Add(registry.ToEventData(e, e.OccurredAt, metadata));
            }
        }
        return events;
    }

    /// <summary>
    /// Counters shared by the workers, and the progress they report: a unit per reference command, per member, and
    /// after a bulk import <paramref name="rebuildUnits"/> more for the inline projections' rebuild.
    /// </summary>
    private sealed class Run(IProgress<(long Done, long Total)>? progress, List<ICommand> reference, int members, int rebuildUnits)
    {
        private readonly ConcurrentQueue<string> _rejections = new();
        private long _done, _events;
        private int _members, _skipped;

        public List<ICommand> Reference => reference;

        public long Total => reference.Count + members + rebuildUnits;

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

        public void EventsWritten(long count) => Interlocked.Add(ref _events, count);

        public void MemberDone(bool skipped)
        {
            if (skipped)
                Interlocked.Increment(ref _skipped);
            else
                Interlocked.Increment(ref _members);
            Advance(1);
        }

        public void MembersWritten(int count)
        {
            Interlocked.Add(ref _members, count);
            Advance(count);
        }

        public void MembersSkipped(int count)
        {
            Interlocked.Add(ref _skipped, count);
            Advance(count);
        }

        /// <summary>Projection <paramref name="index"/> of <paramref name="count"/> is at <paramref name="position"/> of <paramref name="head"/>.</summary>
        public void Rebuilt(int index, int count, long position, long head)
        {
            var fraction = (index + (head == 0 ? 1.0 : Math.Min(1.0, (double)position / head))) / count;
            progress?.Report((reference.Count + members + (long)(fraction * rebuildUnits), Total));
        }

        private void Advance(long count) => progress?.Report((Interlocked.Add(ref _done, count), Total));
    }
}
