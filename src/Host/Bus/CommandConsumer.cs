using CoManagement.Application;
using CoManagement.Contracts;
using CoManagement.Domain.Common;
using MassTransit;
using Npgsql;

namespace CoManagement.Host.Bus;

/// <summary>
/// One consumer type for every command contract (registered once per contract): map, handle, reply. Rule violations
/// are replies. An unreadable message (<see cref="InvalidCommandMessageException"/>) sent as a request is rejected with
/// <c>command.unreadable</c>; without a response address it ends in the error queue. Nothing is written either way.
/// A request that still fails on a transient database error after the in-place retries
/// (<see cref="BusRegistration.RetryIntervals"/>) is rejected with <c>service.unavailable</c>, which is not stored.
/// A redelivered message carries the same command id (or message id), so the store's idempotency answers it with the
/// first result and appends nothing.
/// </summary>
public sealed class CommandConsumer<TMessage>(CommandHandler handler, TimeProvider clock, ILogger<CommandConsumer<TMessage>> log)
    : IConsumer<TMessage>
    where TMessage : class, ICommandMessage
{
    public const string UnavailableMessage = "the service could not reach its database; send the same command id again later";

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        Guid commandId;
        ICommand command;
        try
        {
            commandId = CommandMapping.CommandIdOf(context.Message, context.MessageId);
            command = CommandMapping.ToCommand(context.Message, commandId, clock.GetUtcNow());
        }
        catch (InvalidCommandMessageException e) when (context.ResponseAddress is not null)
        {
            // A sender waiting for an answer gets one with a reason code, as for any other refusal. It is not stored:
            // there may be no command id to store it under, and the same id, readable, is judged afresh.
            var id = Guid.TryParse(context.Message.CommandId, out var readable) ? readable : context.MessageId ?? Guid.Empty;
            await context.RespondAsync(new CommandRejected(id, ReasonCodes.CommandUnreadable, e.Message)).ConfigureAwait(false);
            return;
        }

        // The events' metadata keeps the sender's correlation (or the bus conversation) and the message that caused them.
        var correlation = new CommandContext(context.CorrelationId ?? context.ConversationId, context.MessageId);
        CommandResult result;
        try
        {
            result = await handler.HandleAsync(command, correlation, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransient(e) && context.ResponseAddress is not null
            && context.GetRetryAttempt() >= BusRegistration.RetryIntervals.Length)
        {
            // The sender is told to try again, without the database's own message (it names tables and schemas).
            // Nothing was decided, so nothing is stored: the same command id sent later is judged afresh.
            log.LogWarning(e, "Command {CommandId} failed on the database after {Retries} retries; answered {Reason}",
                commandId, BusRegistration.RetryIntervals.Length, ReasonCodes.ServiceUnavailable);
            await context.RespondAsync(new CommandRejected(commandId, ReasonCodes.ServiceUnavailable, UnavailableMessage)).ConfigureAwait(false);
            return;
        }

        object reply = result.Accepted
            ? new CommandAccepted(commandId, result.StreamId, result.Version, result.EventTypes, result.Duplicate)
            : new CommandRejected(commandId, result.ReasonCode ?? "", result.Message ?? "");
        await context.RespondAsync(reply).ConfigureAwait(false);
    }

    /// <summary>A failure that may pass by itself (a restart, a dropped connection, a timeout), unlike a bug.</summary>
    internal static bool IsTransient(Exception e) => e switch
    {
        NpgsqlException n when n.IsTransient => true,
        TimeoutException => true,
        AggregateException a => a.InnerExceptions.Any(IsTransient),
        _ => e.InnerException is { } inner && IsTransient(inner),
    };
}
