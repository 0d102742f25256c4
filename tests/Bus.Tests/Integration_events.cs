using CoManagement.Application;
using CoManagement.EventStore.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using C = CoManagement.Contracts;
using D = CoManagement.Domain.Members;

namespace CoManagement.Bus.Tests;

public sealed class Integration_events(BusHost host) : IClassFixture<BusHost>
{
    [Fact]
    public async Task the_other_side_receives_each_integration_event_exactly_as_committed_under_a_stable_id()
    {
        await using var subscriber = await EventSubscriber.StartAsync();
        var scenario = new Scenario();
        var member = scenario.Member("a");
        foreach (var step in scenario.Organizations.Concat(scenario.TransferredMember(member)))
            await host.SendAsync(step.Message);

        var registry = DomainRegistry.Create();
        var expected = (await host.Store.ReadStreamAsync($"member-{member}"))
            .Select(e => (Event: e, Contract: Expected(registry.Deserialize(e))))
            .Where(x => x.Contract is not null)
            .ToList();
        expected.Select(x => x.Contract!.Value.Message.GetType().Name).ShouldBe(
            ["OutflowRegistered", "MemberReportedAtInflow", "MemberPlacedInBranch", "MemberMovedOn", "MemberReportedAtInflow", "MemberTransferred"]);

        foreach (var (e, contract) in expected)
        {
            var (message, side) = contract!.Value;
            var messageId = OutboxWriter.MessageIdFor(await host.Store.GetStoreIdAsync(), e.Position, message.GetType().Name);
            var received = (await subscriber.WaitForAsync(r => r.MessageId == messageId && r.MemberId == member)).ShouldHaveSingleItem();
            received.Message.ShouldBe(message);
            received.Side.ShouldBe(side);
            received.CorrelationId.ShouldBe(e.Metadata.CorrelationId);
        }
        subscriber.All.Where(r => r.MemberId == member).Select(r => r.MessageId).Distinct().Count()
            .ShouldBe(expected.Count, "nothing else is published for the member");
    }

    /// <summary>What the other side should receive for a stored event, written out field by field.</summary>
    private static (object Message, string Side)? Expected(object stored) => stored switch
    {
        D.OutflowRegistered x => (new C.OutflowRegistered(x.MemberId, x.Episode, x.MemberName, x.OutflowOrgId, x.Reason.ToString(),
            x.Destination.Value, x.DestinationPlace, x.DepartedAt, x.RegisteredAt), "Inflow"),
        D.ReportedAtInflow x => (new C.MemberReportedAtInflow(x.MemberId, x.Episode, x.InflowOrgId, x.Channel.ToString(), x.ReportedAt), "Outflow"),
        D.PlacedInBranch x => (new C.MemberPlacedInBranch(x.MemberId, x.Episode, x.InflowOrgId, x.BranchId, x.PlacedAt), "Outflow"),
        D.MovedOn x => (new C.MemberMovedOn(x.MemberId, x.Episode, x.Destination.Value, x.DestinationPlace, x.MovedAt), "Inflow"),
        D.TransferAccepted x => (new C.MemberTransferred(x.MemberId, x.Episode, x.ReceivingOrgId, x.AcceptedAt), "Outflow"),
        _ => null,
    };
}

public sealed class Outbox_across_a_restart : IAsyncLifetime
{
    private readonly BusHost _host = new() { Relay = false };

    public ValueTask InitializeAsync() => _host.InitializeAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task an_event_committed_while_no_relay_runs_is_delivered_after_a_restart_and_a_republish_keeps_its_id()
    {
        await using var subscriber = await EventSubscriber.StartAsync();
        var scenario = new Scenario();
        var member = scenario.Member("restart");
        foreach (var step in scenario.Organizations.Take(2))
            await _host.AcceptedAsync(step.Message);
        await _host.AcceptedAsync(scenario.Register(member, Scenario.On(2021, 1, 5)));
        var position = (await _host.Store.ReadStreamAsync($"member-{member}")).ShouldHaveSingleItem().Position;
        var messageId = OutboxWriter.MessageIdFor(await _host.Store.GetStoreIdAsync(), position, nameof(C.OutflowRegistered));
        (await _host.PendingOutboxAsync()).ShouldBe(1, "committed with the event, not yet published");
        await BusHost.EventuallyAsync(async () => await OutboxHealthAsync() == "1 pending");

        await _host.StopAsync();
        _host.Start(runRelay: true);

        bool Ours(EventSubscriber.Received r) => r.MessageId == messageId && r.MemberId == member;
        (await subscriber.WaitForAsync(Ours)).ShouldHaveSingleItem().Message.ShouldBeOfType<C.OutflowRegistered>();
        await BusHost.EventuallyAsync(async () => await OutboxHealthAsync() == "0 pending");

        // As if the Host died after the broker confirmed but before the row was marked: published again, same id.
        await _host.ExecuteAsync("UPDATE {schema}.outbox SET published_at = NULL");
        var twice = await subscriber.WaitForAsync(Ours, count: 2);
        twice[1].Message.ShouldBe(twice[0].Message);
    }

    private async Task<string?> OutboxHealthAsync() =>
        (await _host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "outbox")).Entries["outbox"].Description;
}
