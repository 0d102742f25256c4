namespace CoManagement.Application;

/// <summary>
/// What a command came to: accepted (the stream and its new version; no events when there was nothing to do) or
/// rejected with a stable reason code. <see cref="Duplicate"/> marks the answer to a command id seen before.
/// </summary>
public sealed record CommandResult(
    bool Accepted,
    string StreamId,
    long Version,
    IReadOnlyList<string> EventTypes,
    string? ReasonCode = null,
    string? Message = null,
    bool Duplicate = false)
{
    public static CommandResult Rejected(string streamId, long version, string code, string message) =>
        new(false, streamId, version, [], code, message);
}

/// <summary>Who asked and in reply to what; stored in every event's metadata.</summary>
public sealed record CommandContext(Guid? CorrelationId = null, Guid? CausationId = null)
{
    public static CommandContext None { get; } = new();
}
