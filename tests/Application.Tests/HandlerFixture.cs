using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using CoManagement.EventStore;
using Npgsql;

namespace CoManagement.Application.Tests;

/// <summary>A real PostgreSQL (ES_TEST_POSTGRES), a fresh store schema, and a small organisation tree (Pingliang → Lanzhou).</summary>
public sealed class HandlerFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 9, 0, 0, TimeSpan.FromHours(8));
    public static readonly Actor Admin = new("u-admin", "pl-dept", Side.Outflow);
    public static readonly Actor LzAdmin = new("u-lz-admin", "lz-dept", Side.Inflow);
    public static readonly Actor OutflowClerk = new("u-pl-01", "pl-kongtong-branch", Side.Outflow);
    public static readonly Actor InflowClerk = new("u-lz-01", "lz-chengguan", Side.Inflow);

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(
        Environment.GetEnvironmentVariable("ES_TEST_POSTGRES")
        ?? throw new InvalidOperationException("ES_TEST_POSTGRES is not set: run the tests through ./test.sh."));

    public string Schema { get; } = "h_" + Guid.NewGuid().ToString("N")[..16];
    public PostgresEventStore Store { get; private set; } = null!;
    public EventTypeRegistry Registry { get; } = DomainRegistry.Create();
    public CommandHandler Handler { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Store = new PostgresEventStore(_dataSource, new EventStoreOptions { Schema = Schema });
        await Store.MigrateAsync();
        Handler = new CommandHandler(Store, Registry, DomainSettings.Default, new OrgFactsReader(Store, Registry));
        var established = Now.AddYears(-5);
        foreach (var command in new IOrganizationCommand[]
        {
            new CreateOrganization(Guid.NewGuid(), Admin, Now, "pl-dept", "平凉市委组织部", null, OrganizationKind.Department, Side.Outflow, "620800", established),
            new CreateOrganization(Guid.NewGuid(), Admin, Now, "pl-kongtong-branch", "崆峒区某村党支部", "pl-dept", OrganizationKind.Branch, Side.Outflow, "620802", established),
            new CreateOrganization(Guid.NewGuid(), LzAdmin, Now, "lz-dept", "兰州市城关区委组织部", null, OrganizationKind.Department, Side.Inflow, "620102", established),
            new CreateOrganization(Guid.NewGuid(), LzAdmin, Now, "lz-chengguan", "城关区某社区党委", "lz-dept", OrganizationKind.Committee, Side.Inflow, "620102", established),
            new CreateOrganization(Guid.NewGuid(), LzAdmin, Now, "lz-chengguan-branch", "城关区某社区党支部", "lz-chengguan", OrganizationKind.Branch, Side.Inflow, "620102", established),
        })
        {
            var result = await Handler.HandleAsync(command);
            if (!result.Accepted)
                throw new InvalidOperationException($"fixture org rejected: {result.ReasonCode} {result.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await using (var cmd = _dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE"))
            await cmd.ExecuteNonQueryAsync();
        await _dataSource.DisposeAsync();
    }

    public static RegisterOutflow Register(string memberId, Guid? commandId = null, string region = "620102") =>
        new(commandId ?? Guid.NewGuid(), OutflowClerk, Now, memberId, "李明", "620802199001010017", "pl-kongtong-branch",
            OutflowReason.Work, region, "兰州市城关区", "某公司", "13900000001", null, Now.AddDays(-30), Now.AddDays(-30));

    public static ReportAtInflow Report(string memberId, string org = "lz-chengguan") =>
        new(Guid.NewGuid(), InflowClerk, Now, memberId, org, ReportChannel.InPerson, Now.AddDays(-20));

    public static LogContact Contact(string memberId, int daysAgo) =>
        new(Guid.NewGuid(), OutflowClerk, Now, memberId, ContactMethod.Phone, null, Now.AddDays(-daysAgo));
}
