using System.Diagnostics;
using CoManagement.Domain.Agreements;
using CoManagement.Domain.Common;
using CoManagement.Domain.Members;
using CoManagement.Domain.Organizations;
using CoManagement.EventStore;

namespace CoManagement.Application;

/// <summary>
/// Load the stream → fold → decide → append with the expected version and the command id. A version conflict means
/// someone else wrote first: reload and decide again, a bounded number of times. A command id seen before returns the
/// first result without deciding again, a rejection as much as an acceptance (rejections are stored too, so a command
/// redelivered after its sender was told "rejected" cannot be accepted later). Rule violations come back as
/// rejections, never as exceptions.
/// </summary>
public sealed class CommandHandler(
    PostgresEventStore store,
    EventTypeRegistry registry,
    DomainSettings settings,
    OrgFactsReader orgs)
{
    public const int MaxAttempts = 10;

    private static readonly ActivitySource Source = new("CoManagement.Application");

    public Task<CommandResult> HandleAsync(ICommand command, CommandContext? context = null, CancellationToken ct = default) => command switch
    {
        IMemberCommand c => RunAsync(c, Streams.Member(c.MemberId), Member.Initial,
            (s, e) => Member.Evolve(s, (IMemberEvent)e), s => Member.OrganizationsNamedIn(c, s),
            (s, d) => Member.Decide(c, s, d, settings), context, ct),
        IOrganizationCommand c => RunAsync(c, Streams.Organization(c.OrganizationId), Organization.Initial,
            (s, e) => Organization.Evolve(s, (IOrganizationEvent)e), s => Organization.OrganizationsNamedIn(c, s),
            (s, d) => Organization.Decide(c, s, d, settings), context, ct),
        IAgreementCommand c => RunAsync(c, Streams.Agreement(c.AgreementId), Agreement.Initial,
            (s, e) => Agreement.Evolve(s, (IAgreementEvent)e), s => Agreement.OrganizationsNamedIn(c, s),
            (s, d) => Agreement.Decide(c, s, d, settings), context, ct),
        _ => Task.FromResult(CommandResult.Rejected("", 0, ReasonCodes.UnknownCommand, $"{command.GetType().Name} is not a known command")),
    };

    private async Task<CommandResult> RunAsync<TState>(
        ICommand command, string streamId, TState initial, Func<TState, object, TState> evolve,
        Func<TState, IReadOnlyList<string>> organizationsNamedIn, Func<TState, OrgDirectory, Decision> decide,
        CommandContext? context, CancellationToken ct)
    {
        using var activity = Source.StartActivity("command " + command.GetType().Name);
        activity?.SetTag("command.id", command.CommandId);
        activity?.SetTag("command.stream", streamId);

        if (command.CommandId == Guid.Empty)
            return CommandResult.Rejected(streamId, 0, ReasonCodes.MissingField, "the command id is empty");
        switch (await store.FindAnswerAsync(command.CommandId, ct).ConfigureAwait(false))
        {
            case ({ } earlier, _):
                return Repeat(earlier);
            case (_, { } refused):
                return Repeat(refused);
        }

        var metadata = new EventMetadata(context?.CorrelationId ?? command.CommandId, context?.CausationId,
            command.Actor.UserId, command.Actor.OrganizationId, command.Actor.Side.ToString(), command.CommandId);
        for (var attempt = 1; ; attempt++)
        {
            var (state, version) = await store.AggregateStreamAsync(streamId, registry, initial, evolve, ct: ct).ConfigureAwait(false);
            var organizationIds = organizationsNamedIn(state);
            var directory = organizationIds.Count == 0 ? OrgDirectory.Empty : await orgs.LoadAsync(organizationIds, ct).ConfigureAwait(false);
            var decision = decide(state, directory);
            if (decision.Rejection is { } rejection)
            {
                activity?.SetTag("command.rejected", rejection.Code);
                var stored = await store.RecordRejectionAsync(command.CommandId, streamId, version, rejection.Code, rejection.Message, ct)
                    .ConfigureAwait(false);
                if (stored is null) // a copy of the command was accepted meanwhile: that is its answer
                    return Repeat(await store.FindCommandAsync(command.CommandId, ct).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"command {command.CommandId} was neither rejected nor accepted"));
                return stored.Code == rejection.Code && stored.Message == rejection.Message
                    ? CommandResult.Rejected(streamId, version, rejection.Code, rejection.Message)
                    : Repeat(stored);
            }

            var events = decision.Events.Select(e => registry.ToEventData(e, e.OccurredAt, metadata)).ToList();
            try
            {
                var result = await store.AppendAsync(streamId, ExpectedVersion.Exactly(version), events, command.CommandId, ct).ConfigureAwait(false);
                return result.Duplicate
                    ? Repeat(result)
                    : new CommandResult(true, streamId, result.ToVersion, [.. events.Select(e => e.Type)]);
            }
            catch (CommandRejectedBeforeException)
            {
                // A copy of the command was rejected meanwhile (the check above came before): that is its answer.
                return Repeat(await store.FindRejectionAsync(command.CommandId, ct).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"command {command.CommandId} was rejected but its rejection is gone"));
            }
            catch (WrongExpectedVersionException) when (attempt < MaxAttempts)
            {
                activity?.AddEvent(new ActivityEvent("version conflict, deciding again"));
                // Jittered back-off, so writers racing on one member do not keep colliding in lockstep.
                await Task.Delay(Random.Shared.Next(1, 2 << Math.Min(attempt, 5)), ct).ConfigureAwait(false);
            }
            catch (WrongExpectedVersionException e)
            {
                return CommandResult.Rejected(streamId, e.ActualVersion, "stream.busy",
                    $"the stream kept changing; gave up after {MaxAttempts} attempts");
            }
        }
    }

    private static CommandResult Repeat(AppendResult earlier) =>
        new(true, earlier.StreamId, earlier.ToVersion, [], Duplicate: true);

    private static CommandResult Repeat(CommandRejection earlier) =>
        CommandResult.Rejected(earlier.StreamId, earlier.Version, earlier.Code, earlier.Message) with { Duplicate = true };
}
