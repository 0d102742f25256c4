using CoManagement.EventStore.Outbox;
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
