namespace CoManagement.Domain.Common;

/// <summary>
/// What a decider answers: accepted with the events to append (none means "nothing to do", e.g. the state already
/// holds), or rejected with one reason.
/// </summary>
public sealed class Decision
{
    public static readonly Decision Nothing = new([], null);

    private Decision(IReadOnlyList<IDomainEvent> events, Rejection? rejection) =>
        (Events, Rejection) = (events, rejection);

    public IReadOnlyList<IDomainEvent> Events { get; }

    public Rejection? Rejection { get; }

    public bool IsAccepted => Rejection is null;

    public bool IsNothing => IsAccepted && Events.Count == 0;

    public static Decision Accept(params IDomainEvent[] events) => events.Length == 0 ? Nothing : new(events, null);

    public static Decision Reject(string code, string message) => new([], new Rejection(code, message));

    public static implicit operator Decision(Rejection rejection) => new([], rejection);

    public override string ToString() =>
        Rejection is { } r ? $"rejected {r.Code}: {r.Message}"
        : IsNothing ? "nothing to do"
        : $"accepted {string.Join(", ", Events.Select(e => e.GetType().Name))}";
}
