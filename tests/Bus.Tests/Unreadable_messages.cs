using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoManagement.Contracts;
using CoManagement.Domain.Common;
using RabbitMQ.Client;

namespace CoManagement.Bus.Tests;

/// <summary>
/// Messages the service cannot read: sent as requests they are answered rejected (<c>command.unreadable</c>); published
/// with the plain RabbitMQ client without a response address, as a service in another language might, in MassTransit's
/// envelope, they end in the command queue's error queue with the reason. Nothing is appended either way.
/// </summary>
public sealed class Unreadable_messages(BusHost host) : IClassFixture<BusHost>
{
    [Theory]
    [InlineData("memberId", null, "InvalidCommandMessageException", "memberId is missing")]
    [InlineData("reason", "Holiday", "InvalidCommandMessageException", "reason 'Holiday' is not one of Work, Business, Study, Retirement, Other")]
    [InlineData("actor", null, "InvalidCommandMessageException", "actor is missing")]
    [InlineData("commandId", "not-a-uuid", "InvalidCommandMessageException", "commandId 'not-a-uuid' is not a UUID")]
    public async Task a_message_that_cannot_be_read_goes_to_the_error_queue_with_the_reason_and_appends_nothing(
        string field, string? value, string exceptionType, string reason)
    {
        var scenario = new Scenario();
        foreach (var step in scenario.Organizations.Take(2))
            await host.AcceptedAsync(step.Message);
        var member = scenario.Member("poison");
        var valid = scenario.Register(member, Scenario.On(2021, 1, 5));
        var message = JsonSerializer.SerializeToNode(valid, JsonSerializerOptions.Web)!.AsObject();
        if (value is null)
            message.Remove(field);
        else
            message[field] = value;
        var messageId = Guid.NewGuid();

        await PublishRawAsync(messageId, $"urn:message:{typeof(RegisterOutflow).Namespace}:{nameof(RegisterOutflow)}", message);

        var faulted = await Rabbit.GetAsync(host.Queue + "_error", BusHost.Timeout);
        var headers = faulted.BasicProperties.Headers!.ToDictionary(
            h => h.Key, h => h.Value is byte[] b ? Encoding.UTF8.GetString(b) : h.Value?.ToString() ?? "");
        Encoding.UTF8.GetString(faulted.Body.Span).ShouldContain(messageId.ToString());
        headers["MT-Reason"].ShouldBe("fault");
        headers["MT-Fault-ExceptionType"].ShouldContain(exceptionType);
        headers["MT-Fault-Message"].ShouldContain(reason);
        (await host.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.events WHERE stream_id = 'member-{member}'")).ShouldBe(0);

        // The same command, readable, is accepted as the member's first event: the bad one left no trace.
        (await host.AcceptedAsync(valid)).Version.ShouldBe(1);
    }

    [Theory]
    [InlineData("memberId", "memberId is missing")]
    [InlineData("reason", "reason 'Holiday' is not one of Work, Business, Study, Retirement, Other")]
    [InlineData("commandId", "commandId 'not-a-uuid' is not a UUID")]
    public async Task a_request_that_cannot_be_read_is_rejected_as_unreadable_under_its_command_id_or_message_id_and_appends_nothing(
        string field, string reason)
    {
        var scenario = new Scenario();
        foreach (var step in scenario.Organizations.Take(2))
            await host.AcceptedAsync(step.Message);
        var member = scenario.Member("unreadable-request");
        var commandId = Guid.NewGuid();
        var valid = scenario.Register(member, Scenario.On(2021, 1, 5), commandId);
        var unreadable = field switch
        {
            "memberId" => valid with { MemberId = null! },
            "reason" => valid with { Reason = "Holiday" },
            _ => valid with { CommandId = "not-a-uuid" },
        };
        var messageId = Guid.NewGuid();

        var rejected = (await host.SendAsync(unreadable, c => c.MessageId = messageId)).ShouldBeOfType<CommandRejected>();

        rejected.ReasonCode.ShouldBe(ReasonCodes.CommandUnreadable);
        rejected.Message.ShouldBe(reason);
        rejected.CommandId.ShouldBe(field == "commandId" ? messageId : commandId);
        (await host.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.events WHERE stream_id = 'member-{member}'")).ShouldBe(0);
        (await host.ScalarAsync<long>($"SELECT count(*) FROM {{schema}}.rejected_commands WHERE command_id IN ('{commandId}', '{messageId}')"))
            .ShouldBe(0, "an unreadable message is not remembered");

        // The same command id, readable, is judged afresh.
        (await host.AcceptedAsync(valid)).Version.ShouldBe(1);
    }

    private async Task PublishRawAsync(Guid messageId, string messageType, JsonObject message)
    {
        var envelope = new JsonObject
        {
            ["messageId"] = messageId.ToString(),
            ["messageType"] = new JsonArray(messageType),
            ["message"] = message,
        };
        await using var connection = await Rabbit.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        // MassTransit binds an exchange of the queue's name to the queue.
        await channel.BasicPublishAsync(host.Queue, "", mandatory: true,
            new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = messageId.ToString(), Persistent = true },
            Encoding.UTF8.GetBytes(envelope.ToJsonString()));
    }
}
