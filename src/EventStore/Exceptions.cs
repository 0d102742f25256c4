namespace CoManagement.EventStore;

public class EventStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The stream was not at the expected version; nothing was written.</summary>
public sealed class WrongExpectedVersionException(string streamId, ExpectedVersion expected, long actual, Exception? inner = null)
    : EventStoreException($"Wrong expected version for stream '{streamId}': expected {expected}, actual {actual}.", inner)
{
    public string StreamId { get; } = streamId;
    public ExpectedVersion Expected { get; } = expected;
    public long ActualVersion { get; } = actual;
}

/// <summary>A command id whose command was rejected before: its rejection stands (<see cref="PostgresEventStore.FindRejectionAsync"/>).</summary>
public sealed class CommandRejectedBeforeException(Guid commandId, Exception? inner = null)
    : EventStoreException($"Command {commandId} was rejected before; it is not appended.", inner)
{
    public Guid CommandId { get; } = commandId;
}

public sealed class StreamArchivedException(string streamId, Exception? inner = null)
    : EventStoreException($"Stream '{streamId}' is archived and closed to appends.", inner)
{
    public string StreamId { get; } = streamId;
}

/// <summary>A stored event whose type name is not registered: never dropped silently.</summary>
public sealed class UnknownEventTypeException(string type, int schemaVersion)
    : EventStoreException($"Event type '{type}' (schema version {schemaVersion}) is not registered.")
{
    public string Type { get; } = type;
    public int SchemaVersion { get; } = schemaVersion;
}
