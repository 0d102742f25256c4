using CoManagement.EventStore.Outbox;
using CoManagement.Host.Bus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using C = CoManagement.Contracts;

namespace CoManagement.Bus.Tests;

/// <summary>The outbox relay itself, driven by hand on a Host that runs none, as two Hosts' relays would share one outbox.</summary>
public sealed class Outbox_relays : IAsyncLifetime
{
    private readonly BusHost _host = new() { Relay = false };

    public ValueTask InitializeAsync() => _host.InitializeAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task a_second_relay_publishes_nothing_while_the_first_holds_earlier_rows_so_a_members_events_go_out_in_commit_order()
    {
        var scenario = new Scenario();
        foreach (var step in scenario.Organizations.Where(s => s.Rejects is null))
            await _host.AcceptedAsync(step.Message);
        var member = scenario.Member("two-relays");
        foreach (var step in scenario.TransferredMember(member).Take(4).Where(s => s.Rejects is null))
            await _host.AcceptedAsync(step.Message);
        (await _host.PendingOutboxAsync()).ShouldBe(3);

        var order = new List<string>();
        var firstHolds = new TaskCompletionSource();
        var confirm = new TaskCompletionSource();
        var first = new OutboxRelay(_host.DataSource, _host.Schema).PublishBatchAsync(async (row, _) =>
        {
            if (row.MessageType == nameof(C.MemberReportedAtInflow))
            {
                firstHolds.SetResult();
                await confirm.Task; // a slow broker confirm
            }
            lock (order)
                order.Add(row.MessageType);
        }, batchSize: 2);
        await firstHolds.Task.WaitAsync(BusHost.Timeout);

        var second = new OutboxRelay(_host.DataSource, _host.Schema);
        Task Record(PendingMessage row, CancellationToken _)
        {
            lock (order)
                order.Add(row.MessageType);
            return Task.CompletedTask;
        }
        (await second.PublishBatchAsync(Record, batchSize: 2)).ShouldBe(0, "the first relay is publishing");
        confirm.SetResult();
        (await first).ShouldBe(2);
        (await second.PublishBatchAsync(Record, batchSize: 2)).ShouldBe(1);

        order.ShouldBe([nameof(C.OutflowRegistered), nameof(C.MemberReportedAtInflow), nameof(C.MemberPlacedInBranch)]);
        (await _host.PendingOutboxAsync()).ShouldBe(0);
    }
}

public sealed class An_unpublishable_outbox_row(BusHost host) : IClassFixture<BusHost>
{
    [Fact]
    public async Task is_parked_after_its_attempts_so_later_integration_events_flow_and_readiness_reports_it_degraded()
    {
        await using var subscriber = await EventSubscriber.StartAsync();
        var scenario = new Scenario();
        foreach (var step in scenario.Organizations.Take(2))
            await host.AcceptedAsync(step.Message);
        // As a contract renamed without a new message type would leave it: no Host can read it any more.
        await host.ExecuteAsync("""
            INSERT INTO {schema}.outbox (message_id, event_position, message_type, destination, payload)
            VALUES (gen_random_uuid(), 0, 'OldContractName', 'Inflow', '{}')
            """);
        var member = scenario.Member("after-unpublishable");
        await host.AcceptedAsync(scenario.Register(member, Scenario.On(2021, 1, 5)));

        (await subscriber.WaitForAsync(r => r.MemberId == member)).ShouldHaveSingleItem().Message.ShouldBeOfType<C.OutflowRegistered>();
        (await host.ScalarAsync<int>("SELECT attempts FROM {schema}.outbox WHERE message_type = 'OldContractName' AND parked_at IS NOT NULL"))
            .ShouldBe(new BusSettings().OutboxMaxAttempts);
        (await host.ScalarAsync<string>("SELECT last_error FROM {schema}.outbox WHERE message_type = 'OldContractName'"))
            .ShouldContain("unknown message type 'OldContractName'");
        (await host.PendingOutboxAsync()).ShouldBe(0);

        var health = host.Services.GetRequiredService<HealthCheckService>();
        HealthReportEntry outbox = default;
        await BusHost.EventuallyAsync(async () => (outbox = (await health.CheckHealthAsync(c => c.Tags.Contains("ready"))).Entries["outbox"])
            .Description == "0 pending, 1 parked (cannot be published: see the outbox's last_error)");
        outbox.Status.ShouldBe(HealthStatus.Degraded);
        outbox.Data["parked"].ShouldBe(1L);
    }
}
