using CoManagement.Contracts;
using CoManagement.Domain.Common;
using CoManagement.Host.Bus;

namespace CoManagement.Bus.Tests;

public sealed class Commands_over_the_bus(BusHost host) : IClassFixture<BusHost>
{
    [Fact]
    public void every_domain_command_has_a_contract_of_the_same_name_and_no_contract_is_left_over()
    {
        var domain = typeof(ICommand).Assembly.GetTypes().Where(t => t.IsClass && typeof(ICommand).IsAssignableFrom(t)).Select(t => t.Name);
        CommandMapping.MessageTypes.Select(t => t.Name).Order().ShouldBe(domain.Order());
    }

    [Fact]
    public async Task every_command_kind_is_answered_accepted_with_its_new_version_or_rejected_with_its_reason()
    {
        var scenario = new Scenario();
        var versions = new Dictionary<string, long>();
        foreach (var step in scenario.All)
        {
            var reply = await host.SendAsync(step.Message);
            var what = $"{step.Message.GetType().Name} {step.Message}";
            if (step.Rejects is { } reason)
            {
                reply.ShouldBeOfType<CommandRejected>(what).ReasonCode.ShouldBe(reason, what);
                continue;
            }
            var accepted = reply.ShouldBeOfType<CommandAccepted>(what);
            accepted.Duplicate.ShouldBeFalse(what);
            accepted.EventTypes.ShouldNotBeEmpty(what);
            accepted.Version.ShouldBe(versions.GetValueOrDefault(accepted.StreamId) + 1, what);
            versions[accepted.StreamId] = accepted.Version;
        }

        scenario.All.Select(s => s.Message.GetType().Name).Distinct().Order()
            .ShouldBe(CommandMapping.MessageTypes.Select(t => t.Name).Order(), "every kind is sent");
        (await host.ScalarAsync<long>("SELECT count(*) FROM {schema}.events")).ShouldBeGreaterThanOrEqualTo(versions.Values.Sum());
    }

    [Fact]
    public async Task a_redelivered_message_appends_nothing_new_and_is_answered_as_a_duplicate()
    {
        var scenario = new Scenario();
        foreach (var step in scenario.Organizations.Take(2))
            await host.AcceptedAsync(step.Message);
        var member = scenario.Member("redelivered");
        var register = scenario.Register(member, Scenario.On(2021, 1, 5)); // no command id: the message id stands in
        var messageId = Guid.NewGuid();

        var first = (CommandAccepted)await host.SendAsync(register, c => c.MessageId = messageId);
        var again = (CommandAccepted)await host.SendAsync(register, c => c.MessageId = messageId);

        (first.CommandId, first.StreamId, first.Version, first.Duplicate).ShouldBe((messageId, $"member-{member}", 1L, false));
        first.EventTypes.ShouldBe(["member.outflow-registered"]);
        (again.CommandId, again.StreamId, again.Version, again.Duplicate).ShouldBe((messageId, $"member-{member}", 1L, true));
        again.EventTypes.ShouldBeEmpty();
        (await CountAsync(member)).ShouldBe(1);
    }

    [Fact]
    public async Task a_command_id_seen_before_is_not_appended_again_even_in_a_new_message()
    {
        var scenario = new Scenario();
        foreach (var step in scenario.Organizations.Take(2))
            await host.AcceptedAsync(step.Message);
        var member = scenario.Member("resent");
        var commandId = Guid.NewGuid();
        var register = scenario.Register(member, Scenario.On(2021, 1, 5), commandId);

        (await host.AcceptedAsync(register)).Duplicate.ShouldBeFalse();
        var again = await host.AcceptedAsync(register with { DestinationPlace = "changed, but the same command" });

        (again.CommandId, again.StreamId, again.Version, again.Duplicate).ShouldBe((commandId, $"member-{member}", 1L, true));
        (await CountAsync(member)).ShouldBe(1);
    }

    [Fact]
    public async Task the_senders_correlation_id_and_the_message_id_are_stored_with_the_events()
    {
        var scenario = new Scenario();
        var correlationId = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        var create = scenario.Organizations.First().Message;

        await host.SendAsync((CreateOrganization)create, c => (c.CorrelationId, c.MessageId) = (correlationId, messageId));

        var stored = (await host.Store.ReadStreamAsync($"org-{scenario.PlDept}")).ShouldHaveSingleItem().Metadata;
        stored.CorrelationId.ShouldBe(correlationId);
        stored.CausationId.ShouldBe(messageId);
        stored.CommandId.ShouldBe(messageId);
        (stored.Actor, stored.Organization, stored.Side).ShouldBe(($"u-{scenario.PlDept}", scenario.PlDept, "Outflow"), "a root is created by its own staff");
    }

    private Task<long> CountAsync(string member) =>
        host.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.events WHERE stream_id = 'member-{member}'");
}

public sealed class The_in_memory_transport() : IAsyncLifetime
{
    private readonly BusHost _host = new() { RabbitMq = false };

    public ValueTask InitializeAsync() => _host.InitializeAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task is_used_when_no_broker_is_configured_and_answers_commands()
    {
        _host.Bus.Address.Scheme.ShouldBe("loopback");
        var scenario = new Scenario();
        foreach (var step in scenario.Organizations.Take(2))
            await _host.AcceptedAsync(step.Message);
        (await _host.AcceptedAsync(scenario.Register(scenario.Member("x"), Scenario.On(2021, 1, 5)))).Version.ShouldBe(1);
    }
}
