using CoManagement.Application;
using CoManagement.Contracts;
using MassTransit;

namespace CoManagement.Host.Bus;

/// <summary>
/// One consumer type for every command contract (registered once per contract): map, handle, reply. Rule violations
/// are replies; an unreadable message throws <see cref="InvalidCommandMessageException"/> and ends in the error queue.
/// A redelivered message carries the same command id (or message id), so the store's idempotency answers it with the
/// first result and appends nothing.
/// </summary>
public sealed class CommandConsumer<TMessage>(CommandHandler handler, TimeProvider clock) : IConsumer<TMessage>
    where TMessage : class, ICommandMessage
{
    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var commandId = CommandMapping.CommandIdOf(context.Message, context.MessageId);
        var command = CommandMapping.ToCommand(context.Message, commandId, clock.GetUtcNow());

        // The events' metadata keeps the sender's correlation (or the bus conversation) and the message that caused them.
        var correlation = new CommandContext(context.CorrelationId ?? context.ConversationId, context.MessageId);
        var result = await handler.HandleAsync(command, correlation, context.CancellationToken).ConfigureAwait(false);

        object reply = result.Accepted
            ? new CommandAccepted(commandId, result.StreamId, result.Version, result.EventTypes, result.Duplicate)
            : new CommandRejected(commandId, result.ReasonCode ?? "", result.Message ?? "");
        await context.RespondAsync(reply).ConfigureAwait(false);
    }
}
