using CoManagement.Contracts;
using CoManagement.Domain.Common;
using Npgsql;

namespace CoManagement.Bus.Tests;

/// <summary>
/// The Host connects as a role of its own, so the test can shut the database to it alone: a connection limit of 0 and
/// its sessions ended, which it meets as a server refusing connections (53300, transient) until the limit is lifted.
/// </summary>
public sealed class Database_outage : IAsyncLifetime
{
    private static readonly string Role = "bus_outage_" + Guid.NewGuid().ToString("N")[..8];

    private readonly BusHost _host = new() { ConnectionString = new NpgsqlConnectionStringBuilder(BusHost.Postgres) { Username = Role }.ConnectionString };

    public async ValueTask InitializeAsync()
    {
        await using (var admin = NpgsqlDataSource.Create(BusHost.Postgres))
            await admin.CreateCommand($"CREATE ROLE {Role} LOGIN; GRANT CREATE ON DATABASE postgres TO {Role}").ExecuteNonQueryAsync();
        await _host.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.ExecuteAsync($"ALTER ROLE {Role} CONNECTION LIMIT -1");
        await _host.DisposeAsync();
        await using var admin = NpgsqlDataSource.Create(BusHost.Postgres);
        await admin.CreateCommand($"DROP OWNED BY {Role}; DROP ROLE {Role}").ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task a_command_that_cannot_reach_the_database_after_the_retries_is_rejected_as_unavailable_and_the_same_id_is_decided_afresh_later()
    {
        var scenario = new Scenario();
        foreach (var step in scenario.Organizations.Take(2))
            await _host.AcceptedAsync(step.Message);
        var member = scenario.Member("outage");
        var commandId = Guid.NewGuid();
        var register = scenario.Register(member, Scenario.On(2021, 1, 5), commandId);

        await _host.ExecuteAsync($"ALTER ROLE {Role} CONNECTION LIMIT 0; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{Role}'");
        var rejected = (await _host.SendAsync(register)).ShouldBeOfType<CommandRejected>();
        await _host.ExecuteAsync($"ALTER ROLE {Role} CONNECTION LIMIT -1");

        rejected.ShouldBe(new CommandRejected(commandId, ReasonCodes.ServiceUnavailable,
            "the service could not reach its database; send the same command id again later"));
        (await _host.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.rejected_commands WHERE command_id = '{commandId}'"))
            .ShouldBe(0, "an unavailable service decided nothing, so nothing is remembered");
        var accepted = await _host.AcceptedAsync(register);
        accepted.CommandId.ShouldBe(commandId);
        accepted.Duplicate.ShouldBeFalse();
        accepted.Version.ShouldBe(1);
    }
}
