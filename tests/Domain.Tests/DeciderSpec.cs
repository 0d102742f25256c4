using System.Text.Json;
using CoManagement.Domain.Common;
using CoManagement.Domain.Organizations;

namespace CoManagement.Domain.Tests;

/// <summary>
/// Given(events).When(command).Then(events) over a decider. Events are compared as type + JSON, which gives structural
/// equality for list fields and proves each expected event serialises.
/// </summary>
public sealed class DeciderSpec<TCommand, TEvent, TState>(
    Func<TCommand, TState, OrgDirectory, DomainSettings, Decision> decide,
    Func<TState, TEvent, TState> evolve,
    TState initial,
    TEvent[] given)
    where TCommand : ICommand
    where TEvent : IDomainEvent
{
    private OrgDirectory orgs = TestData.Orgs;
    private DomainSettings settings = DomainSettings.Default;
    private TCommand? command;

    public DeciderSpec<TCommand, TEvent, TState> With(OrgDirectory directory)
    {
        orgs = directory;
        return this;
    }

    public DeciderSpec<TCommand, TEvent, TState> With(DomainSettings domainSettings)
    {
        settings = domainSettings;
        return this;
    }

    public DeciderSpec<TCommand, TEvent, TState> When(TCommand what)
    {
        command = what;
        return this;
    }

    public TState State => given.Aggregate(initial, evolve);

    /// <summary>Asserts the events and returns the state after them, for assertions on what projections will see.</summary>
    public TState Then(params TEvent[] expected)
    {
        var decision = Decide();
        decision.Rejection.ShouldBeNull(decision.ToString());
        decision.Events.Select(Describe).ShouldBe(expected.Select(e => Describe(e)));
        return decision.Events.Cast<TEvent>().Aggregate(State, evolve);
    }

    public void ThenRejects(string code)
    {
        var decision = Decide();
        decision.Rejection.ShouldNotBeNull(decision.ToString());
        decision.Rejection.Code.ShouldBe(code, decision.Rejection.Message);
        decision.Rejection.Message.ShouldNotBeNullOrWhiteSpace();
    }

    public void ThenNothing()
    {
        var decision = Decide();
        decision.IsNothing.ShouldBeTrue(decision.ToString());
    }

    private Decision Decide() =>
        decide(command ?? throw new InvalidOperationException("When(command) was not called"), State, orgs, settings);

    public static string Describe(IDomainEvent e) =>
        $"{e.GetType().Name} {JsonSerializer.Serialize(e, e.GetType(), DomainJsonContext.Default)}";
}
