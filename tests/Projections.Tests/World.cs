using CoManagement.Application;
using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using CoManagement.EventStore;
using CoManagement.EventStore.Projections;
using Npgsql;

namespace CoManagement.Projections.Tests;

/// <summary>
/// A real PostgreSQL (ES_TEST_POSTGRES), a fresh store schema with every projection, and the real command path: what
/// a test does goes through <see cref="CommandHandler"/> and lands in the projections as it would in the service.
/// </summary>
public sealed class World : IAsyncDisposable
{
    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    private readonly string[] _projectionSchemas;

    private World(IEnumerable<IProjection>? wrapAsync)
    {
        var connectionString = Environment.GetEnvironmentVariable("ES_TEST_POSTGRES")
            ?? throw new InvalidOperationException("ES_TEST_POSTGRES is not set: run ./test.sh or source .local/dev/env.sh.");
        DataSource = NpgsqlDataSource.Create(connectionString);
        Schema = "p_" + Guid.NewGuid().ToString("N")[..16];
        Registry = DomainRegistry.Create();
        Catalog = new ProjectionCatalog(Schema, Registry);
        var options = new EventStoreOptions { Schema = Schema };
        foreach (var listener in Catalog.AppendListeners)
            options.AppendListeners.Add(listener);
        Store = new PostgresEventStore(DataSource, options);
        Handler = new CommandHandler(Store, Registry, DomainSettings.Default, new OrgFactsReader(Store, Registry));
        AsyncProjections = [.. wrapAsync ?? Catalog.Async];
        _projectionSchemas = [.. Catalog.All.Select(p => p.Name).SelectMany(n => new[] { Catalog.SchemaOf(n), Catalog.SchemaOf(n) + "_next" })];
    }

    public NpgsqlDataSource DataSource { get; }

    public string Schema { get; }

    public EventTypeRegistry Registry { get; }

    public ProjectionCatalog Catalog { get; }

    public PostgresEventStore Store { get; }

    public CommandHandler Handler { get; }

    /// <summary>The async projections the runners drive (the catalog's, or test wrappers around them).</summary>
    public IReadOnlyList<IProjection> AsyncProjections { get; }

    public static async Task<World> CreateAsync(IEnumerable<IProjection>? asyncProjections = null)
    {
        var world = new World(asyncProjections);
        await world.Store.MigrateAsync();
        await world.Catalog.EnsureCreatedAsync(world.Store);
        return world;
    }

    public async ValueTask DisposeAsync()
    {
        await using (var cmd = DataSource.CreateCommand(
            string.Join(";", _projectionSchemas.Append(Schema).Select(s => $"DROP SCHEMA IF EXISTS {s} CASCADE"))))
            await cmd.ExecuteNonQueryAsync();
        await DataSource.DisposeAsync();
    }

    public ProjectionRunner Runner(IProjection projection, int batchSize = 1000, int chunkEvents = int.MaxValue, int catchUpEvents = int.MaxValue) =>
        new(Store, projection, new ProjectionRunnerOptions { Owner = "test", BatchSize = batchSize, ChunkEvents = chunkEvents, CatchUpEvents = catchUpEvents });

    /// <summary>Runs every async projection until it has applied the whole feed.</summary>
    public async Task CatchUpAsync(int batchSize = 1000)
    {
        foreach (var projection in AsyncProjections)
        {
            var runner = Runner(projection, batchSize);
            await runner.EnsureCreatedAsync();
            (await runner.TryAcquireLeaseAsync()).ShouldBeTrue();
            while (await runner.RunBatchAsync() > 0)
            {
            }
            await runner.ReleaseLeaseAsync();
        }
    }

    public static DateTimeOffset On(int year, int month, int day, int hour = 9) => new(year, month, day, hour, 0, 0, China);

    public static Actor OutflowActor(string org) => new("u-" + org, org, Side.Outflow);

    public static Actor InflowActor(string org) => new("u-" + org, org, Side.Inflow);

    public async Task<CommandResult> TryAsync(ICommand command) => await Handler.HandleAsync(command);

    public async Task DoAsync(ICommand command)
    {
        var result = await Handler.HandleAsync(command);
        result.Accepted.ShouldBeTrue($"{command.GetType().Name} was rejected: {result.ReasonCode} {result.Message}");
    }

    public Task OrgAsync(string id, string name, string? parent, OrganizationKind kind, Side side, string region, DateTimeOffset? at = null)
    {
        var when = at ?? On(2020, 1, 1);
        return DoAsync(new CreateOrganization(Guid.NewGuid(), new Actor("admin", parent ?? id, side), when, id, name, parent, kind, side, region, when));
    }

    public Task TargetAsync(string org, TargetMetric metric, int year, decimal value, DateTimeOffset at) =>
        DoAsync(new SetTarget(Guid.NewGuid(), OutflowActor(org), at, org, metric, year, value, at));

    public Task RegisterAsync(string member, string branch, string destination, DateTimeOffset at, Actor? by = null,
        string? name = null, DateTimeOffset? departedAt = null) =>
        DoAsync(new RegisterOutflow(Guid.NewGuid(), by ?? OutflowActor(branch), at, member, name ?? "党员" + member,
            IdNumberFor(member), branch, OutflowReason.Work, destination, "place of " + member, null, "13800000000", null,
            departedAt ?? at, at));

    public Task ReportAsync(string member, string place, DateTimeOffset at, Actor? by = null) =>
        DoAsync(new ReportAtInflow(Guid.NewGuid(), by ?? InflowActor(place), at, member, place, ReportChannel.InPerson, at));

    public Task PlaceAsync(string member, string inflowOrg, string branch, DateTimeOffset at) =>
        DoAsync(new PlaceInBranch(Guid.NewGuid(), InflowActor(inflowOrg), at, member, inflowOrg, branch, at));

    public Task ContactAsync(string member, Actor by, DateTimeOffset at) =>
        DoAsync(new LogContact(Guid.NewGuid(), by, at, member, ContactMethod.Phone, null, at));

    public Task ActivityAsync(string member, string org, Actor by, DateTimeOffset at, DateTimeOffset? recordedAt = null) =>
        DoAsync(new RecordActivity(Guid.NewGuid(), by, recordedAt ?? at, member, org, ActivityKind.ThemePartyDay, AttendanceMode.OnSite, at));

    public Task CareVisitAsync(string member, Actor by, DateTimeOffset at) =>
        DoAsync(new RecordCareVisit(Guid.NewGuid(), by, at, member, CareVisitKind.FestivalVisit, null, at));

    public Task MarkLostAsync(string member, Actor by, DateTimeOffset at) =>
        DoAsync(new MarkLostContact(Guid.NewGuid(), by, at, member, at));

    public Task MoveOnAsync(string member, string destination, Actor by, DateTimeOffset at) =>
        DoAsync(new MoveOn(Guid.NewGuid(), by, at, member, destination, "new place of " + member, at));

    public Task RequestTransferAsync(string member, string receiver, Actor by, DateTimeOffset at) =>
        DoAsync(new RequestTransfer(Guid.NewGuid(), by, at, member, receiver, at));

    public Task AcceptTransferAsync(string member, string receiver, DateTimeOffset at) =>
        DoAsync(new AcceptTransfer(Guid.NewGuid(), InflowActor(receiver), at, member, at));

    public Task ReturnAsync(string member, Actor by, DateTimeOffset at) =>
        DoAsync(new RecordReturn(Guid.NewGuid(), by, at, member, true, at));

    public Task SignAsync(string id, string outflowDept, string inflowDept, int sharingDays, DateTimeOffset at) =>
        DoAsync(new SignAgreement(Guid.NewGuid(), OutflowActor(outflowDept), at, id, "co-management " + id, outflowDept, inflowDept, [],
            [Commitment.MemberCoManagement, Commitment.ResourceSharing], sharingDays, at));

    public static string IdNumberFor(string member) =>
        "62080219900101" + (member.Aggregate(0, (h, c) => (h * 31 + c) % 10000)).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every row of a table as text, in a stable order: what "equal tables" means in the rebuild tests.</summary>
    public async Task<List<string>> DumpAsync(string schema, string table)
    {
        var rows = new List<string>();
        await using var cmd = DataSource.CreateCommand($"SELECT t::text FROM {schema}.{table} t ORDER BY t::text");
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        foreach (var v in values)
            cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
