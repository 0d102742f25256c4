using System.Security.Cryptography;
using System.Text;
using CoManagement.Application;
using CoManagement.Domain.Agreements;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using CoManagement.EventStore;
using CoManagement.Host;
using CoManagement.Host.Seeding;
using CoManagement.Projections;
using CoManagement.Projections.Common;
using CoManagement.Projections.Queries;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CoManagement.Seeding.Tests;

/// <summary>A fresh schema on the test PostgreSQL (ES_TEST_POSTGRES) with the Host's core services over it.</summary>
public sealed class SeedSchema : IAsyncDisposable
{
    /// <summary>Fixed, so a failure repeats: every business time lies before it.</summary>
    public static readonly DateTimeOffset Anchor = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public SeedSchema()
    {
        var connectionString = Environment.GetEnvironmentVariable("ES_TEST_POSTGRES")
            ?? throw new InvalidOperationException("ES_TEST_POSTGRES is not set: run the tests through ./test.sh, which starts PostgreSQL.");
        Services = new ServiceCollection()
            .AddCoManagementCore(new HostSettings { ConnectionString = connectionString, Schema = Schema })
            .BuildServiceProvider();
    }

    public string Schema { get; } = "t_seed_" + Guid.NewGuid().ToString("N")[..12];

    public ServiceProvider Services { get; }

    public PostgresEventStore Store => Services.GetRequiredService<PostgresEventStore>();

    public EventTypeRegistry Registry => Services.GetRequiredService<EventTypeRegistry>();

    public Task<SeedSummary> SeedAsync(string size, SeedPath path = SeedPath.Auto, IProgress<(long Done, long Total)>? progress = null) =>
        DemoSeeder.SeedAsync(Services, new SeedOptions { Size = size, Anchor = Anchor, Path = path, BatchSize = 40, ImportEvents = 300 }, progress,
            TestContext.Current.CancellationToken);

    /// <summary>
    /// Each month the coverage projection closed (after catching up): the members it froze as outflowed (N_out summed
    /// over the tree's roots) and the members whose own events, dated before the month's end, leave an episode open.
    /// </summary>
    public async Task<IReadOnlyList<(string Month, long Frozen, long Folded)>> ClosedMonthsAgainstTheEventsAsync(Contents contents)
    {
        var ct = TestContext.Current.CancellationToken;
        var catalog = Services.GetRequiredService<ProjectionCatalog>();
        await catalog.CatchUpAsync(Store, TimeSpan.FromSeconds(30), ct);
        var query = new CoverageQuery(Services.GetRequiredService<NpgsqlDataSource>(), catalog);
        var roots = contents.Organisations.Values.Where(o => o.ParentId is null).Select(o => o.OrganizationId).ToList();
        var months = new List<(string, long, long)>();
        foreach (var month in await query.ClosedMonthsAsync(ct))
        {
            var end = Months.TryParse(month, out var m) ? Months.End(m) : throw new InvalidOperationException($"'{month}' is not a month");
            var frozen = 0L;
            foreach (var root in roots)
                frozen += (await query.GetAsync(root, month, ct))!.All.NOut;
            var folded = contents.Events.Where(e => e.StreamId.StartsWith("member-", StringComparison.Ordinal) && e.BusinessTime < end)
                .Select(e => (IMemberEvent)Registry.Deserialize(e))
                .GroupBy(e => e.MemberId)
                .Count(g => g.Aggregate(Member.Initial, Member.Evolve).OpenEpisode is not null);
            months.Add((month, frozen, folded));
        }
        return months;
    }

    /// <summary>The member events' months (China time) in feed order.</summary>
    public static IEnumerable<DateOnly> MemberEventMonths(Contents contents) =>
        contents.Events.Where(e => e.StreamId.StartsWith("member-", StringComparison.Ordinal))
            .Select(e => Months.Of(e.BusinessTime));

    public async Task<IReadOnlyList<RecordedEvent>> AllEventsAsync()
    {
        var all = new List<RecordedEvent>();
        for (var after = 0L; ;)
        {
            var page = await Store.ReadFeedAsync(after, 5000, TestContext.Current.CancellationToken);
            if (page.Events.Count == 0)
                return all;
            all.AddRange(page.Events);
            after = page.NextAfter;
        }
    }

    /// <summary>Every stream folded with its decider's Evolve.</summary>
    public async Task<Contents> ContentsAsync()
    {
        var events = await AllEventsAsync();
        var contents = new Contents(events);
        foreach (var e in events)
        {
            switch (Registry.Deserialize(e))
            {
                case IOrganizationEvent o:
                    contents.Organisations[o.OrganizationId] = Organization.Evolve(contents.Organisations.GetValueOrDefault(o.OrganizationId, Organization.Initial), o);
                    break;
                case IAgreementEvent a:
                    contents.Agreements[a.AgreementId] = Agreement.Evolve(contents.Agreements.GetValueOrDefault(a.AgreementId, Agreement.Initial), a);
                    break;
                case IMemberEvent m:
                    contents.Members[m.MemberId] = Member.Evolve(contents.Members.GetValueOrDefault(m.MemberId, Member.Initial), m);
                    break;
            }
        }
        return contents;
    }

    /// <summary>
    /// What two seedings must agree on: every event's stream, version, type, data, metadata and business time. Positions,
    /// recorded times and hashes (which cover both) differ from one database to another by design.
    /// </summary>
    public static string Digest(IEnumerable<RecordedEvent> events)
    {
        var text = new StringBuilder();
        foreach (var e in events.OrderBy(e => e.StreamId, StringComparer.Ordinal).ThenBy(e => e.Version))
            text.Append(e.StreamId).Append('|').Append(e.Version).Append('|').Append(e.Type).Append('|').Append(e.Json).Append('|')
                .Append(e.MetadataJson).Append('|').Append(e.BusinessTime.UtcTicks).Append('\n');
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Rows of a projection's table; a projection lives in its own schema <c>{store schema}_{projection}</c>.</summary>
    public async Task<long> RowsAsync(string projection, string table)
    {
        await using var count = Services.GetRequiredService<NpgsqlDataSource>().CreateCommand($"SELECT count(*) FROM {Schema}_{projection}.{table}");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>Drops the store's schema and the projections' (<c>{schema}_roster</c>, …).</summary>
    public async ValueTask DisposeAsync()
    {
        await using (var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable("ES_TEST_POSTGRES")))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($$"""
                DO $$ DECLARE s text; BEGIN
                  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname = '{{Schema}}' OR nspname LIKE '{{Schema}}\_%' LOOP
                    EXECUTE format('DROP SCHEMA %I CASCADE', s);
                  END LOOP;
                END $$
                """, connection);
            await drop.ExecuteNonQueryAsync();
        }
        await Services.DisposeAsync();
    }
}

public sealed class Contents(IReadOnlyList<RecordedEvent> events)
{
    public IReadOnlyList<RecordedEvent> Events => events;

    public Dictionary<string, OrganizationState> Organisations { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, AgreementState> Agreements { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, MemberState> Members { get; } = new(StringComparer.Ordinal);

    public OrgDirectory Directory => new(Organisations.Values.Select(o => o.ToFacts()!));

    public bool IsUnder(string id, string ancestor)
    {
        for (var at = id; at is not null; at = Organisations[at].ParentId)
        {
            if (at == ancestor)
                return true;
        }
        return false;
    }
}

/// <summary>The repository's seed files, read independently of the seeder to state what the tree must hold.</summary>
public static class SeedFiles
{
    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "seeds", "organisations.csv")))
                    return Path.Combine(dir.FullName, "seeds");
            }
            throw new InvalidOperationException("seeds/ not found above the test binaries");
        }
    }

    /// <summary>Rows of organisations.csv plus the registration points registration-points.csv expands to.</summary>
    public static int OrganisationCount() =>
        File.ReadAllLines(Path.Combine(Directory, "organisations.csv")).Skip(1).Count(l => l.Length > 0)
        + File.ReadAllLines(Path.Combine(Directory, "registration-points.csv")).Skip(1).Where(l => l.Length > 0).Sum(l => int.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));
}
